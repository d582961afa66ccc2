import { DateTime } from "luxon";
import bankHolidayData from "./data/bank-holidays.json";

/**
 * The core-hours calendar. Core hours are 08:00–18:30 Europe/London, Monday to Friday, except bank holidays in
 * England and Wales (Good Friday and Christmas Day are in that list).
 *
 * Instants are counted in whole **epoch minutes** (minutes since 1970-01-01T00:00Z), the unit of the compliance
 * engine. A date is a London calendar date, `YYYY-MM-DD`. British Summer Time changes happen at 01:00 UTC on a
 * Sunday, never inside a core day, so a core day's window is its London offset at noon applied to 08:00 and 18:30.
 */

export const ZONE = "Europe/London";
export const CORE_START = 8 * 60; // 08:00, minutes after local midnight
export const CORE_END = 18 * 60 + 30; // 18:30
export const CORE_MINUTES_PER_DAY = CORE_END - CORE_START; // 630
export const MINUTES_PER_DAY = 24 * 60;

export interface Window {
  /** First minute (epoch minutes, inclusive). */
  start: number;
  /** End (epoch minutes, exclusive). */
  end: number;
}

export interface BankHoliday {
  date: string;
  title: string;
}

/** The bank holidays in the reviewed data file (`app/domain/data/bank-holidays.json`, GOV.UK's england-and-wales list). */
export const BUNDLED_BANK_HOLIDAYS: BankHoliday[] = bankHolidayData["england-and-wales"].events.map((e) => ({ date: e.date, title: e.title }));

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** Dates and their day numbers both ways, remembered: a page works out the same few hundred dates thousands of times. */
const dayNumbers = new Map<string, number>();
const datesByNumber = new Map<number, string>();
const REMEMBERED_DATES = 20_000;

function dayNumber(date: string): number {
  let n = dayNumbers.get(date);
  if (n === undefined) {
    const m = DATE.exec(date);
    if (!m) throw new Error(`Not a date: ${date}`);
    n = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
    if (dayNumbers.size >= REMEMBERED_DATES) dayNumbers.clear();
    dayNumbers.set(date, n);
  }
  return n;
}

function fromDayNumber(n: number): string {
  let date = datesByNumber.get(n);
  if (date === undefined) {
    date = new Date(n * 86_400_000).toISOString().slice(0, 10);
    if (datesByNumber.size >= REMEMBERED_DATES) datesByNumber.clear();
    datesByNumber.set(n, date);
  }
  return date;
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

/** Days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(dayNumber(date) * 86_400_000).getUTCDay();
}

/** Every date from `from` to `to`, inclusive. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let n = dayNumber(from), end = dayNumber(to); n <= end; n++) out.push(fromDayNumber(n));
  return out;
}

const offsetCache = new Map<string, number>();

/** London's offset from UTC on a date, in minutes (0 in winter, 60 in summer), taken at local noon. */
export function londonOffset(date: string): number {
  let offset = offsetCache.get(date);
  if (offset === undefined) {
    const [y, m, d] = date.split("-").map(Number);
    offset = DateTime.fromObject({ year: y, month: m, day: d, hour: 12 }, { zone: ZONE }).offset;
    offsetCache.set(date, offset);
  }
  return offset;
}

/** Epoch minutes of a London wall-clock time on a date (for times away from the 01:00–02:00 Sunday changes). */
export function localMinute(date: string, minuteOfDay: number): number {
  return dayNumber(date) * MINUTES_PER_DAY + minuteOfDay - londonOffset(date);
}

/** The London date an epoch minute falls on. */
export function londonDate(epochMinute: number): string {
  const utcDay = Math.floor(epochMinute / MINUTES_PER_DAY);
  // Try the offset of the UTC date, then of the local date it gives (differs only around a clock change).
  let offset = londonOffset(fromDayNumber(utcDay));
  let local = fromDayNumber(Math.floor((epochMinute + offset) / MINUTES_PER_DAY));
  const confirm = londonOffset(local);
  if (confirm !== offset) {
    offset = DateTime.fromMillis(epochMinute * 60_000, { zone: ZONE }).offset;
    local = fromDayNumber(Math.floor((epochMinute + offset) / MINUTES_PER_DAY));
  }
  return local;
}

/** London's offset from UTC at an instant (exact on the clock-change Sundays too). */
export function londonOffsetAt(epochMinute: number): number {
  const date = londonDate(epochMinute);
  const transition = londonOffset(date) !== londonOffset(addDays(date, -1)) || londonOffset(date) !== londonOffset(addDays(date, 1));
  return transition ? DateTime.fromMillis(epochMinute * 60_000, { zone: ZONE }).offset : londonOffset(date);
}

/** London wall-clock minute of the day (0–1439) for an epoch minute. */
export function londonMinuteOfDay(epochMinute: number): number {
  const local = epochMinute + londonOffsetAt(epochMinute);
  return ((local % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}

/** `HH:MM` London time of an epoch minute. */
export function londonTime(epochMinute: number): string {
  const m = londonMinuteOfDay(epochMinute);
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

export class CoreHoursCalendar {
  private readonly holidays: Map<string, string>;
  /** Each date's core window once worked out (the holidays never change after construction). */
  private readonly windows = new Map<string, Readonly<Window> | null>();

  constructor(bankHolidays: Iterable<BankHoliday> = BUNDLED_BANK_HOLIDAYS) {
    this.holidays = new Map();
    for (const h of bankHolidays) this.holidays.set(h.date, h.title);
  }

  bankHoliday(date: string): string | undefined {
    return this.holidays.get(date);
  }

  isCoreDay(date: string): boolean {
    const wd = weekday(date);
    return wd >= 1 && wd <= 5 && !this.holidays.has(date);
  }

  /** The day's core hours as epoch minutes, or null on a weekend or bank holiday. */
  coreWindow(date: string): Readonly<Window> | null {
    let window = this.windows.get(date);
    if (window === undefined) {
      window = this.isCoreDay(date) ? Object.freeze({ start: localMinute(date, CORE_START), end: localMinute(date, CORE_END) }) : null;
      this.windows.set(date, window);
    }
    return window;
  }

  /** Core days from `from` to `to`, inclusive. */
  coreDays(from: string, to: string): string[] {
    return datesBetween(from, to).filter((d) => this.isCoreDay(d));
  }

  /** Core days that an interval of epoch minutes [start, end) touches. */
  coreDaysTouched(start: number, end: number): string[] {
    if (end <= start) return [];
    return this.coreDays(londonDate(start), londonDate(end - 1)).filter((d) => {
      const w = this.coreWindow(d)!;
      return start < w.end && end > w.start;
    });
  }
}
