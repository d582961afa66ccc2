/**
 * Rank and decile among peers, one definition for the whole app (measures, compliance positions, the CLI):
 * - rank 1 is the highest value; tied values share a rank (1, 2, 2, 4);
 * - decile = 1 + ⌊10 × (number of ranked values strictly lower) ÷ (number ranked)⌋, so decile 1 holds the
 *   lowest values and decile 10 the highest, and tied values share a decile;
 * - values that are null or marked suppressed (too small a denominator, not enough data) are not ranked.
 */
export interface Ranked {
  /** 1 = the highest value among those ranked. */
  rank: number;
  /** 1–10: 1 + ⌊10 × (number of ranked values strictly lower) ÷ (number ranked)⌋. Ties share a decile. */
  decile: number;
  of: number;
}

/**
 * Ranks and deciles within a group (an ICB's practices, or all loaded). Values that are null or suppressed are
 * not ranked and get no decile. Decile 1 holds the lowest values, 10 the highest, whatever the measure's
 * direction; rank 1 is the highest value.
 */
export function rankWithin<K>(entries: readonly { key: K; value: number | null; suppressed: boolean }[]): Map<K, Ranked> {
  const ranked = entries.filter((e) => e.value !== null && !e.suppressed) as { key: K; value: number; suppressed: boolean }[];
  const values = ranked.map((e) => e.value).sort((a, b) => a - b);
  const out = new Map<K, Ranked>();
  for (const e of ranked) out.set(e.key, rankAmong(values, e.value));
  return out;
}

/**
 * The rank and decile of a value among the ranked values of a group, given sorted ascending (and including the
 * value itself), by the same rule as `rankWithin`: for stored distributions, where the group is not read again.
 */
export function rankAmong(sorted: readonly number[], value: number): Ranked {
  const n = sorted.length;
  const below = lowerBound(sorted, value);
  const above = n - upperBound(sorted, value);
  return { rank: above + 1, decile: 1 + Math.floor((10 * below) / n), of: n };
}

/** Index of the first element ≥ x in a sorted array. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > x in a sorted array. */
function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

