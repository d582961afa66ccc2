/** The Cloud Based Telephony by day and time importer (cbt), on files built in the published layout. */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { CBT_BANDS, CBT_INDICATORS, normaliseBand } from "../../importers/cbt";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { expectRefused, expectUnchanged, rows, runImport, TempDir } from "../importers/helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

/** The published header (data-formats.md 7), in the published order and case. */
const HEADER = "Date,REGION_CODE,ICB_CODE,SUB_ICB_LOCATION_CODE,PCN_CODE,PRACTICE_CODE,Indicator,Time_Category,Value";

/** REGION_CODE, ICB_CODE, SUB_ICB_LOCATION_CODE, PCN_CODE of each practice. */
const GEOGRAPHY: Record<string, [string, string, string, string]> = {
  A81001: ["Y63", "QHM", "16C", "U89141"],
  A81035: ["Y63", "QHM", "16C", "U02671"],
  A82003: ["Y62", "QE1", "01K", "U25520"],
};

interface Call {
  date?: string;
  /** The four geography codes; a practice's own by default, empty for an Unassigned row unless given. */
  geography?: [string, string, string, string];
  practice: string;
  indicator: string;
  band: string;
  value: number | string;
}

function line(c: Call): string {
  const geography = c.geography ?? GEOGRAPHY[c.practice] ?? ["", "", "", ""];
  return [c.date ?? "2026-03-02", ...geography, c.practice, c.indicator, c.band, String(c.value)].join(",");
}

function csv(calls: Call[], header = HEADER): string {
  return [header, ...calls.map(line)].join("\r\n") + "\r\n";
}

const member = (region: string) => `Cloud_Based_Telephony_By_Day_and_Time_Mar_26_${region}.csv`;

/** A81001 over three days, in the three date formats, with spaces around some bands' dashes. */
const A81001_MAR: Call[] = [
  { practice: "A81001", indicator: "CBT001", band: "08:00-09:59", value: 120 },
  { practice: "A81001", indicator: "CBT001", band: "10:00-11:59", value: 60 },
  { practice: "A81001", indicator: "CBT004", band: "08:00-09:59", value: 30 },
  { practice: "A81001", indicator: "CBT004", band: "10:00-11:59", value: 6 },
  { practice: "A81001", indicator: "CBT003", band: "08:00-09:59", value: 84 },
  { date: "03/03/2026", practice: "A81001", indicator: "CBT001", band: "08:00 - 09:59", value: 100 },
  { date: "03/03/2026", practice: "A81001", indicator: "CBT004", band: "08:00 -09:59", value: 20 },
  { date: "03/03/2026", practice: "A81001", indicator: "CBT002", band: "18:30-23:59", value: 4 },
  { date: "04MAR2026", practice: "A81001", indicator: "CBT001", band: "00:00-05:59", value: 20 },
  { date: "04MAR2026", practice: "A81001", indicator: "CBT007", band: " 14:00-15:59 ", value: 12.5 },
];

/** Calls on phone accounts shared by several practices, with full, partial and no geography. */
const UNASSIGNED_Y63: Call[] = [
  { geography: ["Y63", "QHM", "16C", "U89141"], practice: "Unassigned", indicator: "CBT001", band: "08:00-09:59", value: 500 },
  { geography: ["Y63", "QHM", "16C", "U89141"], practice: "Unassigned", indicator: "CBT004", band: "08:00-09:59", value: 100 },
];
const UNASSIGNED_Y62: Call[] = [{ geography: ["Y62", "QE1", "", ""], practice: "unassigned", indicator: "CBT001", band: "12:00-13:59", value: 9 }];
const UNASSIGNED_UNMAPPED: Call[] = [{ practice: "UNASSIGNED", indicator: "CBT001", band: "08:00-09:59", value: 7 }];
/** A practice in the Unmapped member: still a practice, so attributed to it. */
const A82003_UNMAPPED: Call[] = [{ geography: ["", "", "", ""], practice: "A82003", indicator: "CBT001", band: "08:00-09:59", value: 40 }];

async function publishedZip(name = "Cloud_Based_Telephony_By_Day_and_Time_Mar_26.zip"): Promise<string> {
  return tmp.zip(name, [
    { name: member("Y62"), data: csv(UNASSIGNED_Y62) },
    { name: member("Y63"), data: csv([...A81001_MAR.slice(0, 5), ...UNASSIGNED_Y63, ...A81001_MAR.slice(5)]) },
    { name: member("Unmapped"), data: csv([...UNASSIGNED_UNMAPPED, ...A82003_UNMAPPED]) },
  ]);
}

const A81001_ROWS = [
  ["A81001", "2026-03-02", "CBT001", "08:00-09:59", 120],
  ["A81001", "2026-03-02", "CBT001", "10:00-11:59", 60],
  ["A81001", "2026-03-02", "CBT003", "08:00-09:59", 84],
  ["A81001", "2026-03-02", "CBT004", "08:00-09:59", 30],
  ["A81001", "2026-03-02", "CBT004", "10:00-11:59", 6],
  ["A81001", "2026-03-03", "CBT001", "08:00-09:59", 100],
  ["A81001", "2026-03-03", "CBT002", "18:30-23:59", 4],
  ["A81001", "2026-03-03", "CBT004", "08:00-09:59", 20],
  ["A81001", "2026-03-04", "CBT001", "00:00-05:59", 20],
  ["A81001", "2026-03-04", "CBT007", "14:00-15:59", 12.5],
];
const A82003_ROWS = [["A82003", "2026-03-02", "CBT001", "08:00-09:59", 40]];

function storedCalls(): unknown[][] {
  return rows(t, "cbt_calls", "practice_code, date, indicator, band").map((r) => [r.practice_code, r.date, r.indicator, r.band, r.value]);
}

function storedUnassigned(): unknown[][] {
  return rows(t, "cbt_unassigned", "region_code, icb_code, sub_icb_code, pcn_code, date, indicator, band").map((r) => [
    r.region_code,
    r.icb_code,
    r.sub_icb_code,
    r.pcn_code,
    r.date,
    r.indicator,
    r.band,
    r.value,
  ]);
}

async function measure(id: string, practice: string, month = "2026-03-01") {
  return t.db
    .selectFrom("measure_values")
    .select(["numerator", "denominator", "value"])
    .where("measure_id", "=", id)
    .where("practice_code", "=", practice)
    .where("month", "=", month)
    .executeTakeFirst();
}

const UNASSIGNED_WARNING = "Not attributed to a practice: PRACTICE_CODE Unassigned (a phone account shared by several practices); kept apart as unassigned calls";
const UNKNOWN_WARNING = "Calls kept for practices not in the practice data (import epraccur or the practice map to name them)";

describe("cbt: the regional zip as published", () => {
  it("loads every member; practice rows into cbt_calls, Unassigned rows kept apart with their geography", async () => {
    const result = await runImport(t, "cbt", await publishedZip());
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 15, inserted: 11, updated: 0, unchanged: 0, rejected: 4 });
    expect(result.warnings).toEqual([
      { message: UNASSIGNED_WARNING, count: 4 },
      { message: UNKNOWN_WARNING, count: 2 },
    ]);
    expect(storedCalls()).toEqual([...A81001_ROWS, ...A82003_ROWS]);
    expect(storedUnassigned()).toEqual([
      ["", "", "", "", "2026-03-02", "CBT001", "08:00-09:59", 7],
      ["Y62", "QE1", "", "", "2026-03-02", "CBT001", "12:00-13:59", 9],
      ["Y63", "QHM", "16C", "U89141", "2026-03-02", "CBT001", "08:00-09:59", 500],
      ["Y63", "QHM", "16C", "U89141", "2026-03-02", "CBT004", "08:00-09:59", 100],
    ]);
    // Nothing Unassigned reaches a practice: the 08:00 inbound calls on 2 March are A81001's and A82003's only.
    const morning = t.sqlite
      .prepare("select sum(value) as n from cbt_calls where date = '2026-03-02' and indicator = 'CBT001' and band = '08:00-09:59'")
      .get() as { n: number };
    expect(morning.n).toBe(160);
    expect(rows(t, "cbt_calls", "practice_code").map((r) => r.practice_code)).not.toContain("UNASSIGNED");
    const log = rows(t, "import_log", "id");
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ source: "cbt", rows_read: 15, rows_inserted: 11, rows_rejected: 4 });
    expect(new Set(rows(t, "cbt_calls", "practice_code").map((r) => r.import_id))).toEqual(new Set([log[0]!.id]));
  });

  it("matches header cells in any case and order, with spaces after the commas", async () => {
    const header = "value, practice_code, DATE, Region_Code, icb_code, sub_icb_location_code, pcn_code, INDICATOR, time_category";
    const text = [header, "120,A81001,2026-03-02,Y63,QHM,16C,U89141,cbt001,08:00-09:59", "9,Unassigned,2026-03-02,Y62,QE1,,,CBT001,12:00-13:59"].join("\n");
    const result = await runImport(t, "cbt", tmp.write("cbt-reordered.csv", text));
    expect(result.counts).toEqual({ read: 2, inserted: 1, updated: 0, unchanged: 0, rejected: 1 });
    expect(storedCalls()).toEqual([["A81001", "2026-03-02", "CBT001", "08:00-09:59", 120]]);
    expect(storedUnassigned()).toEqual([["Y62", "QE1", "", "", "2026-03-02", "CBT001", "12:00-13:59", 9]]);
  });

  it("accepts each of the nine published bands, with or without spaces around the dash", () => {
    expect(CBT_BANDS).toHaveLength(9);
    for (const band of CBT_BANDS) {
      expect(normaliseBand(band)).toBe(band);
      expect(normaliseBand(` ${band.replace("-", " - ")} `)).toBe(band);
    }
    expect(normaliseBand("08:00-10:00")).toBeNull();
    expect(normaliseBand("18:00-18:30")).toBeNull();
    expect(CBT_INDICATORS.map((i) => i.code)).toEqual(["CBT001", "CBT002", "CBT003", "CBT004", "CBT005", "CBT006", "CBT007"]);
  });

  it("loads an identical repeated row once, with a warning, within a member or across members", async () => {
    const zip = await tmp.zip("cbt-dup.zip", [
      { name: member("Y63"), data: csv([...A81001_MAR, A81001_MAR[0]!]) },
      { name: member("Unmapped"), data: csv([...A82003_UNMAPPED, A81001_MAR[1]!, ...UNASSIGNED_UNMAPPED, ...UNASSIGNED_UNMAPPED]) },
    ]);
    const result = await runImport(t, "cbt", zip);
    expect(result.counts).toEqual({ read: 15, inserted: 11, updated: 0, unchanged: 0, rejected: 1 });
    expect(result.warnings).toContainEqual({
      message: "Duplicate row (identical to an earlier line for the same practice, date, indicator and band) ignored",
      count: 3,
    });
    expect(storedCalls()).toEqual([...A81001_ROWS, ...A82003_ROWS]);
  });
});

describe("cbt: editions and measures", () => {
  it("computes inbound calls per 1,000 patients and the missed-call share, from practice rows only", async () => {
    await t.db.insertInto("list_sizes").values({ practice_code: "A81001", month: "2026-03-01", patients: 6000, import_id: null }).execute();
    await runImport(t, "cbt", await publishedZip());
    // CBT001: 120 + 60 + 100 + 20 = 300; CBT004: 30 + 6 + 20 = 56.
    expect(await measure("calls_per_1000", "A81001")).toEqual({ numerator: 300, denominator: 6000, value: 50 });
    expect(await measure("abandoned_call_share", "A81001")).toEqual({ numerator: 56, denominator: 300, value: (56 / 300) * 100 });
    // A82003 has inbound calls but no missed-call rows: none missed. No list size: no rate (never zero).
    expect(await measure("abandoned_call_share", "A82003")).toEqual({ numerator: 0, denominator: 40, value: 0 });
    expect(await measure("calls_per_1000", "A82003")).toEqual({ numerator: 40, denominator: null, value: null });
    const practices = t.sqlite.prepare("select distinct practice_code from measure_values order by 1").all();
    expect(practices).toEqual([{ practice_code: "A81001" }, { practice_code: "A82003" }]);
  });

  it("importing the same file twice changes nothing", async () => {
    const zip = await publishedZip();
    const first = await runImport(t, "cbt", zip);
    const again = await expectUnchanged(t, "cbt", zip);
    expect(again.importId).toBe(first.importId);
  });

  it("a later file replaces the values of the practice-dates it has and leaves the other dates alone", async () => {
    await t.db.insertInto("list_sizes").values({ practice_code: "A81001", month: "2026-03-01", patients: 6000, import_id: null }).execute();
    await runImport(t, "cbt", await publishedZip());
    // The revision of 2 March: one value changed, two the same, two bands gone; the Unassigned account likewise.
    const revised = csv([
      { practice: "A81001", indicator: "CBT001", band: "08:00-09:59", value: 130 },
      { practice: "A81001", indicator: "CBT001", band: "10:00-11:59", value: 60 },
      { practice: "A81001", indicator: "CBT004", band: "08:00-09:59", value: 30 },
      { geography: ["Y63", "QHM", "16C", "U89141"], practice: "Unassigned", indicator: "CBT001", band: "08:00-09:59", value: 550 },
    ]);
    const result = await runImport(t, "cbt", tmp.write(member("Y63"), revised));
    expect(result.counts).toEqual({ read: 4, inserted: 0, updated: 3, unchanged: 2, rejected: 1 });
    expect(result.warnings).toEqual([
      { message: "Values stored from an earlier file for the same practice and date but not in this one removed", count: 2 },
      { message: UNASSIGNED_WARNING, count: 1 },
      { message: UNKNOWN_WARNING, count: 1 },
    ]);
    expect(storedCalls()).toEqual([
      ["A81001", "2026-03-02", "CBT001", "08:00-09:59", 130],
      ["A81001", "2026-03-02", "CBT001", "10:00-11:59", 60],
      ["A81001", "2026-03-02", "CBT004", "08:00-09:59", 30],
      ...A81001_ROWS.slice(5),
      ...A82003_ROWS,
    ]);
    expect(storedUnassigned()).toEqual([
      ["", "", "", "", "2026-03-02", "CBT001", "08:00-09:59", 7],
      ["Y62", "QE1", "", "", "2026-03-02", "CBT001", "12:00-13:59", 9],
      ["Y63", "QHM", "16C", "U89141", "2026-03-02", "CBT001", "08:00-09:59", 550],
    ]);
    // CBT001: 130 + 60 + 100 + 20 = 310; CBT004: 30 + 20 = 50.
    expect(await measure("calls_per_1000", "A81001")).toEqual({ numerator: 310, denominator: 6000, value: (310 / 6000) * 1000 });
    expect(await measure("abandoned_call_share", "A81001")).toEqual({ numerator: 50, denominator: 310, value: (50 / 310) * 100 });
    // A82003 was not in the revision: its measures are as they were.
    expect(await measure("abandoned_call_share", "A82003")).toEqual({ numerator: 0, denominator: 40, value: 0 });
  });
});

describe("cbt: refused files change nothing", () => {
  beforeEach(async () => {
    await runImport(t, "cbt", tmp.write("cbt-february.csv", csv([{ date: "2026-02-27", practice: "A81035", indicator: "CBT001", band: "08:00-09:59", value: 3 }])));
  });

  const refuse = async (name: string, text: string) => (await expectRefused(t, "cbt", tmp.write(name, text))).message;
  const BANDS = CBT_BANDS.join(", ");

  it("refuses a header without Time_Category (the By Durations file)", async () => {
    const header = HEADER.replace("Time_Category", "Duration");
    expect(await refuse("cbt-durations.csv", [header, line({ practice: "A81001", indicator: "CBT007", band: "0-1 min", value: 3 })].join("\n"))).toBe(
      `cbt-durations.csv:1: expected a CBT by day and time header with the column TIME_CATEGORY, got ${JSON.stringify(header.slice(0, 57) + "…")}`,
    );
  });

  it("refuses a band that is not one of the nine published bands", async () => {
    expect(await refuse("cbt-band.csv", csv([A81001_MAR[0]!, { ...A81001_MAR[1]!, band: "08:00-10:00" }]))).toBe(
      `cbt-band.csv:3:8 (TIME_CATEGORY): expected a 2-hour band, one of ${BANDS}, got "08:00-10:00"`,
    );
  });

  it("refuses an indicator that is not in the reviewed list", async () => {
    expect(await refuse("cbt-indicator.csv", csv([{ ...A81001_MAR[0]!, indicator: "CBT008" }]))).toBe(
      'cbt-indicator.csv:2:7 (INDICATOR): expected an indicator code, one of CBT001, CBT002, CBT003, CBT004, CBT005, CBT006, CBT007, got "CBT008"',
    );
  });

  it("refuses a negative or missing value, an impossible date and a bad practice code", async () => {
    expect(await refuse("cbt-negative.csv", csv([{ ...A81001_MAR[0]!, value: -1 }]))).toBe('cbt-negative.csv:2:9 (VALUE): expected a number of 0 or more, got "-1"');
    expect(await refuse("cbt-missing.csv", csv([{ ...A81001_MAR[0]!, value: "" }]))).toBe("cbt-missing.csv:2:9 (VALUE): expected a number of 0 or more, got an empty value");
    expect(await refuse("cbt-date.csv", csv([{ ...A81001_MAR[0]!, date: "30/02/2026" }]))).toBe(
      'cbt-date.csv:2:1 (DATE): expected a date like 2026-03-02, 02/03/2026 or 02MAR2026, got "30/02/2026"',
    );
    expect(await refuse("cbt-practice.csv", csv([{ ...A81001_MAR[0]!, practice: "Shared" }]))).toBe(
      'cbt-practice.csv:2:6 (PRACTICE_CODE): expected a practice ODS code like A81001, or Unassigned, got "Shared"',
    );
  });

  it("refuses a repeated key with another value, naming both lines, within a member and across members", async () => {
    expect(await refuse("cbt-conflict.csv", csv([...A81001_MAR, { ...A81001_MAR[3]!, value: 7 }]))).toBe(
      'cbt-conflict.csv:12:9 (VALUE): expected one row per practice, date, indicator and band; A81001 2026-03-02 CBT004 10:00-11:59 is also on line 5 with the value 6, got "7"',
    );
    const zip = await tmp.zip("cbt-conflict.zip", [
      { name: member("Y63"), data: csv([...A81001_MAR, ...UNASSIGNED_Y63, ...manyCalls(900)]) },
      { name: member("Unmapped"), data: csv([...UNASSIGNED_UNMAPPED, { ...UNASSIGNED_Y63[1]!, value: 99 }]) },
    ]);
    expect((await expectRefused(t, "cbt", zip)).message).toBe(
      `cbt-conflict.zip!${member("Unmapped")}:3:9 (VALUE): expected one row per practice, date, indicator and band; ` +
        `Unassigned (Y63/QHM/16C/U89141) 2026-03-02 CBT004 08:00-09:59 is also on cbt-conflict.zip!${member("Y63")} line 13 with the value 100, got "99"`,
    );
  });

  it("refuses an empty file and a file truncated inside a quoted field", async () => {
    expect(await refuse("cbt-empty.csv", "")).toBe('cbt-empty.csv:1: expected a CBT by day and time header row, got "an empty file"');
    const truncated = csv(A81001_MAR.slice(0, 2)) + '2026-03-02,Y63,QHM,16C,U89141,A81001,CBT001,"08:00-';
    expect(await refuse("cbt-truncated.csv", truncated)).toBe("cbt-truncated.csv:4:8: expected a closing quote (the file may be truncated)");
  });
});

/** Rows for A81035 on many days and bands, to fill several staging batches. */
function manyCalls(n: number): Call[] {
  const out: Call[] = [];
  for (let i = 0; i < n; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    out.push({ date: `2026-03-${day}`, practice: "A81035", indicator: CBT_INDICATORS[Math.floor(i / 28) % 7]!.code, band: CBT_BANDS[Math.floor(i / 196) % 9]!, value: i });
  }
  return out;
}
