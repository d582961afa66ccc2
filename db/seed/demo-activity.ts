import { sql, type Kysely } from "kysely";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import yazl from "yazl";
import { datesBetween, weekday } from "../../app/domain/calendar";
import { loadCalendar } from "../../app/services/compliance.server";
import { cbtImporter } from "../../importers/cbt";
import { importFile, type Importer } from "../../importers/core/run";
import { gpadPracticeImporter } from "../../importers/gpad-practice";
import { ocSubmissionsImporter } from "../../importers/oc-submissions";
import { workforceImporter } from "../../importers/workforce";
import type { Database } from "../schema";
import { behaviourOf, DEMO_GAP_MONTHS, DEMO_OC_SUPPLIERS, DEMO_OUTAGE, DEMO_PERIOD, ocSupplierOf } from "./demo-behaviours";
import { DEMO_ICBS, DEMO_REGION, demoPractices, type DemoPractice } from "./demo-organisations";
import { createRandom, type Random } from "./random";

/**
 * The demo's monthly demand and capacity data, for every calendar month DEMO_PERIOD touches (November 2025 to
 * November 2026), written as files in the published layouts (data-formats.md) and loaded through the real importers:
 *
 * 1. OC submissions monthly (`oc-submissions`, section 1a): two publications, the "August 2026" release (November
 *    2025 to August 2026) and then the "November 2026" release re-issuing the whole back series, each a zip with
 *    `…_north_regions.csv` (DEMO1) and `…_south_regions.csv` (DEMO2). Every practice-month's submissions are the sum
 *    of the By Day and Time data already in `oc_hourly` (clinical, admin and other likewise), so the two files agree.
 *    In the August release one supplier (RESTATED.supplier) had not sent its late returns for two months: its
 *    practices' counts there are lower, and the November release restates them. Practices with a second OC product
 *    have a row per supplier (admin split as in the By Day and Time files). A "gaps" practice in a gap month is
 *    published with participation 0 and empty counts (not published, never 0); a month switched off throughout is 0.
 *    PATIENTS_REGISTERED is close to, never equal to, the list size; the rate is 1000 × total ÷ that, to 1 decimal.
 * 2. Appointments practice-level crosstab (`gpad-practice`, 2a): one zip per month with `Mapping.csv` (the same
 *    memberships as the practice map); October 2026 is split into two regional members; APPT_MODE is
 *    `Video Conference/Online` before April 2026 and `Video/Online` from then on. About 550 appointments per 1,000
 *    patients in a 21-working-day month (about 45% same day, 65% face to face, 55% GP), in about 22 combinations of
 *    staff, mode, national category, lead time and status per practice-month (CELLS). "daily-cap" practices have
 *    about 320, so their submissions per appointment are among the highest; the other behaviours have ordinary capacity.
 * 3. Workforce (`workforce`, 5a): `GPWPracticeCSV.MMYYYY.zip` per month with the "High level" member (FTE and
 *    headcount per role, `NA` for roles a practice does not have) and a small "Detailed" member the importer ignores.
 *    About 5.8 GP FTE and 12 clinical FTE per 10,000 patients; "daily-cap" practices about 4 and 7.5. ND_NURSES's
 *    nurses are `ND` in one month.
 * 4. Cloud Based Telephony by day and time (`cbt`, 7): one zip per month, a member for the region and an `_Unmapped`
 *    member, per core day of DEMO_PERIOD and 2-hour band of core hours: about 28 inbound calls per 1,000 patients a
 *    weekday, a Monday 08:00–10:00 peak, about 10% missed (about 20% at "daily-cap" practices). The two SHARED_PHONE
 *    practices share one phone account, published as `Unassigned` with their PCN's geography; the `_Unmapped` member
 *    holds a few `Unassigned` rows (Mondays) of an account with no geography at all.
 *    To keep the seed quick (the CBT importer's time grows with the calls already stored), only the practices of
 *    DEMO_CBT_PCNS have telephony data, and their telephony returns CBT001 (inbound) and CBT004 (missed) only, except
 *    the FULL_CBT practices' from FULL_CBT_FROM, which return all of CBT001–CBT007 (answered = inbound − ended in the
 *    IVR − missed − callback requested; CBT007 is the answered calls again). Zero values are left out.
 *
 * Partial months: November 2025 and November 2026 are only partly in DEMO_PERIOD, so their submissions (the By Day
 * and Time sums) and calls cover those days only; appointments and workforce are whole-month figures.
 *
 * Each value is drawn from a seed made of what it describes, so the files are the same on every run
 * (`demoActivityFiles` is pure given `loadDemoActivityInputs`).
 */

/** One supplier's late returns, missing from the first publication. */
export const DEMO_OC_RESTATED = { supplier: "demo-beacon", months: ["2026-04-01", "2026-05-01"] } as const;
/** The two OC publications, in import order, with the last month each covers. */
export const DEMO_OC_PUBLICATIONS = [
  { release: "2026-08-01", through: "2026-08-01" },
  { release: "2026-11-01", through: "2026-11-01" },
] as const;
/** The practice and month whose nurse FTE and headcount are published as ND. */
export const DEMO_ND_NURSES = { practice: "DEM021", month: "2026-05-01" } as const;
/** The PCNs whose cloud telephony contract takes part in the CBT collection: only their practices have calls. */
export const DEMO_CBT_PCNS = ["DEMPCN01", "DEMPCN09"] as const;
/** Practices on one shared phone account: their calls are published as Unassigned. */
export const DEMO_SHARED_PHONE = ["DEM110", "DEM111"] as const;
/** Practices whose telephony returns every indicator, CBT001–CBT007, from FULL_CBT_FROM (before, and elsewhere, CBT001 and CBT004). */
export const DEMO_FULL_CBT = ["DEM001", "DEM002", "DEM005"] as const;
export const DEMO_FULL_CBT_FROM = "2026-10-01";
/** The month whose crosstab is split into two regional members. */
export const DEMO_SPLIT_CROSSTAB_MONTH = "2026-10-01";
/** From this month the crosstab says `Video/Online`; before it, `Video Conference/Online`. */
export const DEMO_VIDEO_ONLINE_FROM = "2026-04-01";

/** Appointments per 1,000 patients in a month of 21 working days. */
const APPOINTMENTS_PER_1000 = 550;
const DAILY_CAP_APPOINTMENTS_PER_1000 = 320;
/** Inbound calls per 1,000 patients per weekday. */
const CALLS_PER_1000_PER_DAY = 28;

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH_UPPER = MONTH_ABBR.map((m) => m.toUpperCase());

// ---------------------------------------------------------------------------------------------------------------
// Inputs

/** A practice-month's submissions in the By Day and Time data, and the admin the second supplier took. */
export interface DemoOcMonth {
  total: number;
  clinical: number;
  admin: number;
  other: number;
  /** Admin submissions published under the practice's second OC supplier (0 when it has none). */
  secondAdmin: number;
}

export interface DemoActivityInputs {
  /** The active demo practices, by code. */
  practices: DemoPractice[];
  /** Every calendar month DEMO_PERIOD touches, `YYYY-MM-01`. */
  months: string[];
  /** month → practice → registered patients (the list sizes already loaded). */
  listSizes: Map<string, Map<string, number>>;
  /** `code|month` → that month's submissions in `oc_hourly`. */
  submissions: Map<string, DemoOcMonth>;
  /** Core days of DEMO_PERIOD (calls are published for these). */
  periodCoreDays: string[];
  /** month → core days in the whole calendar month (appointments scale with them). */
  monthCoreDays: Map<string, number>;
}

/**
 * The practice's second OC product, as the By Day and Time files publish it (demo-submissions.ts): about 30% of each
 * hour's admin submissions, `Math.round(admin × 0.3)`, go to it.
 */
export function demoSecondOcSupplier(code: string): string | null {
  const n = Number(code.replace(/\D/g, ""));
  if (n % 10 !== 7 || ocSupplierOf(code) === DEMO_OUTAGE.supplier || behaviourOf(code) !== "compliant") return null;
  return DEMO_OC_SUPPLIERS.find((s) => s !== ocSupplierOf(code) && s !== DEMO_OUTAGE.supplier) ?? null;
}

const monthOf = (date: string) => `${date.slice(0, 7)}-01`;

function calendarMonths(from: string, to: string): string[] {
  return [...new Set(datesBetween(from, to).map(monthOf))];
}

function lastDayOf(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
}

/** Reads what the activity files must agree with: list sizes, the submissions by day and time, the calendar. */
export async function loadDemoActivityInputs(db: Kysely<Database>): Promise<DemoActivityInputs> {
  const practices = demoPractices().filter((p) => p.status === "ACTIVE");
  const codes = practices.map((p) => p.code);
  const months = calendarMonths(DEMO_PERIOD.from, DEMO_PERIOD.to);
  const calendar = await loadCalendar(db);

  const listSizes = new Map<string, Map<string, number>>(months.map((m) => [m, new Map()]));
  const sizes = await db
    .selectFrom("list_sizes")
    .select(["practice_code", "month", "patients"])
    .where("practice_code", "in", codes)
    .where("month", "in", months)
    .orderBy("month")
    .orderBy("practice_code")
    .execute();
  for (const r of sizes) listSizes.get(r.month)!.set(r.practice_code, r.patients);

  const submissions = new Map<string, DemoOcMonth>();
  const month = sql<string>`substr("date", 1, 8) || '01'`;
  const sums = await db
    .selectFrom("oc_hourly")
    .select("practice_code")
    .select(month.as("month"))
    .select((eb) => [
      eb.fn.sum<number>("total").as("total"),
      eb.fn.sum<number>("clinical").as("clinical"),
      eb.fn.sum<number>("admin").as("admin"),
      eb.fn.sum<number>("other").as("other"),
    ])
    .where("practice_code", "in", codes)
    .where("date", ">=", months[0]!)
    .where("date", "<=", lastDayOf(months.at(-1)!))
    .groupBy(["practice_code", month])
    .execute();
  for (const r of sums) {
    submissions.set(`${r.practice_code}|${r.month}`, {
      total: Number(r.total),
      clinical: Number(r.clinical),
      admin: Number(r.admin),
      other: Number(r.other),
      secondAdmin: 0,
    });
  }
  const twoSuppliers = codes.filter((c) => demoSecondOcSupplier(c) !== null);
  if (twoSuppliers.length > 0) {
    const hours = await db
      .selectFrom("oc_hourly")
      .select(["practice_code", "date", "admin"])
      .where("practice_code", "in", twoSuppliers)
      .where("date", ">=", months[0]!)
      .where("date", "<=", lastDayOf(months.at(-1)!))
      .execute();
    for (const h of hours) {
      const sum = submissions.get(`${h.practice_code}|${monthOf(h.date)}`);
      if (sum) sum.secondAdmin += Math.round(h.admin * 0.3);
    }
  }

  const periodCoreDays = calendar.coreDays(DEMO_PERIOD.from, DEMO_PERIOD.to);
  const monthCoreDays = new Map(months.map((m) => [m, calendar.coreDays(m, lastDayOf(m)).length]));
  return { practices, months, listSizes, submissions, periodCoreDays, monthCoreDays };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers

function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const seeded = (key: string): Random => createRandom(hashSeed(key));

/** Poisson draw: Knuth's method for small means, a rounded normal for large ones. */
function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(random.normal(mean, Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random.next();
  while (p > limit) {
    k++;
    p *= random.next();
  }
  return k;
}

/** Binomial draw (normal approximation for large n). */
function binomial(random: Random, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (n * p > 30 && n * (1 - p) > 30) return Math.min(n, Math.max(0, Math.round(random.normal(n * p, Math.sqrt(n * p * (1 - p))))));
  let k = 0;
  for (let i = 0; i < n; i++) if (random.next() < p) k++;
  return k;
}

/** Splits a whole number over weights, the parts adding up to it exactly (largest remainders). */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    parts[i]!++;
    left--;
  }
  return parts;
}

const csvField = (s: string | number) => (/[",\n\r]/.test(String(s)) ? `"${String(s).replace(/"/g, '""')}"` : String(s));
const csvLine = (fields: (string | number)[]) => fields.map(csvField).join(",");
const csvText = (lines: string[]) => lines.join("\r\n") + "\r\n";

interface Place {
  icb: (typeof DEMO_ICBS)[number];
  sub: (typeof DEMO_ICBS)[number]["subIcbs"][number];
  pcn: { code: string; name: string };
}

function placeOf(p: DemoPractice): Place {
  const icb = DEMO_ICBS.find((i) => i.code === p.icb)!;
  const sub = icb.subIcbs.find((s) => s.code === p.subIcb)!;
  const pcn = sub.pcns.find((c) => c.code === p.pcn)!;
  return { icb, sub, pcn };
}

/** The GP clinical system, as in the demo's practice map. */
const clinicalSystemOf = (code: string) => (code.endsWith("3") ? "TPP" : "EMIS");

/** Busier in winter, quieter in August and over Christmas (for appointments and calls). */
function seasonal(month: string): number {
  const m = Number(month.slice(5, 7));
  return m === 1 || m === 2 ? 1.06 : m === 12 ? 0.95 : m === 8 ? 0.9 : 1;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. OC submissions monthly

const OC_HEADER =
  "MONTH,GP_CODE,GP_NAME,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,SUPPLIER,METRIC,VALUE";

interface SupplierMonth {
  supplier: string;
  /** null: the supplier sent nothing (published empty). */
  counts: { total: number; clinical: number; admin: number; other: number } | null;
}

/** NHS England's own denominator: close to the list size (about 1% above it, as in real files), never equal. */
export function demoPatientsRegistered(code: string, month: string, listSize: number): number {
  const practice = seeded(`oc-patients:${code}`).normal(0.012, 0.006);
  const noise = seeded(`oc-patients:${code}:${month}`).normal(0, 0.002);
  const n = Math.round(listSize * (1 + practice + noise));
  return n === listSize ? n + 1 : n;
}

/** The suppliers' rows of one practice-month in a release. */
function ocSuppliers(inputs: DemoActivityInputs, p: DemoPractice, month: string, release: string): SupplierMonth[] {
  const primary = ocSupplierOf(p.code);
  if (behaviourOf(p.code) === "gaps" && (DEMO_GAP_MONTHS as readonly string[]).includes(month.slice(0, 7))) return [{ supplier: primary, counts: null }];
  const sums = inputs.submissions.get(`${p.code}|${month}`) ?? { total: 0, clinical: 0, admin: 0, other: 0, secondAdmin: 0 };
  const second = demoSecondOcSupplier(p.code);
  const rows: SupplierMonth[] = [
    { supplier: primary, counts: { total: sums.total - sums.secondAdmin, clinical: sums.clinical, admin: sums.admin - sums.secondAdmin, other: sums.other } },
  ];
  if (second) rows.push({ supplier: second, counts: { total: sums.secondAdmin, clinical: 0, admin: sums.secondAdmin, other: 0 } });
  const late = release < DEMO_OC_PUBLICATIONS.at(-1)!.release && (DEMO_OC_RESTATED.months as readonly string[]).includes(month);
  for (const row of rows) {
    if (!late || row.supplier !== DEMO_OC_RESTATED.supplier || !row.counts) continue;
    // The late returns: 6–20% of the month, arriving after the first release.
    const missing = seeded(`oc-late:${p.code}:${month}:${row.supplier}`).next() * 0.14 + 0.06;
    const keep = (x: number) => Math.round(x * (1 - missing));
    const c = row.counts;
    const clinical = keep(c.clinical);
    const admin = keep(c.admin);
    const other = keep(c.other);
    row.counts = { total: clinical + admin + other, clinical, admin, other };
  }
  return rows;
}

function ocPublication(inputs: DemoActivityInputs, release: string, through: string): DemoActivityFile {
  const name = `Submissions via OC Systems in General Practice - ${MONTH_NAMES[Number(release.slice(5, 7)) - 1]} ${release.slice(0, 4)}`;
  const halves = { north: [OC_HEADER], south: [OC_HEADER] };
  for (const month of inputs.months.filter((m) => m <= through)) {
    const shown = `01/${month.slice(5, 7)}/${month.slice(0, 4)}`;
    for (const p of inputs.practices) {
      const listSize = inputs.listSizes.get(month)?.get(p.code);
      if (listSize === undefined) continue;
      const { icb, sub, pcn } = placeOf(p);
      const patients = demoPatientsRegistered(p.code, month, listSize);
      const lines = p.icb === "DEMO1" ? halves.north : halves.south;
      for (const { supplier, counts } of ocSuppliers(inputs, p, month, release)) {
        const head = [shown, p.code, p.name, pcn.code, pcn.name, sub.code, sub.name, icb.code, icb.name, DEMO_REGION.code, DEMO_REGION.name, supplier];
        const value = (n: number | undefined) => (n === undefined ? "" : n);
        const metrics: [string, string | number][] = [
          ["OC_CAPABILITY", 1],
          ["OC_PARTICIPATION", counts ? 1 : 0],
          ["OC_SYSTEM_USAGE", counts && counts.total > 0 ? 1 : 0],
          ["OC_TOTAL_SUBMISSIONS", value(counts?.total)],
          ["OC_SUBMISSION_TYPE_CLINICAL", value(counts?.clinical)],
          ["OC_SUBMISSION_TYPE_ADMIN", value(counts?.admin)],
          ["OC_SUBMISSION_TYPE_OTHER", value(counts?.other)],
          ["PATIENTS_REGISTERED", patients],
          ["OC_RATE_PER_1000_REGISTERED_PATIENTS", counts ? ((1000 * counts.total) / patients).toFixed(1) : ""],
        ];
        for (const [metric, v] of metrics) lines.push(csvLine([...head, metric, v]));
      }
    }
  }
  return {
    source: "oc-submissions",
    name: `${name}.zip`,
    members: [
      { name: `${name}_north_regions.csv`, data: csvText(halves.north) },
      { name: `${name}_south_regions.csv`, data: csvText(halves.south) },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Appointments practice-level crosstab

const GPAD_HEADER =
  "APPOINTMENT_MONTH_START_DATE,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,HCP_TYPE,APPT_MODE,NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS,APPT_STATUS";
const MAPPING_HEADER = "GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME";

const VIDEO = "video";
/** [HCP_TYPE, APPT_MODE, NATIONAL_CATEGORY, TIME_BETWEEN_BOOK_AND_APPT, APPT_STATUS, share (%), chance of a row in a practice-month]. */
type Cell = [hcp: string, mode: string, category: string, lead: string, status: string, weight: number, chance: number];

/**
 * The combinations a practice's month is spread over, with their shares (%), national categories from the
 * published list; the small ones appear in some practice-months only. Marginals: about 45% same day, 65% face to
 * face, 55% GP, 4% DNA. Kept to about 22 rows per practice-month so that the seed stays quick.
 */
const CELLS: Cell[] = [
  ["GP", "Face-to-Face", "General Consultation Acute", "Same Day", "Attended", 13, 1],
  ["GP", "Telephone", "General Consultation Acute", "Same Day", "Attended", 9.5, 1],
  ["GP", "Telephone", "Clinical Triage", "Same Day", "Attended", 5, 1],
  ["GP", "Face-to-Face", "General Consultation Routine", "1 Day", "Attended", 3.5, 1],
  ["GP", "Face-to-Face", "General Consultation Routine", "2 to 7 Days", "Attended", 7, 1],
  ["GP", "Face-to-Face", "General Consultation Routine", "2 to 7 Days", "DNA", 1.3, 1],
  ["GP", "Telephone", "General Consultation Routine", "2 to 7 Days", "Attended", 3.5, 1],
  ["GP", "Face-to-Face", "General Consultation Routine", "8  to 14 Days", "Attended", 4.5, 1],
  ["GP", "Face-to-Face", "Planned Clinical Procedure", "15  to 21 Days", "Attended", 1.8, 1],
  ["GP", "Home Visit", "Home Visit", "Same Day", "Attended", 0.8, 1],
  ["GP", VIDEO, "General Consultation Routine", "1 Day", "Attended", 1.2, 1],
  ["GP", "Telephone", "Structured Medication Review", "22  to 28 Days", "Attended", 1, 1],
  ["GP", "Unknown", "Inconsistent Mapping", "Unknown / Data Quality", "Unknown", 0.8, 1],
  ["GP", "Face-to-Face", "Patient contact during Care Home Round", "More than 28 Days", "Attended", 0.4, 0.3],
  ["Other Practice staff", "Face-to-Face", "Unplanned Clinical Activity", "Same Day", "Attended", 7.5, 1],
  ["Other Practice staff", "Telephone", "Clinical Triage", "Same Day", "Attended", 6, 1],
  ["Other Practice staff", "Face-to-Face", "Walk-in", "Same Day", "Attended", 1.5, 1],
  ["Other Practice staff", "Face-to-Face", "Planned Clinics", "2 to 7 Days", "Attended", 8.5, 1],
  ["Other Practice staff", "Face-to-Face", "Planned Clinical Procedure", "2 to 7 Days", "DNA", 2.4, 1],
  ["Other Practice staff", "Face-to-Face", "Planned Clinical Procedure", "8  to 14 Days", "Attended", 6.5, 1],
  ["Other Practice staff", "Telephone", "Planned Clinics", "15  to 21 Days", "Attended", 2.2, 1],
  ["Other Practice staff", "Face-to-Face", "Planned Clinics", "More than 28 Days", "Attended", 3, 1],
  ["Other Practice staff", "Telephone", "Social Prescribing Service", "22  to 28 Days", "Attended", 1.2, 1],
  ["Other Practice staff", "Face-to-Face", "Service provided by organisation external to the practice", "1 Day", "Attended", 1.5, 1],
  ["Other Practice staff", "Face-to-Face", "Care Home Needs Assessment & Personalised Care and Support Planning", "22  to 28 Days", "Attended", 0.6, 0.3],
  ["Other Practice staff", VIDEO, "Group Consultation and Group Education", "8  to 14 Days", "Attended", 0.4, 0.3],
  ["Other Practice staff", "Face-to-Face", "Non-contractual chargeable work", "More than 28 Days", "Attended", 0.3, 0.3],
  ["Unknown", "Telephone", "Unmapped", "Unknown / Data Quality", "Unknown", 0.5, 1],
  ["Unknown", "Face-to-Face", "Care Home Visit", "Same Day", "Attended", 0.3, 0.3],
];

/** APPOINTMENT_MONTH_START_DATE as published: `01MAY2026`. */
function crosstabMonth(month: string): string {
  return `01${MONTH_UPPER[Number(month.slice(5, 7)) - 1]}${month.slice(0, 4)}`;
}

/** A practice's appointments per 1,000 patients in a 21-working-day month (its capacity), before monthly noise. */
function appointmentRate(code: string): number {
  const random = seeded(`appointments-level:${code}`);
  return behaviourOf(code) === "daily-cap"
    ? DAILY_CAP_APPOINTMENTS_PER_1000 * Math.exp(random.normal(0, 0.04))
    : APPOINTMENTS_PER_1000 * Math.exp(random.normal(0, 0.08));
}

function gpadMonth(inputs: DemoActivityInputs, month: string): DemoActivityFile {
  const [y, m] = month.split("-");
  const label = `${MONTH_ABBR[Number(m) - 1]}_${y!.slice(2)}`;
  const shown = crosstabMonth(month);
  const video = month < DEMO_VIDEO_ONLINE_FROM ? "Video Conference/Online" : "Video/Online";
  const split = month === DEMO_SPLIT_CROSSTAB_MONTH;
  const north = [GPAD_HEADER];
  const south = split ? [GPAD_HEADER] : north;
  const mapping = [MAPPING_HEADER];
  const workingDays = inputs.monthCoreDays.get(month)!;
  for (const p of inputs.practices) {
    const { icb, sub, pcn } = placeOf(p);
    mapping.push(
      csvLine([p.code, p.name, clinicalSystemOf(p.code), pcn.code, pcn.name, sub.code, sub.name, icb.code, icb.name, DEMO_REGION.code, DEMO_REGION.name]),
    );
    const listSize = inputs.listSizes.get(month)?.get(p.code);
    if (listSize === undefined) continue;
    const random = seeded(`appointments:${p.code}:${month}`);
    const total = Math.round(((listSize * appointmentRate(p.code)) / 1000) * (workingDays / 21) * seasonal(month) * Math.exp(random.normal(0, 0.03)));
    const weights = CELLS.map(([, , , , , share, chance]) => (random.chance(chance) ? share * Math.exp(random.normal(0, 0.12)) : 0));
    const counts = apportion(total, weights);
    const lines = p.icb === "DEMO1" ? north : south;
    const head = [shown, p.code, p.name, clinicalSystemOf(p.code), pcn.code, pcn.name, sub.code, sub.name];
    CELLS.forEach(([hcp, mode, category, lead, status], i) => {
      if (counts[i]! > 0) lines.push(csvLine([...head, hcp, mode === VIDEO ? video : mode, category, lead, counts[i]!, status]));
    });
  }
  const members = split
    ? [
        { name: `Practice_Level_Crosstab_London_East_South_${label}.csv`, data: csvText(south) },
        { name: `Practice_Level_Crosstab_Midlands_North_${label}.csv`, data: csvText(north) },
      ]
    : [{ name: `Practice_Level_Crosstab_${label}.csv`, data: csvText(north) }];
  members.push({ name: "Mapping.csv", data: csvText(mapping) });
  return { source: "gpad-practice", name: `Practice_Level_Crosstab_${label}.zip`, members };
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Workforce

const WORKFORCE_HEADER = "PRAC_CODE,PRAC_NAME,STAFF_GROUP,DETAILED_STAFF_ROLE,MEASURE,VALUE";
const BOM = "\uFEFF";

/** FTE per 10,000 patients by staff group: [GP, nurses, direct patient care, admin]. */
function staffRates(code: string): [number, number, number, number] {
  const random = seeded(`workforce-level:${code}`);
  const thin = behaviourOf(code) === "daily-cap";
  const level = (mean: number, sd: number) => mean * Math.exp(random.normal(0, sd));
  return thin ? [level(4.0, 0.05), level(1.9, 0.08), level(1.6, 0.1), level(9, 0.1)] : [level(5.8, 0.12), level(2.7, 0.15), level(3.4, 0.18), level(11, 0.12)];
}

interface Role {
  group: string;
  role: string;
  /** Share of the group's FTE. */
  share: number;
  /** Average FTE per person in the role (for headcount). */
  perHead: number;
}

const ROLES: Role[] = [
  { group: "GP", role: "Partner/Provider", share: 0.55, perHead: 0.78 },
  { group: "GP", role: "Salaried/Other GPs", share: 0.3, perHead: 0.62 },
  { group: "GP", role: "GP in Training Grade ST3", share: 0.1, perHead: 0.9 },
  { group: "GP", role: "Locum", share: 0.05, perHead: 0.35 },
  { group: "Nurses", role: "Practice Nurse", share: 0.75, perHead: 0.7 },
  { group: "Nurses", role: "Advanced Nurse Practitioner", share: 0.25, perHead: 0.85 },
  { group: "Direct Patient Care", role: "Healthcare Assistant", share: 0.55, perHead: 0.75 },
  { group: "Direct Patient Care", role: "Pharmacist", share: 0.45, perHead: 0.8 },
  { group: "Admin/Non-Clinical", role: "Receptionists", share: 0.7, perHead: 0.65 },
  { group: "Admin/Non-Clinical", role: "Practice Manager", share: 0.3, perHead: 1 },
];
const GROUPS = ["GP", "Nurses", "Direct Patient Care", "Admin/Non-Clinical"];

const fte = (x: number) => (Math.round(x * 100) / 100).toFixed(2);

function workforceMonth(inputs: DemoActivityInputs, month: string): DemoActivityFile {
  const label = `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
  const high = [WORKFORCE_HEADER];
  const detailed = ["PRAC_CODE,PRAC_NAME,PCN_CODE,PCN_NAME,SUB_ICB_CODE,SUB_ICB_NAME,ICB_CODE,ICB_NAME,TOTAL_PATIENTS,TOTAL_GP_HC,TOTAL_GP_FTE,TOTAL_NURSES_FTE,TOTAL_DPC_FTE,TOTAL_ADMIN_FTE"];
  for (const p of inputs.practices) {
    const listSize = inputs.listSizes.get(month)?.get(p.code);
    if (listSize === undefined) continue;
    const { icb, sub, pcn } = placeOf(p);
    const rates = staffRates(p.code);
    const training = seeded(`training:${p.code}`).chance(0.4);
    const random = seeded(`workforce:${p.code}:${month}`);
    const groupTotals: (number | null)[] = [];
    let gpHeadcount = 0;
    for (const [g, group] of GROUPS.entries()) {
      const groupFte = (rates[g]! * listSize) / 10000;
      const roles = ROLES.filter((r) => r.group === group && (training || r.role !== "GP in Training Grade ST3"));
      const shareSum = roles.reduce((a, r) => a + r.share, 0);
      const nd = group === "Nurses" && p.code === DEMO_ND_NURSES.practice && month === DEMO_ND_NURSES.month;
      let sum = 0;
      let heads = 0;
      for (const r of ROLES.filter((x) => x.group === group)) {
        if (!roles.includes(r)) {
          high.push(csvLine([p.code, p.name, group, r.role, "FTE", "NA"]), csvLine([p.code, p.name, group, r.role, "Headcount", "NA"]));
          continue;
        }
        const value = Math.max(0.1, ((groupFte * r.share) / shareSum) * Math.exp(random.normal(0, 0.03)));
        const shown = Number(fte(value));
        const headcount = Math.max(1, Math.round(value / r.perHead));
        sum += shown;
        heads += headcount;
        high.push(csvLine([p.code, p.name, group, r.role, "FTE", nd ? "ND" : fte(value)]), csvLine([p.code, p.name, group, r.role, "Headcount", nd ? "ND" : headcount]));
      }
      high.push(csvLine([p.code, p.name, group, "Total", "FTE", nd ? "ND" : fte(sum)]), csvLine([p.code, p.name, group, "Total", "Headcount", nd ? "ND" : heads]));
      groupTotals.push(nd ? null : sum);
      if (group === "GP") gpHeadcount = heads;
    }
    const shownTotal = (x: number | null) => (x === null ? "ND" : fte(x));
    detailed.push(
      csvLine([p.code, p.name, pcn.code, pcn.name, sub.code, sub.name, icb.code, icb.name, listSize, gpHeadcount, ...groupTotals.map(shownTotal)]),
    );
  }
  const mmyyyy = `${month.slice(5, 7)}${month.slice(0, 4)}`;
  return {
    source: "workforce",
    name: `GPWPracticeCSV.${mmyyyy}.zip`,
    members: [
      { name: `1 General Practice \u2013 ${label} Practice Level - Detailed.csv`, data: BOM + csvText(detailed) },
      { name: `3 General Practice \u2013 ${label} Practice Level - High level.csv`, data: BOM + csvText(high) },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Cloud Based Telephony

const CBT_HEADER = "Date,REGION_CODE,ICB_CODE,SUB_ICB_LOCATION_CODE,PCN_CODE,PRACTICE_CODE,Indicator,Time_Category,Value";
/** The core-hours bands, the share of a day's calls in each, and the share of those missed. */
const CALL_BANDS: { band: string; share: number; missed: number }[] = [
  { band: "08:00-09:59", share: 0.33, missed: 0.17 },
  { band: "10:00-11:59", share: 0.22, missed: 0.09 },
  { band: "12:00-13:59", share: 0.14, missed: 0.05 },
  { band: "14:00-15:59", share: 0.13, missed: 0.05 },
  { band: "16:00-17:59", share: 0.15, missed: 0.05 },
  { band: "18:00-18:29", share: 0.03, missed: 0.04 },
];
/** Relative call volume by weekday (1 = Monday … 5 = Friday); Monday mornings are busier still. */
const CALL_WEEKDAY = [0, 1.4, 1.0, 0.92, 0.9, 0.85];
const MEAN_CALL_WEEKDAY = (1.4 + 1.0 + 0.92 + 0.9 + 0.85) / 5;
const MONDAY_MORNING = 1.35;

/** One practice's (or shared account's) calls on one day: per band, indicator → value; zeros left out. */
function callDay(code: string, listSize: number, date: string, full: boolean): [string, string, number][] {
  const random = seeded(`calls:${code}:${date}`);
  const wd = weekday(date);
  const missedFactor = behaviourOf(code) === "daily-cap" ? 2.05 : 1;
  const day = ((listSize * CALLS_PER_1000_PER_DAY) / 1000) * (CALL_WEEKDAY[wd]! / MEAN_CALL_WEEKDAY) * seasonal(monthOf(date)) * Math.exp(random.normal(0, 0.08));
  const weights = CALL_BANDS.map((b, i) => b.share * (wd === 1 && i === 0 ? MONDAY_MORNING : 1));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const out: [string, string, number][] = [];
  CALL_BANDS.forEach((b, i) => {
    const inbound = poisson(random, (day * weights[i]!) / weightSum);
    const missedShare = Math.min(0.6, b.missed * missedFactor * (wd === 1 && i === 0 ? 1.2 : 1));
    const missed = binomial(random, inbound, missedShare);
    const values: [string, number][] = [
      ["CBT001", inbound],
      ["CBT004", missed],
    ];
    if (full) {
      const ivr = binomial(random, inbound - missed, 0.04);
      const callback = binomial(random, inbound - missed - ivr, i === 0 ? 0.08 : 0.03);
      const answered = inbound - missed - ivr - callback;
      values.push(["CBT002", ivr], ["CBT003", answered], ["CBT005", callback], ["CBT006", binomial(random, callback, 0.9)], ["CBT007", answered]);
    }
    for (const [indicator, value] of values.sort((a, c) => a[0].localeCompare(c[0]))) if (value > 0) out.push([b.band, indicator, value]);
  });
  return out;
}

function cbtMonth(inputs: DemoActivityInputs, month: string): DemoActivityFile {
  const [y, m] = month.split("-");
  const label = `Cloud_Based_Telephony_By_Day_and_Time_${MONTH_ABBR[Number(m) - 1]}_${y!.slice(2)}`;
  const region = [CBT_HEADER];
  const unmapped = [CBT_HEADER];
  const shared = inputs.practices.filter((p) => (DEMO_SHARED_PHONE as readonly string[]).includes(p.code));
  const sizes = inputs.listSizes.get(month)!;
  const days = inputs.periodCoreDays.filter((d) => monthOf(d) === month);
  for (const date of days) {
    for (const p of inputs.practices) {
      if (!(DEMO_CBT_PCNS as readonly string[]).includes(p.pcn) || shared.includes(p) || !sizes.has(p.code)) continue;
      const full = month >= DEMO_FULL_CBT_FROM && (DEMO_FULL_CBT as readonly string[]).includes(p.code);
      for (const [band, indicator, value] of callDay(p.code, sizes.get(p.code)!, date, full)) {
        region.push([date, DEMO_REGION.code, p.icb, p.subIcb, p.pcn, p.code, indicator, band, value].join(","));
      }
    }
    // One phone account shared by the SHARED_PHONE practices: published as Unassigned, with their PCN's geography.
    const first = shared[0];
    if (first) {
      const size = shared.reduce((a, p) => a + (sizes.get(p.code) ?? 0), 0);
      for (const [band, indicator, value] of callDay(`shared:${first.pcn}`, size, date, false)) {
        region.push([date, DEMO_REGION.code, first.icb, first.subIcb, first.pcn, "Unassigned", indicator, band, value].join(","));
      }
    }
    // A few calls on an account NHS England could not map to anywhere (Mondays only).
    if (weekday(date) === 1) {
      for (const [band, indicator, value] of callDay("unmapped-account", 1500, date, false).slice(0, 3)) {
        unmapped.push([date, "", "", "", "", "Unassigned", indicator, band, value].join(","));
      }
    }
  }
  return {
    source: "cbt",
    name: `${label}.zip`,
    members: [
      { name: `${label}_${DEMO_REGION.code}.csv`, data: csvText(region) },
      { name: `${label}_Unmapped.csv`, data: csvText(unmapped) },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Files and the seed

export type DemoActivitySource = "oc-submissions" | "gpad-practice" | "workforce" | "cbt";

export interface DemoActivityFile {
  source: DemoActivitySource;
  /** The file's name as published. */
  name: string;
  members: { name: string; data: string }[];
}

/** Every activity file, in import order (the earlier OC publication before the later one). */
export function demoActivityFiles(inputs: DemoActivityInputs): DemoActivityFile[] {
  const files: DemoActivityFile[] = [];
  for (const { release, through } of DEMO_OC_PUBLICATIONS) files.push(ocPublication(inputs, release, through));
  for (const month of inputs.months) files.push(gpadMonth(inputs, month));
  for (const month of inputs.months) files.push(workforceMonth(inputs, month));
  for (const month of inputs.months) if (inputs.periodCoreDays.some((d) => monthOf(d) === month)) files.push(cbtMonth(inputs, month));
  return files;
}

/** The file as a zip (deflated, a fixed timestamp, so the same members give the same bytes). */
export function demoActivityZip(file: DemoActivityFile): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const m of file.members) zip.addBuffer(Buffer.from(m.data, "utf8"), m.name, { mtime: new Date(Date.UTC(2026, 0, 1)) });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

const IMPORTERS: Record<DemoActivitySource, Importer<never>> = {
  "oc-submissions": ocSubmissionsImporter as Importer<never>,
  "gpad-practice": gpadPracticeImporter as Importer<never>,
  workforce: workforceImporter as Importer<never>,
  cbt: cbtImporter as Importer<never>,
};

/**
 * Writes the demo's monthly OC submissions (two publications), appointments, workforce and telephony files and
 * imports them. Run after `seedDemoSubmissions`: the monthly submissions are the sums of the By Day and Time data.
 */
export async function seedDemoActivity(db: Kysely<Database>, log: (m: string) => void): Promise<void> {
  const started = performance.now();
  const inputs = await loadDemoActivityInputs(db);
  const files = demoActivityFiles(inputs);
  const generated = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "icb-demo-activity-"));
  const rows: Record<DemoActivitySource, number> = { "oc-submissions": 0, "gpad-practice": 0, workforce: 0, cbt: 0 };
  const seconds: Record<DemoActivitySource, number> = { "oc-submissions": 0, "gpad-practice": 0, workforce: 0, cbt: 0 };
  try {
    for (const file of files) {
      const path = join(dir, file.name);
      writeFileSync(path, await demoActivityZip(file));
      const t0 = performance.now();
      const result = await importFile(db, IMPORTERS[file.source], path, { actor: "demo-seed", ip: "cli" });
      seconds[file.source] += (performance.now() - t0) / 1000;
      rows[file.source] += result.counts.read;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s = (x: number) => x.toFixed(1);
  const n = (x: number) => x.toLocaleString("en-GB");
  log(
    `Demo: monthly activity for ${inputs.months.length} months in ${s((performance.now() - started) / 1000)} s ` +
      `(files written in ${s((generated - started) / 1000)} s): OC submissions ${n(rows["oc-submissions"])} rows in 2 publications (${s(seconds["oc-submissions"])} s), ` +
      `appointments ${n(rows["gpad-practice"])} rows (${s(seconds["gpad-practice"])} s), workforce ${n(rows.workforce)} rows (${s(seconds.workforce)} s), ` +
      `telephony ${n(rows.cbt)} rows (${s(seconds.cbt)} s)`,
  );
}
