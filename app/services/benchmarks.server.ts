import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { MEASURES, measureById, rankWithin, type MeasureDefinition } from "~/domain/measures";

export interface MeasureRow {
  practice_code: string;
  measure_id: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  /** Too small a denominator (or no value): shown, not ranked. */
  suppressed: boolean;
  rank: number | null;
  decile: number | null;
  of: number | null;
}

/** The `measure_distributions` scope for all loaded practices (an ICB's is its code). */
export const ALL_PRACTICES_SCOPE = "";

export function isSuppressed(def: MeasureDefinition, value: number | null, denominator: number | null): boolean {
  return value === null || denominator === null || denominator < def.minDenominator;
}

/**
 * Every measure for every practice in scope for a month, with rank and decile among the practices in scope
 * (an ICB's, one practice's, or all loaded). The scope is the practices that have any measure that month.
 */
export async function measureTable(
  db: Kysely<Database>,
  args: { month: string; icb?: string; practice?: string; measureIds?: string[] },
): Promise<MeasureRow[]> {
  let query = db
    .selectFrom("measure_values")
    .select(["measure_values.practice_code", "measure_values.measure_id", "measure_values.numerator", "measure_values.denominator", "measure_values.value"])
    .where("measure_values.month", "=", args.month);
  if (args.icb) {
    // `in (select …)` rather than a join: the planner then seeks the primary key (measure, month, practice) for each
    // of the ICB's practices instead of walking each practice's values.
    const icb = args.icb;
    query = query.where("measure_values.practice_code", "in", (eb) => eb.selectFrom("practices").select("practices.ods_code").where("practices.icb_code", "=", icb));
  }
  if (args.practice) query = query.where("measure_values.practice_code", "=", args.practice);
  if (args.measureIds) query = query.where("measure_values.measure_id", "in", args.measureIds);
  const rows = await query.execute();

  const out: MeasureRow[] = [];
  const order = new Map(MEASURES.map((m, i) => [m.id, i]));
  for (const def of MEASURES) {
    const mine = rows.filter((r) => r.measure_id === def.id);
    const entries = mine.map((r) => ({ key: r.practice_code, value: r.value, suppressed: isSuppressed(def, r.value, r.denominator) }));
    const ranks = rankWithin(entries);
    for (const r of mine) {
      const rank = ranks.get(r.practice_code);
      out.push({
        practice_code: r.practice_code,
        measure_id: r.measure_id,
        numerator: r.numerator,
        denominator: r.denominator,
        value: r.value,
        suppressed: isSuppressed(def, r.value, r.denominator),
        rank: rank?.rank ?? null,
        decile: rank?.decile ?? null,
        of: rank?.of ?? null,
      });
    }
  }
  return out.sort((a, b) => a.practice_code.localeCompare(b.practice_code) || order.get(a.measure_id)! - order.get(b.measure_id)!);
}

export function requireMeasure(id: string): MeasureDefinition {
  const def = measureById(id);
  if (!def) throw new Error(`Unknown measure ${id}`);
  return def;
}

/**
 * The latest month with any measure value (in an ICB when given), from the stored distributions (ADR 17): they
 * have a row for every measure, month and ICB with any value, ranked or not, and an index by scope and month.
 */
export async function latestMeasureMonth(db: Kysely<Database>, icb?: string): Promise<string | null> {
  const row = await db
    .selectFrom("measure_distributions")
    .select((eb) => eb.fn.max("month").as("month"))
    .where("scope", "=", icb ?? ALL_PRACTICES_SCOPE)
    .executeTakeFirst();
  return (row?.month as string | null | undefined) ?? null;
}
