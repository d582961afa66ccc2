import type { Kysely } from "kysely";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yazl from "yazl";
import { CORE_END, CORE_START, datesBetween, localMinute, type CoreHoursCalendar } from "../../app/domain/calendar";
import { loadCalendar } from "../../app/services/compliance.server";
import { importFile } from "../../importers/core/run";
import { ocByDayTimeImporter } from "../../importers/oc-by-day-time";
import type { Database } from "../schema";
import { behaviourOf, DEMO_GAP_MONTHS, DEMO_OC_SUPPLIERS, DEMO_OUTAGE, DEMO_PERIOD, DEMO_SWITCH_OFF, ocSupplierOf } from "./demo-behaviours";
import { DEMO_ICBS, DEMO_REGION, demoPractices, type DemoPractice } from "./demo-organisations";
import { createRandom, type Random } from "./random";

/**
 * The demo's "Submissions via OC Systems By Day and Time" files: one zip per month of DEMO_PERIOD in the published
 * dated layout (`… By Day and Time - March 2026.zip` holding `…_north_regions.csv`, DEMO1's practices, and
 * `…_south_regions.csv`, DEMO2's), loaded through the real importer (`oc-by-day-time`).
 *
 * Volumes: about 135 submissions per 1,000 registered patients a month (the national rate in October 2025), about
 * two thirds clinical, a quarter admin, the rest "other/unknown"; Monday the busiest day; 08:00–10:00 about 30% of
 * the day. The tool is open on core days from about 07:30 to 18:45–20:00 (as in the demo's availability logs);
 * nothing arrives at night, at weekends or on bank holidays. Each practice-day is drawn from its own seed, so the
 * files are the same on every run.
 *
 * Behaviours (demo-behaviours.ts): "daily-cap" practices have 1.8× the demand and nothing after the cap on capped
 * days; "lunchtime" nothing 13:00–14:00; "switched-off" nothing during DEMO_SWITCH_OFF; "clinical-afternoons" no
 * clinical submissions from 15:00 (admin still arrives); "gaps" no rows in DEMO_GAP_MONTHS; the outage supplier's
 * practices nothing during DEMO_OUTAGE. When the demo's availability is already loaded, the day-by-day closures
 * (which days a cap bit and when, occasional closures) are read from `closure_episodes`, so the submissions fall
 * silent exactly when the availability logs say the tool was closed; otherwise they are drawn here by the same rules.
 */

/** Submissions per registered patient per month (135.8 per 1,000 in October 2025). */
export const DEMO_RATE_PER_PATIENT_MONTH = 0.135;
/** Demand multiplier of the "daily-cap" practices. */
export const DAILY_CAP_DEMAND = 1.8;

/** Weight of each hour for a typical open day (07:30–19:30); hour 7 counts from 07:30 only. Sums to about 100. */
const HOUR_WEIGHT: Record<number, number> = {
  7: 4, 8: 17, 9: 13, 10: 10.5, 11: 9, 12: 7.5, 13: 7, 14: 7, 15: 6.5, 16: 6, 17: 5.5, 18: 5, 19: 6,
};
const TYPICAL_DAY_WEIGHT = 2 + 17 + 13 + 10.5 + 9 + 7.5 + 7 + 7 + 6.5 + 6 + 5.5 + 5 + 3;
/** Relative demand by weekday (1 = Monday … 5 = Friday). */
const WEEKDAY_FACTOR = [0, 1.45, 1.05, 0.95, 0.9, 0.85];
const MEAN_WEEKDAY_FACTOR = (1.45 + 1.05 + 0.95 + 0.9 + 0.85) / 5;
/** Share of submissions by type. */
const SHARE = { clinical: 0.66, admin: 0.26, other: 0.08 };

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export const BY_DAY_AND_TIME_HEADER =
  "DATE,WEEKDAY,SUBMISSION_TIME,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,CLINICAL,ADMIN,UNKNOWN_OTHER,TOTAL";

/** A stretch of one London day in which the tool took no submissions of a kind (minutes of the day, [from, to)). */
export interface DemoClosure {
  from: number;
  to: number;
  category: "all" | "clinical" | "admin";
}

function hashSeed(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

const dayOfWeek = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay();

/**
 * Without the availability loaded: whether a "daily-cap" practice's cap bites on a date and from which minute of
 * the day (about 80% of Mondays from 10:30–11:30; about 20% of other days from 12:00–13:00), else null.
 */
export function demoCapMinute(code: string, date: string): number | null {
  const random = createRandom(hashSeed(`cap:${code}:${date}`));
  const monday = dayOfWeek(date) === 1;
  const capped = random.chance(monday ? 0.8 : 0.2);
  const from = monday ? random.int(10 * 60 + 30, 11 * 60 + 30) : random.int(12 * 60, 13 * 60);
  return capped ? from : null;
}

/** The closures the behaviours fix by their definition (the same in the availability logs). */
export function fixedClosures(code: string, date: string): DemoClosure[] {
  const out: DemoClosure[] = [];
  const behaviour = behaviourOf(code);
  if (behaviour === "switched-off" && date >= DEMO_SWITCH_OFF.from && date <= DEMO_SWITCH_OFF.to) out.push({ from: 0, to: 1440, category: "all" });
  if (behaviour === "lunchtime") out.push({ from: 13 * 60, to: 14 * 60, category: "all" });
  if (behaviour === "clinical-afternoons") out.push({ from: 15 * 60, to: 1440, category: "clinical" });
  if (ocSupplierOf(code) === DEMO_OUTAGE.supplier && date === DEMO_OUTAGE.date) {
    const hm = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
    out.push({ from: hm(DEMO_OUTAGE.from), to: hm(DEMO_OUTAGE.to), category: "all" });
  }
  return out;
}

/** The closures drawn day by day when the availability is not loaded: caps, and now and then a short closure. */
export function drawnClosures(code: string, date: string): DemoClosure[] {
  const behaviour = behaviourOf(code);
  if (behaviour === "daily-cap") {
    const cap = demoCapMinute(code, date);
    return cap === null ? [] : [{ from: cap, to: 1440, category: "all" }];
  }
  if (behaviour === "occasional") {
    const random = createRandom(hashSeed(`occasional:${code}:${date}`));
    if (!random.chance(1 / 15)) return [];
    const length = random.int(20, 90);
    const from = random.int(8 * 60 + 15, 18 * 60 + 30 - length);
    return [{ from, to: from + length, category: "all" }];
  }
  return [];
}

/**
 * Closures from the stored availability (`closure_episodes`, core hours only), by `code|date`, as minutes of the
 * London day. An episode reaching the start or end of core hours is taken to run to the start or end of the day
 * (the tool stays closed). Returns null when no demo practice has any availability loaded.
 */
export async function closuresFromAvailability(db: Kysely<Database>, codes: string[]): Promise<Map<string, DemoClosure[]> | null> {
  const any = await db.selectFrom("availability_intervals").select("practice_code").where("practice_code", "in", codes).limit(1).executeTakeFirst();
  if (!any) return null;
  const rows = await db
    .selectFrom("closure_episodes")
    .select(["practice_code", "date", "start_min", "end_min", "category"])
    .where("practice_code", "in", codes)
    .where("date", ">=", DEMO_PERIOD.from)
    .where("date", "<=", DEMO_PERIOD.to)
    .orderBy("practice_code")
    .orderBy("start_min")
    .execute();
  const out = new Map<string, DemoClosure[]>();
  for (const r of rows) {
    const midnight = localMinute(r.date, 0);
    let from = r.start_min - midnight;
    let to = r.end_min - midnight;
    if (from <= CORE_START) from = 0;
    if (to >= CORE_END) to = 1440;
    const key = `${r.practice_code}|${r.date}`;
    const list = out.get(key) ?? [];
    list.push({ from, to, category: r.category });
    out.set(key, list);
  }
  return out;
}

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

export interface DemoHour {
  hour: number;
  supplier: string;
  clinical: number;
  admin: number;
  other: number;
}

/** Minutes of [from, to) that are open for a kind of submission, given the day's opening and closures. */
function openMinutes(from: number, to: number, open: { from: number; to: number }, closures: DemoClosure[], kind: "clinical" | "admin"): number {
  let n = 0;
  for (let m = Math.max(from, open.from); m < Math.min(to, open.to); m++) {
    if (!closures.some((c) => m >= c.from && m < c.to && (c.category === "all" || c.category === kind))) n++;
  }
  return n;
}

/** Per-practice demand level (some practices attract more online requests than others), mean about 1. */
function practiceLevel(code: string): number {
  const random = createRandom(hashSeed(`level:${code}`));
  return Math.exp(random.normal(-0.03, 0.25));
}

/** Seasonal factor: busier in winter, quieter in August. */
function seasonal(date: string): number {
  const m = Number(date.slice(5, 7));
  return m === 12 || m <= 2 ? 1.1 : m === 8 ? 0.88 : 1;
}

/** A few practices also take admin requests through a second OC product (rows for two suppliers). */
function secondSupplier(code: string): string | null {
  const n = Number(code.replace(/\D/g, ""));
  if (n % 10 !== 7 || ocSupplierOf(code) === DEMO_OUTAGE.supplier || behaviourOf(code) !== "compliant") return null;
  return DEMO_OC_SUPPLIERS.find((s) => s !== ocSupplierOf(code) && s !== DEMO_OUTAGE.supplier) ?? null;
}

/** One practice's submissions on one date, per hour and supplier (hours with none are left out, as published). */
export function demoSubmissionDay(practice: DemoPractice, date: string, calendar: CoreHoursCalendar, closures: DemoClosure[]): DemoHour[] {
  const code = practice.code;
  if (!calendar.isCoreDay(date)) return [];
  if (behaviourOf(code) === "gaps" && (DEMO_GAP_MONTHS as readonly string[]).includes(date.slice(0, 7))) return [];
  const random = createRandom(hashSeed(`submissions:${code}:${date}`));
  const open = { from: 7 * 60 + 30 + random.int(0, 29), to: 18 * 60 + 45 + random.int(0, 75) };
  const demand = behaviourOf(code) === "daily-cap" ? DAILY_CAP_DEMAND : 1;
  const perDay = (practice.baseListSize * DEMO_RATE_PER_PATIENT_MONTH * 12) / 253;
  const day =
    perDay * demand * practiceLevel(code) * seasonal(date) * (WEEKDAY_FACTOR[dayOfWeek(date)]! / MEAN_WEEKDAY_FACTOR) * Math.exp(random.normal(-0.01, 0.15));
  const second = secondSupplier(code);
  const out: DemoHour[] = [];
  for (let hour = 7; hour <= 19; hour++) {
    const perMinute = (day * HOUR_WEIGHT[hour]!) / TYPICAL_DAY_WEIGHT / 60;
    const clinicalMinutes = openMinutes(hour * 60, hour * 60 + 60, open, closures, "clinical");
    const adminMinutes = openMinutes(hour * 60, hour * 60 + 60, open, closures, "admin");
    const clinical = poisson(random, perMinute * clinicalMinutes * SHARE.clinical);
    const admin = poisson(random, perMinute * adminMinutes * SHARE.admin);
    const other = poisson(random, perMinute * adminMinutes * SHARE.other);
    const moved = second ? Math.round(admin * 0.3) : 0;
    if (clinical + admin - moved + other > 0) out.push({ hour, supplier: ocSupplierOf(code), clinical, admin: admin - moved, other });
    if (moved > 0) out.push({ hour, supplier: second!, clinical: 0, admin: moved, other: 0 });
  }
  return out;
}

const csvField = (s: string | number) => (/[",\n\r]/.test(String(s)) ? `"${String(s).replace(/"/g, '""')}"` : String(s));
const pad = (n: number) => String(n).padStart(2, "0");

function zipTo(path: string, members: { name: string; data: string }[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const m of members) zip.addBuffer(Buffer.from(m.data, "utf8"), m.name, { mtime: new Date(Date.UTC(2026, 0, 1)) });
  zip.end();
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.on("close", () => resolve());
    out.on("error", reject);
    zip.outputStream.pipe(out);
  });
}

/** The demo period's months, each with its dates. */
function periodMonths(): { month: string; dates: string[] }[] {
  const out: { month: string; dates: string[] }[] = [];
  for (const date of datesBetween(DEMO_PERIOD.from, DEMO_PERIOD.to)) {
    const month = date.slice(0, 7);
    const last = out.at(-1);
    if (last && last.month === month) last.dates.push(date);
    else out.push({ month, dates: [date] });
  }
  return out;
}

/** `Submissions via OC Systems By Day and Time - March 2026`. */
export function publicationName(month: string): string {
  return `Submissions via OC Systems By Day and Time - ${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

/** Writes the demo's By Day and Time zips (one per month) and imports them. */
export async function seedDemoSubmissions(db: Kysely<Database>, log: (m: string) => void): Promise<void> {
  const calendar = await loadCalendar(db);
  const practices = demoPractices().filter((p) => p.status === "ACTIVE");
  const stored = await closuresFromAvailability(
    db,
    practices.map((p) => p.code),
  );
  const geography = new Map<string, string[]>();
  for (const icb of DEMO_ICBS)
    for (const sub of icb.subIcbs)
      for (const pcn of sub.pcns) geography.set(pcn.code, [pcn.code, pcn.name, sub.code, icb.code, icb.name, DEMO_REGION.code, DEMO_REGION.name]);

  const dir = mkdtempSync(join(tmpdir(), "icb-demo-oc-"));
  let rows = 0;
  let submissions = 0;
  try {
    for (const { month, dates } of periodMonths()) {
      const lines: Record<"north" | "south", string[]> = { north: [BY_DAY_AND_TIME_HEADER], south: [BY_DAY_AND_TIME_HEADER] };
      for (const date of dates) {
        const [y, m, d] = date.split("-");
        const shownDate = `${d}/${m}/${y}`;
        const weekdayName = WEEKDAY_NAMES[dayOfWeek(date)]!;
        for (const p of practices) {
          const closures = [...fixedClosures(p.code, date), ...(stored ? (stored.get(`${p.code}|${date}`) ?? []) : drawnClosures(p.code, date))];
          const place = geography.get(p.pcn)!;
          const region = p.icb === "DEMO1" ? "north" : "south";
          for (const h of demoSubmissionDay(p, date, calendar, closures)) {
            const total = h.clinical + h.admin + h.other;
            lines[region].push(
              [shownDate, weekdayName, `${pad(h.hour)}:00-${pad(h.hour)}:59`, p.code, p.name, h.supplier, ...place, h.clinical, h.admin, h.other, total]
                .map(csvField)
                .join(","),
            );
            rows++;
            submissions += total;
          }
        }
      }
      const name = publicationName(`${month}-01`);
      const path = join(dir, `${name}.zip`);
      await zipTo(path, [
        { name: `${name}_north_regions.csv`, data: lines.north.join("\r\n") + "\r\n" },
        { name: `${name}_south_regions.csv`, data: lines.south.join("\r\n") + "\r\n" },
      ]);
      await importFile(db, ocByDayTimeImporter, path, { actor: "demo-seed", ip: "cli" });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log(
    `Demo: ${submissions.toLocaleString("en-GB")} online consultation submissions by day and time (${rows.toLocaleString("en-GB")} rows, ` +
      `${stored ? "silent when the availability logs say closed" : "closures drawn from the behaviours"})`,
  );
}
