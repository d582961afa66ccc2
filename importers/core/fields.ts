import { DateTime } from "luxon";
import { z } from "zod";
import type { CsvRecord } from "./csv";
import { ImportError } from "./errors";

/** Demo organisations use codes no real one can have (`DEM001`, `DEMO1`…), so they are never mistaken for real ones. */
export const PRACTICE_CODE = /^(?:[A-Z]\d{5}|DEM\d{3})$/;
export const ORG_CODE = /^[A-Z0-9]{3,9}$/;

/** True for the demo's own codes (`DEM001`, `DEMO1`, `DEMPCN01`…); no real ODS code starts with DEM. */
export function isDemoCode(code: string): boolean {
  return code.startsWith("DEM");
}

export const practiceCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(PRACTICE_CODE, { message: "a practice ODS code like A81001" });

/**
 * `practiceCode`'s result without Zod for a code written plainly (`A81001`: no spaces, upper case), else null, and
 * then the schema decides (trimming, upper-casing or refusing with its message). For importers' hot loops.
 */
export function fastPracticeCode(value: string): string | null {
  return PRACTICE_CODE.test(value) ? value : null;
}

export const orgCode = (what: string) =>
  z
    .string()
    .trim()
    .toUpperCase()
    .regex(ORG_CODE, { message: `${what} code of 3 to 9 letters and digits` });

export const optionalOrgCode = (what: string) =>
  z
    .string()
    .trim()
    .toUpperCase()
    .transform((s) => (s === "" ? null : s))
    .pipe(z.string().regex(ORG_CODE, { message: `${what} code of 3 to 9 letters and digits, or empty` }).nullable());

export const text = (max = 500) =>
  z
    .string()
    .trim()
    .max(max, { message: `text of at most ${max} characters` });

export const optionalText = (max = 500) =>
  z
    .string()
    .trim()
    .max(max, { message: `text of at most ${max} characters` })
    .transform((s) => (s === "" ? null : s));

export const wholeNumber = z
  .string()
  .trim()
  .regex(/^\d{1,12}$/, { message: "a whole number of 0 or more" })
  .transform(Number);

const FORMATS: Record<string, { format: string; pattern: RegExp }> = {
  iso: { format: "yyyy-MM-dd", pattern: /^\d{4}-\d{2}-\d{2}$/ },
  ddmonyyyy: { format: "ddMMMyyyy", pattern: /^\d{2}[A-Za-z]{3}\d{4}$/ },
  yyyymmdd: { format: "yyyyMMdd", pattern: /^\d{8}$/ },
  "dd/mm/yyyy": { format: "dd/MM/yyyy", pattern: /^\d{2}\/\d{2}\/\d{4}$/ },
};

const EXAMPLES: Record<keyof typeof FORMATS, string> = {
  iso: "2026-04-01",
  ddmonyyyy: "01JAN2021",
  yyyymmdd: "20260401",
  "dd/mm/yyyy": "01/04/2026",
};

/** Parses a calendar date in any of the given published formats to `YYYY-MM-DD`, or null. */
const MONTH_ABBREVIATIONS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

export function parseDate(value: string, formats: readonly (keyof typeof FORMATS)[]): string | null {
  const v = value.trim();
  for (const f of formats) {
    const spec = FORMATS[f]!;
    if (!spec.pattern.test(v)) continue;
    let dt: DateTime;
    if (f === "ddmonyyyy") {
      // Month names as NHS files spell them (JAN … DEC), not as a locale does (ICU's en-GB says "Sept").
      const month = MONTH_ABBREVIATIONS.indexOf(v.slice(2, 5).toUpperCase()) + 1;
      if (month === 0) continue;
      dt = DateTime.fromObject({ year: Number(v.slice(5)), month, day: Number(v.slice(0, 2)) }, { zone: "utc" });
    } else {
      dt = DateTime.fromFormat(v, spec.format, { zone: "utc" });
    }
    if (dt.isValid) return dt.toISODate();
  }
  return null;
}

export const date = (formats: readonly (keyof typeof FORMATS)[]) => {
  const expected = `a date like ${formats.map((f) => EXAMPLES[f]).join(" or ")}`;
  return z.string().transform((s, ctx) => {
    const parsed = parseDate(s, formats);
    if (parsed === null) {
      ctx.addIssue({ code: "custom", message: expected });
      return z.NEVER;
    }
    return parsed;
  });
};

export const optionalDate = (formats: readonly (keyof typeof FORMATS)[]) => {
  const expected = `a date like ${formats.map((f) => EXAMPLES[f]).join(" or ")}, or empty`;
  return z.string().transform((s, ctx) => {
    if (s.trim() === "") return null;
    const parsed = parseDate(s, formats);
    if (parsed === null) {
      ctx.addIssue({ code: "custom", message: expected });
      return z.NEVER;
    }
    return parsed;
  });
};

/** Where each validated field came from, so that a Zod failure can be reported at its line and column. */
export type FieldColumns<K extends string> = Record<K, { index: number; name: string }>;

/**
 * Validates one record with a Zod object schema. The raw object is built from the record's fields by column;
 * the first failure becomes an ImportError at that line and column, naming what was expected.
 */
export function validateRecord<K extends string, S extends z.ZodType>(
  schema: S,
  record: CsvRecord,
  columns: FieldColumns<K>,
  label: string,
): z.output<S> {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(columns) as K[]) {
    const { index } = columns[key];
    raw[key] = index >= 0 ? (record.fields[index] ?? "") : "";
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? "") as K;
  const column = columns[key];
  throw new ImportError({
    file: label,
    line: record.line,
    column: column ? column.index + 1 : null,
    columnName: column?.name ?? null,
    expected: issue.message,
    got: raw[key] ?? null,
  });
}

/** Checks a record has exactly the expected number of fields (a truncated or misaligned line fails here). */
export function requireWidth(record: CsvRecord, width: number, label: string, what: string): void {
  if (record.fields.length !== width) {
    throw new ImportError({
      file: label,
      line: record.line,
      column: Math.min(record.fields.length, width) + 1,
      expected: `${width} fields in each ${what} row`,
      got: `${record.fields.length} field${record.fields.length === 1 ? "" : "s"}`,
    });
  }
}
