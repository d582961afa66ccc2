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
  weekly: WeeklyClosed[];
}

/**
 * The stored days of an ICB's practices in a range, core days only: a row for a day that is no longer a core day (made
 * a bank holiday after it was computed) does not count.
 */
function storedCoreDays(db: Db, calendar: CoreHoursCalendar, icbCode: string, range: DateRange) {
  const isCore = new Set(calendar.coreDays(range.from, range.to));
  const notCore = datesBetween(range.from, range.to).filter((d) => !isCore.has(d));
  const q = db
    .selectFrom("compliance_days")
    .innerJoin("practices", "practices.ods_code", "compliance_days.practice_code")
    .where("practices.icb_code", "=", icbCode)
    .where("compliance_days.date", ">=", range.from)
    .where("compliance_days.date", "<=", range.to);
  return notCore.length > 0 ? q.where("compliance_days.date", "not in", notCore) : q;
}

/** The Mondays of the first and last ISO weeks that lie wholly in the range, or null when none does. */
function wholeWeeks(range: DateRange): { first: string; last: string } | null {
  const first = firstWholeWeek(range.from);
  const last = lastWholeWeek(range.to);
  return first <= last ? { first, last } : null;
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
  const codes = new Set(await practicesInScope(db, { ...range, icb: icbCode }));
  const coreMinutes = calendar.coreDays(range.from, range.to).length * CORE_MINUTES_PER_DAY;
  const sums = new Map(
    (
      await storedCoreDays(db, calendar, icbCode, range)
        .select("compliance_days.practice_code")
        .select((eb) => [
          eb.fn.sum<number | string>("compliance_days.open_minutes").as("open"),
          eb.fn.sum<number | string>("compliance_days.closed_minutes").as("closed"),
          eb.fn.sum<number | string>("compliance_days.excepted_minutes").as("excepted"),
        ])
        .groupBy("compliance_days.practice_code")
        .execute()
    ).map((r) => [r.practice_code, { open: Number(r.open), closed: Number(r.closed), excepted: Number(r.excepted) }]),
  );
  const members = await db.selectFrom("practices").select("ods_code").where("icb_code", "=", icbCode).orderBy("ods_code").execute();
  return members
    .filter((p) => codes.has(p.ods_code))
    .map((p) => {
      const { open, closed, excepted } = sums.get(p.ods_code) ?? { open: 0, closed: 0, excepted: 0 };
      const totals = { coreMinutes, open, closed, excepted, unknown: coreMinutes - open - closed - excepted };
      return {
        odsCode: p.ods_code,
        openShare: coreMinutes - totals.unknown > 0 ? shareOf(open, coreMinutes) : null,
        enoughData: hasEnoughData(totals),
      };
    });
}

/**
 * Per practice in the ICB (its current practices, plus any other of its practices with data in the range): minutes
 * open, closed, excepted and with no data over the range's core days, flagged days and the policy flag, and
 * closed minutes in each of the range's last twelve ISO weeks.
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
  const weeks = lastWeeks(range);
  const stored = () => storedCoreDays(db, calendar, icbCode, range);
  // Totals and the weekly trend: the range's whole weeks from `compliance_weeks`, the days of a partial first or last
  // week from `compliance_days` (ADR 17).
  const whole = wholeWeeks(range);
  const [practices, weekRows, edgeDays, overThreshold] = await Promise.all([
    db
      .selectFrom("practices")
      .leftJoin("pcns", "pcns.code", "practices.pcn_code")
      .select(["practices.ods_code", "practices.name", "practices.status", "practices.is_demo", "practices.pcn_code", "pcns.name as pcn_name"])
      .where("practices.icb_code", "=", icbCode)
      .where("practices.ods_code", "in", codes)
      .orderBy("practices.ods_code")
      .execute(),
    whole
      ? db
          .selectFrom("compliance_weeks")
          .innerJoin("practices", "practices.ods_code", "compliance_weeks.practice_code")
          .where("practices.icb_code", "=", icbCode)
          .where("compliance_weeks.week", ">=", whole.first)
          .where("compliance_weeks.week", "<=", whole.last)
          .select([
            "compliance_weeks.practice_code",
            "compliance_weeks.week",
            "compliance_weeks.open_minutes",
            "compliance_weeks.closed_minutes",
            "compliance_weeks.excepted_minutes",
            "compliance_weeks.least_unknown",
          ])
          .execute()
      : Promise.resolve([]),
    Promise.all(
      (whole ? [{ from: range.from, to: addDays(whole.first, -1) }, { from: addDays(whole.last, 7), to: range.to }] : [range])
        .filter((part) => part.from <= part.to)
        .map((part) =>
          storedCoreDays(db, calendar, icbCode, part)
            .select([
              "compliance_days.practice_code",
              "compliance_days.date",
              "compliance_days.open_minutes",
              "compliance_days.closed_minutes",
              "compliance_days.excepted_minutes",
              "compliance_days.unknown_minutes as least_unknown",
            ])
            .execute(),
        ),
    ).then((parts) => parts.flat()),
    // Only days at or over the policy's closed minutes can be flagged: the rest are not read at all.
    stored()
      .select(["compliance_days.practice_code", "compliance_days.date", "compliance_days.closed_minutes"])
      .where("compliance_days.closed_minutes", ">=", policy.closedMinutesPerDay)
      .execute(),
  ]);
  const byPractice = new Map<string, { open: number; closed: number; excepted: number; weeks: Map<string, { closed: number; leastUnknown: number }> }>();
  const add = (r: { practice_code: string; open_minutes: number; closed_minutes: number; excepted_minutes: number; least_unknown: number }, week: string) => {
    let p = byPractice.get(r.practice_code);
    if (!p) byPractice.set(r.practice_code, (p = { open: 0, closed: 0, excepted: 0, weeks: new Map() }));
    p.open += r.open_minutes;
    p.closed += r.closed_minutes;
    p.excepted += r.excepted_minutes;
    const w = p.weeks.get(week);
    if (w) {
      w.closed += r.closed_minutes;
      w.leastUnknown = Math.min(w.leastUnknown, r.least_unknown);
    } else p.weeks.set(week, { closed: r.closed_minutes, leastUnknown: r.least_unknown });
  };
  for (const r of weekRows) add(r, r.week);
  for (const d of edgeDays) add(d, isoWeekStart(d.date));
  const flagDays = new Map<string, { date: string; closedMinutes: number }[]>();
  for (const d of overThreshold) {
    const list = flagDays.get(d.practice_code);
    const day = { date: d.date, closedMinutes: d.closed_minutes };
    if (list) list.push(day);
    else flagDays.set(d.practice_code, [day]);
  }
  const coreMinutes = coreDays.length * CORE_MINUTES_PER_DAY;
  return practices.map((p) => {
    const sum = byPractice.get(p.ods_code);
    const open = sum?.open ?? 0;
    const closed = sum?.closed ?? 0;
    const excepted = sum?.excepted ?? 0;
    const totals = { coreMinutes, open, closed, excepted, unknown: coreMinutes - open - closed - excepted };
    const flags = evaluateFlags(flagDays.get(p.ods_code) ?? [], policy);
    const weekly = weeks.map((w): WeeklyClosed => {
      // A week is known when any of its stored core days has a minute of data.
      const week = sum?.weeks.get(w.week);
      return { week: w.week, closed: week && week.leastUnknown < CORE_MINUTES_PER_DAY ? week.closed : null };
    });
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
      weekly,
    };
  });
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
