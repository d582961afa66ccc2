/**
 * Numbers as text in en-GB, with one `Intl.NumberFormat` per style made once: `Number#toLocaleString` builds a new
 * formatter on every call, tens of microseconds each, which showed in the pages' profiles (ADR 16).
 */
const formats = new Map<string, Intl.NumberFormat>();

function formatter(min: number, max: number): Intl.NumberFormat {
  const key = `${min}:${max}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.NumberFormat("en-GB", { minimumFractionDigits: min, maximumFractionDigits: max })));
  return f;
}

/** Exactly `digits` decimals ("1,234.50"); "" for null or a value that is not finite. */
export function formatFixed(n: number | null | undefined, digits: number): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "" : formatter(digits, digits).format(n);
}

/** At most `digits` decimals ("1,234.5", "7"); "" for null or a value that is not finite. */
export function formatUpTo(n: number | null | undefined, digits: number): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "" : formatter(0, digits).format(n);
}
