import type { Kysely } from "kysely";
import type { Database, PracticeStatus } from "../../db/schema";
import { addMonths, isoWeekday, monthEnd, weekdayGrid } from "~/domain/demand";
import { MEASURES, rankAmong } from "~/domain/measures";
import { ALL_PRACTICES_SCOPE, isSuppressed, measureTable, type MeasureRow } from "~/services/benchmarks.server";

/**
 * Read models for the demand and capacity pages, from the stored measures (`measure_values`, kept in step by the
 * importers) and the activity tables. Everything a practice manager's page receives is about their own practice
 * or is an aggregate (percentiles, ranks "of N"): no other practice's code or name leaves these functions for it.
 */

type Db = Kysely<Database>;

/** Months with any measure for the ICB's practices, newest first. */
export async function icbMeasureMonths(db: Db, icbCode: string): Promise<string[]> {
  const rows = await db
    .selectFrom("measure_values")
    .innerJoin("practices", "practices.ods_code", "measure_values.practice_code")
    .select("measure_values.month")
    .distinct()
    .where("practices.icb_code", "=", icbCode)
    .orderBy("measure_values.month", "desc")
    .execute();
  return rows.map((r) => r.month);
}

export interface IcbDemandPractice {
  odsCode: string;
  name: string;
  status: PracticeStatus;
  isDemo: boolean;
  pcnCode: string | null;
  pcnName: string | null;
  /** By measure id: the practice's row (value, decile among the ICB's practices), when it has one. */
  measures: Record<string, MeasureRow>;
}

/**
 * The ICB's current practices, and any other of its practices with published activity in the month (a list size
 * alone does not count), each with every
 * measure for the month and its rank and decile among the ICB's practices.
 */
export async function icbDemandTable(db: Db, icbCode: string, month: string): Promise<IcbDemandPractice[]> {
  const [table, practices] = await Promise.all([
    measureTable(db, { month, icb: icbCode }),
    db
      .selectFrom("practices")
      .leftJoin("pcns", "pcns.code", "practices.pcn_code")
      .select(["practices.ods_code", "practices.name", "practices.status", "practices.is_demo", "practices.pcn_code", "pcns.name as pcn_name"])
      .where("practices.icb_code", "=", icbCode)
      .orderBy("practices.ods_code")
      .execute(),
  ]);
  const byPractice = new Map<string, Record<string, MeasureRow>>();
  for (const r of table) {
    const m = byPractice.get(r.practice_code) ?? {};
    m[r.measure_id] = r;
    byPractice.set(r.practice_code, m);
  }
  return practices
    .filter(
      (p) =>
        (p.status !== "closed" && p.status !== "dormant") ||
        Object.values(byPractice.get(p.ods_code) ?? {}).some((m) => m.numerator !== null),
    )
    .map((p) => ({
      odsCode: p.ods_code,
      name: p.name,
      status: p.status,
      isDemo: p.is_demo === 1,
      pcnCode: p.pcn_code,
      pcnName: p.pcn_name,
      measures: byPractice.get(p.ods_code) ?? {},
    }));
}

// ---------------------------------------------------------------------------------------------------------------
// One practice

export interface MeasurePoint {
  month: string;
  /** The practice's value, null when it has none that month. */
  value: number | null;
  suppressed: boolean;
  /** 10th … 90th percentiles of the ranked (not suppressed) values among the ICB's practices; empty when none. */
  icb: number[];
  /** The same among all practices loaded. */
  all: number[];
}

/**
 * For each measure, every month with a ranked value anywhere (or a value of the practice's own): the practice's
 * value and the ICB's and all loaded practices' decile lines, from the stored distributions (ADR 17).
 */
export async function practiceMeasureHistory(db: Db, odsCode: string, icbCode: string | null): Promise<Record<string, MeasurePoint[]>> {
  const scopes = icbCode ? [ALL_PRACTICES_SCOPE, icbCode] : [ALL_PRACTICES_SCOPE];
  const [own, distributions] = await Promise.all([
    db.selectFrom("measure_values").select(["measure_id", "month", "value", "denominator"]).where("practice_code", "=", odsCode).execute(),
    db.selectFrom("measure_distributions").select(["measure_id", "month", "scope", "ranked_count", "decile_lines"]).where("scope", "in", scopes).execute(),
  ]);
  const out: Record<string, MeasurePoint[]> = {};
  for (const def of MEASURES) {
    const months = new Map<string, { own: { value: number | null; suppressed: boolean } | null; icb: number[]; all: number[]; ranked: number }>();
    const month = (m: string) => {
      let entry = months.get(m);
      if (!entry) months.set(m, (entry = { own: null, icb: [], all: [], ranked: 0 }));
      return entry;
    };
    for (const d of distributions) {
      if (d.measure_id !== def.id) continue;
      const entry = month(d.month);
      const lines = JSON.parse(d.decile_lines) as number[];
      if (d.scope === ALL_PRACTICES_SCOPE) {
        entry.all = lines;
        entry.ranked = d.ranked_count;
      } else entry.icb = lines;
    }
    for (const r of own) {
      if (r.measure_id === def.id) month(r.month).own = { value: r.value, suppressed: isSuppressed(def, r.value, r.denominator) };
    }
    out[def.id] = [...months.entries()]
      .filter(([, m]) => m.ranked > 0 || m.own !== null)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([m, e]) => ({ month: m, value: e.own?.value ?? null, suppressed: e.own?.suppressed ?? false, icb: e.icb, all: e.all }));
  }
  return out;
}

export interface Benchmark {
  measureId: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  suppressed: boolean;
  icb: { rank: number; decile: number; of: number } | null;
  all: { rank: number; decile: number; of: number } | null;
}

/**
 * The practice's value, rank and decile among its ICB's practices and among all loaded, for each measure in a month:
 * its own row and the stored distributions (ADR 17), by the ranking's own rule (`rankAmong`).
 */
export async function practiceBenchmarks(
  db: Db,
  odsCode: string,
  icbCode: string | null,
  month: string,
): Promise<{ benchmarks: Benchmark[]; icbsWithData: number }> {
  const scopes = icbCode ? [ALL_PRACTICES_SCOPE, icbCode] : [ALL_PRACTICES_SCOPE];
  const [own, distributions, icbs] = await Promise.all([
    db
      .selectFrom("measure_values")
      .select(["measure_id", "numerator", "denominator", "value"])
      .where("practice_code", "=", odsCode)
      .where("month", "=", month)
      .execute(),
    db
      .selectFrom("measure_distributions")
      .select(["measure_id", "scope", "ranked_values"])
      .where("month", "=", month)
      .where("scope", "in", scopes)
      .execute(),
    db
      .selectFrom("measure_distributions")
      .select("scope")
      .distinct()
      .where("month", "=", month)
      .where("scope", "!=", ALL_PRACTICES_SCOPE)
      .execute(),
  ]);
  const sorted = (measureId: string, scope: string) => {
    const d = distributions.find((r) => r.measure_id === measureId && r.scope === scope);
    return d ? (JSON.parse(d.ranked_values) as number[]) : [];
  };
  const benchmarks = MEASURES.map((def): Benchmark => {
    const row = own.find((r) => r.measure_id === def.id);
    const suppressed = row ? isSuppressed(def, row.value, row.denominator) : false;
    const ranked = row && !suppressed && row.value !== null ? row.value : null;
    return {
      measureId: def.id,
      value: row?.value ?? null,
      numerator: row?.numerator ?? null,
      denominator: row?.denominator ?? null,
      suppressed,
      icb: ranked !== null && icbCode ? rankAmong(sorted(def.id, icbCode), ranked) : null,
      all: ranked !== null ? rankAmong(sorted(def.id, ALL_PRACTICES_SCOPE), ranked) : null,
    };
  });
  return { benchmarks, icbsWithData: icbs.length };
}

/** Months with any measure for the practice, newest first. */
export async function practiceMeasureMonths(db: Db, odsCode: string): Promise<string[]> {
  const rows = await db
    .selectFrom("measure_values")
    .select("month")
    .distinct()
    .where("practice_code", "=", odsCode)
    .orderBy("month", "desc")
    .execute();
  return rows.map((r) => r.month);
}

export interface DemandCapacityMonth {
  month: string;
  /** Online consultation submissions (all suppliers); null when not published. */
  submissions: number | null;
  /** Appointments (all staff, modes and statuses); null when not published. */
  appointments: number | null;
  /** Submissions per appointment; null without both. */
  ratio: number | null;
}

/** Online submissions and appointments per month, and their ratio, over every month with either. */
export async function demandAgainstCapacity(db: Db, odsCode: string): Promise<DemandCapacityMonth[]> {
  const [oc, appts] = await Promise.all([
    db.selectFrom("oc_monthly").select(["month", "total"]).where("practice_code", "=", odsCode).execute(),
    db.selectFrom("appointments_monthly").select(["month", "total"]).where("practice_code", "=", odsCode).execute(),
  ]);
  const months = new Map<string, DemandCapacityMonth>();
  const get = (month: string) => {
    let m = months.get(month);
    if (!m) months.set(month, (m = { month, submissions: null, appointments: null, ratio: null }));
    return m;
  };
  for (const r of oc) get(r.month).submissions = r.total;
  for (const r of appts) get(r.month).appointments = r.total;
  const list = [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
  for (const m of list) m.ratio = m.submissions !== null && m.appointments ? m.submissions / m.appointments : null;
  return list;
}

export interface Heatmap {
  /** Rows (hours or time bands) × 7 weekday columns (Monday … Sunday). */
  grid: number[][];
  /** The window summed over: first and last day. */
  from: string;
  to: string;
  /** Months counted from dated rows, and (submissions only) months counted from the weekday-aggregated edition. */
  datedMonths: string[];
  weekdayMonths: string[];
  /** Everything in the grid. */
  total: number;
}

/** The twelve months up to and including `month`: the heatmaps' window. */
export function heatmapWindow(month: string): { from: string; to: string } {
  return { from: addMonths(month, -11), to: monthEnd(month) };
}

/**
 * Online submissions by weekday and hour (24 rows) over the window: from the dated edition (`oc_hourly`) for
 * months it covers, else from the weekday-aggregated one (`oc_weekday_hourly`).
 */
export async function submissionsHeatmap(db: Db, odsCode: string, window: { from: string; to: string }): Promise<Heatmap> {
  const [dated, aggregated] = await Promise.all([
    db
      .selectFrom("oc_hourly")
      .select(["date", "hour", "total"])
      .where("practice_code", "=", odsCode)
      .where("date", ">=", window.from)
      .where("date", "<=", window.to)
      .execute(),
    db
      .selectFrom("oc_weekday_hourly")
      .select(["month", "weekday", "hour", "total"])
      .where("practice_code", "=", odsCode)
      .where("month", ">=", window.from)
      .where("month", "<=", window.to)
      .execute(),
  ]);
  const datedMonths = new Set(dated.map((r) => `${r.date.slice(0, 7)}-01`));
  const older = aggregated.filter((r) => !datedMonths.has(r.month));
  const grid = weekdayGrid(dated, 24, (r) => ({ row: r.hour, weekday: isoWeekday(r.date), value: r.total }));
  const olderGrid = weekdayGrid(older, 24, (r) => ({ row: r.hour, weekday: r.weekday, value: r.total }));
  for (let h = 0; h < 24; h++) for (let d = 0; d < 7; d++) grid[h]![d]! += olderGrid[h]![d]!;
  return {
    grid,
    from: window.from,
    to: window.to,
    datedMonths: [...datedMonths].sort(),
    weekdayMonths: [...new Set(older.map((r) => r.month))].sort(),
    total: grid.flat().reduce((s, v) => s + v, 0),
  };
}

/** Inbound calls (CBT001) by weekday and the published 2-hour band over the window. */
export async function callsHeatmap(db: Db, odsCode: string, window: { from: string; to: string }, bands: readonly string[]): Promise<Heatmap> {
  const rows = await db
    .selectFrom("cbt_calls")
    .select(["date", "band", "value"])
    .where("practice_code", "=", odsCode)
    .where("indicator", "=", "CBT001")
    .where("date", ">=", window.from)
    .where("date", "<=", window.to)
    .execute();
  const grid = weekdayGrid(rows, bands.length, (r) => ({ row: bands.indexOf(r.band), weekday: isoWeekday(r.date), value: r.value }));
  return {
    grid,
    from: window.from,
    to: window.to,
    datedMonths: [...new Set(rows.map((r) => `${r.date.slice(0, 7)}-01`))].sort(),
    weekdayMonths: [],
    total: grid.flat().reduce((s, v) => s + v, 0),
  };
}
