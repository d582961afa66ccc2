import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database, IntervalCategory, PauseStatus, PracticeStatus } from "../../db/schema";
import { addDays, CORE_MINUTES_PER_DAY, datesBetween, londonTime, type CoreHoursCalendar } from "~/domain/calendar";
import { daySegments, type ApprovedPause, type AvailabilityInterval, type DaySegment } from "~/domain/compliance";
import {
  dayState,
  firstWholeWeek,
  halfHourClosures,
  hasEnoughData,
  isoWeekStart,
  lastWeeks,
  lastWholeWeek,
  peerPosition,
  shareOf,
  type DateRange,
  type DayState,
  type MinuteTotals,
  type PeerPosition,
} from "~/domain/compliance-report";
import { evaluateFlags, type Policy } from "~/domain/policy";
import { practicesInScope } from "~/services/scope.server";

/**
 * Compliance read models for the ICB overview and the practice page, from the stored `compliance_days` and
 * `closure_episodes` (kept in step by the importers). A core day without a stored row is 630 minutes of no data.
 * Portable Kysely only. An ICB's totals and weekly trend are summed by the database (one row per practice); flags
 * use `evaluateFlags` on the days at or over the policy's closed minutes, read on their own.
 */

type Db = Kysely<Database>;

/** The latest date with stored compliance data for an ICB's practices or for one practice, if any. */
export async function latestComplianceDate(db: Db, scope: { icb: string } | { practice: string }): Promise<string | null> {
  let query = db.selectFrom("compliance_days").innerJoin("practices", "practices.ods_code", "compliance_days.practice_code");
  query = "icb" in scope ? query.where("practices.icb_code", "=", scope.icb) : query.where("compliance_days.practice_code", "=", scope.practice);
  // `order by … desc limit 1` rather than `max`: the planner stops at the first row instead of reading them all.
  const row = await query.select("compliance_days.date").orderBy("compliance_days.date", "desc").limit(1).executeTakeFirst();
  return row?.date ?? null;
}

export interface WeeklyClosed {
  /** The ISO week's Monday. */
  week: string;
  /** Closed minutes that week, or null when no core minute that week has data. */
  closed: number | null;
}

export interface PracticeSummaryRow extends MinuteTotals {
  odsCode: string;
  name: string;
  status: PracticeStatus;
  isDemo: boolean;
  pcnCode: string | null;
  pcnName: string | null;
  coreDays: number;
  /** Open minutes as a share of core minutes; null when no core minute has data. */
  openShare: number | null;
  unknownShare: number | null;
  flaggedDays: number;
  /** Under the ICB's policy, within the range. */
  flagged: boolean;
  enoughData: boolean;
}

/** Whose stored days: an ICB's practices, or the practices named. */
type Whose = { icb: string } | { practices: string[] };

/**
 * The stored days in a range of an ICB's practices or of the practices named, core days only: a row for a day that
 * is no longer a core day (made a bank holiday after it was computed) does not count.
 */
function storedCoreDays(db: Db, calendar: CoreHoursCalendar, whose: Whose, range: DateRange) {
  const isCore = new Set(calendar.coreDays(range.from, range.to));
  const notCore = datesBetween(range.from, range.to).filter((d) => !isCore.has(d));
  let q = db.selectFrom("compliance_days").where("compliance_days.date", ">=", range.from).where("compliance_days.date", "<=", range.to);
  q =
    "icb" in whose
      ? q.where("compliance_days.practice_code", "in", (eb) => eb.selectFrom("practices").select("practices.ods_code").where("practices.icb_code", "=", whose.icb))
      : q.where("compliance_days.practice_code", "in", whose.practices);
  return notCore.length > 0 ? q.where("compliance_days.date", "not in", notCore) : q;
}

/** Whole-week rows of `compliance_weeks` in a range of an ICB's practices or of the practices named. */
function storedWeeks(db: Db, whose: Whose, whole: { first: string; last: string }) {
  const q = db.selectFrom("compliance_weeks").where("compliance_weeks.week", ">=", whole.first).where("compliance_weeks.week", "<=", whole.last);
  return "icb" in whose
    ? q.where("compliance_weeks.practice_code", "in", (eb) => eb.selectFrom("practices").select("practices.ods_code").where("practices.icb_code", "=", whose.icb))
    : q.where("compliance_weeks.practice_code", "in", whose.practices);
}

/**
 * A range in the parts its sums are read from (ADR 17): its whole ISO weeks from `compliance_weeks` (null when none
 * lies wholly in it) and the days of a partial first or last week from `compliance_days`.
 */
function rangeParts(range: DateRange): { whole: { first: string; last: string } | null; edges: DateRange[] } {
  const first = firstWholeWeek(range.from);
  const last = lastWholeWeek(range.to);
  if (first > last) return { whole: null, edges: [range] };
  const edges = [
    { from: range.from, to: addDays(first, -1) },
    { from: addDays(last, 7), to: range.to },
  ].filter((part) => part.from <= part.to);
  return { whole: { first, last }, edges };
}

interface MinuteSums {
  open: number;
  closed: number;
  excepted: number;
}

/**
 * Open, closed and excepted minutes per practice of an ICB over a range's core days, summed by the database: one
 * row per practice from its whole weeks and one from each partial week, so that a few hundred rows reach the app
 * rather than one per practice and week or day. A practice without stored days is missing.
 */
async function icbMinuteSums(db: Db, calendar: CoreHoursCalendar, icbCode: string, range: DateRange): Promise<Map<string, MinuteSums>> {
  const { whole, edges } = rangeParts(range);
  const whose = { icb: icbCode };
  const parts = await Promise.all([
    ...(whole
      ? [
          storedWeeks(db, whose, whole)
            .select("compliance_weeks.practice_code")
            .select((eb) => [
              eb.fn.sum<number | string>("compliance_weeks.open_minutes").as("open"),
              eb.fn.sum<number | string>("compliance_weeks.closed_minutes").as("closed"),
              eb.fn.sum<number | string>("compliance_weeks.excepted_minutes").as("excepted"),
            ])
            .groupBy("compliance_weeks.practice_code")
            .execute(),
        ]
      : []),
    ...edges.map((part) =>
      storedCoreDays(db, calendar, whose, part)
        .select("compliance_days.practice_code")
        .select((eb) => [
          eb.fn.sum<number | string>("compliance_days.open_minutes").as("open"),
          eb.fn.sum<number | string>("compliance_days.closed_minutes").as("closed"),
          eb.fn.sum<number | string>("compliance_days.excepted_minutes").as("excepted"),
        ])
        .groupBy("compliance_days.practice_code")
        .execute(),
    ),
  ]);
  const sums = new Map<string, MinuteSums>();
  for (const r of parts.flat()) {
    // Sums come back as strings from some drivers (Postgres bigint).
    const s = sums.get(r.practice_code);
    if (s) {
      s.open += Number(r.open);
      s.closed += Number(r.closed);
      s.excepted += Number(r.excepted);
    } else sums.set(r.practice_code, { open: Number(r.open), closed: Number(r.closed), excepted: Number(r.excepted) });
  }
  return sums;
}

/**
 * Each of the ICB's practices in scope with only what a peer position needs (share of core minutes open, enough
 * data): one grouped row per practice, for the practice page, which does not show the others' flags or trends.
 */
export async function icbOpenShares(
  db: Db,
  calendar: CoreHoursCalendar,
  icbCode: string,
  range: DateRange,
): Promise<{ odsCode: string; openShare: number | null; enoughData: boolean }[]> {
  const [codes, sums] = await Promise.all([practicesInScope(db, { ...range, icb: icbCode }), icbMinuteSums(db, calendar, icbCode, range)]);
  const coreMinutes = calendar.coreDays(range.from, range.to).length * CORE_MINUTES_PER_DAY;
  return codes.map((odsCode) => {
    const { open, closed, excepted } = sums.get(odsCode) ?? { open: 0, closed: 0, excepted: 0 };
    const totals = { coreMinutes, open, closed, excepted, unknown: coreMinutes - open - closed - excepted };
    return {
      odsCode,
      openShare: coreMinutes - totals.unknown > 0 ? shareOf(open, coreMinutes) : null,
      enoughData: hasEnoughData(totals),
    };
  });
}

/**
 * Per practice in the ICB (its current practices, plus any other of its practices with data in the range): minutes
 * open, closed, excepted and with no data over the range's core days, flagged days and the policy flag. The weekly
 * trend is read apart (`weeklyClosed`), for the practices a page shows.
 */
export async function icbComplianceSummary(
  db: Db,
  calendar: CoreHoursCalendar,
  icbCode: string,
  range: DateRange,
  policy: Policy
): Promise<PracticeSummaryRow[]> {
  const codes = await practicesInScope(db, { ...range, icb: icbCode });
  if (codes.length === 0) return [];
  const coreDays = calendar.coreDays(range.from, range.to);
  const [practices, sums, overThreshold] = await Promise.all([
    db
      .selectFrom("practices")
      .leftJoin("pcns", "pcns.code", "practices.pcn_code")
      .select(["practices.ods_code", "practices.name", "practices.status", "practices.is_demo", "practices.pcn_code", "pcns.name as pcn_name"])
      .where("practices.icb_code", "=", icbCode)
      .where("practices.ods_code", "in", codes)
      .orderBy("practices.ods_code")
      .execute(),
    icbMinuteSums(db, calendar, icbCode, range),
    // Only days at or over the policy's closed minutes can be flagged: the rest are not read at all.
    storedCoreDays(db, calendar, { icb: icbCode }, range)
      .select(["compliance_days.practice_code", "compliance_days.date", "compliance_days.closed_minutes"])
      .where("compliance_days.closed_minutes", ">=", policy.closedMinutesPerDay)
      .execute(),
  ]);
  const flagDays = new Map<string, { date: string; closedMinutes: number }[]>();
  for (const d of overThreshold) {
    const list = flagDays.get(d.practice_code);
    const day = { date: d.date, closedMinutes: d.closed_minutes };
    if (list) list.push(day);
    else flagDays.set(d.practice_code, [day]);
  }
  const coreMinutes = coreDays.length * CORE_MINUTES_PER_DAY;
  return practices.map((p) => {
    const { open, closed, excepted } = sums.get(p.ods_code) ?? { open: 0, closed: 0, excepted: 0 };
    const totals = { coreMinutes, open, closed, excepted, unknown: coreMinutes - open - closed - excepted };
    const flags = evaluateFlags(flagDays.get(p.ods_code) ?? [], policy);
    const known = totals.coreMinutes - totals.unknown;
    return {
      odsCode: p.ods_code,
      name: p.name,
      status: p.status,
      isDemo: p.is_demo === 1,
      pcnCode: p.pcn_code,
      pcnName: p.pcn_name,
      coreDays: coreDays.length,
      coreMinutes: totals.coreMinutes,
      open: totals.open,
      closed: totals.closed,
      excepted: totals.excepted,
      unknown: totals.unknown,
      openShare: known > 0 ? shareOf(totals.open, totals.coreMinutes) : null,
      unknownShare: shareOf(totals.unknown, totals.coreMinutes),
      flaggedDays: flags.flaggedDates.length,
      flagged: flags.flagged,
      enoughData: hasEnoughData(totals),
    };
  });
}

/**
 * Closed minutes in each of a range's last twelve ISO weeks (oldest first) for each practice named: whole weeks from
 * `compliance_weeks`, the days of a partial week from `compliance_days` (ADR 17). A week is known when any of its
 * stored core days has a minute of data; otherwise its closed minutes are null (no data).
 */
export async function weeklyClosed(db: Db, calendar: CoreHoursCalendar, range: DateRange, practices: string[]): Promise<Map<string, WeeklyClosed[]>> {
  const weeks = lastWeeks(range);
  const seen = new Map<string, Map<string, { closed: number; leastUnknown: number }>>();
  const add = (code: string, week: string, closed: number, leastUnknown: number) => {
    let own = seen.get(code);
    if (!own) seen.set(code, (own = new Map()));
    const w = own.get(week);
    if (w) {
      w.closed += closed;
      w.leastUnknown = Math.min(w.leastUnknown, leastUnknown);
    } else own.set(week, { closed, leastUnknown });
  };
  if (weeks.length > 0) {
    const { whole, edges } = rangeParts({ from: weeks[0]!.from, to: range.to });
    for (let i = 0; i < practices.length; i += 500) {
      const whose = { practices: practices.slice(i, i + 500) };
      const [weekRows, edgeRows] = await Promise.all([
        whole
          ? storedWeeks(db, whose, whole)
              .select(["compliance_weeks.practice_code", "compliance_weeks.week", "compliance_weeks.closed_minutes", "compliance_weeks.least_unknown"])
              .execute()
          : Promise.resolve([]),
        Promise.all(
          edges.map((part) =>
            storedCoreDays(db, calendar, whose, part)
              .select(["compliance_days.practice_code", "compliance_days.date", "compliance_days.closed_minutes", "compliance_days.unknown_minutes"])
              .execute(),
          ),
        ).then((parts) => parts.flat()),
      ]);
      for (const r of weekRows) add(r.practice_code, r.week, r.closed_minutes, r.least_unknown);
      for (const d of edgeRows) add(d.practice_code, isoWeekStart(d.date), d.closed_minutes, d.unknown_minutes);
    }
  }
  return new Map(
    practices.map((code) => [
      code,
      weeks.map((w): WeeklyClosed => {
        const week = seen.get(code)?.get(w.week);
        return { week: w.week, closed: week && week.leastUnknown < CORE_MINUTES_PER_DAY ? week.closed : null };
      }),
    ]),
  );
}

// -----------------------------------------------------------------------------------------------------------------
// One practice

export interface PracticeDayRow extends MinuteTotals {
  date: string;
  hasData: boolean;
  state: DayState;
  flagged: boolean;
}

export interface EpisodeRow {
  id: number;
  date: string;
  start: number;
  end: number;
  /** London times, `HH:MM`. */
  from: string;
  to: string;
  minutes: number;
  category: IntervalCategory;
  excepted: boolean;
  reasons: string[];
  pauseIds: number[];
}

export interface KindTotals {
  open: number;
  closed: number;
  excepted: number;
  unknown: number;
}

export interface PracticeCompliance {
  days: PracticeDayRow[];
  totals: MinuteTotals & { openShare: number | null; unknownShare: number | null; flaggedDays: number; flagged: boolean };
  clinical: KindTotals;
  admin: KindTotals;
  episodes: EpisodeRow[];
  /** Closed minutes (not excepted) by half hour (rows) and weekday Monday–Friday (columns). */
  halfHours: number[][];
  enoughData: boolean;
}

const JsonList = <T extends z.ZodType>(item: T) =>
  z.string().transform((s, ctx) => {
    try {
      const parsed = z.array(item).safeParse(JSON.parse(s));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through
    }
    ctx.addIssue({ code: "custom", message: "a JSON list" });
    return z.NEVER;
  });
const Reasons = JsonList(z.string());
const PauseIds = JsonList(z.number().int());

/** One practice's days, totals (overall and per kind of request), closure episodes and half-hour grid over a range. */
export async function practiceCompliance(
  db: Db,
  calendar: CoreHoursCalendar,
  odsCode: string,
  range: DateRange,
  policy: Policy
): Promise<PracticeCompliance> {
  const [stored, episodeRows] = await Promise.all([
    db
      .selectFrom("compliance_days")
      .selectAll()
      .where("practice_code", "=", odsCode)
      .where("date", ">=", range.from)
      .where("date", "<=", range.to)
      .execute(),
    db
      .selectFrom("closure_episodes")
      .selectAll()
      .where("practice_code", "=", odsCode)
      .where("date", ">=", range.from)
      .where("date", "<=", range.to)
      .orderBy("start_min")
      .execute(),
  ]);
  const coreDays = calendar.coreDays(range.from, range.to);
  const byDate = new Map(stored.map((d) => [d.date, d]));
  const clinical: KindTotals = { open: 0, closed: 0, excepted: 0, unknown: 0 };
  const admin: KindTotals = { open: 0, closed: 0, excepted: 0, unknown: 0 };
  const days: PracticeDayRow[] = coreDays.map((date) => {
    const d = byDate.get(date);
    const t: MinuteTotals = d
      ? { coreMinutes: d.core_minutes, open: d.open_minutes, closed: d.closed_minutes, excepted: d.excepted_minutes, unknown: d.unknown_minutes }
      : { coreMinutes: CORE_MINUTES_PER_DAY, open: 0, closed: 0, excepted: 0, unknown: CORE_MINUTES_PER_DAY };
    clinical.open += d?.clinical_open ?? 0;
    clinical.closed += d?.clinical_closed ?? 0;
    clinical.excepted += d?.clinical_excepted ?? 0;
    clinical.unknown += d ? d.clinical_unknown : CORE_MINUTES_PER_DAY;
    admin.open += d?.admin_open ?? 0;
    admin.closed += d?.admin_closed ?? 0;
    admin.excepted += d?.admin_excepted ?? 0;
    admin.unknown += d ? d.admin_unknown : CORE_MINUTES_PER_DAY;
    return { date, ...t, hasData: Boolean(d), state: dayState(t, policy), flagged: t.closed > 0 && t.closed >= policy.closedMinutesPerDay };
  });
  const sum = (k: keyof MinuteTotals) => days.reduce((s, d) => s + d[k], 0);
  const totals: MinuteTotals = {
    coreMinutes: sum("coreMinutes"),
    open: sum("open"),
    closed: sum("closed"),
    excepted: sum("excepted"),
    unknown: sum("unknown"),
  };
  const flags = evaluateFlags(
    days.map((d) => ({ date: d.date, closedMinutes: d.closed })),
    policy
  );
  const isCore = new Set(coreDays);
  const episodes: EpisodeRow[] = episodeRows
    .filter((e) => isCore.has(e.date))
    .map((e) => ({
      id: e.id,
      date: e.date,
      start: e.start_min,
      end: e.end_min,
      from: londonTime(e.start_min),
      to: londonTime(e.end_min),
      minutes: e.minutes,
      category: e.category,
      excepted: e.excepted === 1,
      reasons: Reasons.safeParse(e.reasons).data ?? [],
      pauseIds: PauseIds.safeParse(e.pause_ids).data ?? [],
    }));
  return {
    days,
    totals: {
      ...totals,
      openShare: totals.coreMinutes - totals.unknown > 0 ? shareOf(totals.open, totals.coreMinutes) : null,
      unknownShare: shareOf(totals.unknown, totals.coreMinutes),
      flaggedDays: flags.flaggedDates.length,
      flagged: flags.flagged,
    },
    clinical,
    admin,
    episodes,
    halfHours: halfHourClosures(episodes.filter((e) => !e.excepted)),
    enoughData: hasEnoughData(totals),
  };
}

/**
 * Where a practice stands among its ICB's practices on share of core minutes open over the range (only practices
 * with enough data are ranked). Names and codes of the others never leave this function.
 */
export async function practicePeerPosition(
  db: Db,
  calendar: CoreHoursCalendar,
  practice: { odsCode: string; icbCode: string | null },
  range: DateRange
): Promise<PeerPosition | null> {
  if (!practice.icbCode) return null;
  const rows = await icbOpenShares(db, calendar, practice.icbCode, range);
  return peerPosition(
    rows.map((r) => ({ id: r.odsCode, share: r.openShare, enoughData: r.enoughData })),
    practice.odsCode
  );
}

export interface TimelineSegment extends Omit<DaySegment, "start" | "end"> {
  /** Minutes from the start of core hours (08:00). */
  offset: number;
  minutes: number;
  /** London times, `HH:MM`. */
  from: string;
  to: string;
}

export type DayTimeline = { date: string; core: true; segments: TimelineSegment[] } | { date: string; core: false; bankHoliday: string | null };

/** One day's core hours as stretches of open, closed, excepted and no-data minutes, from the stored intervals and approved pauses. */
export async function practiceDayTimeline(db: Db, calendar: CoreHoursCalendar, odsCode: string, date: string): Promise<DayTimeline> {
  const window = calendar.coreWindow(date);
  if (!window) return { date, core: false, bankHoliday: calendar.bankHoliday(date) ?? null };
  const [intervals, pauses] = await Promise.all([
    db
      .selectFrom("availability_intervals")
      .select(["start_min as start", "end_min as end", "status", "category", "reason"])
      .where("practice_code", "=", odsCode)
      .where("start_min", "<", window.end)
      .where("end_min", ">", window.start)
      .execute() as Promise<AvailabilityInterval[]>,
    db
      .selectFrom("pause_requests")
      .select(["id", "start_min as start", "end_min as end", "category"])
      .where("practice_code", "=", odsCode)
      .where("status", "=", "approved")
      .where("start_min", "<", window.end)
      .where("end_min", ">", window.start)
      .execute() as Promise<ApprovedPause[]>,
  ]);
  const segments = daySegments(window, intervals, pauses).map(({ start, end, ...rest }) => ({
    ...rest,
    offset: start - window.start,
    minutes: end - start,
    from: londonTime(start),
    to: londonTime(end),
  }));
  return { date, core: true, segments };
}

export const PAUSE_STATUSES: PauseStatus[] = ["pending", "approved", "declined", "withdrawn"];

/** How many pause requests the practice has made, by status (all time). */
export async function pauseCounts(db: Db, odsCode: string): Promise<Record<PauseStatus, number>> {
  const rows = await db
    .selectFrom("pause_requests")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("practice_code", "=", odsCode)
    .groupBy("status")
    .execute();
  const counts = Object.fromEntries(PAUSE_STATUSES.map((s) => [s, 0])) as Record<PauseStatus, number>;
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}
