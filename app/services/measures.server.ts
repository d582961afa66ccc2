import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { addDays } from "~/domain/calendar";
import { computeMeasures, decileLines, measureById, type FactName, type Facts } from "~/domain/measures";
import { ALL_PRACTICES_SCOPE, isSuppressed } from "~/services/benchmarks.server";

/**
 * Where each fact behind the measures comes from, for one month (`YYYY-MM-01`), and the stored measure values
 * (`measure_values`) kept in step with the source tables: importers call `recomputeMeasures` for the months
 * and practices they touched, in their own transaction.
 */

function monthEnd(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return addDays(new Date(Date.UTC(y!, m!, 1)).toISOString().slice(0, 10), -1);
}

function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
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
  const groups = practices ? chunks(practices) : [null];
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
    // Submissions by time: the dated edition where the month has it, else the weekday-aggregated edition.
    const timed = await scoped(
      db
        .selectFrom("oc_hourly")
        .select("practice_code")
        .select((eb) => [
          eb.fn.sum<number>("total").as("all"),
          eb.fn.sum<number>(eb.case().when("hour", "in", [8, 9]).then(eb.ref("total")).else(0).end()).as("morning"),
        ])
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
          eb.fn.sum<number>(eb.case().when("hour", "in", [8, 9]).then(eb.ref("total")).else(0).end()).as("morning"),
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

/** Recomputes and stores the measures for the given months (and practices). Returns the rows written. */
export async function recomputeMeasures(db: Kysely<Database>, scope: PracticeMonths): Promise<number> {
  const practices = scope.practices ? [...new Set(scope.practices)] : undefined;
  const computed_at = new Date().toISOString();
  let written = 0;
  for (const month of [...new Set(scope.months)].sort()) {
    const facts = await factsForMonth(db, month, practices);
    if (practices) {
      for (const group of chunks(practices)) {
        await db.deleteFrom("measure_values").where("month", "=", month).where("practice_code", "in", group).execute();
      }
    } else {
      await db.deleteFrom("measure_values").where("month", "=", month).execute();
    }
    const rows = [];
    for (const [practice_code, f] of facts) {
      for (const m of computeMeasures(f)) {
        if (m.numerator === null && m.denominator === null) continue;
        rows.push({
          measure_id: m.measureId,
          month,
          practice_code,
          numerator: m.numerator,
          denominator: m.denominator,
          value: m.value,
          computed_at,
        });
      }
    }
    for (const group of chunks(rows, 300)) await db.insertInto("measure_values").values(group).execute();
    written += rows.length;
  }
  // One practice's value moves every other's rank in the month: its distributions are rewritten whole.
  await writeMeasureDistributions(db, scope.months);
  return written;
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
