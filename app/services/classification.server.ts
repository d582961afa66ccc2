import type { Kysely } from "kysely";
import { recordAudit } from "../../db/audit";
import type { Database } from "../../db/schema";
import type { CoreHoursCalendar } from "~/domain/calendar";
import {
  classify,
  DEFAULT_CLASSIFICATION,
  type ClassificationInput,
  type ClassificationResult,
  type ClassificationSettings,
  type Indicator,
  weighsPressure,
} from "~/domain/classification";
import { isoWeekStart, type DateRange } from "~/domain/compliance-report";
import { measureWindow, scanWeeklySurges, surgesInRange, surgeWindowStart, type SurgeScan } from "~/domain/demand";
import type { WeeklyPoint } from "~/domain/surges";
import { measureById } from "~/domain/measures";
import type { Policy } from "~/domain/policy";
import { icbComplianceSummary, practiceCompliance, type PracticeCompliance, type PracticeSummaryRow } from "~/queries/compliance.server";
import { ALL_PRACTICES_SCOPE, measureTable } from "~/services/benchmarks.server";
import { formatMonth } from "~/utils/format";

/**
 * "Can't or won't" for a practice, or for every practice of an ICB at once, over a date range: assembles the
 * `ClassificationInput` of app/domain/classification.ts from
 * - the compliance summary for the range under the ICB's policy (closed and no-data minutes, flagged days, flag);
 * - four measures with their deciles among the ICB's practices, each from the latest month with a value for any of
 *   the ICB's practices between three months before the range's first month and the range's last month
 *   (`measureWindow`), so that every practice of an ICB is judged on the same month;
 * - surges from the CUSUM on the practice's weekly online submissions (`oc_daily` totals summed per ISO week by the database
 *   over the year up to the range's end), those touching the range; none looked for (null) when the practice has
 *   fewer weeks of timed data than the baseline needs;
 * and the ICB's thresholds (`icb_classification_settings`, else the defaults). It only reads; the result is a
 * suggestion for a person to weigh.
 */

type Db = Kysely<Database>;

/** The classification's indicators and the measures they are (reviewed definitions in data/measures.json). */
export const INDICATOR_MEASURES = {
  demandPerAppointment: "oc_per_appointment",
  submissionsPer1000: "oc_per_1000",
  clinicalFtePer10000: "clinical_fte_per_10000",
  missedCallShare: "abandoned_call_share",
} as const satisfies Record<string, string>;
type IndicatorKey = keyof typeof INDICATOR_MEASURES;
const INDICATOR_KEYS = Object.keys(INDICATOR_MEASURES) as IndicatorKey[];

for (const id of Object.values(INDICATOR_MEASURES)) {
  if (!measureById(id)) throw new Error(`The classification uses measure ${id}, which data/measures.json does not define`);
}

export interface PracticeClassification {
  odsCode: string;
  range: DateRange;
  input: ClassificationInput;
  result: ClassificationResult;
  /** Figures the classification would have used but could not, in words (shown beside the reasons). */
  missing: string[];
  /**
   * The weekly submissions and every surge found in the year up to the range's end. Always there for one practice;
   * for a whole ICB only where pressure is weighed (flagged, enough data), null elsewhere (not read).
   */
  surgeScan: SurgeScan | null;
  settings: ClassificationSettings;
}

// ---------------------------------------------------------------------------------------------------------------
// Settings

export interface StoredClassificationSettings extends ClassificationSettings {
  isDefault: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** The ICB's classification thresholds, or the defaults when it has not set its own. */
export async function getClassificationSettings(db: Db, icbCode: string | null): Promise<StoredClassificationSettings> {
  const row = icbCode
    ? await db.selectFrom("icb_classification_settings").selectAll().where("icb_code", "=", icbCode).executeTakeFirst()
    : undefined;
  if (!row) return { ...DEFAULT_CLASSIFICATION, isDefault: true, updatedAt: null, updatedBy: null };
  return {
    maxNoDataShare: row.max_no_data_share,
    highDecile: row.high_decile,
    lowWorkforceDecile: row.low_workforce_decile,
    minPressureSignals: row.min_pressure_signals,
    isDefault: false,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

const plain = (s: ClassificationSettings): ClassificationSettings => ({
  maxNoDataShare: s.maxNoDataShare,
  highDecile: s.highDecile,
  lowWorkforceDecile: s.lowWorkforceDecile,
  minPressureSignals: s.minPressureSignals,
});

/** Saves the ICB's thresholds and audits the change (values before and after), in one transaction. */
export async function saveClassificationSettings(
  db: Db,
  icbCode: string,
  settings: ClassificationSettings,
  by: { actor: string; userId: number | null; ip: string | null },
): Promise<void> {
  const before = await getClassificationSettings(db, icbCode);
  const values = {
    max_no_data_share: settings.maxNoDataShare,
    high_decile: settings.highDecile,
    low_workforce_decile: settings.lowWorkforceDecile,
    min_pressure_signals: settings.minPressureSignals,
    updated_at: new Date().toISOString(),
    updated_by: by.actor,
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("icb_classification_settings")
      .values({ icb_code: icbCode, ...values })
      .onConflict((oc) => oc.column("icb_code").doUpdateSet(values))
      .execute();
    await recordAudit(trx, {
      ...by,
      action: "classification_settings.updated",
      entityType: "icb",
      entityId: icbCode,
      detail: { before: plain(before), after: plain(settings) },
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Indicators

/** Per practice, each indicator (value, decile among the peers, month), read once for a whole ICB. */
async function indicatorsFor(
  db: Db,
  icbCode: string | null,
  range: DateRange,
  practices: string[],
): Promise<Map<string, Partial<Record<IndicatorKey, Indicator>>>> {
  const window = measureWindow(range);
  const measureIds = Object.values(INDICATOR_MEASURES) as string[];
  // The latest month in the window with a value of each measure among the peers, from the stored distributions
  // (ADR 17): a few rows by (scope, month) rather than every peer's value of the window.
  const latest = await db
    .selectFrom("measure_distributions")
    .select("measure_id")
    .select((eb) => eb.fn.max("month").as("month"))
    .where("scope", "=", icbCode ?? ALL_PRACTICES_SCOPE)
    .where("measure_id", "in", measureIds)
    .where("month", ">=", window.from)
    .where("month", "<=", window.to)
    .where("valued_count", ">", 0)
    .groupBy("measure_id")
    .execute();
  const months = new Map<string, string>();
  for (const r of latest) if (r.month) months.set(r.measure_id, String(r.month));

  const out = new Map<string, Partial<Record<IndicatorKey, Indicator>>>(practices.map((p) => [p, {}]));
  const byMonth = new Map<string, string[]>();
  for (const [id, month] of months) byMonth.set(month, [...(byMonth.get(month) ?? []), id]);
  for (const [month, ids] of byMonth) {
    const table = await measureTable(db, { month, icb: icbCode ?? undefined, measureIds: ids });
    for (const row of table) {
      const target = out.get(row.practice_code);
      if (!target) continue;
      const key = INDICATOR_KEYS.find((k) => INDICATOR_MEASURES[k] === row.measure_id)!;
      if (row.value === null) continue;
      target[key] = { value: row.value, decile: row.decile, period: formatMonth(month) };
    }
  }
  return out;
}

/**
 * Online submissions per practice and ISO week over the surge window up to `to`, exactly as `weeklySeries` sums
 * days: oldest first, weeks without a day of data left out. The window starts on a Monday, so every week before
 * `to`'s own is whole and is read from `oc_weekly`; `to`'s week is summed from its days in `oc_daily` up to `to`
 * (ADR 17).
 */
async function weeklySubmissions(db: Db, practices: string[], to: string): Promise<Map<string, WeeklyPoint[]>> {
  const out = new Map<string, WeeklyPoint[]>();
  const lastWeek = isoWeekStart(to);
  for (let i = 0; i < practices.length; i += 500) {
    const group = practices.slice(i, i + 500);
    const [whole, last] = await Promise.all([
      db
        .selectFrom("oc_weekly")
        .select(["practice_code", "week", "total"])
        .where("practice_code", "in", group)
        .where("week", ">=", surgeWindowStart(to))
        .where("week", "<", lastWeek)
        .orderBy("practice_code")
        .orderBy("week")
        .execute(),
      db
        .selectFrom("oc_daily")
        .select("practice_code")
        .select((eb) => eb.fn.sum<number | string>("total").as("total"))
        .where("practice_code", "in", group)
        .where("date", ">=", lastWeek)
        .where("date", "<=", to)
        .groupBy("practice_code")
        .execute(),
    ]);
    const push = (code: string, point: WeeklyPoint) => {
      const list = out.get(code);
      if (list) list.push(point);
      else out.set(code, [point]);
    };
    for (const r of whole) push(r.practice_code, { week: r.week, value: r.total });
    // After the whole weeks: the window's last week is its newest.
    for (const r of last) push(r.practice_code, { week: lastWeek, value: Number(r.total) });
  }
  return out;
}

const INDICATOR_NAMES: Record<IndicatorKey, string> = {
  demandPerAppointment: "Online submissions per appointment",
  submissionsPer1000: "Online submissions per 1,000 patients",
  clinicalFtePer10000: "Clinical FTE per 10,000 patients",
  missedCallShare: "Missed-call share",
};

function assemble(
  row: Pick<PracticeSummaryRow, "odsCode" | "coreMinutes" | "closed" | "unknown" | "flaggedDays" | "flagged">,
  indicators: Partial<Record<IndicatorKey, Indicator>>,
  /** The practice's weekly submissions; null when they were not read (pressure is not weighed). */
  weekly: WeeklyPoint[] | null,
  range: DateRange,
  peerGroup: string,
  settings: ClassificationSettings,
): PracticeClassification {
  const surgeScan = weekly ? scanWeeklySurges(weekly) : null;
  const input: ClassificationInput = {
    coreMinutes: row.coreMinutes,
    closedMinutes: row.closed,
    unknownMinutes: row.unknown,
    flaggedDays: row.flaggedDays,
    flagged: row.flagged,
    demandPerAppointment: indicators.demandPerAppointment ?? null,
    submissionsPer1000: indicators.submissionsPer1000 ?? null,
    clinicalFtePer10000: indicators.clinicalFtePer10000 ?? null,
    missedCallShare: indicators.missedCallShare ?? null,
    surges: surgeScan?.cusum ? surgesInRange(surgeScan.cusum.surges, range) : null,
    peerGroup,
  };
  const result = classify(input, settings);
  // Pressure is weighed only for flagged practices with enough availability data: say what it could not use.
  const missing: string[] = [];
  if (weighsPressure(input, settings)) {
    for (const key of INDICATOR_KEYS) {
      const indicator = input[key];
      if (!indicator) missing.push(`${INDICATOR_NAMES[key]}: no figure for this practice in the months looked at.`);
      else if (indicator.decile === null) missing.push(`${INDICATOR_NAMES[key]}: too few to rank fairly (low count), so not compared.`);
    }
    if (surgeScan && !surgeScan.cusum) {
      missing.push(
        surgeScan.series.length === 0
          ? "Surges: no online submissions by day and time for this practice in the year up to the end of the period."
          : `Surges: only ${surgeScan.series.length} week${surgeScan.series.length === 1 ? "" : "s"} of online submissions by day and time, too few for a baseline.`,
      );
    }
  }
  return { odsCode: row.odsCode, range, input, result, missing, surgeScan, settings: plain(settings) };
}

function peerGroupName(icbCode: string | null): string {
  return icbCode ? "the ICB's practices" : "all practices loaded";
}

/**
 * Every practice of an ICB over a range. Pass the page's own compliance summary (same range and policy) to
 * avoid computing it twice.
 */
export async function classifyIcbPractices(
  db: Db,
  args: {
    calendar: CoreHoursCalendar;
    icbCode: string;
    range: DateRange;
    policy: Policy;
    settings?: ClassificationSettings;
    summary?: PracticeSummaryRow[];
  },
): Promise<Map<string, PracticeClassification>> {
  const [summary, settings] = await Promise.all([
    args.summary ?? icbComplianceSummary(db, args.calendar, args.icbCode, args.range, args.policy),
    args.settings ?? getClassificationSettings(db, args.icbCode),
  ]);
  const codes = summary.map((r) => r.odsCode);
  // Submissions by day are read only for the practices whose pressure is weighed: usually a few of an ICB's.
  const weighed = summary.filter((r) => weighsPressure({ coreMinutes: r.coreMinutes, unknownMinutes: r.unknown, flagged: r.flagged }, settings));
  const [indicators, weekly] = await Promise.all([
    indicatorsFor(db, args.icbCode, args.range, codes),
    weighed.length > 0 ? weeklySubmissions(db, weighed.map((r) => r.odsCode), args.range.to) : Promise.resolve(new Map<string, WeeklyPoint[]>()),
  ]);
  const isWeighed = new Set(weighed.map((r) => r.odsCode));
  const out = new Map<string, PracticeClassification>();
  for (const row of summary) {
    const own = isWeighed.has(row.odsCode) ? (weekly.get(row.odsCode) ?? []) : null;
    out.set(row.odsCode, assemble(row, indicators.get(row.odsCode) ?? {}, own, args.range, peerGroupName(args.icbCode), settings));
  }
  return out;
}

/**
 * One practice over a range, judged against its ICB's practices under its ICB's policy and thresholds. Pass the
 * page's own compliance totals (same range and policy) to avoid computing them twice.
 */
export async function classifyPractice(
  db: Db,
  args: {
    calendar: CoreHoursCalendar;
    practice: { odsCode: string; icbCode: string | null };
    range: DateRange;
    policy: Policy;
    settings?: ClassificationSettings;
    totals?: PracticeCompliance["totals"];
  },
): Promise<PracticeClassification> {
  const { odsCode, icbCode } = args.practice;
  const [t, settings, indicators, weekly] = await Promise.all([
    args.totals ?? practiceCompliance(db, args.calendar, odsCode, args.range, args.policy).then((c) => c.totals),
    args.settings ?? getClassificationSettings(db, icbCode),
    indicatorsFor(db, icbCode, args.range, [odsCode]),
    weeklySubmissions(db, [odsCode], args.range.to),
  ]);
  return assemble(
    { odsCode, coreMinutes: t.coreMinutes, closed: t.closed, unknown: t.unknown, flaggedDays: t.flaggedDays, flagged: t.flagged },
    indicators.get(odsCode) ?? {},
    weekly.get(odsCode) ?? [],
    args.range,
    peerGroupName(icbCode),
    settings,
  );
}
