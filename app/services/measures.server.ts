import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { addDays } from "~/domain/calendar";
import { computeMeasures, decileLines, measureById, type FactName, type Facts } from "~/domain/measures";
import { ALL_PRACTICES_SCOPE, isSuppressed } from "~/services/benchmarks.server";
import { morningSum } from "~/services/oc-aggregates.server";
import { BulkInsert } from "../../importers/core/bulk";
import { chunks } from "~/utils/chunks";

/**
 * Where each fact behind the measures comes from, for one month (`YYYY-MM-01`), and the stored measure values
 * (`measure_values`) kept in step with the source tables: importers call `recomputeMeasures` for the months
 * and practices they touched, in their own transaction.
 */

function monthEnd(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return addDays(new Date(Date.UTC(y!, m!, 1)).toISOString().slice(0, 10), -1);
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Every practice's facts for a month (only practices named, when `practices` is given). */
export async function factsForMonth(db: Kysely<Database>, month: string, practices?: string[]): Promise<Map<string, Facts>> {
  const facts = new Map<string, Facts>();
  const put = (code: string, name: FactName, value: number | null) => {
    let f = facts.get(code);
    if (!f) facts.set(code, (f = {}));
    f[name] = value;
  };
  const groups = practices ? chunks(practices, 500) : [null];
  const end = monthEnd(month);
  for (const group of groups) {
    const scoped = <T extends { where: (...args: any[]) => T }>(q: T, column: string): T => (group ? q.where(column, "in", group) : q);

    for (const r of await scoped(db.selectFrom("oc_monthly").selectAll().where("month", "=", month), "practice_code").execute()) {
      put(r.practice_code, "oc_total", r.total);
      put(r.practice_code, "oc_clinical", r.clinical);
      put(r.practice_code, "oc_admin", r.admin);
      put(r.practice_code, "oc_other", r.other);
      put(r.practice_code, "oc_patients_registered", r.patients_registered);
    }
    for (const r of await scoped(db.selectFrom("list_sizes").select(["practice_code", "patients"]).where("month", "=", month), "practice_code").execute()) {
      put(r.practice_code, "list_size", r.patients);
    }
    for (const r of await scoped(
      db.selectFrom("appointments_monthly").select(["practice_code", "total", "same_day", "lead_unknown"]).where("month", "=", month),
      "practice_code",
    ).execute()) {
      put(r.practice_code, "appointments_total", r.total);
      put(r.practice_code, "appointments_same_day", r.same_day);
      put(r.practice_code, "appointments_known_lead", r.total - r.lead_unknown);
    }
    for (const r of await scoped(db.selectFrom("workforce_monthly").selectAll().where("month", "=", month), "practice_code").execute()) {
      put(r.practice_code, "gp_fte", r.gp_fte);
      put(
        r.practice_code,
        "clinical_fte",
        r.gp_fte === null || r.nurses_fte === null || r.dpc_fte === null ? null : r.gp_fte + r.nurses_fte + r.dpc_fte,
      );
    }
    // Submissions by time: the dated edition where the month has it (its day sums in `oc_daily`, kept in step with
    // `oc_hourly` by the By Day and Time importer; ADR 17), else the weekday-aggregated edition.
    const timed = await scoped(
      db
        .selectFrom("oc_daily")
        .select("practice_code")
        .select((eb) => [eb.fn.sum<number>("total").as("all"), eb.fn.sum<number>("total_0800_1000").as("morning")])
        .where("date", ">=", month)
        .where("date", "<=", end)
        .groupBy("practice_code"),
      "practice_code",
    ).execute();
    const timedPractices = new Set<string>();
    for (const r of timed) {
      timedPractices.add(r.practice_code);
      put(r.practice_code, "oc_timed_total", num(r.all));
      put(r.practice_code, "oc_0800_1000", num(r.morning));
    }
    const byWeekday = await scoped(
      db
        .selectFrom("oc_weekday_hourly")
        .select("practice_code")
        .select((eb) => [
          eb.fn.sum<number>("total").as("all"),
          morningSum(eb).as("morning"),
        ])
        .where("month", "=", month)
        .groupBy("practice_code"),
      "practice_code",
    ).execute();
    for (const r of byWeekday) {
      if (timedPractices.has(r.practice_code)) continue;
      put(r.practice_code, "oc_timed_total", num(r.all));
      put(r.practice_code, "oc_0800_1000", num(r.morning));
    }
    const calls = await scoped(
      db
        .selectFrom("cbt_calls")
        .select(["practice_code", "indicator"])
        .select((eb) => eb.fn.sum<number>("value").as("value"))
        .where("date", ">=", month)
        .where("date", "<=", end)
        .where("indicator", "in", ["CBT001", "CBT004"])
        .groupBy(["practice_code", "indicator"]),
      "practice_code",
    ).execute();
    for (const r of calls) put(r.practice_code, r.indicator === "CBT001" ? "calls_inbound" : "calls_missed", num(r.value));
    // A practice with inbound calls but no missed-call rows missed none that month.
    for (const [code, f] of facts) if (f.calls_inbound != null && f.calls_missed === undefined) put(code, "calls_missed", 0);
  }
  return facts;
}

export interface PracticeMonths {
  months: Iterable<string>;
  /** Only these practices; all practices with data in the month when absent. */
  practices?: Iterable<string>;
}

const MEASURE_VALUE_COLUMNS = ["measure_id", "month", "practice_code", "numerator", "denominator", "value", "computed_at"] as const;

/**
 * Recomputes the measures for the given months (and practices) and stores what changed: a value that differs from
 * the stored one (or is new) is written, one no longer computed is deleted, and an unchanged one is left as it is
 * (its `computed_at` stays the time it was last changed). An import usually changes a few measures of each
 * practice-month, and rewriting all of them, with their two indexes, was most of its time (ADR 17). Each month whose
 * values changed has its distributions rewritten. Returns the values written or deleted.
 */
export async function recomputeMeasures(db: Kysely<Database>, scope: PracticeMonths): Promise<number> {
  const practices = scope.practices ? [...new Set(scope.practices)] : undefined;
  const computed_at = new Date().toISOString();
  const writer = new BulkInsert(db, "measure_values", MEASURE_VALUE_COLUMNS, { batch: 500, upsert: { key: ["measure_id", "month", "practice_code"] } });
  const changedMonths: string[] = [];
  let changes = 0;
  for (const month of [...new Set(scope.months)].sort()) {
    const before = changes;
    // Named practices a group at a time: what a group reads dies young, so a national import's heap stays small.
    for (const group of practices ? chunks(practices, 500) : [undefined]) {
      const facts = await factsForMonth(db, month, group);
      const stored = new Map<string, { numerator: number | null; denominator: number | null; value: number | null }>();
      let query = db.selectFrom("measure_values").select(["measure_id", "practice_code", "numerator", "denominator", "value"]).where("month", "=", month);
      if (group) query = query.where("practice_code", "in", group);
      for (const r of await query.execute()) stored.set(`${r.practice_code}|${r.measure_id}`, r);
      for (const [practice_code, f] of facts) {
        for (const m of computeMeasures(f)) {
          if (m.numerator === null && m.denominator === null) continue;
          const key = `${practice_code}|${m.measureId}`;
          const old = stored.get(key);
          stored.delete(key);
          if (old && old.numerator === m.numerator && old.denominator === m.denominator && old.value === m.value) continue;
          await writer.add([m.measureId, month, practice_code, m.numerator, m.denominator, m.value, computed_at]);
          changes++;
        }
      }
      await writer.flush();
      // What is left was stored and is no longer computed (its facts are gone).
      const gone = new Map<string, string[]>();
      for (const key of stored.keys()) {
        const [practice_code, measure_id] = key.split("|") as [string, string];
        const list = gone.get(practice_code);
        if (list) list.push(measure_id);
        else gone.set(practice_code, [measure_id]);
      }
      for (const [practice_code, ids] of gone) {
        await db.deleteFrom("measure_values").where("month", "=", month).where("practice_code", "=", practice_code).where("measure_id", "in", ids).execute();
        changes += ids.length;
      }
    }
    if (changes > before) changedMonths.push(month);
  }
  // One practice's value moves every other's rank in the month: its distributions are rewritten whole.
  if (changedMonths.length > 0) await writeMeasureDistributions(db, changedMonths);
  return changes;
}

/**
 * Rewrites `measure_distributions` (ADR 17) for whole months, or for every month with values when `months` is not
 * given: per measure, the ranked values (not null, not suppressed) of all practices with a value that month and of
 * each ICB's current practices, sorted, with their decile lines. Same values, same rules, as `measureTable`'s ranks.
 */
export async function writeMeasureDistributions(db: Kysely<Database>, months?: Iterable<string>): Promise<void> {
  const list = months
    ? [...new Set(months)].sort()
    : (await db.selectFrom("measure_values").select("month").distinct().orderBy("month").execute()).map((r) => r.month);
  for (const month of list) {
    const rows = await db
      .selectFrom("measure_values")
      .leftJoin("practices", "practices.ods_code", "measure_values.practice_code")
      .select(["measure_values.measure_id", "measure_values.value", "measure_values.denominator", "practices.icb_code"])
      .where("measure_values.month", "=", month)
      .execute();
    const groups = new Map<string, { measure_id: string; scope: string; valued: number; values: number[] }>();
    const group = (measure_id: string, scope: string) => {
      const key = `${measure_id}|${scope}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { measure_id, scope, valued: 0, values: [] }));
      return g;
    };
    for (const r of rows) {
      const def = measureById(r.measure_id);
      if (!def) continue;
      const all = group(r.measure_id, ALL_PRACTICES_SCOPE);
      const icb = r.icb_code ? group(r.measure_id, r.icb_code) : null;
      if (r.value !== null) {
        all.valued++;
        if (icb) icb.valued++;
      }
      if (isSuppressed(def, r.value, r.denominator)) continue;
      all.values.push(r.value!);
      icb?.values.push(r.value!);
    }
    await db.deleteFrom("measure_distributions").where("month", "=", month).execute();
    const out = [...groups.values()].map((g) => {
      const sorted = g.values.sort((a, b) => a - b);
      return {
        measure_id: g.measure_id,
        month,
        scope: g.scope,
        valued_count: g.valued,
        ranked_count: sorted.length,
        ranked_values: JSON.stringify(sorted),
        decile_lines: JSON.stringify(decileLines(sorted)),
      };
    });
    for (const batch of chunks(out, 200)) await db.insertInto("measure_distributions").values(batch).execute();
  }
}

/** After practices changed ICB: rewrites every month's distributions when any of them has measure values. */
export async function measuresFollowMoves(db: Kysely<Database>, practices: readonly string[]): Promise<void> {
  for (const group of chunks([...new Set(practices)], 500)) {
    const any = await db.selectFrom("measure_values").select("practice_code").where("practice_code", "in", group).limit(1).executeTakeFirst();
    if (any) return writeMeasureDistributions(db);
  }
}
