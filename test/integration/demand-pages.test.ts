/**
 * The demand pages and the can't/won't classification, on a crafted ICB whose figures are imported through the
 * real importers in the published layouts, so that every number below is worked out by hand.
 *
 * ICB X (DEMO1) has six practices in two PCNs; ICB Y (DEMO2) has DEM110. March 2026 has 22 core days (13,860 core
 * minutes; Good Friday is 3 April).
 *
 *            list   OC subs (admin)  appts  GP+N+DPC FTE   calls in / missed   availability in March
 *   DEM001  10,000  1,500 (450)      1,000  2+1+1 = 4     2,000 / 500        closed 13:00–14:00 on 3, 4, 5 Mar: flagged
 *   DEM002   8,000    400 (40)         800  6+2+2 = 10    1,600 / 80         closed 14:00–16:00 on 9, 10, 11 Mar: flagged
 *   DEM003   6,000    600 (120)        600  3+1+1 = 5     1,000 / 100        data for 2–6 Mar only (77.3% no data)
 *   DEM004  12,000  1,200 (240)      1,500  8+2+2 = 12    2,400 / 240        open throughout
 *   DEM005   5,000    450 (45)         150  3+1+0.5       80 / 8            closed 09:00–09:45 on 16, 17, 18 Mar: flagged
 *   DEM006   9,000    810 (162)      1,000  5+2+1 = 8     1,800 / 270        open throughout
 *   DEM110   7,000  2,100 (420)        700  4+1+1 = 6     1,400 / 140        (other ICB) none
 *
 * Half of each practice's appointments are same day. DEM005's 150 appointments (under the 200 that
 * submissions per appointment and the same-day share need) and 80 calls (under 100) are low counts: shown, not
 * ranked. Submissions by day and time (hour 10, weekdays) exist for DEM001 and DEM002 from 5 January: 20 a day,
 * and DEM001 40 a day in March (a surge from the week of 2 March).
 *
 * With six ranked values the deciles are 1, 2, 4, 6, 7 and 9 (by how many are lower: 0…5); with five, 1, 3, 5, 7, 9.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { importFile } from "../../importers/core/run";
import { importers, type ImporterName } from "../../importers/index";
import { addDays, weekday } from "~/domain/calendar";
import { startTestApp, type TestApp } from "../support/app";
import { mainText, parseCsv, rowOf, table, textOf } from "../support/html";
import { seedSmallWorld } from "../support/small-world";

const NAMES: Record<string, string> = {
  DEM001: "NORTHGATE HEALTH CENTRE",
  DEM002: "ELM TREE SURGERY",
  DEM003: "BROOKSIDE SURGERY",
  DEM004: "HILLTOP MEDICAL CENTRE",
  DEM005: "RIVERSIDE PRACTICE",
  DEM006: "MEADOW LANE SURGERY",
  DEM110: "VALE MEDICAL PRACTICE",
};
const PCN: Record<string, string> = { DEM001: "DEMPCN01", DEM002: "DEMPCN01", DEM003: "DEMPCN01", DEM004: "DEMPCN02", DEM005: "DEMPCN02", DEM006: "DEMPCN02" };

interface Crafted {
  list: number;
  oc: number;
  admin: number;
  appts: number;
  fte: [number, number, number];
  calls: number;
  missed: number;
}
const CRAFTED: Record<string, Crafted> = {
  DEM001: { list: 10000, oc: 1500, admin: 450, appts: 1000, fte: [2, 1, 1], calls: 2000, missed: 500 },
  DEM002: { list: 8000, oc: 400, admin: 40, appts: 800, fte: [6, 2, 2], calls: 1600, missed: 80 },
  DEM003: { list: 6000, oc: 600, admin: 120, appts: 600, fte: [3, 1, 1], calls: 1000, missed: 100 },
  DEM004: { list: 12000, oc: 1200, admin: 240, appts: 1500, fte: [8, 2, 2], calls: 2400, missed: 240 },
  DEM005: { list: 5000, oc: 450, admin: 45, appts: 150, fte: [3, 1, 0.5], calls: 80, missed: 8 },
  DEM006: { list: 9000, oc: 810, admin: 162, appts: 1000, fte: [5, 2, 1], calls: 1800, missed: 270 },
  DEM110: { list: 7000, oc: 2100, admin: 420, appts: 700, fte: [4, 1, 1], calls: 1400, missed: 140 },
};

const AVAILABILITY = `practice_code,start,end,status,category,reason,source
DEM001,2026-03-01 00:00,2026-04-01 00:00,open,all,,acme
DEM001,2026-03-03 13:00,2026-03-03 14:00,closed,all,Too many requests,acme
DEM001,2026-03-04 13:00,2026-03-04 14:00,closed,all,Too many requests,acme
DEM001,2026-03-05 13:00,2026-03-05 14:00,closed,all,Too many requests,acme
DEM002,2026-03-01 00:00,2026-04-01 00:00,open,all,,acme
DEM002,2026-03-09 14:00,2026-03-09 16:00,closed,all,,acme
DEM002,2026-03-10 14:00,2026-03-10 16:00,closed,all,,acme
DEM002,2026-03-11 14:00,2026-03-11 16:00,closed,all,,acme
DEM003,2026-03-02 00:00,2026-03-07 00:00,open,all,,acme
DEM004,2026-03-01 00:00,2026-04-01 00:00,open,all,,acme
DEM005,2026-03-01 00:00,2026-04-01 00:00,open,all,,acme
DEM005,2026-03-16 09:00,2026-03-16 09:45,closed,all,,acme
DEM005,2026-03-17 09:00,2026-03-17 09:45,closed,all,,acme
DEM005,2026-03-18 09:00,2026-03-18 09:45,closed,all,,acme
DEM006,2026-03-01 00:00,2026-04-01 00:00,open,all,,acme
`;

const csvLine = (fields: (string | number)[]) => fields.map((f) => (/[",\n]/.test(String(f)) ? `"${String(f).replace(/"/g, '""')}"` : String(f))).join(",");

function listSizesFile(): string {
  const header = "PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS";
  const lines = Object.entries(CRAFTED).map(([code, c]) => csvLine(["GP_PRAC_PAT_LIST", "2026-03-01", "GP", "DEM01", "E38000999", code, "DM1 1AA", "ALL", "ALL", c.list]));
  return [header, ...lines].join("\n") + "\n";
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** The dated By Day and Time edition: one row a weekday at 10:00 for DEM001 and DEM002, 5 January to 31 March 2026. */
function byDayTimeFile(): string {
  const header =
    "DATE,WEEKDAY,SUBMISSION_TIME,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,CLINICAL,ADMIN,UNKNOWN_OTHER,TOTAL";
  const lines: string[] = [];
  for (let d = "2026-01-05"; d <= "2026-03-31"; d = addDays(d, 1)) {
    const wd = weekday(d);
    if (wd === 0 || wd === 6) continue;
    for (const code of ["DEM001", "DEM002"]) {
      const n = code === "DEM001" && d >= "2026-03-01" ? 40 : 20;
      lines.push(csvLine([d, DAY_NAMES[wd]!, "10:00-10:59", code, NAMES[code]!, "Acme", PCN[code]!, "PCN", "DEM01", "DEMO1", "ICB", "DEMOR", "Region", n, 0, 0, n]));
    }
  }
  return [header, ...lines].join("\r\n") + "\r\n";
}

/** Submissions via OC Systems, the long layout: nine metric lines per practice, month and supplier. */
function ocSubmissionsFile(): string {
  const header =
    "MONTH,GP_CODE,GP_NAME,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,SUPPLIER,METRIC,VALUE";
  const lines: string[] = [];
  for (const [code, c] of Object.entries(CRAFTED)) {
    const icb = code === "DEM110" ? "DEMO2" : "DEMO1";
    const geo = [code, NAMES[code]!, PCN[code] ?? "DEMPCN09", "A PCN", "DEM01", "A sub-ICB", icb, "An ICB", "DEMOR", "Demo Region", "Acme Online"];
    const metrics: [string, number | string][] = [
      ["OC_CAPABILITY", 1],
      ["OC_PARTICIPATION", 1],
      ["OC_SYSTEM_USAGE", 1],
      ["OC_TOTAL_SUBMISSIONS", c.oc],
      ["OC_SUBMISSION_TYPE_CLINICAL", c.oc - c.admin],
      ["OC_SUBMISSION_TYPE_ADMIN", c.admin],
      ["OC_SUBMISSION_TYPE_OTHER", 0],
      ["PATIENTS_REGISTERED", c.list],
      ["OC_RATE_PER_1000_REGISTERED_PATIENTS", ((1000 * c.oc) / c.list).toFixed(1)],
    ];
    for (const [metric, value] of metrics) lines.push(csvLine(["01/03/2026", ...geo, metric, value]));
  }
  return [header, ...lines].join("\r\n") + "\r\n";
}

/** Appointments in General Practice, the practice-level crosstab: half same day, half the next day. */
function appointmentsFile(): string {
  const header =
    "APPOINTMENT_MONTH_START_DATE,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,HCP_TYPE,APPT_MODE,NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS,APPT_STATUS";
  const lines: string[] = [];
  for (const [code, c] of Object.entries(CRAFTED)) {
    for (const lead of ["Same Day", "1 Day"]) {
      lines.push(
        csvLine(["01MAR2026", code, NAMES[code]!, "EMIS", PCN[code] ?? "DEMPCN09", "A PCN", "DEM01", "A sub-ICB", "GP", "Face-to-Face", "General Consultation Routine", lead, c.appts / 2, "Attended"]),
      );
    }
  }
  return [header, ...lines].join("\r\n") + "\r\n";
}

/** General Practice Workforce, the high-level (long) file: FTE and headcount Totals per staff group. */
function workforceFile(): string {
  const lines = ["PRAC_CODE,PRAC_NAME,STAFF_GROUP,DETAILED_STAFF_ROLE,MEASURE,VALUE"];
  for (const [code, c] of Object.entries(CRAFTED)) {
    ["GP", "Nurses", "Direct Patient Care"].forEach((group, i) => {
      lines.push(csvLine([code, NAMES[code]!, group, "Total", "FTE", c.fte[i]!]), csvLine([code, NAMES[code]!, group, "Total", "Headcount", Math.ceil(c.fte[i]!)]));
    });
  }
  return "\uFEFF" + lines.join("\r\n") + "\r\n";
}

/** Cloud Based Telephony by day and time: DEM001's calls on two days in two bands; everyone else's on 2 March. */
function callsFile(): string {
  const lines = ["Date,REGION_CODE,ICB_CODE,SUB_ICB_LOCATION_CODE,PCN_CODE,PRACTICE_CODE,Indicator,Time_Category,Value"];
  for (const [code, c] of Object.entries(CRAFTED)) {
    const geo = ["DEMOR", code === "DEM110" ? "DEMO2" : "DEMO1", "DEM01", PCN[code] ?? "DEMPCN09", code];
    if (code === "DEM001") {
      lines.push(csvLine(["2026-03-02", ...geo, "CBT001", "08:00-09:59", 1200]), csvLine(["2026-03-03", ...geo, "CBT001", "10:00-11:59", 800]));
    } else {
      lines.push(csvLine(["2026-03-02", ...geo, "CBT001", "08:00-09:59", c.calls]));
    }
    lines.push(csvLine(["2026-03-02", ...geo, "CBT004", "08:00-09:59", c.missed]));
  }
  return lines.join("\r\n") + "\r\n";
}

let app: TestApp;
let dir: string;
let commissioner: string;
let manager: string;
let admin: string;

async function load(name: ImporterName, fileName: string, content: string, options?: Record<string, string>) {
  const path = join(dir, fileName);
  writeFileSync(path, content);
  const result = await importFile(app.open.db, importers[name], path, { actor: "test", options });
  expect(result.status, fileName).toBe("imported");
}

beforeAll(async () => {
  app = await startTestApp();
  const { db } = app.open;
  await seedSmallWorld(db);
  const now = new Date().toISOString();
  await db
    .insertInto("pcns")
    .values([
      { code: "DEMPCN01", name: "DEMO NORTH PCN", sub_icb_code: null, is_demo: 1, updated_at: now },
      { code: "DEMPCN02", name: "DEMO SOUTH PCN", sub_icb_code: null, is_demo: 1, updated_at: now },
    ])
    .execute();
  const base = { address_line1: null, address_line2: null, address_line3: null, address_line4: null, address_line5: null, phone: null };
  await db
    .insertInto("practices")
    .values(
      ["DEM003", "DEM004", "DEM005", "DEM006"].map((code, i) => ({
        ...base,
        ods_code: code,
        name: NAMES[code]!,
        postcode: `DM2 ${i}AB`,
        status: "active" as const,
        open_date: null,
        close_date: null,
        region_code: "DEMOR",
        icb_code: "DEMO1",
        sub_icb_code: null,
        pcn_code: PCN[code]!,
        contract_type: null,
        source: "test",
        is_demo: 1,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  for (const code of ["DEM001", "DEM002"]) await db.updateTable("practices").set({ pcn_code: PCN[code]! }).where("ods_code", "=", code).execute();

  dir = mkdtempSync(join(tmpdir(), "icb-demand-pages-"));
  await load("availability", "availability-march.csv", AVAILABILITY);
  await load("list-sizes", "gp-reg-pat-prac-all-2026-03.csv", listSizesFile());
  await load("oc-by-day-time", "Submissions via OC Systems By Day and Time - March 2026.csv", byDayTimeFile());
  await load("oc-submissions", "Submissions via OC Systems in General Practice - March 2026.csv", ocSubmissionsFile());
  await load("gpad-practice", "Practice_Level_Crosstab_Mar_26.csv", appointmentsFile());
  await load("workforce", "GPWPracticeCSV.032026.csv", workforceFile());
  await load("cbt", "Cloud_Based_Telephony_By_Day_and_Time_Mar_26.csv", callsFile());

  commissioner = await app.signIn("commissioner@demo.example", DEMO_PASSWORD);
  manager = await app.signIn("manager.dem001@demo.example", DEMO_PASSWORD);
  admin = await app.signIn("admin@demo.example", DEMO_PASSWORD);
});

afterAll(async () => {
  await app?.open.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function page(path: string, cookie: string): Promise<string> {
  const res = await app.fetch(path, { cookie });
  expect(res.status, path).toBe(200);
  return res.text();
}

async function csv(path: string, cookie: string): Promise<{ rows: string[][]; disposition: string | null }> {
  const res = await app.fetch(path, { cookie });
  expect(res.status, path).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
  return { rows: parseCsv(await res.text()), disposition: res.headers.get("content-disposition") };
}

/** A shown cell as the CSV holds it: no "Demo data" tag, figures without thousands separators. */
function asData(cell: string): string {
  return cell.replace(/ Demo data$/, "").replace(/^(-?[\d,]+(?:\.\d+)?)$/, (_, n: string) => String(Number(n.replace(/,/g, ""))));
}

const ICB_CAPTION = "Demand and capacity measures of practices in NHS Demo Shire Integrated Care Board, March 2026";
const T = {
  per1000: "Online consultation submissions per 1,000 registered patients",
  admin: "Admin share of online submissions",
  appts1000: "Appointments per 1,000 registered patients",
  perAppt: "Online submissions per appointment (demand against capacity)",
  perGp: "Online submissions per GP full-time equivalent",
  perClinical: "Online submissions per clinical full-time equivalent",
  fte: "Clinical full-time equivalents per 10,000 registered patients",
  sameDay: "Same-day appointment share",
  morning: "Share of online submissions arriving 08:00–10:00",
  calls: "Inbound calls per 1,000 registered patients",
  missed: "Abandoned (missed) call share",
};
const decile = (title: string) => `${title}: ICB decile`;

/** Value and ICB decile of each measure in a row, as shown. */
function measures(row: Record<string, string>): Record<string, [string, string]> {
  return Object.fromEntries(Object.entries(T).map(([k, title]) => [k, [row[title]!, row[decile(title)]!]]));
}

describe("the ICB demand and capacity page", () => {
  it("shows every measure's value and ICB decile per practice, with low counts marked and not ranked", async () => {
    const html = await page("/icb/DEMO1/demand", commissioner);
    const t = table(html, ICB_CAPTION);
    expect(t.headers.slice(0, 3)).toEqual(["ODS code", "Practice", "PCN"]);
    expect(t.headers.slice(3, 7)).toEqual([T.per1000, decile(T.per1000), T.admin, decile(T.admin)]);
    expect(t.headers).toHaveLength(3 + 2 * 11 + 1);
    expect(t.headers.at(-1)).toBe("Suggested approach");
    expect(t.rows.map((r) => r[0])).toEqual(["DEM001", "DEM002", "DEM003", "DEM004", "DEM005", "DEM006"]);

    expect(measures(rowOf(t, "DEM001"))).toEqual({
      per1000: ["150.0", "9"],
      admin: ["30.0", "9"],
      appts1000: ["100", "2"],
      perAppt: ["1.50", "9"],
      perGp: ["750", "9"],
      perClinical: ["375", "9"],
      fte: ["4.0", "1"],
      sameDay: ["50.0", "1"],
      morning: ["0.0", "1"],
      calls: ["200", "4"],
      missed: ["25.0", "9"],
    });
    expect(measures(rowOf(t, "DEM002"))).toEqual({
      per1000: ["50.0", "1"],
      admin: ["10.0", "1"],
      appts1000: ["100", "2"],
      perAppt: ["0.50", "1"],
      perGp: ["67", "1"],
      perClinical: ["40", "1"],
      fte: ["12.5", "9"],
      sameDay: ["50.0", "1"],
      morning: ["0.0", "1"],
      calls: ["200", "4"],
      missed: ["5.0", "1"],
    });
    // 150 appointments and 80 calls: shown, marked, not ranked (and the others ranked among five).
    expect(measures(rowOf(t, "DEM005"))).toEqual({
      per1000: ["90.0", "2"],
      admin: ["10.0", "1"],
      appts1000: ["30", "1"],
      perAppt: ["3.00", "low count"],
      perGp: ["150", "2"],
      perClinical: ["100", "2"],
      fte: ["9.0", "6"],
      sameDay: ["50.0", "low count"],
      morning: ["", ""],
      calls: ["16", "1"],
      missed: ["10.0", "low count"],
    });
    expect(rowOf(t, "DEM006")[T.perAppt]).toBe("0.81");
    expect(rowOf(t, "DEM006")[decile(T.perAppt)]).toBe("5");
    expect(rowOf(t, "DEM004")[decile(T.perAppt)]).toBe("3");
    expect(rowOf(t, "DEM003")[decile(T.perAppt)]).toBe("7");
    expect(rowOf(t, "DEM003")[decile(T.missed)]).toBe("3");
    expect(rowOf(t, "DEM006")[decile(T.missed)]).toBe("7");
    expect(rowOf(t, "DEM004")[T.appts1000]).toBe("125");
    expect(rowOf(t, "DEM006")[T.appts1000]).toBe("111");
    expect(rowOf(t, "DEM006")[decile(T.appts1000)]).toBe("7");
    expect(html).toContain('class="app-low-count">low count</span>');
    // The other ICB's practice is not here.
    expect(html).not.toContain("DEM110");
    expect(html).not.toContain(NAMES.DEM110);
  });

  it("gives each practice its suggested approach, with counts", async () => {
    const html = await page("/icb/DEMO1/demand?month=2026-03", commissioner);
    const t = table(html, ICB_CAPTION);
    expect(Object.fromEntries(t.rows.map((r) => [r[0], r.at(-1)]))).toEqual({
      DEM001: "Capacity pressure",
      DEM002: "Closures without evident pressure",
      DEM003: "Not enough data",
      DEM004: "Compliant",
      DEM005: "Closures without evident pressure",
      DEM006: "Compliant",
    });
    const text = mainText(html);
    expect(text).toContain("1 Capacity pressure: offer support first");
    expect(text).toContain("2 Closures without evident pressure: contract conversation");
    expect(text).toContain("2 Compliant: no action suggested");
    expect(text).toContain("1 Not enough data: get the data before judging");
    expect(text).toContain("This is a suggestion from the figures; a person decides.");
    expect(text).toContain("Showing March 2026: 6 of 6 practices have figures.");
  });

  it("defines every measure above the table: meaning, why, numerator, denominator, unit, direction, caveats", async () => {
    const html = await page("/icb/DEMO1/demand", commissioner);
    const details = /<details[^>]*data-testid="definition-oc_per_appointment"[\s\S]*?<\/details>/.exec(html)?.[0] ?? "";
    const text = textOf(details);
    expect(text).toContain(T.perAppt);
    expect(text).toContain("Online consultation submissions in the month divided by appointments recorded in the month.");
    expect(text).toContain("Why it matters: The ratio of online demand to delivered capacity");
    expect(text).toContain("Numerator OC_TOTAL_SUBMISSIONS, summed over suppliers");
    expect(text).toContain("Denominator COUNT_OF_APPOINTMENTS, all rows");
    expect(text).toContain("Unit submissions per appointment");
    expect(text).toContain("Direction Lower is better.");
    expect(text).toContain("Not ranked below a denominator of 200: the value is shown, marked “low count”, and given no decile.");
    expect(text).toContain("Caveats Both counts have incomplete coverage");
    expect(html.match(/data-testid="definition-/g)).toHaveLength(11);
  });

  it("sorts by any measure and filters by PCN and by suggested approach, the CSV holding exactly what is shown", async () => {
    const query = "month=2026-03&sort=oc_per_1000&dir=desc";
    const shown = table(await page(`/icb/DEMO1/demand?${query}`, commissioner), ICB_CAPTION);
    // 150, then 100 (DEM003, DEM004 by code), 90 (DEM005, DEM006), 50.
    expect(shown.rows.map((r) => r[0])).toEqual(["DEM001", "DEM003", "DEM004", "DEM005", "DEM006", "DEM002"]);
    const { rows, disposition } = await csv(`/icb/DEMO1/demand?${query}&format=csv`, commissioner);
    expect(disposition).toBe('attachment; filename="DEMO1-demand-2026-03.csv"');
    expect(rows[0]).toEqual(shown.headers);
    expect(rows.slice(1)).toEqual(shown.rows.map((r) => r.map(asData)));
    const dem005 = Object.fromEntries(rows[0]!.map((h, i) => [h, rows.find((r) => r[0] === "DEM005")![i]]));
    expect(dem005[T.perAppt]).toBe("3");
    expect(dem005[decile(T.perAppt)]).toBe("low count");
    expect(dem005[T.morning]).toBe("");
    expect(dem005["Suggested approach"]).toBe("Closures without evident pressure");

    const south = table(await page("/icb/DEMO1/demand?month=2026-03&pcn=DEMPCN02", commissioner), ICB_CAPTION);
    expect(south.rows.map((r) => r[0])).toEqual(["DEM004", "DEM005", "DEM006"]);
    expect(new Set(south.rows.map((r) => r[2]))).toEqual(new Set(["DEMO SOUTH PCN"]));

    const pressure = await page("/icb/DEMO1/demand?month=2026-03&approach=capacity_pressure", commissioner);
    expect(table(pressure, ICB_CAPTION).rows.map((r) => r[0])).toEqual(["DEM001"]);
    const filtered = await csv("/icb/DEMO1/demand?month=2026-03&pcn=DEMPCN01&approach=no_evident_pressure&format=csv", commissioner);
    expect(filtered.disposition).toBe('attachment; filename="DEMO1-demand-2026-03-DEMPCN01-no_evident_pressure.csv"');
    expect(filtered.rows.slice(1).map((r) => r[0])).toEqual(["DEM002"]);
  });

  it("says when a month has no figures, and refuses a badly written month with a message", async () => {
    const empty = await page("/icb/DEMO1/demand?month=2025-06", commissioner);
    expect(table(empty, "Demand and capacity measures of practices in NHS Demo Shire Integrated Care Board, June 2025").rows.every((r) => r[3] === "")).toBe(true);
    const wrong = mainText(await page("/icb/DEMO1/demand?month=March", commissioner));
    expect(wrong).toContain("There is a problem");
    expect(wrong).toContain("Enter the month as a month like 2026-03");
    expect(wrong).toContain("Showing March 2026");
    // The other ICB sees only its own practice.
    const vale = await page("/icb/DEMO2/demand", admin);
    expect(table(vale, "Demand and capacity measures of practices in NHS Demo Vale Integrated Care Board, March 2026").rows.map((r) => r[0])).toEqual(["DEM110"]);
  });
});

/** The classification panel's reasons, as read. */
function reasons(html: string): string[] {
  const panel = /<ul[^>]*data-testid="classification-reasons"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? "";
  return [...panel.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => textOf(m[1]!).replace(/^(Compliance|Sign of pressure|No sign of pressure|Data): /, ""));
}

const MARCH = "from=2026-03-01&to=2026-03-31";

describe("the can't/won't classification on the practice pages", () => {
  it("a capacity-pressure practice: the label, the action and every reason with its numbers", async () => {
    for (const path of ["/practices/DEM001/demand?month=2026-03", `/practices/DEM001/compliance?${MARCH}`]) {
      const html = await page(path, commissioner);
      const text = mainText(html);
      expect(text, path).toContain("Suggested approach Capacity pressure Offer support first");
      expect(reasons(html), path).toEqual([
        "Flagged under the ICB's policy: 3 flagged days, 180 closed minutes in core hours.",
        "Online submissions per appointment (March 2026): 1.5, decile 9 of 10 among the ICB's practices (decile 8 or above).",
        "Online submissions per 1,000 patients (March 2026): 150, decile 9 of 10 among the ICB's practices (decile 8 or above).",
        "Clinical FTE per 10,000 patients (March 2026): 4, decile 1 of 10 among the ICB's practices (decile 3 or below).",
        "Missed-call share (March 2026): 25, decile 9 of 10 among the ICB's practices (decile 8 or above).",
        "Demand surge against its own baseline: 2026-03-02 to 2026-04-05.",
      ]);
      expect(text, path).toContain("This is a suggestion from the figures; a person decides.");
      expect(text, path).toContain("From the practice's core hours compliance from 1 March 2026 to 31 March 2026");
    }
  });

  it("a practice with closures but no evident pressure", async () => {
    const html = await page("/practices/DEM002/demand?month=2026-03", commissioner);
    expect(mainText(html)).toContain("Suggested approach Closures without evident pressure Contract conversation");
    expect(reasons(html)).toEqual([
      "Flagged under the ICB's policy: 3 flagged days, 360 closed minutes in core hours.",
      "Online submissions per appointment (March 2026): 0.5, decile 1 of 10 among the ICB's practices (not decile 8 or above).",
      "Online submissions per 1,000 patients (March 2026): 50, decile 1 of 10 among the ICB's practices (not decile 8 or above).",
      "Clinical FTE per 10,000 patients (March 2026): 12.5, decile 9 of 10 among the ICB's practices (not decile 3 or below).",
      "Missed-call share (March 2026): 5, decile 1 of 10 among the ICB's practices (not decile 8 or above).",
      "No demand surge against its own baseline in the period.",
    ]);
  });

  it("a practice with not enough availability data, and one that is compliant", async () => {
    const thin = await page("/practices/DEM003/demand?month=2026-03", commissioner);
    expect(mainText(thin)).toContain("Suggested approach Not enough data Get the data before judging");
    expect(reasons(thin)).toEqual(["77.3% of core minutes have no availability data (more than 50.0%)."]);
    const open = await page("/practices/DEM004/demand?month=2026-03", commissioner);
    expect(mainText(open)).toContain("Suggested approach Compliant No action suggested");
    expect(reasons(open)).toEqual(["Not flagged under the ICB's policy (0 closed minutes, 0 flagged days)."]);
  });

  it("lists the figures a flagged practice's classification could not use, and weighs the rest", async () => {
    const html = await page("/practices/DEM005/demand?month=2026-03", commissioner);
    expect(mainText(html)).toContain("Suggested approach Closures without evident pressure Contract conversation");
    expect(reasons(html)).toEqual([
      "Flagged under the ICB's policy: 3 flagged days, 135 closed minutes in core hours.",
      "Online submissions per 1,000 patients (March 2026): 90, decile 2 of 10 among the ICB's practices (not decile 8 or above).",
      "Clinical FTE per 10,000 patients (March 2026): 9, decile 6 of 10 among the ICB's practices (not decile 3 or below).",
    ]);
    const missing = /<ul[^>]*data-testid="classification-missing"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? "";
    expect([...missing.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => textOf(m[1]!))).toEqual([
      "Online submissions per appointment: too few to rank fairly (low count), so not compared.",
      "Missed-call share: too few to rank fairly (low count), so not compared.",
      "Surges: no online submissions by day and time for this practice in the year up to the end of the period.",
    ]);
    // A practice with every figure has nothing to list.
    expect(await page("/practices/DEM002/demand?month=2026-03", commissioner)).not.toContain('data-testid="classification-missing"');
  });
});

describe("the practice demand page", () => {
  it("shows the practice's value, rank and decile among the ICB's practices and all loaded, low counts marked", async () => {
    const html = await page("/practices/DEM001/demand?month=2026-03", commissioner);
    const t = table(html, "Measures in March 2026, with rank and decile");
    expect(t.headers).toEqual([
      "Measure",
      "Value",
      "Unit",
      "Rank among ICB practices",
      "ICB decile",
      "Rank among all practices loaded",
      "All practices loaded decile",
    ]);
    expect(rowOf(t, T.per1000)).toMatchObject({ Value: "150.0", "Rank among ICB practices": "1 of 6", "ICB decile": "9", "Rank among all practices loaded": "2 of 7", "All practices loaded decile": "8" });
    expect(rowOf(t, T.perAppt)).toMatchObject({ Value: "1.50", "Rank among ICB practices": "1 of 5", "ICB decile": "9", "Rank among all practices loaded": "2 of 6", "All practices loaded decile": "7" });
    expect(rowOf(t, T.fte)).toMatchObject({ Value: "4.0", "Rank among ICB practices": "6 of 6", "ICB decile": "1" });

    const low = table(await page("/practices/DEM005/demand?month=2026-03", commissioner), "Measures in March 2026, with rank and decile");
    expect(rowOf(low, T.perAppt)).toEqual({
      Measure: T.perAppt,
      Value: "3.00",
      Unit: "submissions per appointment",
      "Rank among ICB practices": "low count",
      "ICB decile": "not ranked",
      "Rank among all practices loaded": "low count",
      "All practices loaded decile": "not ranked",
    });
    expect(rowOf(low, T.morning)).toMatchObject({ Value: "No value", "ICB decile": "" });
  });

  it("charts each measure against the ICB's and all loaded practices' deciles, with the figures in a table", async () => {
    const html = await page("/practices/DEM001/demand", commissioner);
    const t = table(
      html,
      `${T.per1000} (per 1,000 patients): this practice and the percentiles of the ICB's practices and of all practices loaded, by month`,
    );
    expect(t.headers.slice(0, 3)).toEqual(["Month", "This practice", "The ICB's practices 10th"]);
    expect(t.headers.at(-1)).toBe("All practices loaded 90th");
    // ICB: 50, 90, 90, 100, 100, 150; all: the same and 300 (linear interpolation between ranks).
    expect(t.rows).toEqual([
      ["March 2026", "150.0", "70.0", "90.0", "90.0", "90.0", "95.0", "100.0", "100.0", "100.0", "125.0", "74.0", "90.0", "90.0", "94.0", "100.0", "100.0", "110.0", "140.0", "210.0"],
    ]);
    // Low counts are left out of the deciles: submissions per appointment among DEM001–004 and DEM006.
    const perAppt = table(html, `${T.perAppt} (submissions per appointment): this practice and the percentiles of the ICB's practices and of all practices loaded, by month`);
    expect(perAppt.rows[0]!.slice(0, 3)).toEqual(["March 2026", "1.50", "0.62"]);
    expect(html).toContain('class="app-chart"');
    expect(html).toMatch(/<div class="app-chart" aria-hidden="true">/);
  });

  it("sets demand against capacity over time, with weekday heatmaps of submissions and calls", async () => {
    const html = await page("/practices/DEM001/demand?month=2026-03", commissioner);
    expect(table(html, "Online submissions and appointments by month").rows).toEqual([["March 2026", "1,500", "1,000", "1.50"]]);
    const subs = table(html, "Online consultation submissions by weekday and hour, April 2025 to March 2026");
    expect(subs.headers).toEqual(["Hour", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]);
    expect(subs.rows).toHaveLength(25);
    // 8 weeks at 20 a day from 5 January, then March at 40: Mondays and Tuesdays have five March days, the rest four.
    expect(rowOf(subs, "10:00–10:59")).toEqual({ Hour: "10:00–10:59", Monday: "360", Tuesday: "360", Wednesday: "320", Thursday: "320", Friday: "320", Saturday: "0", Sunday: "0" });
    expect(rowOf(subs, "09:00–09:59").Monday).toBe("0");
    const calls = table(html, "Inbound calls (CBT001) by weekday and 2-hour band, April 2025 to March 2026");
    expect(calls.rows.map((r) => r[0])).toEqual([
      "00:00–05:59",
      "06:00–07:59",
      "08:00–09:59",
      "10:00–11:59",
      "12:00–13:59",
      "14:00–15:59",
      "16:00–17:59",
      "18:00–18:29",
      "18:30–23:59",
      "All day",
    ]);
    expect(rowOf(calls, "08:00–09:59")).toMatchObject({ Monday: "1,200", Tuesday: "0" });
    expect(rowOf(calls, "10:00–11:59")).toMatchObject({ Monday: "0", Tuesday: "800" });
  });

  it("dates the surges CUSUM finds, explains the method, and says when it cannot look", async () => {
    const html = await page("/practices/DEM001/demand?month=2026-03", commissioner);
    const t = table(html, "Surges against the usual level of 100.0 submissions a week (spread 10.0)");
    expect(t.rows).toEqual([["2 March 2026", "2 March 2026", "5 April 2026", "176.0", "38.0"]]);
    const text = mainText(html);
    expect(text).toContain("found with a cumulative sum (CUSUM) over its weekly submissions in the 52 weeks up to 31 March 2026");
    expect(text).toContain("docs/decisions/0011-demand-surges-cusum.md");
    const weeks = table(html, "Online submissions by ISO week, with the CUSUM running total");
    expect(weeks.rows[0]).toEqual(["5 January 2026", "100", "Baseline"]);
    expect(weeks.rows[8]).toEqual(["2 March 2026", "200", "9.50"]);
    expect(weeks.rows.at(-1)).toEqual(["30 March 2026", "80", "35.50"]);

    expect(mainText(await page("/practices/DEM002/demand?month=2026-03", commissioner))).toContain(
      "No surge: weekly submissions stayed near the usual level of 100.0 a week (spread 10.0).",
    );
    expect(mainText(await page("/practices/DEM004/demand?month=2026-03", commissioner))).toContain(
      "No online submissions by day and time have been imported for this practice in that year, so surges cannot be looked for.",
    );
  });

  it("shows a practice manager their own practice against anonymous peers, and nothing of any other practice", async () => {
    for (const path of ["/practices/DEM001/demand", "/practices/DEM001/demand?month=2026-03", `/practices/DEM001/compliance?${MARCH}`]) {
      const html = await page(path, manager);
      expect(html).toContain("NORTHGATE HEALTH CENTRE");
      for (const [code, name] of Object.entries(NAMES)) {
        if (code === "DEM001") continue;
        expect(html, `${path} names ${code}`).not.toContain(code);
        expect(html, `${path} names ${name}`).not.toContain(name);
      }
      for (const pcn of ["DEMPCN02", "DEMO SOUTH PCN"]) expect(html).not.toContain(pcn);
      expect(mainText(html)).toContain("Capacity pressure");
      expect(html).not.toContain("/icb/DEMO1");
    }
    // The manager's menu has Demand; another practice's demand page is not found.
    expect(await page("/practices/DEM001", manager)).toContain('href="/practices/DEM001/demand"');
    expect((await app.fetch("/practices/DEM002/demand", { cookie: manager })).status).toBe(404);
  });
});

describe("the ICB compliance overview", () => {
  const CAPTION = "Core hours compliance of practices in NHS Demo Shire Integrated Care Board";

  it("shows each practice's suggested approach, filters by it, and the CSV holds it", async () => {
    const t = table(await page(`/icb/DEMO1/compliance?${MARCH}&sort=code`, commissioner), CAPTION);
    expect(t.headers.at(-1)).toBe("Suggested approach");
    expect(t.rows.map((r) => [r[0], r.at(-1)])).toEqual([
      ["DEM001", "Capacity pressure"],
      ["DEM002", "Closures without evident pressure"],
      ["DEM003", "Not enough data"],
      ["DEM004", "Compliant"],
      ["DEM005", "Closures without evident pressure"],
      ["DEM006", "Compliant"],
    ]);
    const filtered = table(await page(`/icb/DEMO1/compliance?${MARCH}&approach=no_evident_pressure`, commissioner), CAPTION);
    expect(filtered.rows.map((r) => r[0])).toEqual(["DEM002", "DEM005"]);
    const download = await csv(`/icb/DEMO1/compliance?${MARCH}&approach=no_evident_pressure&format=csv`, commissioner);
    expect(download.disposition).toBe('attachment; filename="DEMO1-compliance-2026-03-01-to-2026-03-31-no_evident_pressure.csv"');
    expect(download.rows[0]!.at(-1)).toBe("Suggested approach");
    expect(download.rows.slice(1).map((r) => [r[0], r.at(-1)])).toEqual([
      ["DEM002", "Closures without evident pressure"],
      ["DEM005", "Closures without evident pressure"],
    ]);
  });
});

describe("the ICB's classification thresholds", () => {
  function save(fields: Record<string, string>, cookie = commissioner) {
    return app.fetch("/icb/DEMO1/settings", {
      method: "POST",
      cookie,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
  }

  it("are saved by the ICB's commissioner, audited, and change the suggestion", async () => {
    const before = await page("/icb/DEMO1/settings", commissioner);
    expect(before).toContain("This ICB uses the default thresholds.");
    expect(before).toMatch(/name="highDecile"[^>]*value="8"/);

    // Only deciles of 10 count as high: DEM001 keeps two signs (low workforce, the surge); three are needed.
    const res = await save({ intent: "classification", maxNoDataShare: "0.5", highDecile: "10", lowWorkforceDecile: "3", minPressureSignals: "3" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/icb/DEMO1/settings?saved=classification");
    try {
      const row = await app.open.db.selectFrom("icb_classification_settings").selectAll().where("icb_code", "=", "DEMO1").executeTakeFirstOrThrow();
      expect(row).toMatchObject({ max_no_data_share: 0.5, high_decile: 10, low_workforce_decile: 3, min_pressure_signals: 3, updated_by: "commissioner@demo.example" });
      const audit = await app.open.db.selectFrom("audit_log").select(["actor", "entity_id", "detail"]).where("action", "=", "classification_settings.updated").execute();
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0]!.detail!)).toEqual({
        before: { maxNoDataShare: 0.5, highDecile: 8, lowWorkforceDecile: 3, minPressureSignals: 2 },
        after: { maxNoDataShare: 0.5, highDecile: 10, lowWorkforceDecile: 3, minPressureSignals: 3 },
      });
      expect(mainText(await page("/icb/DEMO1/settings?saved=classification", commissioner))).toContain("Classification thresholds saved");
      // The policy is untouched.
      expect(await app.open.db.selectFrom("icb_policies").selectAll().execute()).toEqual([]);

      const html = await page("/practices/DEM001/demand?month=2026-03", commissioner);
      expect(mainText(html)).toContain("Suggested approach Closures without evident pressure Contract conversation");
      expect(reasons(html)[1]).toBe(
        "Online submissions per appointment (March 2026): 1.5, decile 9 of 10 among the ICB's practices (not decile 10 or above).",
      );
      const overview = table(await page("/icb/DEMO1/demand?month=2026-03", commissioner), ICB_CAPTION);
      expect(rowOf(overview, "DEM001")["Suggested approach"]).toBe("Closures without evident pressure");
    } finally {
      await app.open.db.deleteFrom("icb_classification_settings").execute();
    }
  });

  it("refuses values outside the rules with messages, changing nothing, and leaves the policy form working", async () => {
    const res = await save({ intent: "classification", maxNoDataShare: "", highDecile: "11", lowWorkforceDecile: "x", minPressureSignals: "0" });
    expect(res.status).toBe(400);
    const text = mainText(await res.text());
    for (const m of ["Enter the no-data share", "Enter a decile from 1 to 10", "Enter the low workforce decile as a number", "At least 1 sign of pressure"]) {
      expect(text).toContain(m);
    }
    expect(await app.open.db.selectFrom("icb_classification_settings").selectAll().execute()).toEqual([]);

    const policy = await save({ intent: "policy", closedMinutesPerDay: "45", flaggedDays: "2", windowDays: "14" });
    expect(policy.headers.get("location")).toBe("/icb/DEMO1/settings?saved=1");
    await app.open.db.deleteFrom("icb_policies").execute();

    // An admin looks but does not change; a practice manager does not see the page.
    expect((await save({ intent: "classification", maxNoDataShare: "0.1", highDecile: "9", lowWorkforceDecile: "2", minPressureSignals: "1" }, admin)).status).toBe(403);
    expect((await save({ intent: "classification", maxNoDataShare: "0.1", highDecile: "9", lowWorkforceDecile: "2", minPressureSignals: "1" }, manager)).status).toBe(404);
    const adminView = mainText(await page("/icb/DEMO1/settings", admin));
    expect(adminView).toContain("Only the ICB's commissioners can change its thresholds.");
    expect(adminView).toContain("High decile 8 (default 8)");
    expect(await app.open.db.selectFrom("icb_classification_settings").selectAll().execute()).toEqual([]);
  });
});
