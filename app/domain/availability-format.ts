import { z } from "zod";
import { parseInstant } from "./instants";

/**
 * One availability record as suppliers send it, in a CSV log (`docs/formats/availability.md`) or as JSON to
 * `POST /api/v1/availability`. The same schema validates both. Inputs are text; times become epoch minutes.
 */
export const PRACTICE_CODE_PATTERN = /^(?:[A-Z]\d{5}|DEM\d{3})$/;

/** Years outside this range are certainly typing errors, not availability records. */
const EARLIEST = Date.UTC(2015, 0, 1) / 60_000;
const LATEST = Date.UTC(2100, 0, 1) / 60_000;

const instant = z.string().transform((s, ctx) => {
  const parsed = parseInstant(s);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: parsed.expected });
    return z.NEVER;
  }
  if (parsed.minute < EARLIEST || parsed.minute >= LATEST) {
    ctx.addIssue({ code: "custom", message: "a time between 2015 and 2099" });
    return z.NEVER;
  }
  return parsed;
});

export const AvailabilityFields = z
  .object({
    practice_code: z.string().trim().toUpperCase().regex(PRACTICE_CODE_PATTERN, { message: "a practice ODS code like A81001" }),
    start: instant,
    end: instant,
    status: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(["open", "closed"], { message: "a status of open or closed" })),
    category: z
      .string()
      .trim()
      .toLowerCase()
      .transform((s) => (s === "" ? "all" : s))
      .pipe(z.enum(["all", "clinical", "admin"], { message: "a category of all, clinical or admin (empty means all)" })),
    reason: z
      .string()
      .trim()
      .max(500, { message: "a reason of at most 500 characters" })
      .transform((s) => (s === "" ? null : s)),
    source: z
      .string()
      .trim()
      .max(100, { message: "a source of at most 100 characters" })
      .transform((s) => (s === "" ? null : s)),
  })
  .superRefine((row, ctx) => {
    if (row.end.ms <= row.start.ms) ctx.addIssue({ code: "custom", path: ["end"], message: "an end after the start" });
  })
  .transform((row) => ({
    practiceCode: row.practice_code,
    start: row.start.minute,
    end: row.end.minute,
    status: row.status,
    category: row.category,
    reason: row.reason,
    source: row.source,
  }));

export type AvailabilityRecord = z.output<typeof AvailabilityFields>;
