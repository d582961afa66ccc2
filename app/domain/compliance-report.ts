import { z } from "zod";
import { addDays, CORE_END, CORE_START, daysBetween, isDate, londonDate, londonMinuteOfDay, weekday } from "./calendar";
import type { Policy } from "./policy";
import { rankWithin, type Ranked } from "./ranking";

/**
 * Pure helpers for the compliance pages: date ranges, how a day is described, peers' positions, bands of the
 * share of core minutes open, weekly trends and the weekday × half-hour grid of closed minutes.
 *
 * Throughout, minutes with no data are neither compliant nor a breach: they count towards the core minutes (so a
 * share "of core minutes" is lowered by them) but never as open or closed.
 */

// ---------------------------------------------------------------------------------------------------------------
// Date ranges

/** The default range: twelve whole weeks, ending on the latest day with data (or today). */
export const DEFAULT_RANGE_DAYS = 84;
/** The longest range a page computes: two years. */
export const MAX_RANGE_DAYS = 731;

export interface DateRange {
  from: string;
  to: string;
}

const dateParam = z
  .string()
  .trim()
  .refine((s) => s === "" || isDate(s), { message: "a date like 2026-03-31" });

const RangeParams = z.object({ from: dateParam.optional(), to: dateParam.optional() }).transform((v) => ({ from: v.from || null, to: v.to || null }));

export interface ResolvedRange extends DateRange {
  /** Problems with what was asked for, by field; the default range is used when there are any. */
  errors: Record<string, string>;
  isDefault: boolean;
}

/**
 * The range a page shows, from its `from` and `to` query parameters (`YYYY-MM-DD`, inclusive). A missing end is
 * `defaultTo`; a missing start is twelve weeks before the end. A bad date, a start after the end or a range over
 * two years falls back to the default, with a message.
 */
export function resolveRange(params: { from?: string | null; to?: string | null }, defaultTo: string): ResolvedRange {
  const fallback = { from: addDays(defaultTo, -(DEFAULT_RANGE_DAYS - 1)), to: defaultTo };
  const parsed = RangeParams.safeParse({ from: params.from ?? undefined, to: params.to ?? undefined });
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      errors[key] ??= key === "from" ? "Enter the start date as a date like 2026-03-31" : "Enter the end date as a date like 2026-03-31";
    }
    return { ...fallback, errors, isDefault: true };
  }
  const { from, to } = parsed.data;
  if (!from && !to) return { ...fallback, errors: {}, isDefault: true };
  const end = to ?? (from && from > defaultTo ? addDays(from, DEFAULT_RANGE_DAYS - 1) : defaultTo);
  const start = from ?? addDays(end, -(DEFAULT_RANGE_DAYS - 1));
  if (start > end) return { ...fallback, errors: { from: "The start date must be on or before the end date" }, isDefault: true };
  if (daysBetween(start, end) + 1 > MAX_RANGE_DAYS) {
    return { ...fallback, errors: { from: "Choose a range of two years or less" }, isDefault: true };
  }
  return { from: start, to: end, errors: {}, isDefault: false };
}

/** Today's date in London. */
export function londonToday(now: Date = new Date()): string {
  return londonDate(Math.floor(now.getTime() / 60_000));
}

// ---------------------------------------------------------------------------------------------------------------
// Minutes and shares

export interface MinuteTotals {
  coreMinutes: number;
  open: number;
  closed: number;
  excepted: number;
  unknown: number;
}

/** A share from 0 to 1, or null when there is nothing to share (no core minutes). */
export function shareOf(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** A share as a percentage with one decimal place (for tables and CSV), or null. */
export function percent(share: number | null): number | null {
  return share === null ? null : Math.round(share * 1000) / 10;
}

/**
 * "Enough data" for a practice to be placed among its peers: at least half of its core minutes in the range are
 * known (open, closed or excepted). Fewer would rank a practice on a sliver of its days.
 */
export const ENOUGH_DATA_SHARE = 0.5;

export function hasEnoughData(t: MinuteTotals): boolean {
  return t.coreMinutes > 0 && (t.coreMinutes - t.unknown) / t.coreMinutes >= ENOUGH_DATA_SHARE;
}

// ---------------------------------------------------------------------------------------------------------------
// One day

export type DayState = "flagged" | "closure" | "excepted" | "open" | "partial" | "nodata";

/**
 * How a core day is described, most serious first: flagged (at least the policy's closed minutes), some closure,
 * closures only inside approved pauses, open throughout, open where known but partly without data, no data.
 */
export function dayState(day: MinuteTotals, policy: Pick<Policy, "closedMinutesPerDay">): DayState {
  if (day.closed > 0 && day.closed >= policy.closedMinutesPerDay) return "flagged";
  if (day.closed > 0) return "closure";
  if (day.excepted > 0) return "excepted";
  if (day.unknown >= day.coreMinutes) return "nodata";
  if (day.unknown > 0) return "partial";
  return "open";
}

/** Short words for a day's state (calendar cells; the legend explains them). */
export const DAY_STATE_LABELS: Record<DayState, string> = {
  flagged: "Flagged",
  closure: "Closure",
  excepted: "Excepted",
  open: "Open",
  partial: "Part data",
  nodata: "No data",
};

// ---------------------------------------------------------------------------------------------------------------
// Peers

/** Rank (1 = highest share of core minutes open) and decile (10 = the highest tenth), as app/domain/ranking.ts defines them. */
export type PeerPosition = Ranked;

/**
 * Where one practice stands among its peers on share of core minutes open. Only practices with enough data are
 * ranked; null when the practice itself is not among them.
 */
export function peerPosition(peers: readonly { id: string; share: number | null; enoughData: boolean }[], id: string): PeerPosition | null {
  return rankWithin(peers.map((p) => ({ key: p.id, value: p.share, suppressed: !p.enoughData }))).get(id) ?? null;
}

export interface OpenBand {
  key: string;
  label: string;
  /** Inclusive lower bound, as a share. */
  min: number;
  /** Exclusive upper bound (the last band is exactly 100%). */
  max: number;
}

/** Bands of the share of core minutes open: ten tenths below 100%, and exactly 100% on its own. */
export const OPEN_BANDS: OpenBand[] = [
  ...Array.from({ length: 10 }, (_, i) => ({
    key: `${i * 10}-${i * 10 + 10}`,
    label: i === 0 ? "Under 10%" : `${i * 10}% to under ${i * 10 + 10}%`,
    min: i / 10,
    max: (i + 1) / 10,
  })),
  { key: "100", label: "100%", min: 1, max: Infinity },
];

export function bandOf(share: number): OpenBand {
  return OPEN_BANDS.find((b) => share >= b.min && share < b.max) ?? OPEN_BANDS[0]!;
}

/** Practices per band, for those with enough data; the rest are counted apart. */
export function bandCounts(practices: readonly { share: number | null; enoughData: boolean }[]): {
  bands: (OpenBand & { practices: number })[];
  notEnoughData: number;
} {
  const counts = new Map<string, number>();
  let notEnoughData = 0;
  for (const p of practices) {
    if (!p.enoughData || p.share === null) notEnoughData++;
    else counts.set(bandOf(p.share).key, (counts.get(bandOf(p.share).key) ?? 0) + 1);
  }
  return { bands: OPEN_BANDS.map((b) => ({ ...b, practices: counts.get(b.key) ?? 0 })), notEnoughData };
}

// ---------------------------------------------------------------------------------------------------------------
// Weeks

const weekStarts = new Map<string, string>();

/** The Monday of the ISO week a date is in. */
export function isoWeekStart(date: string): string {
  let week = weekStarts.get(date);
  if (week === undefined) {
    // A date's week never changes: remembered, since the surge scans ask it for every day of a year, per practice.
    if (weekStarts.size >= 20_000) weekStarts.clear();
    weekStarts.set(date, (week = addDays(date, -((weekday(date) + 6) % 7))));
  }
  return week;
}

/** The Monday of the first ISO week that starts on or after `date`. */
export function firstWholeWeek(date: string): string {
  const start = isoWeekStart(date);
  return start === date ? start : addDays(start, 7);
}

/** The Monday of the last ISO week that ends on or before `date`. */
export function lastWholeWeek(date: string): string {
  return addDays(isoWeekStart(addDays(date, 1)), -7);
}

export interface WeekBucket {
  /** The ISO week's Monday. */
  week: string;
  /** The part of the week inside the range. */
  from: string;
  to: string;
}

/** The last `count` ISO weeks of a range (fewer if the range is shorter), oldest first, clipped to the range. */
export function lastWeeks(range: DateRange, count = 12): WeekBucket[] {
  const last = isoWeekStart(range.to);
  const first = isoWeekStart(range.from);
  const out: WeekBucket[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const week = addDays(last, -7 * i);
    if (week < first) continue;
    out.push({ week, from: week < range.from ? range.from : week, to: addDays(week, 6) > range.to ? range.to : addDays(week, 6) });
  }
  return out;
}

/** Weekly closed minutes as text, oldest first: "0, 60, no data, 15". */
export function describeWeekly(values: readonly (number | null)[]): string {
  return values.map((v) => (v === null ? "no data" : String(v))).join(", ");
}

// ---------------------------------------------------------------------------------------------------------------
// Weekday × half hour

/** The half hours of core hours: 08:00–08:30 … 18:00–18:30. */
export const HALF_HOURS: { start: number; label: string }[] = Array.from({ length: (CORE_END - CORE_START) / 30 }, (_, i) => {
  const start = CORE_START + i * 30;
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return { start, label: `${hhmm(start)}–${hhmm(start + 30)}` };
});

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] as const;

/**
 * Closed minutes by London weekday (Monday–Friday) and half hour of core hours, summed over episodes. Each row
 * is a half hour, each column a weekday. Minutes outside core hours or at weekends are left out.
 */
export function halfHourClosures(episodes: readonly { start: number; end: number }[]): number[][] {
  const grid = HALF_HOURS.map(() => WEEKDAYS.map(() => 0));
  for (const e of episodes) {
    let m = e.start;
    while (m < e.end) {
      const minuteOfDay = londonMinuteOfDay(m);
      const wd = weekday(londonDate(m)); // 1 = Monday
      // Up to the next half-hour boundary (or the episode's end).
      const step = Math.min(e.end - m, 30 - (minuteOfDay % 30));
      const slot = Math.floor((minuteOfDay - CORE_START) / 30);
      if (wd >= 1 && wd <= 5 && minuteOfDay >= CORE_START && minuteOfDay < CORE_END) grid[slot]![wd - 1]! += step;
      m += step;
    }
  }
  return grid;
}
