/**
 * Surges in demand against a practice's own baseline, by a one-sided (upper) CUSUM on a weekly series.
 *
 * Method (Page's CUSUM, as used in public-health surveillance):
 * 1. The baseline is the mean μ and standard deviation σ of the first `baselineWeeks` complete weeks of the
 *    series (at least 8); σ is floored at √μ (Poisson noise) and at 1 so that a flat series does not make every
 *    wobble a surge.
 * 2. Each week t adds its standardised excess over the baseline, less an allowance k (0.5 σ by default):
 *    S_t = max(0, S_{t−1} + (x_t − μ)/σ − k).
 * 3. A surge is signalled when S_t exceeds the decision interval h (4 by default). Its start is the first
 *    week of the run in which S rose from 0; it ends at the last week before S returns to 0. After a signal
 *    the sum keeps accumulating until it falls back to 0, so one sustained surge is reported once.
 * With k = 0.5 and h = 4 a shift of one σ is detected in about 8 weeks on average, while in-control data raise
 * a false alarm about once in 168 weeks: the usual trade-off for weekly surveillance.
 */
export interface WeeklyPoint {
  /** Monday of the week, YYYY-MM-DD. */
  week: string;
  value: number;
}

export interface Surge {
  /** First week of the run that signalled. */
  start: string;
  /** The week the CUSUM crossed the decision interval. */
  signalled: string;
  /** Last week of the run (before the sum returned to 0), or the last week of the series if still running. */
  end: string;
  /** Largest standardised sum reached in the run. */
  peak: number;
  /** Mean weekly value during the run, against the baseline mean. */
  meanDuring: number;
  baselineMean: number;
}

export interface CusumOptions {
  baselineWeeks?: number;
  k?: number;
  h?: number;
}

export interface CusumResult {
  baselineMean: number | null;
  baselineSd: number | null;
  /** The standardised sum each week (null during the baseline). */
  sums: (number | null)[];
  surges: Surge[];
}

export function cusumSurges(series: readonly WeeklyPoint[], options: CusumOptions = {}): CusumResult {
  const baselineWeeks = Math.max(8, options.baselineWeeks ?? 8);
  const k = options.k ?? 0.5;
  const h = options.h ?? 4;
  if (series.length <= baselineWeeks) return { baselineMean: null, baselineSd: null, sums: series.map(() => null), surges: [] };

  const baseline = series.slice(0, baselineWeeks).map((p) => p.value);
  const mean = baseline.reduce((s, v) => s + v, 0) / baseline.length;
  const variance = baseline.reduce((s, v) => s + (v - mean) ** 2, 0) / (baseline.length - 1);
  const sd = Math.max(Math.sqrt(variance), Math.sqrt(Math.max(mean, 0)), 1);

  const sums: (number | null)[] = series.map(() => null);
  const surges: Surge[] = [];
  let s = 0;
  let runStart = -1;
  let signalled = -1;
  let peak = 0;
  const close = (endIndex: number) => {
    if (signalled >= 0) {
      const during = series.slice(runStart, endIndex + 1).map((p) => p.value);
      surges.push({
        start: series[runStart]!.week,
        signalled: series[signalled]!.week,
        end: series[endIndex]!.week,
        peak,
        meanDuring: during.reduce((a, b) => a + b, 0) / during.length,
        baselineMean: mean,
      });
    }
    runStart = -1;
    signalled = -1;
    peak = 0;
  };
  for (let t = baselineWeeks; t < series.length; t++) {
    const before = s;
    s = Math.max(0, s + (series[t]!.value - mean) / sd - k);
    sums[t] = s;
    if (s > 0 && before === 0) runStart = t;
    if (s > 0) {
      peak = Math.max(peak, s);
      if (signalled < 0 && s > h) signalled = t;
    } else if (runStart >= 0) {
      close(t - 1);
    }
  }
  if (runStart >= 0) close(series.length - 1);
  return { baselineMean: mean, baselineSd: sd, sums, surges };
}
