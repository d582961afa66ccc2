/** The Appointments in General Practice practice-level crosstab importer (gpad-practice), on files built in the published layout. */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { expectRefused, expectUnchanged, fixtureText, MAPPING_HEADER, rows, runImport, TempDir } from "../importers/helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

/** The published header (data-formats.md 2a), in the published order. */
const HEADER =
  "APPOINTMENT_MONTH_START_DATE,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,HCP_TYPE,APPT_MODE,NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS,APPT_STATUS";

/** GP_NAME, SUPPLIER, PCN_CODE, PCN_NAME, SUB_ICB_LOCATION_CODE, SUB_ICB_LOCATION_NAME as the crosstab repeats them. */
const PRACTICE: Record<string, string[]> = {
  A81001: ["THE DENSHAM SURGERY", "TPP", "U89141", "STOCKTON PCN", "16C", "NHS North East and North Cumbria ICB - 16C"],
  A81035: ["NEWLANDS MEDICAL CENTRE", "EMIS", "U02671", "GREATER MIDDLESBROUGH PCN", "16C", "NHS North East and North Cumbria ICB - 16C"],
  A82003: ["ULVERSTON MEDICAL PRACTICE", "EMIS", "U25520", "MID FURNESS PCN", "01K", "NHS Lancashire and South Cumbria ICB - 01K"],
  F83004: ["SMITH, JONES AND PARTNERS", "EMIS", "U44001", "CAMDEN CENTRAL PCN", "93C", "NHS North Central London ICB - 93C"],
};

interface Appt {
  month?: string;
  code: string;
  hcp: string;
  mode: string;
  category?: string;
  lead: string;
  count: number | string;
  status: string;
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One crosstab line in the published column order. */
function line(a: Appt): string {
  return [
    a.month ?? "01FEB2026",
    a.code,
    ...PRACTICE[a.code]!,
    a.hcp,
    a.mode,
    a.category ?? "General Consultation Routine",
    a.lead,
    String(a.count),
    a.status,
  ]
    .map(csvField)
    .join(",");
}

function crosstab(appts: Appt[], header = HEADER): string {
  return [header, ...appts.map(line)].join("\r\n") + "\r\n";
}

/**
 * A81001 in February 2026: every status, staff type, mode and lead time, both video labels, the double-spaced
 * bands and their single-spaced forms, both unknown lead-time labels, and labels with stray spaces.
 */
const A81001_FEB: Appt[] = [
  { code: "A81001", hcp: "GP", mode: "Face-to-Face", lead: "Same Day", count: 100, status: "Attended" },
  { code: "A81001", hcp: "GP", mode: "Telephone", category: "General Consultation Acute", lead: "1 Day", count: 40, status: "Attended" },
  { code: "A81001", hcp: "Other Practice staff", mode: "Video/Online", category: "Clinical Triage", lead: "2 to 7 Days", count: 30, status: "DNA" },
  { code: "A81001", hcp: "Other Practice staff", mode: "Video Conference/Online", category: "Clinical Triage", lead: "8  to 14 Days", count: 20, status: "Attended" },
  { code: "A81001", hcp: "Unknown", mode: "Home Visit", category: "Home Visit", lead: "15  to 21 Days", count: 5, status: "Unknown" },
  { code: "A81001", hcp: "GP", mode: "Unknown", category: "Planned Clinics", lead: "22 to 28 Days", count: 6, status: "Attended" },
  { code: "A81001", hcp: "GP", mode: "Face-to-Face", category: "Planned Clinics", lead: "More than 28 Days", count: 7, status: "DNA" },
  { code: "A81001", hcp: "GP", mode: "Face-to-Face", category: "Unmapped", lead: "Unknown / Data Quality", count: 3, status: "Attended" },
  { code: "A81001", hcp: "GP", mode: "Telephone", category: "Unmapped", lead: "Unknown / Data Issue", count: 2, status: "Attended" },
  { code: "A81001", hcp: "Other Practice staff", mode: "Face-to-Face", category: "Planned Clinics", lead: "8 to 14 Days", count: 10, status: "Attended" },
  { code: "A81001", hcp: " Other   Practice staff", mode: "Telephone ", lead: "15 to 21  Days", count: 4, status: " DNA" },
];

/** What A81001's February rows sum to. */
const A81001_FEB_ROW = {
  practice_code: "A81001",
  month: "2026-02-01",
  total: 227,
  attended: 181,
  dna: 41,
  status_unknown: 5,
  gp: 158,
  other_staff: 64,
  staff_unknown: 5,
  face_to_face: 120,
  telephone: 46,
  home_visit: 5,
  video_online: 50,
  mode_unknown: 6,
  same_day: 100,
  next_day: 40,
  days_2_to_7: 30,
  days_8_to_14: 30,
  days_15_to_21: 9,
  days_22_to_28: 6,
  days_over_28: 7,
  lead_unknown: 5,
};

const A82003_FEB: Appt[] = [
  { code: "A82003", hcp: "GP", mode: "Face-to-Face", lead: "Same Day", count: 50, status: "Attended" },
  { code: "A82003", hcp: "GP", mode: "Telephone", lead: "1 Day", count: 25, status: "DNA" },
];

/** A practice-month row with everything zero but what is given. */
function appointments(values: Partial<typeof A81001_FEB_ROW> & { practice_code: string; month: string; total: number }) {
  const zero = Object.fromEntries(Object.keys(A81001_FEB_ROW).map((k) => [k, 0]));
  return { ...zero, ...values };
}

const A82003_FEB_ROW = appointments({
  practice_code: "A82003",
  month: "2026-02-01",
  total: 75,
  attended: 50,
  dna: 25,
  gp: 75,
  face_to_face: 50,
  telephone: 25,
  same_day: 50,
  next_day: 25,
});

function storedAppointments(): Record<string, unknown>[] {
  return rows(t, "appointments_monthly", "practice_code, month").map(({ import_id: _importId, ...r }) => r);
}

const DIMENSIONS = [
  ["attended", "dna", "status_unknown"],
  ["gp", "other_staff", "staff_unknown"],
  ["face_to_face", "telephone", "home_visit", "video_online", "mode_unknown"],
  ["same_day", "next_day", "days_2_to_7", "days_8_to_14", "days_15_to_21", "days_22_to_28", "days_over_28", "lead_unknown"],
];

async function measure(id: string, practice: string, month: string) {
  return t.db
    .selectFrom("measure_values")
    .select(["numerator", "denominator", "value"])
    .where("measure_id", "=", id)
    .where("practice_code", "=", practice)
    .where("month", "=", month)
    .executeTakeFirst();
}

const MAPPING = fixtureText("gpad-Mapping.csv");
const MAPPING_ROWS = MAPPING.trimEnd().split("\n").slice(1);

describe("gpad-practice: the crosstab as published", () => {
  it("sums a plain crosstab CSV per practice and month, by status, staff type, mode and lead time", async () => {
    const path = tmp.write("Practice_Level_Crosstab_Feb_26.csv", crosstab([...A81001_FEB, ...A82003_FEB]));
    const result = await runImport(t, "gpad-practice", path);
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 13, inserted: 2, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toEqual([
      { message: "Appointments kept for practices not in the practice data (import epraccur or the practice map to name them)", count: 2 },
    ]);
    expect(storedAppointments()).toEqual([A81001_FEB_ROW, A82003_FEB_ROW]);
    // Each dimension's columns add up to the total.
    for (const r of storedAppointments()) for (const columns of DIMENSIONS) expect(columns.reduce((s, c) => s + (r[c] as number), 0)).toBe(r.total);
    const log = rows(t, "import_log", "id");
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ source: "gpad-practice", file_name: "Practice_Level_Crosstab_Feb_26.csv", rows_read: 13, rows_inserted: 2 });
    expect(rows(t, "appointments_monthly", "practice_code").map((r) => r.import_id)).toEqual([log[0]!.id, log[0]!.id]);
  });

  it("loads every regional member of a split month and applies the zip's Mapping.csv", async () => {
    const south = crosstab([...A81001_FEB.slice(0, 6), { code: "F83004", hcp: "GP", mode: "Telephone", lead: "Same Day", count: 12, status: "Attended" }]);
    const north = crosstab([...A81001_FEB.slice(6), ...A82003_FEB]);
    const zip = await tmp.zip("Practice_Level_Crosstab_Oct_25.zip", [
      { name: "Practice_Level_Crosstab_London_East_South_Oct_25.csv", data: south },
      { name: "Practice_Level_Crosstab_Midlands_North_Oct_25.csv", data: north },
      // A81035 is mapped but has no appointments; F83004 has appointments but is not mapped.
      { name: "Mapping.csv", data: MAPPING },
    ]);
    const result = await runImport(t, "gpad-practice", zip);
    expect(result.counts).toEqual({ read: 14, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toEqual([
      { message: "Practices added from Mapping.csv (not yet in the practice data)", count: 3 },
      { message: "Practices with appointments but not in the zip's Mapping.csv", count: 1 },
      { message: "Appointments kept for practices not in the practice data (import epraccur or the practice map to name them)", count: 1 },
    ]);
    expect(storedAppointments()).toEqual([
      A81001_FEB_ROW,
      A82003_FEB_ROW,
      appointments({ practice_code: "F83004", month: "2026-02-01", total: 12, attended: 12, gp: 12, telephone: 12, same_day: 12 }),
    ]);
    expect(
      await t.db
        .selectFrom("practices")
        .select(["ods_code", "name", "pcn_code", "sub_icb_code", "icb_code", "region_code", "status", "source"])
        .orderBy("ods_code")
        .execute(),
    ).toEqual([
      { ods_code: "A81001", name: "THE DENSHAM SURGERY", pcn_code: "U89141", sub_icb_code: "16C", icb_code: "QHM", region_code: "Y63", status: "unknown", source: "practice-map" },
      { ods_code: "A81035", name: "NEWLANDS MEDICAL CENTRE", pcn_code: "U02671", sub_icb_code: "16C", icb_code: "QHM", region_code: "Y63", status: "unknown", source: "practice-map" },
      { ods_code: "A82003", name: "ULVERSTON MEDICAL PRACTICE", pcn_code: "U25520", sub_icb_code: "01K", icb_code: "QE1", region_code: "Y62", status: "unknown", source: "practice-map" },
    ]);
    expect(rows(t, "pcns", "code").map((r) => [r.code, r.name, r.sub_icb_code])).toEqual([
      ["U02671", "GREATER MIDDLESBROUGH PCN", "16C"],
      ["U25520", "MID FURNESS PCN", "01K"],
      ["U89141", "STOCKTON PCN", "16C"],
    ]);
    expect(rows(t, "icbs", "code").map((r) => [r.code, r.region_code])).toEqual([
      ["QE1", "Y62"],
      ["QHM", "Y63"],
    ]);
    expect(rows(t, "regions", "code").map((r) => [r.code, r.name])).toEqual([
      ["Y62", "North West"],
      ["Y63", "North East and Yorkshire"],
    ]);
  });

  it("updates memberships the practice data already has from a later Mapping.csv", async () => {
    await runImport(t, "practice-map", tmp.write("Mapping.csv", MAPPING));
    const moved = MAPPING_ROWS[0]!.replace("U89141,STOCKTON PCN", "U02671,GREATER MIDDLESBROUGH PCN");
    const zip = await tmp.zip("Practice_Level_Crosstab_Feb_26-moved.zip", [
      { name: "Practice_Level_Crosstab_Feb_26.csv", data: crosstab(A81001_FEB) },
      { name: "Mapping.csv", data: [MAPPING_HEADER, moved, ...MAPPING_ROWS.slice(1)].join("\n") + "\n" },
    ]);
    const result = await runImport(t, "gpad-practice", zip);
    expect(result.warnings).toEqual([{ message: "Practice memberships or names updated from Mapping.csv", count: 1 }]);
    const a81001 = await t.db.selectFrom("practices").selectAll().where("ods_code", "=", "A81001").executeTakeFirstOrThrow();
    expect(a81001.pcn_code).toBe("U02671");
    expect(storedAppointments()).toEqual([A81001_FEB_ROW]);
  });

  it("accepts header cells in another order and case, and ISO month dates", async () => {
    const header = "gp_code,COUNT_OF_APPOINTMENTS,APPT_STATUS,HCP_TYPE,APPT_MODE,NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,Appointment_Month_Start_Date";
    const text = [header, "A82003,50,Attended,GP,Face-to-Face,Walk-in,Same Day,2026-02-01", "A82003,25,DNA,GP,Telephone,Walk-in,1 Day,2026-02-01"].join("\n");
    await runImport(t, "gpad-practice", tmp.write("crosstab-reordered.csv", text));
    expect(storedAppointments()).toEqual([A82003_FEB_ROW]);
  });

  it("loads an identical duplicate row once, with a warning, in one member or across members", async () => {
    const zip = await tmp.zip("Practice_Level_Crosstab_Feb_26-dup.zip", [
      { name: "Practice_Level_Crosstab_London_East_South_Feb_26.csv", data: crosstab([...A81001_FEB, A81001_FEB[0]!]) },
      { name: "Practice_Level_Crosstab_Midlands_North_Feb_26.csv", data: crosstab([A81001_FEB[1]!, ...A82003_FEB]) },
    ]);
    const result = await runImport(t, "gpad-practice", zip);
    expect(result.counts).toEqual({ read: 15, inserted: 2, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toContainEqual({
      message: "Duplicate row (identical to an earlier line for the same practice, month and categories) ignored",
      count: 2,
    });
    expect(storedAppointments()).toEqual([A81001_FEB_ROW, A82003_FEB_ROW]);
  });
});

describe("gpad-practice: editions and measures", () => {
  it("computes appointments per 1,000 patients and the same-day share", async () => {
    await t.db.insertInto("list_sizes").values({ practice_code: "A81001", month: "2026-02-01", patients: 4540, import_id: null }).execute();
    await runImport(t, "gpad-practice", tmp.write("Practice_Level_Crosstab_Feb_26.csv", crosstab([...A81001_FEB, ...A82003_FEB])));
    expect(await measure("appointments_per_1000", "A81001", "2026-02-01")).toEqual({ numerator: 227, denominator: 4540, value: 50 });
    // Same day ÷ appointments with a known lead time (227 − 5 unknown) × 100.
    expect(await measure("same_day_share", "A81001", "2026-02-01")).toEqual({ numerator: 100, denominator: 222, value: (100 / 222) * 100 });
    // No list size for A82003: the rate has no value (never zero); its same-day share has one.
    expect(await measure("appointments_per_1000", "A82003", "2026-02-01")).toEqual({ numerator: 75, denominator: null, value: null });
    expect(await measure("same_day_share", "A82003", "2026-02-01")).toEqual({ numerator: 50, denominator: 75, value: (50 / 75) * 100 });
  });

  it("keeps the measures in step when the list sizes arrive after the appointments", async () => {
    await runImport(t, "gpad-practice", tmp.write("Practice_Level_Crosstab_Feb_26.csv", crosstab([...A81001_FEB, ...A82003_FEB])));
    expect(await measure("appointments_per_1000", "A82003", "2026-02-01")).toEqual({ numerator: 75, denominator: null, value: null });
    const listSizes = [
      "PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS",
      "GP_PRAC_PAT_LIST,2026-02-01,GP,01K,E38000228,A82003,LA12 7BT,ALL,ALL,11913",
    ].join("\n");
    await runImport(t, "list-sizes", tmp.write("gp-reg-pat-prac-all-feb.csv", listSizes));
    expect(await measure("appointments_per_1000", "A82003", "2026-02-01")).toEqual({ numerator: 75, denominator: 11913, value: (75 / 11913) * 1000 });
  });

  it("importing the same file twice changes nothing", async () => {
    const zip = await tmp.zip("Practice_Level_Crosstab_Feb_26.zip", [
      { name: "Practice_Level_Crosstab_Feb_26.csv", data: crosstab([...A81001_FEB, ...A82003_FEB]) },
      { name: "Mapping.csv", data: MAPPING },
    ]);
    const first = await runImport(t, "gpad-practice", zip);
    const again = await expectUnchanged(t, "gpad-practice", zip);
    expect(again.importId).toBe(first.importId);
    expect(storedAppointments()).toEqual([A81001_FEB_ROW, A82003_FEB_ROW]);
  });

  it("a later edition of the month replaces the values of the practices it has and keeps the others", async () => {
    await t.db.insertInto("list_sizes").values({ practice_code: "A81001", month: "2026-02-01", patients: 4540, import_id: null }).execute();
    await runImport(t, "gpad-practice", tmp.write("Practice_Level_Crosstab_Feb_26.csv", crosstab([...A81001_FEB, ...A82003_FEB])));
    // The revised edition has A81001 only, with fewer rows; the January month of A82003 is new.
    const revised = [
      { code: "A81001", hcp: "GP", mode: "Face-to-Face", lead: "Same Day", count: 90, status: "Attended" },
      { code: "A81001", hcp: "GP", mode: "Telephone", lead: "Unknown / Data Quality", count: 18, status: "DNA" },
      { month: "01JAN2026", code: "A82003", hcp: "GP", mode: "Face-to-Face", lead: "Same Day", count: 60, status: "Attended" },
    ];
    const result = await runImport(t, "gpad-practice", tmp.write("Practice_Level_Crosstab_Feb_26_revised.csv", crosstab(revised)));
    expect(result.counts).toEqual({ read: 3, inserted: 1, updated: 1, unchanged: 0, rejected: 0 });
    expect(storedAppointments()).toEqual([
      appointments({ practice_code: "A81001", month: "2026-02-01", total: 108, attended: 90, dna: 18, gp: 108, face_to_face: 90, telephone: 18, same_day: 90, lead_unknown: 18 }),
      appointments({ practice_code: "A82003", month: "2026-01-01", total: 60, attended: 60, gp: 60, face_to_face: 60, same_day: 60 }),
      A82003_FEB_ROW,
    ]);
    expect(await measure("appointments_per_1000", "A81001", "2026-02-01")).toEqual({ numerator: 108, denominator: 4540, value: (108 / 4540) * 1000 });
    expect(await measure("same_day_share", "A81001", "2026-02-01")).toEqual({ numerator: 90, denominator: 90, value: 100 });
    expect(await measure("same_day_share", "A82003", "2026-02-01")).toEqual({ numerator: 50, denominator: 75, value: (50 / 75) * 100 });

    // The same values again in another file: nothing changes but the log.
    const same = await runImport(t, "gpad-practice", tmp.write("Practice_Level_Crosstab_Feb_26_again.csv", crosstab(revised) + "\r\n"));
    expect(same.counts).toEqual({ read: 3, inserted: 0, updated: 0, unchanged: 2, rejected: 0 });
  });
});

describe("gpad-practice: refused files change nothing", () => {
  beforeEach(async () => {
    await runImport(t, "gpad-practice", tmp.write("Practice_Level_Crosstab_Jan_26.csv", crosstab(A82003_FEB.map((a) => ({ ...a, month: "01JAN2026" })))));
  });

  const refuse = async (name: string, text: string) => (await expectRefused(t, "gpad-practice", tmp.write(name, text))).message;

  it("refuses a header without a required column", async () => {
    const header = HEADER.replace(",COUNT_OF_APPOINTMENTS", "");
    const body = A81001_FEB.slice(0, 1).map((a) => line(a).replace(",100,", ","));
    expect(await refuse("crosstab-no-count.csv", [header, ...body].join("\n"))).toBe(
      `crosstab-no-count.csv:1: expected a practice-level crosstab header with the column COUNT_OF_APPOINTMENTS, got ${JSON.stringify(header.slice(0, 57) + "…")}`,
    );
  });

  it("refuses an impossible month (31FEB2026) and a month that does not start on the 1st", async () => {
    expect(await refuse("crosstab-31feb.csv", crosstab([A81001_FEB[0]!, { ...A81001_FEB[1]!, month: "31FEB2026" }]))).toBe(
      'crosstab-31feb.csv:3:1 (APPOINTMENT_MONTH_START_DATE): expected a month start date like 01MAY2024, got "31FEB2026"',
    );
    expect(await refuse("crosstab-15feb.csv", crosstab([{ ...A81001_FEB[0]!, month: "15FEB2026" }]))).toBe(
      'crosstab-15feb.csv:2:1 (APPOINTMENT_MONTH_START_DATE): expected the first day of a month, like 01MAY2024, got "15FEB2026"',
    );
  });

  it("refuses an unknown APPT_MODE, HCP_TYPE, APPT_STATUS or lead time", async () => {
    expect(await refuse("crosstab-mode.csv", crosstab([{ ...A81001_FEB[0]!, mode: "Carrier Pigeon" }]))).toBe(
      'crosstab-mode.csv:2:10 (APPT_MODE): expected APPT_MODE as one of "Face-to-Face", "Telephone", "Home Visit", "Video/Online", "Video Conference/Online", "Unknown", got "Carrier Pigeon"',
    );
    expect(await refuse("crosstab-hcp.csv", crosstab([{ ...A81001_FEB[0]!, hcp: "Nurse" }]))).toBe(
      'crosstab-hcp.csv:2:9 (HCP_TYPE): expected HCP_TYPE as one of "GP", "Other Practice staff", "Unknown", got "Nurse"',
    );
    expect(await refuse("crosstab-status.csv", crosstab([{ ...A81001_FEB[0]!, status: "Cancelled" }]))).toBe(
      'crosstab-status.csv:2:14 (APPT_STATUS): expected APPT_STATUS as one of "Attended", "DNA", "Unknown", got "Cancelled"',
    );
    const lead = await refuse("crosstab-lead.csv", crosstab([{ ...A81001_FEB[0]!, lead: "3 to 7 Days" }]));
    expect(lead).toMatch(/^crosstab-lead\.csv:2:12 \(TIME_BETWEEN_BOOK_AND_APPT\): expected TIME_BETWEEN_BOOK_AND_APPT as one of "Same Day", "1 Day", /);
    expect(lead).toMatch(/"Unknown \/ Data Issue", got "3 to 7 Days"$/);
  });

  it("refuses a negative or fractional count, and an empty national category", async () => {
    expect(await refuse("crosstab-negative.csv", crosstab([A81001_FEB[0]!, { ...A81001_FEB[1]!, count: -3 }]))).toBe(
      'crosstab-negative.csv:3:13 (COUNT_OF_APPOINTMENTS): expected a whole number of 0 or more, got "-3"',
    );
    expect(await refuse("crosstab-fraction.csv", crosstab([{ ...A81001_FEB[0]!, count: "2.5" }]))).toBe(
      'crosstab-fraction.csv:2:13 (COUNT_OF_APPOINTMENTS): expected a whole number of 0 or more, got "2.5"',
    );
    expect(await refuse("crosstab-category.csv", crosstab([{ ...A81001_FEB[0]!, category: "  " }]))).toBe(
      'crosstab-category.csv:2:11 (NATIONAL_CATEGORY): expected a national category (any non-empty text), got "  "',
    );
  });

  it("refuses a bad practice code and a short row", async () => {
    expect(await refuse("crosstab-code.csv", crosstab([A81001_FEB[0]!]).replace(",A81001,", ",A8100,"))).toBe(
      'crosstab-code.csv:2:2 (GP_CODE): expected a practice ODS code like A81001, got "A8100"',
    );
    const short = line(A81001_FEB[0]!).split(",").slice(0, 13).join(",");
    expect(await refuse("crosstab-short.csv", [HEADER, line(A81001_FEB[1]!), short].join("\n"))).toBe(
      'crosstab-short.csv:3:14: expected 14 fields in each practice-level crosstab row, got "13 fields"',
    );
  });

  it("refuses conflicting rows for the same practice, month and categories, naming both lines", async () => {
    expect(await refuse("crosstab-conflict.csv", crosstab([...A81001_FEB, { ...A81001_FEB[2]!, count: 31 }]))).toBe(
      'crosstab-conflict.csv:13:13 (COUNT_OF_APPOINTMENTS): expected one row per practice, month and categories; A81001 2026-02 other_staff, video_online, "Clinical Triage", days_2_to_7, dna is also on line 4 with 30 appointments, got "31"',
    );
    // Both video labels are the same mode, so these two rows repeat one key.
    const video = { ...A81001_FEB[3]!, mode: "Video/Online", count: 21 };
    expect(await refuse("crosstab-video.csv", crosstab([A81001_FEB[3]!, video]))).toMatch(
      /^crosstab-video\.csv:3:13 \(COUNT_OF_APPOINTMENTS\): expected one row per practice, month and categories; .* is also on line 2 with 20 appointments, got "21"$/,
    );
  });

  it("refuses a conflict between two members of a zip, and keeps the zip's Mapping.csv out too", async () => {
    const zip = await tmp.zip("Practice_Level_Crosstab_Oct_25-conflict.zip", [
      { name: "Mapping.csv", data: MAPPING },
      // Many rows, so that the conflict is found across staging batches, not only within one.
      { name: "Practice_Level_Crosstab_London_East_South_Oct_25.csv", data: crosstab([...A81001_FEB, ...manyRows(900)]) },
      { name: "Practice_Level_Crosstab_Midlands_North_Oct_25.csv", data: crosstab([...A82003_FEB, { ...A81001_FEB[0]!, count: 99 }]) },
    ]);
    const err = await expectRefused(t, "gpad-practice", zip);
    expect(err.message).toBe(
      "Practice_Level_Crosstab_Oct_25-conflict.zip!Practice_Level_Crosstab_Midlands_North_Oct_25.csv:4:13 (COUNT_OF_APPOINTMENTS): " +
        'expected one row per practice, month and categories; A81001 2026-02 gp, face_to_face, "General Consultation Routine", same_day, attended ' +
        'is also on Practice_Level_Crosstab_Oct_25-conflict.zip!Practice_Level_Crosstab_London_East_South_Oct_25.csv line 2 with 100 appointments, got "99"',
    );
    expect(rows(t, "practices", "ods_code")).toEqual([]);
  });

  it("refuses a bad row in the second member of a zip, located by member", async () => {
    const zip = await tmp.zip("Practice_Level_Crosstab_Oct_25-bad.zip", [
      { name: "Practice_Level_Crosstab_London_East_South_Oct_25.csv", data: crosstab(A81001_FEB) },
      { name: "Practice_Level_Crosstab_Midlands_North_Oct_25.csv", data: crosstab([A82003_FEB[0]!, { ...A82003_FEB[1]!, mode: "Fax" }]) },
      { name: "Mapping.csv", data: MAPPING },
    ]);
    const err = await expectRefused(t, "gpad-practice", zip);
    expect(err.message).toMatch(/^Practice_Level_Crosstab_Oct_25-bad\.zip!Practice_Level_Crosstab_Midlands_North_Oct_25\.csv:3:10 \(APPT_MODE\): expected APPT_MODE as one of /);
  });

  it("refuses an empty file, a zip with only Mapping.csv, and a file truncated inside a quoted field", async () => {
    expect(await refuse("crosstab-empty.csv", "")).toBe('crosstab-empty.csv:1: expected a practice-level crosstab header row, got "an empty file"');
    const onlyMapping = await tmp.zip("Practice_Level_Crosstab_Nov_25.zip", [{ name: "Mapping.csv", data: MAPPING }]);
    expect((await expectRefused(t, "gpad-practice", onlyMapping)).message).toBe(
      'Practice_Level_Crosstab_Nov_25.zip: expected a practice-level crosstab CSV (a member named like Practice_Level_Crosstab_Oct_25.csv), got "Mapping.csv"',
    );
    const truncated = crosstab(A81001_FEB.slice(0, 2)) + '01FEB2026,F83004,"SMITH, JONES AND PART';
    expect(await refuse("crosstab-truncated.csv", truncated)).toBe("crosstab-truncated.csv:4:3: expected a closing quote (the file may be truncated)");
  });

  it("refuses a Mapping.csv problem in the zip, naming the member", async () => {
    const zip = await tmp.zip("Practice_Level_Crosstab_Feb_26-badmap.zip", [
      { name: "Practice_Level_Crosstab_Feb_26.csv", data: crosstab(A81001_FEB) },
      { name: "Mapping.csv", data: [MAPPING_HEADER, MAPPING_ROWS[0]!.replace(",QHM,", ",Q H M,")].join("\n") },
    ]);
    const err = await expectRefused(t, "gpad-practice", zip);
    expect(err.message).toBe(
      'Practice_Level_Crosstab_Feb_26-badmap.zip!Mapping.csv:2:8 (ICB_CODE): expected an ICB code of 3 to 9 letters and digits, got "Q H M"',
    );
  });
});

/** Rows for practices F83004/A81035 over many categories, to fill several staging batches. */
function manyRows(n: number): Appt[] {
  const out: Appt[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ code: i % 2 ? "F83004" : "A81035", hcp: "GP", mode: "Telephone", category: `Category ${i}`, lead: "Same Day", count: i, status: "Attended" });
  }
  return out;
}
