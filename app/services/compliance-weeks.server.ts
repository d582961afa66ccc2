import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { BulkInsert } from "../../importers/core/bulk";
import { addDays, datesBetween, type CoreHoursCalendar } from "~/domain/calendar";
import { isoWeekStart, lastWholeWeek } from "~/domain/compliance-report";
import { chunks } from "~/utils/chunks";

/**
 * `compliance_weeks` (ADR 17): each practice's stored core days summed per ISO week. The ICB overview reads whole
 * weeks from here, about 12 rows a practice instead of 60 days, and only the days of a range's partial first and last
 * weeks from `compliance_days`.
 *
 * The code that writes days keeps it in step, in the same transaction:
 * - The `DayWriter` sums the days it writes (`WeekSums`). After each group of practices it writes the weeks that lay
 *   wholly inside the dates it recomputed, where every stored day of the week is one it has just written.
 * - A week only partly inside those dates (the edges of a span or of a rebuild) also holds days it did not write.
 *   It is regrouped from `compliance_days` (`refreshComplianceWeeks`), as are the weeks of a new bank holiday's date.
 *
 * Only core days count, as in the overview's reads of the days themselves: a regrouped week leaves out any stored
 * row for a date that is not a core day.
 */

type Db = Kysely<Database>;

const WEEK_COLUMNS = ["practice_code", "week", "open_minutes", "closed_minutes", "excepted_minutes", "least_unknown", "days"] as const;

/**
 * Whether all seven days of an ISO week (its Monday) are within `from`…`to`, as a test of the week alone (two string
 * comparisons: it runs for every week of England's rebuild). A null bound is open.
 */
export function weeksWithin(from: string | null, to: string | null): (week: string) => boolean {
  const last = to === null ? null : lastWholeWeek(to);
  return (week) => (from === null || week >= from) && (last === null || week <= last);
}

/**
 * The weeks that overlap `from`…`to` but are not wholly within it: at most the first and the last. A null bound is
 * open. Their other days were not rewritten, so they are regrouped from the stored days.
 */
export function partialWeeks(from: string | null, to: string | null): string[] {
  const within = weeksWithin(from, to);
  const edges = new Set([from && isoWeekStart(from), to && isoWeekStart(to)]);
  return [...edges].filter((w): w is string => !!w && !within(w));
}

interface Sums {
  code: string;
  week: string;
  open: number;
  closed: number;
  excepted: number;
  leastUnknown: number;
  days: number;
}

/**
 * Days' minutes summed per practice and week as they are written, then written as weeks: those that `whole` accepts
 * (their stored rows already deleted, and every stored day of the week one written here).
 */
export class WeekSums {
  private sums = new Map<string, Sums>();
  private readonly weeks: BulkInsert<"compliance_weeks">;

  constructor(
    db: Db,
    private readonly whole: (code: string, week: string) => boolean,
  ) {
    this.weeks = new BulkInsert(db, "compliance_weeks", WEEK_COLUMNS);
  }

  /**
   * A group's packed days (`packDays`: practice and date as indexes into `codes` and `dates`, then the minutes, open,
   * closed, excepted and unknown at `minutes`…`minutes + 3`, `stride` integers a day), summed in typed arrays and
   * its whole weeks written at once: England's rebuild sums 1.6 million days here.
   */
  async addPacked(codes: readonly string[], dates: readonly string[], days: Int32Array, stride: number, minutes: number): Promise<void> {
    const weeks: string[] = [];
    const weekIndex = new Map<string, number>();
    const dateWeek = dates.map((d) => {
      const w = isoWeekStart(d);
      let i = weekIndex.get(w);
      if (i === undefined) weekIndex.set(w, (i = weeks.push(w) - 1));
      return i;
    });
    const W = weeks.length;
    // Per practice and week: open, closed, excepted, least unknown, days.
    const acc = new Float64Array(codes.length * W * 5);
    for (let o = 0; o < days.length; o += stride) {
      const b = (days[o]! * W + dateWeek[days[o + 1]!]!) * 5;
      acc[b] = acc[b]! + days[o + minutes]!;
      acc[b + 1] = acc[b + 1]! + days[o + minutes + 1]!;
      acc[b + 2] = acc[b + 2]! + days[o + minutes + 2]!;
      const unknown = days[o + minutes + 3]!;
      if (acc[b + 4] === 0 || unknown < acc[b + 3]!) acc[b + 3] = unknown;
      acc[b + 4] = acc[b + 4]! + 1;
    }
    for (let c = 0; c < codes.length; c++) {
      for (let w = 0; w < W; w++) {
        const b = (c * W + w) * 5;
        if (acc[b + 4] === 0 || !this.whole(codes[c]!, weeks[w]!)) continue;
        await this.weeks.add([codes[c], weeks[w], acc[b], acc[b + 1], acc[b + 2], acc[b + 3], acc[b + 4]]);
      }
    }
  }

  add(code: string, week: string, open: number, closed: number, excepted: number, unknown: number): void {
    const key = `${code}\u0001${week}`;
    const s = this.sums.get(key);
    if (!s) {
      this.sums.set(key, { code, week, open, closed, excepted, leastUnknown: unknown, days: 1 });
      return;
    }
    s.open += open;
    s.closed += closed;
    s.excepted += excepted;
    if (unknown < s.leastUnknown) s.leastUnknown = unknown;
    s.days++;
  }

  /** Writes the weeks `add` summed that `whole` accepts, and forgets them all. */
  async write(): Promise<void> {
    for (const s of this.sums.values()) {
      if (this.whole(s.code, s.week)) await this.weeks.add([s.code, s.week, s.open, s.closed, s.excepted, s.leastUnknown, s.days]);
    }
    this.sums = new Map();
  }

  async flush(): Promise<void> {
    await this.write();
    await this.weeks.flush();
  }
}

/**
 * Regroups the given weeks from the stored core days: every practice's, or only `practices`'. A week with no stored
 * core day gets no row.
 */
export async function refreshComplianceWeeks(db: Db, calendar: CoreHoursCalendar, weeks: Iterable<string>, practices?: readonly string[]): Promise<void> {
  const groups = practices ? chunks([...new Set(practices)], 500) : [null];
  for (const week of [...new Set(weeks)].sort()) {
    const last = addDays(week, 6);
    const core = new Set(calendar.coreDays(week, last));
    const notCore = datesBetween(week, last).filter((d) => !core.has(d));
    for (const group of groups) {
      let clear = db.deleteFrom("compliance_weeks").where("week", "=", week);
      if (group) clear = clear.where("practice_code", "in", group);
      await clear.execute();
      if (core.size === 0) continue;
      let days = db.selectFrom("compliance_days").where("date", ">=", week).where("date", "<=", last);
      if (notCore.length > 0) days = days.where("date", "not in", notCore);
      if (group) days = days.where("practice_code", "in", group);
      await db
        .insertInto("compliance_weeks")
        .columns(WEEK_COLUMNS)
        .expression(
          days
            .select((eb) => [
              "practice_code",
              eb.val(week).as("week"),
              eb.fn.sum<number>("open_minutes").as("open_minutes"),
              eb.fn.sum<number>("closed_minutes").as("closed_minutes"),
              eb.fn.sum<number>("excepted_minutes").as("excepted_minutes"),
              eb.fn.min<number>("unknown_minutes").as("least_unknown"),
              eb.fn.countAll<number>().as("days"),
            ])
            .groupBy("practice_code"),
        )
        .execute();
    }
  }
}

/** Deletes the stored weeks of these practices that overlap `from`…`to` (their days are about to be rewritten). */
export async function clearComplianceWeeks(db: Db, practices: readonly string[] | null, from: string | null, to: string | null): Promise<void> {
  let q = db.deleteFrom("compliance_weeks");
  if (practices) q = q.where("practice_code", "in", [...practices]);
  if (from) q = q.where("week", ">=", isoWeekStart(from));
  if (to) q = q.where("week", "<=", isoWeekStart(to));
  await q.execute();
}

