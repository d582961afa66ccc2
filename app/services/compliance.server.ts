import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { BulkInsert } from "../../importers/core/bulk";
import { BUNDLED_BANK_HOLIDAYS, CoreHoursCalendar, CORE_MINUTES_PER_DAY } from "~/domain/calendar";
import { isoWeekStart } from "~/domain/compliance-report";
import { clearComplianceWeeks, partialWeeks, refreshComplianceWeeks, WeekSums, weeksWithin } from "./compliance-weeks.server";
import { computeDay, type ApprovedPause, type AvailabilityInterval, type DayResult } from "~/domain/compliance";

/**
 * Keeps `compliance_days` and `closure_episodes` in step with the intervals and approved pauses. A practice-day
 * without any interval touching its core hours has no row: it is "no data" throughout, which every reader treats
 * as 630 unknown minutes.
 */

/** The calendar from the bundled bank holidays plus any imported with `import bank-holidays`. */
export async function loadCalendar(db: Kysely<Database>): Promise<CoreHoursCalendar> {
  const imported = await db.selectFrom("bank_holidays").select(["date", "title"]).execute();
  return new CoreHoursCalendar([...BUNDLED_BANK_HOLIDAYS, ...imported]);
}

export interface DayRecord extends DayResult {
  practiceCode: string;
  date: string;
}

/** Computes (without storing) a practice's core days from `from` to `to`, inclusive. */
export async function computePracticeDays(
  db: Kysely<Database>,
  calendar: CoreHoursCalendar,
  practiceCode: string,
  from: string,
  to: string,
): Promise<DayRecord[]> {
  const dates = calendar.coreDays(from, to);
  if (dates.length === 0) return [];
  const start = calendar.coreWindow(dates[0]!)!.start;
  const end = calendar.coreWindow(dates.at(-1)!)!.end;
  const { intervals, pauses } = await readPractices(db, [practiceCode], start, end);
  return sweepDays(calendar, practiceCode, dates, intervals.get(practiceCode) ?? [], pauses.get(practiceCode) ?? []);
}

/**
 * The intervals and approved pauses of several practices that touch [start, end), by practice, intervals sorted by
 * start: one query each for the lot (a practice at a time was 2 queries per practice).
 */
async function readPractices(
  db: Kysely<Database>,
  practiceCodes: string[],
  start: number,
  end: number,
): Promise<{ intervals: Map<string, AvailabilityInterval[]>; pauses: Map<string, ApprovedPause[]> }> {
  // A short span (a new day, an import of recent weeks) is read by (practice, end): the intervals ending after it
  // starts are the recent ones. A long one (a rebuild) by (practice, start). `start_min + 0` keeps the planner (SQLite's
  // or Postgres's) off the start index for the short span; either way the rows are the same.
  const short = end - start <= SHORT_SPAN_MINUTES;
  const [intervalRows, pauseRows] = await Promise.all([
    db
      .selectFrom("availability_intervals")
      .select(["practice_code", "start_min as start", "end_min as end", "reason"])
      // Status and category as small numbers: 2.2 million intervals of England read as strings were two strings each
      // to allocate (and collect) for three possible values.
      .select((eb) => [
        eb.case().when("status", "=", "closed").then(1).else(0).end().as("closed"),
        eb.case().when("category", "=", "all").then(0).when("category", "=", "clinical").then(1).else(2).end().as("category"),
      ])
      .where("practice_code", "in", practiceCodes)
      .where(short ? sql<number>`start_min + 0` : sql.ref<number>("start_min"), "<", end)
      .where("end_min", ">", start)
      .orderBy("practice_code")
      .orderBy("start_min")
      .execute(),
    db
      .selectFrom("pause_requests")
      .select(["practice_code", "id", "start_min as start", "end_min as end", "category"])
      .where("practice_code", "in", practiceCodes)
      .where("status", "=", "approved")
      .where("start_min", "<", end)
      .where("end_min", ">", start)
      .execute(),
  ]);
  const intervals = new Map<string, AvailabilityInterval[]>();
  for (const r of intervalRows) {
    let list = intervals.get(r.practice_code);
    if (!list) intervals.set(r.practice_code, (list = []));
    list.push({ start: r.start, end: r.end, status: r.closed === 1 ? "closed" : "open", category: CATEGORIES[r.category]!, reason: r.reason });
  }
  const pauses = new Map<string, ApprovedPause[]>();
  for (const r of pauseRows) {
    let list = pauses.get(r.practice_code);
    if (!list) pauses.set(r.practice_code, (list = []));
    list.push({ id: r.id, start: r.start, end: r.end, category: r.category } as ApprovedPause);
  }
  return { intervals, pauses };
}

/** A practice's days from its intervals (sorted by start) and pauses, with the pure `computeDay`. */
function sweepDays(
  calendar: CoreHoursCalendar,
  practiceCode: string,
  dates: readonly string[],
  intervals: readonly AvailabilityInterval[],
  pauses: readonly ApprovedPause[],
): DayRecord[] {
  const records: DayRecord[] = [];
  // A sweep: intervals (sorted by start) join the active list when the day reaches them and leave when they end.
  let next = 0;
  const active: AvailabilityInterval[] = [];
  const todays: AvailabilityInterval[] = [];
  for (const date of dates) {
    const window = calendar.coreWindow(date)!;
    while (next < intervals.length && intervals[next]!.start < window.end) active.push(intervals[next++]!);
    // Drop the intervals that ended before the day (in place), and keep today's.
    let kept = 0;
    todays.length = 0;
    for (const i of active) {
      if (i.end <= window.start) continue;
      active[kept++] = i;
      if (i.start < window.end) todays.push(i);
    }
    active.length = kept;
    if (todays.length === 0) continue;
    const dayPauses = pauses.length === 0 ? pauses : pauses.filter((p) => p.start < window.end && p.end > window.start);
    records.push({ practiceCode, date, ...computeDay(window, todays, dayPauses) });
  }
  return records;
}

/** Spans up to this long are read by the intervals' end (see `readPractices`). */
const SHORT_SPAN_MINUTES = 45 * 24 * 60;

/** Practices read and written together by `RecomputeSet.run`. */
const PRACTICES_PER_QUERY = 250;

/** Recomputes and stores a practice's days from `from` to `to` (inclusive); returns how many days hold data. */
export async function recomputePracticeDays(
  db: Kysely<Database>,
  calendar: CoreHoursCalendar,
  practiceCode: string,
  from: string,
  to: string,
): Promise<number> {
  const set = new RecomputeSet();
  set.add(practiceCode, from, to);
  return (await set.run(db, calendar)).days;
}

const DAY_COLUMNS = [
  "practice_code",
  "date",
  "core_minutes",
  "open_minutes",
  "closed_minutes",
  "excepted_minutes",
  "unknown_minutes",
  "clinical_open",
  "clinical_closed",
  "clinical_excepted",
  "clinical_unknown",
  "admin_open",
  "admin_closed",
  "admin_excepted",
  "admin_unknown",
  "computed_at",
] as const;

const EPISODE_COLUMNS = ["practice_code", "date", "start_min", "end_min", "minutes", "category", "excepted", "reasons", "pause_ids"] as const;

/**
 * Writes computed days and their closure episodes, in batches (ADR 14), and their weeks (`compliance_weeks`): after
 * each group of practices, `endGroup` writes the weeks `whole` says were recomputed whole (every stored day of the
 * week is one written here); the caller regroups the other weeks it touched from the stored days.
 */
export class DayWriter {
  private readonly days: BulkInsert<"compliance_days">;
  private readonly episodes: BulkInsert<"closure_episodes">;
  private readonly sums: WeekSums;
  private readonly computedAt = new Date().toISOString();

  constructor(db: Kysely<Database>, whole: (code: string, week: string) => boolean) {
    this.days = new BulkInsert(db, "compliance_days", DAY_COLUMNS);
    this.episodes = new BulkInsert(db, "closure_episodes", EPISODE_COLUMNS);
    this.sums = new WeekSums(db, whole);
  }

  async add(r: DayRecord): Promise<void> {
    await this.days.add([r.practiceCode, r.date, ...dayMinutes(r), this.computedAt]);
    this.sums.add(r.practiceCode, isoWeekStart(r.date), r.open, r.closed, r.excepted, r.unknown);
    for (const e of r.episodes) {
      await this.episodes.add([r.practiceCode, r.date, e.start, e.end, e.minutes, e.category, e.excepted ? 1 : 0, JSON.stringify(e.reasons), JSON.stringify(e.pauseIds)]);
    }
  }

  /** Adds the days (and their episodes) of `packDays`, in the same order; returns how many days. */
  async addPacked(p: PackedDays): Promise<number> {
    const { codes, dates, days, episodes, episodeText } = p;
    for (let o = 0; o < days.length; o += DAY_INTS) {
      const date = dates[days[o + 1]!]!;
      const row: unknown[] = [codes[days[o]!], date];
      for (let k = 2; k < DAY_INTS; k++) row.push(days[o + k]);
      row.push(this.computedAt);
      await this.days.add(row);
    }
    // The open, closed, excepted and unknown minutes are DAY_COLUMNS 3 to 6.
    await this.sums.addPacked(codes, dates, days, DAY_INTS, 3);
    for (let e = 0, o = 0; o < episodes.length; e++, o += EPISODE_INTS) {
      const day = episodes[o]! * DAY_INTS;
      await this.episodes.add([
        codes[days[day]!],
        dates[days[day + 1]!],
        episodes[o + 1],
        episodes[o + 2],
        episodes[o + 3],
        CATEGORIES[episodes[o + 4]!],
        episodes[o + 5],
        episodeText[2 * e],
        episodeText[2 * e + 1],
      ]);
    }
    return days.length / DAY_INTS;
  }

  /** The end of a group of practices (`add` path): writes its whole weeks. `addPacked` writes its own. */
  async endGroup(): Promise<void> {
    await this.sums.write();
  }

  async flush(): Promise<void> {
    await this.sums.flush();
    await this.days.flush();
    await this.episodes.flush();
  }
}

/**
 * Day records as flat arrays, to pass from a worker thread without cloning 1.6 million objects (ADR 17): per day
 * `DAY_INTS` integers (practice and date as indexes into `codes` and `dates`, then the minutes in `DAY_COLUMNS`
 * order), per episode `EPISODE_INTS` (its day's index, start, end, minutes, category as an index into `CATEGORIES`,
 * excepted) and two strings (reasons and pause ids, as JSON).
 */
export interface PackedDays {
  codes: string[];
  dates: string[];
  days: Int32Array;
  episodes: Int32Array;
  episodeText: string[];
}

/** A day's minutes, in `DAY_COLUMNS` order (between the practice and date and `computed_at`). */
function dayMinutes(r: DayRecord): number[] {
  const { clinical: c, admin: a } = r;
  return [r.coreMinutes, r.open, r.closed, r.excepted, r.unknown, c.open, c.closed, c.excepted, c.unknown, a.open, a.closed, a.excepted, a.unknown];
}

/** Practice and date (as indexes), then `dayMinutes`: every column but `computed_at`. */
const DAY_INTS = DAY_COLUMNS.length - 1;
const EPISODE_INTS = 6;
const CATEGORIES = ["all", "clinical", "admin"] as const;

export function packDays(records: readonly DayRecord[]): PackedDays {
  const codes: string[] = [];
  const dates: string[] = [];
  const codeIndex = new Map<string, number>();
  const dateIndex = new Map<string, number>();
  const indexOf = (map: Map<string, number>, list: string[], value: string) => {
    let i = map.get(value);
    if (i === undefined) map.set(value, (i = list.push(value) - 1));
    return i;
  };
  const days = new Int32Array(records.length * DAY_INTS);
  const episodeCount = records.reduce((n, r) => n + r.episodes.length, 0);
  const episodes = new Int32Array(episodeCount * EPISODE_INTS);
  const episodeText: string[] = [];
  let o = 0;
  let e = 0;
  records.forEach((r, i) => {
    days.set([indexOf(codeIndex, codes, r.practiceCode), indexOf(dateIndex, dates, r.date), ...dayMinutes(r)], o);
    o += DAY_INTS;
    for (const ep of r.episodes) {
      episodes.set([i, ep.start, ep.end, ep.minutes, CATEGORIES.indexOf(ep.category), ep.excepted ? 1 : 0], e);
      e += EPISODE_INTS;
      episodeText.push(JSON.stringify(ep.reasons), JSON.stringify(ep.pauseIds));
    }
  });
  return { codes, dates, days, episodes, episodeText };
}

/** Date ranges to recompute, per practice; ranges for the same practice are merged into one span. */
export class RecomputeSet {
  private readonly spans = new Map<string, { from: string; to: string }>();

  add(practiceCode: string, from: string, to: string): void {
    const span = this.spans.get(practiceCode);
    if (!span) this.spans.set(practiceCode, { from, to });
    else {
      if (from < span.from) span.from = from;
      if (to > span.to) span.to = to;
    }
  }

  get size(): number {
    return this.spans.size;
  }

  /** The spans, by practice code in order, in the groups read and computed together. */
  groups(): PracticeSpan[][] {
    const practices = [...this.spans.keys()].sort();
    const groups: PracticeSpan[][] = [];
    for (let i = 0; i < practices.length; i += PRACTICES_PER_QUERY) {
      groups.push(practices.slice(i, i + PRACTICES_PER_QUERY).map((code) => ({ code, ...this.spans.get(code)! })));
    }
    return groups;
  }

  /**
   * Recomputes every span: practices in groups (one read of their intervals and pauses per group, their stored
   * days deleted together when their spans agree), computed with `computeDay`, written in batches.
   * `cleared`: the caller has already deleted every stored day in the spans (a rebuild), so none is deleted here.
   */
  async run(
    db: Kysely<Database>,
    calendar?: CoreHoursCalendar,
    options: { cleared?: { from: string | null; to: string | null } } = {},
  ): Promise<{ practices: number; days: number }> {
    const cal = calendar ?? (await loadCalendar(db));
    const writer = new DayWriter(db, this.wholeWeek(options.cleared));
    const compute = new GroupComputer(db, cal);
    let days = 0;
    for (const group of this.groups()) {
      if (!options.cleared) {
        const sameSpan = group.every((s) => s.from === group[0]!.from && s.to === group[0]!.to);
        const deletes = sameSpan ? [group] : group.map((s) => [s]);
        for (const spans of deletes) {
          const codes = spans.map((s) => s.code);
          const { from, to } = spans[0]!;
          await db.deleteFrom("compliance_days").where("practice_code", "in", codes).where("date", ">=", from).where("date", "<=", to).execute();
          await db.deleteFrom("closure_episodes").where("practice_code", "in", codes).where("date", ">=", from).where("date", "<=", to).execute();
          await clearComplianceWeeks(db, codes, from, to);
        }
      }
      for (const record of await compute.group(group)) {
        await writer.add(record);
        days++;
      }
      await writer.endGroup();
    }
    await writer.flush();
    if (!options.cleared) await this.refreshPartialWeeks(db, cal);
    return { practices: this.spans.size, days };
  }

  /**
   * Which weeks a writer recomputed whole: those inside the cleared range of a rebuild (`cleared`), else those inside
   * the practice's own span, whose days were deleted and written again.
   */
  wholeWeek(cleared?: { from: string | null; to: string | null }): (code: string, week: string) => boolean {
    if (cleared) {
      const within = weeksWithin(cleared.from, cleared.to);
      return (_code, week) => within(week);
    }
    const bySpan = new Map<string, (week: string) => boolean>();
    return (code, week) => {
      let within = bySpan.get(code);
      if (!within) {
        const span = this.spans.get(code);
        within = span ? weeksWithin(span.from, span.to) : () => false;
        bySpan.set(code, within);
      }
      return within(week);
    };
  }

  /** Regroups, from the stored days, the weeks the spans cover only in part (their other days were not rewritten). */
  private async refreshPartialWeeks(db: Kysely<Database>, calendar: CoreHoursCalendar): Promise<void> {
    const byWeek = new Map<string, string[]>();
    for (const [code, span] of this.spans) {
      for (const week of partialWeeks(span.from, span.to)) {
        const list = byWeek.get(week);
        if (list) list.push(code);
        else byWeek.set(week, [code]);
      }
    }
    for (const [week, codes] of byWeek) await refreshComplianceWeeks(db, calendar, [week], codes);
  }
}

/** A practice's dates to recompute, inclusive. */
export interface PracticeSpan {
  code: string;
  from: string;
  to: string;
}

/** Reads a group of practices' intervals and pauses (one query each) and computes their spans' core days. */
export class GroupComputer {
  private readonly datesBySpan = new Map<string, string[]>();
  constructor(
    private readonly db: Kysely<Database>,
    private readonly calendar: CoreHoursCalendar,
  ) {}

  async group(spans: readonly PracticeSpan[]): Promise<DayRecord[]> {
    const cal = this.calendar;
    let from = "9999";
    let to = "";
    for (const s of spans) {
      if (s.from < from) from = s.from;
      if (s.to > to) to = s.to;
    }
    const allDates = cal.coreDays(from, to);
    if (allDates.length === 0) return [];
    const start = cal.coreWindow(allDates[0]!)!.start;
    const end = cal.coreWindow(allDates.at(-1)!)!.end;
    const { intervals, pauses } = await readPractices(this.db, spans.map((s) => s.code), start, end);
    const records: DayRecord[] = [];
    for (const span of spans) {
      const key = `${span.from}|${span.to}`;
      let dates = this.datesBySpan.get(key);
      if (!dates) this.datesBySpan.set(key, (dates = cal.coreDays(span.from, span.to)));
      const list = intervals.get(span.code);
      if (!list || dates.length === 0) continue;
      for (const record of sweepDays(cal, span.code, dates, list, pauses.get(span.code) ?? [])) records.push(record);
    }
    return records;
  }
}

export interface ComplianceRow {
  practice_code: string;
  date: string;
  core_minutes: number;
  open_minutes: number;
  closed_minutes: number;
  excepted_minutes: number;
  unknown_minutes: number;
}

/**
 * One row per practice per core day from `from` to `to`, from the stored days; a day without a stored row is
 * unknown throughout.
 */
export async function complianceRows(
  db: Kysely<Database>,
  calendar: CoreHoursCalendar,
  practiceCodes: string[],
  from: string,
  to: string,
): Promise<ComplianceRow[]> {
  const dates = calendar.coreDays(from, to);
  const stored = new Map<string, ComplianceRow>();
  for (let i = 0; i < practiceCodes.length; i += 500) {
    const rows = await db
      .selectFrom("compliance_days")
      .select(["practice_code", "date", "core_minutes", "open_minutes", "closed_minutes", "excepted_minutes", "unknown_minutes"])
      .where("practice_code", "in", practiceCodes.slice(i, i + 500))
      .where("date", ">=", from)
      .where("date", "<=", to)
      .execute();
    for (const r of rows) stored.set(`${r.practice_code}|${r.date}`, r);
  }
  const out: ComplianceRow[] = [];
  for (const practice_code of [...practiceCodes].sort()) {
    for (const date of dates) {
      out.push(
        stored.get(`${practice_code}|${date}`) ?? {
          practice_code,
          date,
          core_minutes: CORE_MINUTES_PER_DAY,
          open_minutes: 0,
          closed_minutes: 0,
          excepted_minutes: 0,
          unknown_minutes: CORE_MINUTES_PER_DAY,
        },
      );
    }
  }
  return out;
}
