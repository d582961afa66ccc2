import { addDays, weekday } from "./calendar";
import { isoWeekStart, type DateRange } from "./compliance-report";
import { cusumSurges, type CusumOptions, type CusumResult, type WeeklyPoint } from "./surges";

/**
 * Pure helpers for the demand pages and the can't/won't classification: months, weekly series for the CUSUM
 * surge detector, which surges touch a period, weekday × hour grids, and how "all practices loaded" is named.
 */

// ---------------------------------------------------------------------------------------------------------------
// Months (`YYYY-MM-01`)

const MONTH_PARAM = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `2026-03` → `2026-03-01`; null for anything else. */
export function parseMonthParam(value: string | null | undefined): string | null {
  const v = (value ?? "").trim();
  return MONTH_PARAM.test(v) ? `${v}-01` : null;
}

/** The first of the month a date is in. */
export function monthOf(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** A month `n` months later (earlier when negative). */
export function addMonths(month: string, n: number): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7)) - 1 + n;
  const year = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  return `${year}-${String(mm + 1).padStart(2, "0")}-01`;
}

/** The last day of a month. */
export function monthEnd(month: string): string {
  return addDays(addMonths(month, 1), -1);
}

/** A month as a date range, first to last day. */
export function monthRange(month: string): DateRange {
  return { from: month, to: monthEnd(month) };
}

/**
 * How far back from a period's first month the classification looks for a month with measures: the national
 * files are published a month or two after the month they describe, so a period without its own figures uses
 * the latest of the three months before it, and never anything older.
 */
export const MEASURE_LOOKBACK_MONTHS = 3;

/** The months a period may take its measures from: from three months before its start to the month of its end. */
export function measureWindow(range: DateRange): { from: string; to: string } {
  return { from: addMonths(monthOf(range.from), -MEASURE_LOOKBACK_MONTHS), to: monthOf(range.to) };
}

// ---------------------------------------------------------------------------------------------------------------
// Weekly submissions and surges

/** How many ISO weeks of submissions the surge detector looks at: the year up to the end of the period. */
export const SURGE_WEEKS = 52;
/** The CUSUM's parameters (app/domain/surges.ts; docs/decisions/0011-demand-surges-cusum.md). */
export const SURGE_OPTIONS: Required<CusumOptions> = { baselineWeeks: 8, k: 0.5, h: 4 };

/** The first day of the surge window: the Monday 51 weeks before the week that holds `to`. */
export function surgeWindowStart(to: string, weeks = SURGE_WEEKS): string {
  return addDays(isoWeekStart(to), -7 * (weeks - 1));
}

/**
 * Daily submission totals summed per ISO week (Monday first), over the `weeks` weeks up to and including the week
 * that holds `to`; days after `to` are left out. A week without any day of data is left out of the series (no data
 * is not zero: a supplier gap must not look like a quiet week), so the series can skip weeks. Oldest first.
 */
export function weeklySeries(daily: readonly { date: string; total: number }[], to: string, weeks = SURGE_WEEKS): WeeklyPoint[] {
  const first = surgeWindowStart(to, weeks);
  const sums = new Map<string, number>();
  for (const d of daily) {
    if (d.date < first || d.date > to) continue;
    const week = isoWeekStart(d.date);
    sums.set(week, (sums.get(week) ?? 0) + d.total);
  }
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([week, value]) => ({ week, value }));
}

export interface SurgeScan {
  series: WeeklyPoint[];
  /** The CUSUM over the series; null when there are too few weeks for a baseline and a week to test. */
  cusum: CusumResult | null;
}

/** The weekly series and its CUSUM, or no CUSUM when fewer than baseline + 1 weeks have data. */
export function scanSurges(daily: readonly { date: string; total: number }[], to: string): SurgeScan {
  return scanWeeklySurges(weeklySeries(daily, to));
}

/** The same from a weekly series already summed as `weeklySeries` sums it (oldest first, weeks without data left out). */
export function scanWeeklySurges(series: WeeklyPoint[]): SurgeScan {
  if (series.length <= SURGE_OPTIONS.baselineWeeks) return { series, cusum: null };
  return { series, cusum: cusumSurges(series, SURGE_OPTIONS) };
}

/**
 * The surges that touch a period, as dates: from the Monday of a run's first week to the Sunday of its last.
 * A surge touches the period when its weeks overlap the period's days.
 */
export function surgesInRange(surges: readonly { start: string; end: string }[], range: DateRange): { start: string; end: string }[] {
  return surges
    .map((s) => ({ start: s.start, end: addDays(s.end, 6) }))
    .filter((s) => s.start <= range.to && s.end >= range.from);
}

// ---------------------------------------------------------------------------------------------------------------
// Weekday × hour grids

export const ALL_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

/** 1 = Monday … 7 = Sunday, for a `YYYY-MM-DD` date. */
export function isoWeekday(date: string): number {
  const wd = weekday(date);
  return wd === 0 ? 7 : wd;
}

/** `08` → `08:00–08:59`. */
export function hourLabel(hour: number): string {
  const hh = String(hour).padStart(2, "0");
  return `${hh}:00–${hh}:59`;
}

/**
 * Sums counts into a grid of rows (hours, or bands) × 7 weekday columns (Monday … Sunday). `row` places an entry
 * in a row (or leaves it out with -1); `weekday` is 1 = Monday … 7 = Sunday.
 */
export function weekdayGrid<T>(entries: readonly T[], rows: number, place: (e: T) => { row: number; weekday: number; value: number }): number[][] {
  const grid = Array.from({ length: rows }, () => ALL_WEEKDAYS.map(() => 0));
  for (const e of entries) {
    const { row, weekday: wd, value } = place(e);
    if (row < 0 || row >= rows || wd < 1 || wd > 7) continue;
    grid[row]![wd - 1]! += value;
  }
  return grid;
}

/**
 * Cloud Based Telephony's published 2-hour bands, as stored by the cbt importer (importers/cbt.ts `CBT_BANDS`;
 * a test keeps the two lists the same).
 */
export const CALL_BANDS = [
  "00:00-05:59",
  "06:00-07:59",
  "08:00-09:59",
  "10:00-11:59",
  "12:00-13:59",
  "14:00-15:59",
  "16:00-17:59",
  "18:00-18:29",
  "18:30-23:59",
] as const;

/** `08:00-09:59` → `08:00–09:59`. */
export function bandLabel(band: string): string {
  return band.replace("-", "–");
}

// ---------------------------------------------------------------------------------------------------------------
// Peers

/** England has 42 ICBs: with measures from all of them the "all practices" comparison is England's. */
export const ENGLAND_ICBS = 42;

/** How the widest comparison group is named: England when practices of every ICB are loaded. */
export function widestGroupName(icbsWithData: number): string {
  return icbsWithData >= ENGLAND_ICBS ? "England" : "all practices loaded";
}
