/**
 * Silent-hours screening: hours of the core day in which a practice that is otherwise busy received no online
 * consultation submissions on many core days, the signature of a daily cap ("we close once we have N requests")
 * or of switching the tool off for part of the day. **Screening, not evidence**: submissions say what arrived,
 * not whether the tool was open, so a flag is a reason to ask, never a finding, and nothing here feeds the
 * compliance figures. ADR: docs/decisions/0009-silent-hours-screening.md.
 *
 * Method (dated edition, `oc_hourly`), per practice, for each core day with data (a core day on which the practice
 * has at least one row; a day with no rows is "no data", never zero) and each core hour bucket 08:00 … 17:00:
 *
 * 1. Profile. s(w, h) is the share of a day's submissions that arrive in hour h on weekday w, from the reference
 *    practices' core days (the practice's ICB, or every loaded practice when the ICB has too few), **without the
 *    practice itself** (its own sums are subtracted, leave-one-out).
 * 2. Expected count. E(d, h) = (T(d) − C(d, R)) × s(w, h) / max(1 − s(w, R), 0.4), where T(d) is the practice's total
 *    that day, R is h itself or, when h had no submissions, the whole stretch of consecutive silent core hours that
 *    contains h, C(d, R) its submissions (0 for a silent stretch) and s(w, R) its share. In words: the hour is
 *    predicted from the practice's own submissions that day *outside* the stretch, so a cap that stops everything
 *    after 11:00 does not hide itself by lowering the day's total. The floor of 0.4 bounds the scaling at 2.5×.
 * 3. Silent day. The hour is eligible on day d when E(d, h) ≥ 3, so that under a Poisson model P(no submission) =
 *    e^−E ≤ e^−3 ≈ 5%; it is silent when it is eligible and had no submissions.
 * 4. Chance. With n eligible days and k silent ones, p = P(Binomial(n, e^−3) ≥ k), computed in log space. e^−3 is
 *    the largest chance of a silent hour on any eligible day, so p over-states chance (conservative).
 * 5. Strength. strong: p ≤ 10^−6 and k ≥ 4; moderate: p ≤ 10^−4 and k ≥ 3; weak: p ≤ 10^−3 and k ≥ 3. With 100 cells
 *    per practice (5 weekdays × 10 hours × 2 categories), chance alone gives a weak cell to at most about one practice
 *    in ten, a moderate one to about one in a hundred, a strong one to about one in ten thousand.
 *
 * The same is done for clinical submissions ("clinical" category): a clinical-silent day is one with no clinical
 * submissions in the hour although the practice received other submissions in it (so it never repeats an
 * all-silent hour), eligible when the clinical E ≥ 3. Suppliers that report everything as "other/unknown" give a
 * clinical total of 0 and are therefore never eligible.
 *
 * Weekday-aggregated edition (`oc_weekday_hourly`: one month, weekday × hour): a cell is flagged when it had no
 * submissions in the whole month although E ≥ 3 × (the number of days of that weekday in the month) were expected,
 * E computed as above from the practice's month total for that weekday; p = e^−E. It finds only hours that were
 * silent every week (a lunchtime switch-off), not caps that bite on some days.
 */

export const SCREENING_LABEL = "Screening, not evidence" as const;

/** Core hour buckets screened: 08:00 … 17:00 (the 18:00 bucket is only half core time). */
export const CORE_HOURS = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17] as const;
/** Weekdays screened, 1 = Monday … 5 = Friday. */
export const WEEKDAYS = [1, 2, 3, 4, 5] as const;
export const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

/** An hour is eligible on a day when at least this many submissions were expected in it. */
export const MIN_EXPECTED = 3;
/** The chance of no submission in an eligible hour under Poisson is at most e^−MIN_EXPECTED. */
export const P_SILENT_BY_CHANCE = Math.exp(-MIN_EXPECTED);
/** Floor of 1 − (share of the silent stretch): the prediction from the rest of the day is scaled at most 2.5×. */
export const REST_OF_DAY_FLOOR = 0.4;

export type Category = "all" | "clinical";
export type Strength = "strong" | "moderate" | "weak";
export const STRENGTH_ORDER: Record<Strength, number> = { strong: 3, moderate: 2, weak: 1 };

export const THRESHOLDS: Record<Strength, { log10P: number; minSilent: number }> = {
  strong: { log10P: -6, minSilent: 4 },
  moderate: { log10P: -4, minSilent: 3 },
  weak: { log10P: -3, minSilent: 3 },
};

/** One hour of one day: submissions in total and clinical. */
export interface HourCount {
  total: number;
  clinical: number;
}

/** A core day on which the practice has data: 24 hour buckets (hours without a row are zero). */
export interface PracticeDay {
  date: string;
  /** 1 = Monday … 5 = Friday. */
  weekday: number;
  hours: HourCount[];
}

/** Sums behind a profile, per category: per weekday (index 1–7) the hour totals (0–23) and the day total. */
export interface ProfileSums {
  hour: Record<Category, number[][]>;
  day: Record<Category, number[]>;
}

export function emptySums(): ProfileSums {
  const grid = () => Array.from({ length: 8 }, () => new Array<number>(24).fill(0));
  return { hour: { all: grid(), clinical: grid() }, day: { all: new Array(8).fill(0), clinical: new Array(8).fill(0) } };
}

/** Adds submissions in one hour on a weekday to profile sums. */
export function addHour(sums: ProfileSums, weekday: number, hour: number, count: HourCount): void {
  sums.hour.all[weekday]![hour]! += count.total;
  sums.hour.clinical[weekday]![hour]! += count.clinical;
  sums.day.all[weekday]! += count.total;
  sums.day.clinical[weekday]! += count.clinical;
}

export function sumsOfDays(days: readonly PracticeDay[]): ProfileSums {
  const sums = emptySums();
  for (const d of days) {
    d.hours.forEach((c, h) => addHour(sums, d.weekday, h, c));
  }
  return sums;
}

/** `a − b`: the reference group without the practice itself. */
export function subtractSums(a: ProfileSums, b: ProfileSums): ProfileSums {
  const out = emptySums();
  for (const c of ["all", "clinical"] as const) {
    for (let w = 0; w < 8; w++) {
      out.day[c][w] = Math.max(0, a.day[c][w]! - b.day[c][w]!);
      for (let h = 0; h < 24; h++) out.hour[c][w]![h] = Math.max(0, a.hour[c][w]![h]! - b.hour[c][w]![h]!);
    }
  }
  return out;
}

/** Shares of the day per weekday and hour, per category (0 where the reference group had nothing). */
export type Profile = Record<Category, number[][]>;

export function profileOf(sums: ProfileSums): Profile {
  const shares = (c: Category) =>
    sums.hour[c].map((hours, w) => hours.map((n) => (sums.day[c][w]! > 0 ? n / sums.day[c][w]! : 0)));
  return { all: shares("all"), clinical: shares("clinical") };
}

// ---------------------------------------------------------------------------------------------------------------
// Chance

const logFactorials: number[] = [0];

function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

/** ln C(n, k). */
export function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** log10 P(X ≥ k) for X ~ Binomial(n, p), summed in log space so that tails far below 1e−300 stay exact. */
export function log10BinomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p <= 0) return -Infinity;
  if (p >= 1) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const terms: number[] = [];
  for (let i = k; i <= n; i++) terms.push(logChoose(n, i) + i * lp + (n - i) * lq);
  const max = Math.max(...terms);
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return Math.min(0, (max + Math.log(sum)) / Math.LN10);
}

export function strengthOf(log10P: number, silentDays: number): Strength | null {
  for (const s of ["strong", "moderate", "weak"] as const) {
    if (log10P <= THRESHOLDS[s].log10P && silentDays >= THRESHOLDS[s].minSilent) return s;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Dated edition

/** One weekday × hour of one category, over the period. */
export interface SilentHourCell {
  category: Category;
  weekday: number;
  hour: number;
  /** Core days with data on which at least MIN_EXPECTED submissions were expected in the hour. */
  eligibleDays: number;
  /** Eligible days on which the hour had no submissions (for "clinical": none clinical, some other). */
  silentDays: number;
  /** Median expected submissions in the hour on eligible days (0 when none). */
  medianExpected: number;
  /** log10 of the chance of this many silent days or more (0 when there are none). */
  log10P: number;
  strength: Strength | null;
  silentDates: string[];
}

export type SilentHourSignal = SilentHourCell & { strength: Strength };

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const countOf = (c: HourCount, category: Category) => (category === "all" ? c.total : c.clinical);

/**
 * Expected submissions in each core hour of a day, predicted from the practice's own submissions that day outside
 * the hour (or outside the silent stretch containing it) and the profile. Exported for tests and explanations.
 */
export function expectedByHour(day: PracticeDay, profile: Profile, category: Category): Map<number, number> {
  const shares = profile[category][day.weekday]!;
  const counts = day.hours.map((c) => countOf(c, category));
  const dayTotal = counts.reduce((a, b) => a + b, 0);
  const out = new Map<number, number>();
  const first = CORE_HOURS[0];
  const last = CORE_HOURS[CORE_HOURS.length - 1]!;
  for (const h of CORE_HOURS) {
    let from = h;
    let to = h;
    if (counts[h] === 0) {
      while (from > first && counts[from - 1] === 0) from--;
      while (to < last && counts[to + 1] === 0) to++;
    }
    let share = 0;
    let inside = 0;
    for (let x = from; x <= to; x++) {
      share += shares[x]!;
      inside += counts[x]!;
    }
    out.set(h, ((dayTotal - inside) * shares[h]!) / Math.max(1 - share, REST_OF_DAY_FLOOR));
  }
  return out;
}

/** Screens one practice's core days against a profile (built without it): every weekday × core hour × category. */
export function screenDays(days: readonly PracticeDay[], profile: Profile): SilentHourCell[] {
  type Acc = { expected: number[]; silent: string[] };
  const acc = new Map<string, Acc>();
  const get = (c: Category, w: number, h: number) => {
    const key = `${c}|${w}|${h}`;
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { expected: [], silent: [] }));
    return a;
  };
  for (const day of days) {
    if (day.weekday < 1 || day.weekday > 5) continue;
    for (const category of ["all", "clinical"] as const) {
      const expected = expectedByHour(day, profile, category);
      for (const h of CORE_HOURS) {
        const e = expected.get(h)!;
        if (e < MIN_EXPECTED) continue;
        const a = get(category, day.weekday, h);
        a.expected.push(e);
        const c = day.hours[h]!;
        const silent = category === "all" ? c.total === 0 : c.clinical === 0 && c.total > 0;
        if (silent) a.silent.push(day.date);
      }
    }
  }
  const cells: SilentHourCell[] = [];
  for (const category of ["all", "clinical"] as const) {
    for (const w of WEEKDAYS) {
      for (const h of CORE_HOURS) {
        const a = acc.get(`${category}|${w}|${h}`) ?? { expected: [], silent: [] };
        const n = a.expected.length;
        const k = a.silent.length;
        const log10P = log10BinomialTail(k, n, P_SILENT_BY_CHANCE);
        cells.push({
          category,
          weekday: w,
          hour: h,
          eligibleDays: n,
          silentDays: k,
          medianExpected: median(a.expected),
          log10P,
          strength: strengthOf(log10P, k),
          silentDates: [...a.silent].sort(),
        });
      }
    }
  }
  return cells;
}

/** Strongest first, then the smallest chance, then by weekday and hour. */
export function compareSignals(a: SilentHourCell, b: SilentHourCell): number {
  return (
    (b.strength ? STRENGTH_ORDER[b.strength] : 0) - (a.strength ? STRENGTH_ORDER[a.strength] : 0) ||
    a.log10P - b.log10P ||
    a.weekday - b.weekday ||
    a.hour - b.hour ||
    (a.category === b.category ? 0 : a.category === "all" ? -1 : 1)
  );
}

export function signalsOf(cells: readonly SilentHourCell[]): SilentHourSignal[] {
  return cells.filter((c): c is SilentHourSignal => c.strength !== null).sort(compareSignals);
}

// ---------------------------------------------------------------------------------------------------------------
// Weekday-aggregated edition

/** A practice's month in the weekday edition: per weekday (index 1–7) 24 hour counts (missing rows are zero). */
export type WeekdayMonth = HourCount[][];

export function emptyWeekdayMonth(): WeekdayMonth {
  return Array.from({ length: 8 }, () => Array.from({ length: 24 }, () => ({ total: 0, clinical: 0 })));
}

export interface MonthlySilentCell {
  month: string;
  category: Category;
  weekday: number;
  hour: number;
  /** Days of this weekday in the month. */
  weekdaysInMonth: number;
  /** Expected submissions in the cell over the month. */
  expected: number;
  /** log10 of e^−expected, the chance of none over the month. */
  log10P: number;
  strength: Strength | null;
}

export type MonthlySilentSignal = MonthlySilentCell & { strength: Strength };

/** Days with each weekday (index 1 = Monday … 7 = Sunday) in a month given as `YYYY-MM-01`. */
export function weekdaysInMonth(month: string): number[] {
  const [y, m] = month.split("-").map(Number);
  const counts = new Array<number>(8).fill(0);
  const days = new Date(Date.UTC(y!, m!, 0)).getUTCDate();
  for (let d = 1; d <= days; d++) {
    const wd = new Date(Date.UTC(y!, m! - 1, d)).getUTCDay();
    counts[wd === 0 ? 7 : wd]!++;
  }
  return counts;
}

/**
 * Flags weekday × core hour cells with no submissions in the whole month although at least 3 per day of that
 * weekday were expected. `profile` is built from the reference practices' same month without this practice.
 */
export function screenWeekdayMonth(month: string, data: WeekdayMonth, profile: Profile): MonthlySilentSignal[] {
  const counts = weekdaysInMonth(month);
  const out: MonthlySilentSignal[] = [];
  for (const category of ["all", "clinical"] as const) {
    for (const w of WEEKDAYS) {
      const day: PracticeDay = { date: month, weekday: w, hours: data[w]! };
      const expected = expectedByHour(day, profile, category);
      for (const h of CORE_HOURS) {
        const c = data[w]![h]!;
        const silent = category === "all" ? c.total === 0 : c.clinical === 0 && c.total > 0;
        const e = expected.get(h)!;
        if (!silent || e < MIN_EXPECTED * counts[w]!) continue;
        const log10P = -e / Math.LN10;
        const strength = strengthOf(log10P, Number.POSITIVE_INFINITY);
        if (!strength) continue;
        out.push({ month, category, weekday: w, hour: h, weekdaysInMonth: counts[w]!, expected: e, log10P, strength });
      }
    }
  }
  return out.sort((a, b) => a.log10P - b.log10P || a.weekday - b.weekday || a.hour - b.hour);
}

/** `Monday 11:00–12:00`. */
export function describeCell(weekday: number, hour: number): string {
  const hh = (n: number) => `${String(n).padStart(2, "0")}:00`;
  return `${WEEKDAY_NAMES[weekday - 1]} ${hh(hour)}–${hh(hour + 1)}`;
}
