import { z } from "zod";
import measureData from "./data/measures.json";
export { rankAmong, rankWithin, type Ranked } from "./ranking";
import { formatFixed } from "./numbers";

/**
 * Measures as data: every measure is defined once, in `data/measures.json`, as
 * numerator fact ÷ denominator fact × multiplier. Tables, charts, CSV downloads and the CLI all read the
 * definitions; nothing else names a measure's arithmetic.
 */

export const FACTS = [
  "oc_total",
  "oc_clinical",
  "oc_admin",
  "oc_other",
  "oc_patients_registered",
  "list_size",
  "appointments_total",
  "appointments_same_day",
  "appointments_known_lead",
  "gp_fte",
  "clinical_fte",
  "oc_0800_1000",
  "oc_timed_total",
  "calls_inbound",
  "calls_missed",
] as const;

export type FactName = (typeof FACTS)[number];
/** One practice's facts for one month; null = not published (never treated as zero). */
export type Facts = Partial<Record<FactName, number | null>>;

const Fact = z.enum(FACTS);

export const MeasureDefinitionSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  title: z.string().min(1),
  description: z.string().min(1),
  why: z.string().min(1),
  numerator: Fact,
  numeratorLabel: z.string().min(1),
  denominator: Fact,
  denominatorFallback: Fact.optional(),
  denominatorLabel: z.string().min(1),
  multiplier: z.number().positive(),
  unit: z.string().min(1),
  decimals: z.number().int().min(0).max(4),
  direction: z.enum(["higher_is_better", "lower_is_better", "neutral"]),
  /** Below this denominator a value is shown but not ranked (too small to compare fairly). */
  minDenominator: z.number().nonnegative(),
  caveats: z.array(z.string()),
});

export type MeasureDefinition = z.infer<typeof MeasureDefinitionSchema>;

const FileSchema = z.object({ measures: z.array(MeasureDefinitionSchema).min(1) });

/** The reviewed definitions, validated when the module loads (a bad edit fails every test at once). */
export const MEASURES: readonly MeasureDefinition[] = (() => {
  const parsed = FileSchema.parse(measureData);
  const ids = parsed.measures.map((m) => m.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`Measure ${duplicate} is defined twice in measures.json`);
  return parsed.measures;
})();

export function measureById(id: string): MeasureDefinition | undefined {
  return MEASURES.find((m) => m.id === id);
}

export interface MeasureValue {
  measureId: string;
  numerator: number | null;
  denominator: number | null;
  /** numerator ÷ denominator × multiplier; null when either is missing or the denominator is 0. */
  value: number | null;
  /** Which fact gave the denominator (the fallback is named where it was used). */
  denominatorSource: FactName | null;
  /** Too small a denominator to rank fairly; the value is still shown, marked. */
  suppressed: boolean;
}

export function computeMeasure(def: MeasureDefinition, facts: Facts): MeasureValue {
  const numerator = facts[def.numerator] ?? null;
  let denominator = facts[def.denominator] ?? null;
  let denominatorSource: FactName | null = denominator === null ? null : def.denominator;
  if (denominator === null && def.denominatorFallback) {
    denominator = facts[def.denominatorFallback] ?? null;
    denominatorSource = denominator === null ? null : def.denominatorFallback;
  }
  const value = numerator === null || denominator === null || denominator === 0 ? null : (numerator / denominator) * def.multiplier;
  const suppressed = value === null || denominator === null || denominator < def.minDenominator;
  return { measureId: def.id, numerator, denominator, value, denominatorSource, suppressed };
}

export function computeMeasures(facts: Facts, definitions: readonly MeasureDefinition[] = MEASURES): MeasureValue[] {
  return definitions.map((d) => computeMeasure(d, facts));
}

/** The 10th, 20th … 90th percentiles (linear interpolation), for OpenPrescribing-style decile lines. */
export function decileLines(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  return Array.from({ length: 9 }, (_, i) => {
    const p = (i + 1) / 10;
    const pos = p * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  });
}

export function formatMeasureValue(def: MeasureDefinition, value: number | null): string {
  return value === null ? "" : formatFixed(value, def.decimals);
}
