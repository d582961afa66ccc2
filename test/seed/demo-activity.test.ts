/** The demo's monthly demand and capacity files (db/seed/demo-activity.ts), loaded through the real importers after the demo seed. */
import { parse } from "csv-parse/sync";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureTable, type MeasureRow } from "~/services/benchmarks.server";
import { seedDemo } from "../../db/seed/demo";
import {
  DEMO_CBT_PCNS,
  DEMO_ND_NURSES,
  DEMO_OC_RESTATED,
  DEMO_SHARED_PHONE,
  DEMO_SPLIT_CROSSTAB_MONTH,
  demoActivityFiles,
  demoActivityZip,
  demoSecondOcSupplier,
  loadDemoActivityInputs,
  type DemoActivityFile,
  type DemoActivityInputs,
} from "../../db/seed/demo-activity";
import { DEMO_SWITCH_OFF, ocSupplierOf } from "../../db/seed/demo-behaviours";
import { demoPractices } from "../../db/seed/demo-organisations";
import { createTestDatabase, type TestDatabase } from "../support/db";

let t: TestDatabase;
let inputs: DemoActivityInputs;
let files: DemoActivityFile[];
const messages: string[] = [];

/** A month with no restatement, switch-off or gap for the practices checked, and every core day in the demo period. */
const NORMAL_MONTH = "2026-03-01";

beforeAll(async () => {
  t = createTestDatabase();
  // The demo seed ends with the monthly activity; the generator's files are rebuilt here from the same inputs.
  await seedDemo(t.db, { log: (m) => messages.push(m) });
  inputs = await loadDemoActivityInputs(t.db);
  files = demoActivityFiles(inputs);
}, 600_000);

afterAll(async () => {
  await t?.dispose();
});

function file(name: string): DemoActivityFile {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`no generated file ${name}`);
  return f;
}

function records(data: string): Record<string, string>[] {
  return parse(data.replace(/^\uFEFF/, ""), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** A monthly OC publication's values: `code|month|supplier|metric` → VALUE as published. */
function ocValues(name: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of file(name).members) {
    for (const r of records(m.data)) {
      const [d, mo, y] = r.MONTH!.split("/");
      out.set(`${r.GP_CODE}|${y}-${mo}-${d}|${r.SUPPLIER}|${r.METRIC}`, r.VALUE!);
    }
  }
  return out;
}
const AUGUST = "Submissions via OC Systems in General Practice - August 2026.zip";
const NOVEMBER = "Submissions via OC Systems in General Practice - November 2026.zip";

async function table(month: string, measureIds: string[]): Promise<MeasureRow[]> {
  return measureTable(t.db, { month, icb: "DEMO1", measureIds });
}

function row(rows: MeasureRow[], practice: string, measure: string): MeasureRow {
  const r = rows.find((x) => x.practice_code === practice && x.measure_id === measure);
  if (!r) throw new Error(`no ${measure} for ${practice}`);
  return r;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function hourlyTotal(practice: string, month: string): Promise<number> {
  const r = await t.db
    .selectFrom("oc_hourly")
    .select((eb) => eb.fn.sum<number>("total").as("n"))
    .where("practice_code", "=", practice)
    .where("date", ">=", month)
    .where("date", "<", `${month.slice(0, 7)}-32`)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

function ocMonthly(practice: string, month: string) {
  return t.db.selectFrom("oc_monthly").selectAll().where("practice_code", "=", practice).where("month", "=", month).executeTakeFirstOrThrow();
}

describe("the demo's monthly activity", () => {
  it("is loaded through the real importers, file by file, and says how long it took", async () => {
    const logs = await t.db
      .selectFrom("import_log")
      .select(["source", "file_name", "rows_read", "warnings"])
      .where("source", "in", ["oc-submissions", "gpad-practice", "workforce", "cbt"])
      .orderBy("id")
      .execute();
    expect(logs.map((l) => l.file_name)).toEqual(files.map((f) => f.name));
    const count = (source: string) => logs.filter((l) => l.source === source).length;
    // Two OC publications, then 13 calendar months (November 2025 to November 2026) of each of the others.
    expect([count("oc-submissions"), count("gpad-practice"), count("workforce"), count("cbt")]).toEqual([2, 13, 13, 13]);
    expect(logs[0]!.file_name).toBe(AUGUST);
    expect(logs[1]!.file_name).toBe(NOVEMBER);
    // Nothing to warn about but the shared phone account: Mapping.csv agrees with the practice map, rates round, parts add up.
    for (const l of logs.filter((x) => x.source !== "cbt")) expect([l.file_name, l.warnings]).toEqual([l.file_name, "[]"]);
    for (const l of logs.filter((x) => x.source === "cbt")) expect(JSON.parse(l.warnings)).toEqual([expect.objectContaining({ message: expect.stringContaining("Unassigned") })]);

    const message = messages.find((m) => m.startsWith("Demo: monthly activity for 13 months in "));
    expect(message).toMatch(/in \d+\.\d s .*OC submissions [\d,]+ rows in 2 publications .*appointments [\d,]+ rows .*workforce [\d,]+ rows .*telephony [\d,]+ rows/);
  });

  it("puts a daily-cap practice in the top deciles of submissions per appointment and the bottom ones of clinical staff", async () => {
    const rows = await table(NORMAL_MONTH, ["oc_per_appointment", "clinical_fte_per_10000", "appointments_per_1000"]);
    const ratio = row(rows, "DEM005", "oc_per_appointment");
    expect(ratio).toMatchObject({ suppressed: false, of: 102 });
    expect(ratio.decile).toBeGreaterThanOrEqual(8);
    const staff = row(rows, "DEM005", "clinical_fte_per_10000");
    expect(staff).toMatchObject({ suppressed: false, of: 102 });
    expect(staff.decile).toBeLessThanOrEqual(3);
    // Low capacity for its demand: about 320 appointments per 1,000 against about 550 elsewhere.
    expect(row(rows, "DEM005", "appointments_per_1000").value).toBeLessThan(380);
    const others = rows.filter((r) => r.measure_id === "appointments_per_1000" && r.practice_code !== "DEM005").map((r) => r.value!);
    expect(median(others)).toBeGreaterThan(500);
    expect(median(others)).toBeLessThan(620);
  });

  it("gives a switched-off practice ordinary demand before its switch-off, and 0 in the month it was off throughout", async () => {
    for (const month of [NORMAL_MONTH, "2026-05-01"]) {
      expect(month < DEMO_SWITCH_OFF.from).toBe(true);
      const demand = row(await table(month, ["oc_per_1000"]), "DEM007", "oc_per_1000");
      expect(demand.suppressed).toBe(false);
      expect(demand.decile).toBeGreaterThanOrEqual(3);
      expect(demand.decile).toBeLessThanOrEqual(8);
    }
    // June 2026 was switched off throughout: 0 submissions, published as such (not missing).
    expect(await ocMonthly("DEM007", "2026-06-01")).toMatchObject({ total: 0, usage: 0, participation: 1 });
    // July was off for three days only: the month's sum.
    const july = await ocMonthly("DEM007", "2026-07-01");
    expect(july.total).toBe(await hourlyTotal("DEM007", "2026-07-01"));
    expect(july.total).toBeGreaterThan(500);
  });

  it("keeps the later publication for restated months, with the restated values", async () => {
    const august = ocValues(AUGUST);
    const november = ocValues(NOVEMBER);
    const restated = demoPractices().filter((p) => p.status === "ACTIVE" && ocSupplierOf(p.code) === DEMO_OC_RESTATED.supplier);
    expect(restated.length).toBeGreaterThan(30);
    for (const month of DEMO_OC_RESTATED.months) {
      for (const p of restated) {
        const key = `${p.code}|${month}|${DEMO_OC_RESTATED.supplier}|OC_TOTAL_SUBMISSIONS`;
        const stored = await ocMonthly(p.code, month);
        expect([p.code, stored.publication]).toEqual([p.code, "2026-11-01"]);
        // The late returns arrived: the August release had less, the November one has the By Day and Time sum.
        expect(Number(august.get(key))).toBeLessThan(Number(november.get(key)));
        expect(stored.total).toBe(await hourlyTotal(p.code, month));
      }
    }
    // Where nothing was restated the two publications agree.
    const key = `DEM001|${NORMAL_MONTH}|${ocSupplierOf("DEM001")}|OC_TOTAL_SUBMISSIONS`;
    expect(august.get(key)).toBe(november.get(key));
    expect((await ocMonthly("DEM001", NORMAL_MONTH)).total).toBe(Number(november.get(key)));
    // Every stored practice-month with submissions equals the By Day and Time data.
    const mismatched = await sql<{ n: number }>`
      select count(*) as n from oc_monthly o
      where o.total is not null
        and o.total != coalesce((select sum(h.total) from oc_hourly h where h.practice_code = o.practice_code and substr(h.date, 1, 7) = substr(o.month, 1, 7)), 0)`.execute(t.db);
    expect(mismatched.rows[0]!.n).toBe(0);
  });

  it("sums a practice's two suppliers", async () => {
    const code = "DEM037";
    const second = demoSecondOcSupplier(code)!;
    expect(second).not.toBeNull();
    const november = ocValues(NOVEMBER);
    const first = Number(november.get(`${code}|${NORMAL_MONTH}|${ocSupplierOf(code)}|OC_TOTAL_SUBMISSIONS`));
    const other = Number(november.get(`${code}|${NORMAL_MONTH}|${second}|OC_TOTAL_SUBMISSIONS`));
    expect(first).toBeGreaterThan(0);
    expect(other).toBeGreaterThan(0);
    const stored = await ocMonthly(code, NORMAL_MONTH);
    expect(stored).toMatchObject({ suppliers: [ocSupplierOf(code), second].sort().join("|"), total: first + other });
    expect(stored.total).toBe(await hourlyTotal(code, NORMAL_MONTH));
  });

  it("publishes NHS England's own denominator, close to but not the list size, and a gap month as not published", async () => {
    const rows = await t.db
      .selectFrom("oc_monthly as o")
      .innerJoin("list_sizes as l", (j) => j.onRef("l.practice_code", "=", "o.practice_code").onRef("l.month", "=", "o.month"))
      .select(["o.patients_registered", "l.patients"])
      .execute();
    expect(rows.length).toBe(118 * 13);
    for (const r of rows) {
      expect(r.patients_registered).not.toBe(r.patients);
      expect(Math.abs(r.patients_registered! / r.patients - 1)).toBeLessThan(0.05);
    }
    const gap = await ocMonthly("DEM011", "2026-02-01");
    expect(gap).toMatchObject({ total: null, clinical: null, participation: 0 });
    const measure = row(await table("2026-02-01", ["oc_per_1000"]), "DEM011", "oc_per_1000");
    expect(measure.value).toBeNull();
  });

  it("leaves the clinical FTE measures empty, never 0, in the month a practice's nurses are ND", async () => {
    const { practice, month } = DEMO_ND_NURSES;
    const high = file(`GPWPracticeCSV.${month.slice(5, 7)}${month.slice(0, 4)}.zip`).members.find((m) => m.name.includes("High level"))!;
    const nurses = records(high.data).filter((r) => r.PRAC_CODE === practice && r.STAFF_GROUP === "Nurses");
    expect(nurses.length).toBeGreaterThan(0);
    expect(nurses.every((r) => r.VALUE === "ND")).toBe(true);

    const stored = await t.db.selectFrom("workforce_monthly").selectAll().where("practice_code", "=", practice).where("month", "=", month).executeTakeFirstOrThrow();
    expect(stored.nurses_fte).toBeNull();
    expect(stored.gp_fte).toBeGreaterThan(0);
    const rows = await table(month, ["clinical_fte_per_10000", "oc_per_clinical_fte", "oc_per_gp_fte"]);
    expect(row(rows, practice, "clinical_fte_per_10000")).toMatchObject({ numerator: null, value: null, decile: null });
    expect(row(rows, practice, "oc_per_clinical_fte")).toMatchObject({ denominator: null, value: null, decile: null });
    expect(row(rows, practice, "oc_per_gp_fte").value).toBeGreaterThan(0);
    // The month before, the same practice has a value.
    expect(row(await table("2026-04-01", ["clinical_fte_per_10000"]), practice, "clinical_fte_per_10000").value).toBeGreaterThan(8);
  });

  it("keeps the shared phone account's Unassigned calls out of every practice's calls", async () => {
    const unassigned = await t.db.selectFrom("cbt_unassigned").select(["pcn_code", (eb) => eb.fn.sum<number>("value").as("calls")]).groupBy("pcn_code").orderBy("pcn_code").execute();
    const shared = demoPractices().find((p) => p.code === DEMO_SHARED_PHONE[0])!;
    // The shared account with its PCN's geography, and an account NHS England could not map (no geography at all).
    expect(unassigned.map((u) => u.pcn_code)).toEqual(["", shared.pcn]);
    expect(unassigned.every((u) => Number(u.calls) > 0)).toBe(true);

    for (const month of [NORMAL_MONTH, "2026-10-01"]) {
      const calls = (await measureTable(t.db, { month, measureIds: ["calls_per_1000"] })).filter((r) => r.value !== null);
      const codes = calls.map((c) => c.practice_code);
      for (const code of DEMO_SHARED_PHONE) expect(codes).not.toContain(code);
      // Only practices in the PCNs whose telephony takes part have calls.
      const inCbt = demoPractices().filter((p) => p.status === "ACTIVE" && (DEMO_CBT_PCNS as readonly string[]).includes(p.pcn) && !(DEMO_SHARED_PHONE as readonly string[]).includes(p.code));
      expect(codes.sort()).toEqual(inCbt.map((p) => p.code).sort());
      // Each practice's numerator is its own inbound calls, and together they are every attributed call, no Unassigned ones.
      const own = await t.db
        .selectFrom("cbt_calls")
        .select(["practice_code", (eb) => eb.fn.sum<number>("value").as("calls")])
        .where("indicator", "=", "CBT001")
        .where("date", ">=", month)
        .where("date", "<", `${month.slice(0, 7)}-32`)
        .groupBy("practice_code")
        .execute();
      const byCode = new Map(own.map((o) => [o.practice_code, Number(o.calls)]));
      for (const c of calls) expect([c.practice_code, c.numerator]).toEqual([c.practice_code, byCode.get(c.practice_code)]);
      expect(calls.reduce((a, c) => a + c.numerator!, 0)).toBe([...byCode.values()].reduce((a, b) => a + b, 0));
    }
  });

  it("has telephone demand with a Monday morning peak, and more missed calls at a daily-cap practice", async () => {
    const rows = await measureTable(t.db, { month: NORMAL_MONTH, measureIds: ["calls_per_1000", "abandoned_call_share"] });
    const coreDays = inputs.periodCoreDays.filter((d) => d.startsWith(NORMAL_MONTH.slice(0, 7))).length;
    const perDay = median(rows.filter((r) => r.measure_id === "calls_per_1000" && r.value !== null).map((r) => r.value!)) / coreDays;
    expect(perDay).toBeGreaterThan(24);
    expect(perDay).toBeLessThan(32);
    const missed = rows.filter((r) => r.measure_id === "abandoned_call_share" && r.value !== null);
    const dailyCap = missed.find((r) => r.practice_code === "DEM005")!.value!;
    const ordinary = median(missed.filter((r) => r.practice_code !== "DEM005" && r.practice_code !== "DEM112").map((r) => r.value!));
    expect(ordinary).toBeGreaterThan(8);
    expect(ordinary).toBeLessThan(13);
    expect(dailyCap).toBeGreaterThan(17);

    const bands = await sql<{ monday: number; band: string; calls: number }>`
      select strftime('%w', date) = '1' as monday, band, avg(value) as calls from cbt_calls
      where practice_code = 'DEM004' and indicator = 'CBT001' and date like '2026-%' group by monday, band`.execute(t.db);
    const at = (monday: number, band: string) => bands.rows.find((b) => b.monday === monday && b.band === band)!.calls;
    expect(at(1, "08:00-09:59")).toBeGreaterThan(1.3 * at(0, "08:00-09:59"));
    for (const b of bands.rows) if (b.band !== "08:00-09:59") expect(at(1, "08:00-09:59")).toBeGreaterThan(b.calls);
  });

  it("writes the published layouts: regional crosstab split, both video labels, the workforce zip's two members, CBT members by region", async () => {
    expect(DEMO_SPLIT_CROSSTAB_MONTH).toBe("2026-10-01");
    const split = file("Practice_Level_Crosstab_Oct_26.zip");
    expect(split.members.map((m) => m.name)).toEqual([
      "Practice_Level_Crosstab_London_East_South_Oct_26.csv",
      "Practice_Level_Crosstab_Midlands_North_Oct_26.csv",
      "Mapping.csv",
    ]);
    const modes = (name: string) => new Set(records(file(name).members[0]!.data).map((r) => r.APPT_MODE));
    expect(modes("Practice_Level_Crosstab_Mar_26.zip")).toContain("Video Conference/Online");
    expect(modes("Practice_Level_Crosstab_Mar_26.zip")).not.toContain("Video/Online");
    expect(modes("Practice_Level_Crosstab_May_26.zip")).toContain("Video/Online");
    const categories = new Set(files.filter((f) => f.source === "gpad-practice").flatMap((f) => f.members.filter((m) => m.name !== "Mapping.csv").flatMap((m) => records(m.data).map((r) => r.NATIONAL_CATEGORY))));
    expect(categories.size).toBeGreaterThanOrEqual(15);

    const appointments = await t.db.selectFrom("appointments_monthly").selectAll().where("month", "=", DEMO_SPLIT_CROSSTAB_MONTH).execute();
    expect(appointments).toHaveLength(118);
    const share = (k: "same_day" | "face_to_face" | "gp") => appointments.reduce((a, r) => a + r[k], 0) / appointments.reduce((a, r) => a + r.total, 0);
    expect(share("same_day")).toBeCloseTo(0.46, 1);
    expect(share("face_to_face")).toBeCloseTo(0.66, 1);
    expect(share("gp")).toBeCloseTo(0.56, 1);

    const workforce = file("GPWPracticeCSV.032026.zip");
    expect(workforce.members.map((m) => m.name)).toEqual([
      "1 General Practice \u2013 March 2026 Practice Level - Detailed.csv",
      "3 General Practice \u2013 March 2026 Practice Level - High level.csv",
    ]);
    const imported = await t.db.selectFrom("import_log").select("rows_read").where("file_name", "=", workforce.name).executeTakeFirstOrThrow();
    expect(imported.rows_read).toBe(records(workforce.members[1]!.data).length);
    const perTenThousand = await sql<{ gp: number; clinical: number }>`
      select avg(w.gp_fte * 10000.0 / l.patients) as gp, avg((w.gp_fte + w.nurses_fte + w.dpc_fte) * 10000.0 / l.patients) as clinical
      from workforce_monthly w join list_sizes l on l.practice_code = w.practice_code and l.month = w.month where w.month = ${NORMAL_MONTH}`.execute(t.db);
    expect(perTenThousand.rows[0]!.gp).toBeGreaterThan(5.2);
    expect(perTenThousand.rows[0]!.gp).toBeLessThan(6.4);
    expect(perTenThousand.rows[0]!.clinical).toBeGreaterThan(10.5);
    expect(perTenThousand.rows[0]!.clinical).toBeLessThan(13);

    const cbt = file("Cloud_Based_Telephony_By_Day_and_Time_Mar_26.zip");
    expect(cbt.members.map((m) => m.name)).toEqual(["Cloud_Based_Telephony_By_Day_and_Time_Mar_26_DEMOR.csv", "Cloud_Based_Telephony_By_Day_and_Time_Mar_26_Unmapped.csv"]);
    const unmapped = records(cbt.members[1]!.data);
    expect(unmapped.length).toBeGreaterThan(0);
    expect(unmapped.every((r) => r.PRACTICE_CODE === "Unassigned" && r.REGION_CODE === "")).toBe(true);
  });

  it("is the same on every run", async () => {
    const again = demoActivityFiles(await loadDemoActivityInputs(t.db));
    expect(again.map((f) => f.name)).toEqual(files.map((f) => f.name));
    for (const [i, f] of again.entries()) {
      expect(f.members).toEqual(files[i]!.members);
      expect((await demoActivityZip(f)).equals(await demoActivityZip(files[i]!))).toBe(true);
    }
  });
});
