import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { BUNDLED_BANK_HOLIDAYS, CoreHoursCalendar, CORE_MINUTES_PER_DAY } from "~/domain/calendar";
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
  const [intervals, pauses] = await Promise.all([
    db
      .selectFrom("availability_intervals")
      .select(["start_min as start", "end_min as end", "status", "category", "reason"])
      .where("practice_code", "=", practiceCode)
      .where("start_min", "<", end)
      .where("end_min", ">", start)
      .orderBy("start_min")
      .execute() as Promise<AvailabilityInterval[]>,
    db
      .selectFrom("pause_requests")
      .select(["id", "start_min as start", "end_min as end", "category"])
      .where("practice_code", "=", practiceCode)
      .where("status", "=", "approved")
      .where("start_min", "<", end)
      .where("end_min", ">", start)
      .execute() as Promise<ApprovedPause[]>,
  ]);
  const records: DayRecord[] = [];
  // A sweep: intervals (sorted by start) join the active list when the day reaches them and leave when they end.
  let next = 0;
  let active: AvailabilityInterval[] = [];
  for (const date of dates) {
    const window = calendar.coreWindow(date)!;
    while (next < intervals.length && intervals[next]!.start < window.end) active.push(intervals[next++]!);
    active = active.filter((i) => i.end > window.start);
    const todays = active.filter((i) => i.start < window.end);
    if (todays.length === 0) continue;
    records.push({ practiceCode, date, ...computeDay(window, todays, pauses) });
  }
  return records;
}

const BATCH = 200;

/** Recomputes and stores a practice's days from `from` to `to` (inclusive); returns how many days hold data. */
export async function recomputePracticeDays(
  db: Kysely<Database>,
  calendar: CoreHoursCalendar,
  practiceCode: string,
  from: string,
  to: string,
): Promise<number> {
  const records = await computePracticeDays(db, calendar, practiceCode, from, to);
  await db.deleteFrom("compliance_days").where("practice_code", "=", practiceCode).where("date", ">=", from).where("date", "<=", to).execute();
  await db.deleteFrom("closure_episodes").where("practice_code", "=", practiceCode).where("date", ">=", from).where("date", "<=", to).execute();
  await storeDays(db, records);
  return records.length;
}

export async function storeDays(db: Kysely<Database>, records: DayRecord[]): Promise<void> {
  const computed_at = new Date().toISOString();
  for (let i = 0; i < records.length; i += BATCH) {
    const chunk = records.slice(i, i + BATCH);
    await db
      .insertInto("compliance_days")
      .values(
        chunk.map((r) => ({
          practice_code: r.practiceCode,
          date: r.date,
          core_minutes: r.coreMinutes,
          open_minutes: r.open,
          closed_minutes: r.closed,
          excepted_minutes: r.excepted,
          unknown_minutes: r.unknown,
          clinical_open: r.clinical.open,
          clinical_closed: r.clinical.closed,
          clinical_excepted: r.clinical.excepted,
          clinical_unknown: r.clinical.unknown,
          admin_open: r.admin.open,
          admin_closed: r.admin.closed,
          admin_excepted: r.admin.excepted,
          admin_unknown: r.admin.unknown,
          computed_at,
        })),
      )
      .execute();
  }
  const episodes = records.flatMap((r) =>
    r.episodes.map((e) => ({
      practice_code: r.practiceCode,
      date: r.date,
      start_min: e.start,
      end_min: e.end,
      minutes: e.minutes,
      category: e.category,
      excepted: e.excepted ? 1 : 0,
      reasons: JSON.stringify(e.reasons),
      pause_ids: JSON.stringify(e.pauseIds),
    })),
  );
  for (let i = 0; i < episodes.length; i += BATCH) {
    await db.insertInto("closure_episodes").values(episodes.slice(i, i + BATCH)).execute();
  }
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

  async run(db: Kysely<Database>, calendar?: CoreHoursCalendar): Promise<{ practices: number; days: number }> {
    const cal = calendar ?? (await loadCalendar(db));
    let days = 0;
    for (const [practice, { from, to }] of this.spans) days += await recomputePracticeDays(db, cal, practice, from, to);
    return { practices: this.spans.size, days };
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
