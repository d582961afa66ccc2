/** The list-sizes importer (gp-reg-pat-prac-all.csv, both header vintages). */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { expectRefused, expectUnchanged, fixturePath, fixtureText, LIST_SIZES_HEADER, rows, runImport, TempDir } from "./helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

const APRIL = fixtureText("gp-reg-pat-prac-all-2026-04.csv");
const JAN_2021 = fixtureText("gp-reg-pat-prac-all-2021-01.csv");
const [, ROW_A81001, ROW_A81002, ROW_A82003] = APRIL.trimEnd().split("\n") as [string, string, string, string];
const UNKNOWN_WARNING = "List sizes kept for practices not yet in the practice data (import epraccur to name them)";

function listFile(name: string, lines: string[], eol = "\n"): string {
  return tmp.write(name, [LIST_SIZES_HEADER, ...lines].join(eol) + eol);
}

function listSizes(t: TestDatabase) {
  return t.db.selectFrom("list_sizes").select(["practice_code", "month", "patients"]).orderBy("month").orderBy("practice_code").execute();
}

describe("list sizes: the published files", () => {
  it("loads April 2026 (sub-ICB era header, ISO dates)", async () => {
    const result = await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2026-04.csv"));
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toEqual([{ message: UNKNOWN_WARNING, count: 3 }]);
    expect(rows(t, "list_sizes", "practice_code")).toEqual([
      { practice_code: "A81001", month: "2026-04-01", patients: 3747, import_id: result.importId },
      { practice_code: "A81002", month: "2026-04-01", patients: 18654, import_id: result.importId },
      { practice_code: "A82003", month: "2026-04-01", patients: 11913, import_id: result.importId },
    ]);
  });

  it("loads January 2021 (CCG era header with CCG_CODE, 01JAN2021 dates)", async () => {
    const result = await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2021-01.csv"));
    expect(result.counts).toEqual({ read: 1, inserted: 1, updated: 0, unchanged: 0, rejected: 0 });
    expect(rows(t, "list_sizes", "practice_code")).toEqual([
      { practice_code: "A84002", month: "2021-01-01", patients: 5903, import_id: result.importId },
    ]);
  });

  it("both vintages together give exactly the four list sizes", async () => {
    await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2021-01.csv"));
    await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2026-04.csv"));
    expect(await listSizes(t)).toEqual([
      { practice_code: "A84002", month: "2021-01-01", patients: 5903 },
      { practice_code: "A81001", month: "2026-04-01", patients: 3747 },
      { practice_code: "A81002", month: "2026-04-01", patients: 18654 },
      { practice_code: "A82003", month: "2026-04-01", patients: 11913 },
    ]);
    expect(rows(t, "import_log", "id").map((r) => [r.source, r.file_name, r.rows_inserted])).toEqual([
      ["list-sizes", "gp-reg-pat-prac-all-2021-01.csv", 1],
      ["list-sizes", "gp-reg-pat-prac-all-2026-04.csv", 3],
    ]);
  });

  it("warns only about practices the database does not know", async () => {
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const result = await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2026-04.csv"));
    // A81001 is in epraccur; A81002 and A82003 are not.
    expect(result.warnings).toEqual([{ message: UNKNOWN_WARNING, count: 2 }]);
    expect(JSON.parse(rows(t, "import_log", "id")[1]!.warnings as string)).toEqual([{ message: UNKNOWN_WARNING, count: 2 }]);
  });

  it("reads a month from a mid-month extract date as that month", async () => {
    await runImport(t, "list-sizes", listFile("mid-month.csv", [ROW_A81001.replace("2026-04-01", "2026-04-15")]));
    expect(await listSizes(t)).toEqual([{ practice_code: "A81001", month: "2026-04-01", patients: 3747 }]);
  });

  it("accepts the quinary-style ORG_TYPE and ORG_CODE column names", async () => {
    const header = "PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS";
    const path = tmp.write("org-code.csv", `${header}\nGP_PRAC_PAT_LIST,01APR2026,GP,A81001,TS18 1HU,ALL,ALL,3747\n`);
    await runImport(t, "list-sizes", path);
    expect(await listSizes(t)).toEqual([{ practice_code: "A81001", month: "2026-04-01", patients: 3747 }]);
  });

  it("accepts a list size of 0 and of 1", async () => {
    await runImport(t, "list-sizes", listFile("tiny.csv", [ROW_A81001.replace(",3747", ",0"), ROW_A81002.replace(",18654", ",1")]));
    expect(await listSizes(t)).toEqual([
      { practice_code: "A81001", month: "2026-04-01", patients: 0 },
      { practice_code: "A81002", month: "2026-04-01", patients: 1 },
    ]);
  });

  it("does not load rows that are not whole-practice totals, with a warning", async () => {
    const path = listFile("not-totals.csv", [
      ROW_A81001,
      ROW_A81002.replace(",ALL,ALL,", ",MALE,ALL,"),
      ROW_A82003.replace(",ALL,ALL,", ",ALL,0-4,"),
      "GP_PRAC_PAT_LIST,2026-04-01,PCN,16C,E38000247,U89141,TS18 1HU,ALL,ALL,60000",
    ]);
    const result = await runImport(t, "list-sizes", path);
    expect(result.counts).toEqual({ read: 4, inserted: 1, updated: 0, unchanged: 0, rejected: 3 });
    expect(result.warnings).toEqual([
      { message: "Not loaded: not a whole-practice total (TYPE, SEX or AGE other than GP/ALL/ALL)", count: 3 },
      { message: UNKNOWN_WARNING, count: 1 },
    ]);
    expect(await listSizes(t)).toEqual([{ practice_code: "A81001", month: "2026-04-01", patients: 3747 }]);
  });
});

describe("list sizes: editions", () => {
  it("re-importing the same file is a no-op", async () => {
    const first = await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2026-04.csv"));
    const again = await expectUnchanged(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2026-04.csv"));
    expect(again.importId).toBe(first.importId);
  });

  it("a newer month adds rows and keeps the earlier month", async () => {
    const april = await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2026-04.csv"));
    const may = listFile("gp-reg-pat-prac-all-2026-05.csv", [
      ROW_A81001.replace("2026-04-01", "2026-05-01").replace(",3747", ",3760"),
      ROW_A81002.replace("2026-04-01", "2026-05-01").replace(",18654", ",18601"),
      ROW_A82003.replace("2026-04-01", "2026-05-01"),
    ]);
    const result = await runImport(t, "list-sizes", may);
    expect(result.counts).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect(rows(t, "list_sizes", "month, practice_code")).toEqual([
      { practice_code: "A81001", month: "2026-04-01", patients: 3747, import_id: april.importId },
      { practice_code: "A81002", month: "2026-04-01", patients: 18654, import_id: april.importId },
      { practice_code: "A82003", month: "2026-04-01", patients: 11913, import_id: april.importId },
      { practice_code: "A81001", month: "2026-05-01", patients: 3760, import_id: result.importId },
      { practice_code: "A81002", month: "2026-05-01", patients: 18601, import_id: result.importId },
      { practice_code: "A82003", month: "2026-05-01", patients: 11913, import_id: result.importId },
    ]);
  });

  it("a re-issued month with a changed value updates it and leaves the rest", async () => {
    const april = await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2026-04.csv"));
    const reissue = listFile("gp-reg-pat-prac-all-2026-04_v2.csv", [ROW_A81001, ROW_A81002.replace(",18654", ",18700"), ROW_A82003]);
    const result = await runImport(t, "list-sizes", reissue);
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 3, inserted: 0, updated: 1, unchanged: 2, rejected: 0 });
    expect(rows(t, "list_sizes", "practice_code")).toEqual([
      { practice_code: "A81001", month: "2026-04-01", patients: 3747, import_id: april.importId },
      { practice_code: "A81002", month: "2026-04-01", patients: 18700, import_id: result.importId },
      { practice_code: "A82003", month: "2026-04-01", patients: 11913, import_id: april.importId },
    ]);
  });

  it("a re-issue in the other date format is the same month", async () => {
    await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2021-01.csv"));
    const reissue = tmp.write("jan-iso.csv", JAN_2021.replace("01JAN2021", "2021-01-01").replace(",5903", ",5910"));
    const result = await runImport(t, "list-sizes", reissue);
    expect(result.counts).toEqual({ read: 1, inserted: 0, updated: 1, unchanged: 0, rejected: 0 });
    expect(await listSizes(t)).toEqual([{ practice_code: "A84002", month: "2021-01-01", patients: 5910 }]);
  });

  it("one file may hold several months", async () => {
    const path = listFile("two-months.csv", [ROW_A81001, ROW_A81001.replace("2026-04-01", "2026-03-01").replace(",3747", ",3701")]);
    const result = await runImport(t, "list-sizes", path);
    expect(result.counts.inserted).toBe(2);
    expect(await listSizes(t)).toEqual([
      { practice_code: "A81001", month: "2026-03-01", patients: 3701 },
      { practice_code: "A81001", month: "2026-04-01", patients: 3747 },
    ]);
  });
});

describe("list sizes: accepted variations", () => {
  it("accepts a UTF-8 BOM on the header", async () => {
    const result = await runImport(t, "list-sizes", tmp.write("bom.csv", "\uFEFF" + APRIL));
    expect(result.counts.inserted).toBe(3);
    expect((await listSizes(t)).map((r) => r.patients)).toEqual([3747, 18654, 11913]);
  });

  it("accepts CRLF line endings", async () => {
    const result = await runImport(t, "list-sizes", tmp.write("crlf.csv", APRIL.replace(/\n/g, "\r\n")));
    expect(result.counts).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect((await listSizes(t)).map((r) => r.patients)).toEqual([3747, 18654, 11913]);
  });

  it("reports lines correctly in a CRLF file", async () => {
    const path = listFile("crlf-bad.csv", [ROW_A81001, ROW_A81002.replace(",18654", ",18,654")], "\r\n");
    const err = await expectRefused(t, "list-sizes", path);
    expect(err.message).toBe('crlf-bad.csv:3:11: expected 10 fields in each gp-reg-pat-prac-all row, got "11 fields"');
  });

  it("accepts quoted fields, including one holding a comma", async () => {
    const path = listFile("quoted.csv", ['"GP_PRAC_PAT_LIST","2026-04-01","GP","16C","E38000247","A81001","TS18 1HU, STOCKTON","ALL","ALL","3747"']);
    await runImport(t, "list-sizes", path);
    expect(await listSizes(t)).toEqual([{ practice_code: "A81001", month: "2026-04-01", patients: 3747 }]);
  });

  it("accepts an identical duplicate row once, with a warning", async () => {
    const result = await runImport(t, "list-sizes", listFile("dup.csv", [ROW_A81001, ROW_A81002, ROW_A81001, ROW_A82003]));
    expect(result.counts).toEqual({ read: 4, inserted: 3, updated: 0, unchanged: 1, rejected: 0 });
    expect(result.warnings).toEqual([
      { message: "Duplicate row (identical to an earlier line) ignored", count: 1 },
      { message: UNKNOWN_WARNING, count: 3 },
    ]);
    expect((await listSizes(t)).map((r) => [r.practice_code, r.patients])).toEqual([
      ["A81001", 3747],
      ["A81002", 18654],
      ["A82003", 11913],
    ]);
  });

  it("decodes a UTF-16LE file that starts with its byte order mark", async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(APRIL, "utf16le")]);
    const result = await runImport(t, "list-sizes", tmp.write("utf16-bom.csv", bytes));
    expect(result.counts).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect((await listSizes(t)).map((r) => [r.practice_code, r.patients])).toEqual([
      ["A81001", 3747],
      ["A81002", 18654],
      ["A82003", 11913],
    ]);
  });

  it("accepts a lower-case practice code and lower-case month, storing them normalised", async () => {
    await runImport(t, "list-sizes", tmp.write("lower.csv", JAN_2021.replace("A84002", "a84002").replace("01JAN2021", "01jan2021")));
    expect(await listSizes(t)).toEqual([{ practice_code: "A84002", month: "2021-01-01", patients: 5903 }]);
  });
});

describe("list sizes: refused files change nothing", () => {
  beforeEach(async () => {
    await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2021-01.csv"));
    await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2026-04.csv"));
  });

  it("refuses a header without NUMBER_OF_PATIENTS", async () => {
    const text = APRIL.replace("NUMBER_OF_PATIENTS", "PATIENTS");
    const err = await expectRefused(t, "list-sizes", tmp.write("no-patients.csv", text));
    expect(err.message).toBe(
      'no-patients.csv:1: expected a gp-reg-pat-prac-all header with the column NUMBER_OF_PATIENTS, got "PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_S…"',
    );
    expect([err.file, err.line, err.column]).toEqual(["no-patients.csv", 1, null]);
  });

  it("refuses a file without a header", async () => {
    const err = await expectRefused(t, "list-sizes", tmp.write("headless.csv", `${ROW_A81001}\n`));
    expect(err.message).toBe(
      'headless.csv:1: expected a gp-reg-pat-prac-all header with the columns EXTRACT_DATE, CODE or ORG_CODE or PRACTICE_CODE, NUMBER_OF_PATIENTS, got "GP_PRAC_PAT_LIST,2026-04-01,GP,16C,E38000247,A81001,TS18 …"',
    );
  });

  it("refuses an impossible date (31FEB2021)", async () => {
    const err = await expectRefused(t, "list-sizes", tmp.write("feb31.csv", JAN_2021.replace("01JAN2021", "31FEB2021")));
    expect(err.message).toBe('feb31.csv:2:2 (EXTRACT_DATE): expected a date like 2026-04-01 or 01JAN2021, got "31FEB2021"');
  });

  it("refuses an impossible ISO date (2026-13-01)", async () => {
    const err = await expectRefused(t, "list-sizes", listFile("month13.csv", [ROW_A81001, ROW_A81002.replace("2026-04-01", "2026-13-01")]));
    expect(err.message).toBe('month13.csv:3:2 (EXTRACT_DATE): expected a date like 2026-04-01 or 01JAN2021, got "2026-13-01"');
  });

  it("refuses a date in a format this file never uses (01/04/2026)", async () => {
    const err = await expectRefused(t, "list-sizes", listFile("slashes.csv", [ROW_A81001.replace("2026-04-01", "01/04/2026")]));
    expect(err.message).toBe('slashes.csv:2:2 (EXTRACT_DATE): expected a date like 2026-04-01 or 01JAN2021, got "01/04/2026"');
  });

  it("refuses a non-numeric NUMBER_OF_PATIENTS", async () => {
    const err = await expectRefused(t, "list-sizes", listFile("abc.csv", [ROW_A81001, ROW_A81002, ROW_A82003.replace(",11913", ",abc")]));
    expect(err.message).toBe('abc.csv:4:10 (NUMBER_OF_PATIENTS): expected a whole number of 0 or more, got "abc"');
    expect([err.line, err.column, err.columnName, err.got]).toEqual([4, 10, "NUMBER_OF_PATIENTS", "abc"]);
  });

  it.each([
    ["negative", "-5"],
    ["decimal", "3747.5"],
    ["empty", ""],
    ["thousands separator", '"3,747"'],
  ])("refuses a %s NUMBER_OF_PATIENTS", async (_what, value) => {
    const err = await expectRefused(t, "list-sizes", listFile("bad-number.csv", [ROW_A81001.replace(",3747", `,${value}`)]));
    const got = value === "" ? "an empty value" : JSON.stringify(value.replace(/"/g, ""));
    expect(err.message).toBe(`bad-number.csv:2:10 (NUMBER_OF_PATIENTS): expected a whole number of 0 or more, got ${got}`);
  });

  it("refuses a bad practice code", async () => {
    const err = await expectRefused(t, "list-sizes", listFile("bad-code.csv", [ROW_A81001.replace("A81001", "881001")]));
    expect(err.message).toBe('bad-code.csv:2:6 (CODE): expected a practice ODS code like A81001, got "881001"');
  });

  it("refuses a row with the wrong number of fields", async () => {
    const err = await expectRefused(t, "list-sizes", listFile("width.csv", [ROW_A81001, "GP_PRAC_PAT_LIST,2026-04-01,GP,16C,A81002,18654"]));
    expect(err.message).toBe('width.csv:3:7: expected 10 fields in each gp-reg-pat-prac-all row, got "6 fields"');
  });

  it("refuses an empty file", async () => {
    const err = await expectRefused(t, "list-sizes", tmp.write("empty.csv", ""));
    expect(err.message).toBe("empty.csv:1: expected a gp-reg-pat-prac-all header row, got \"an empty file\"");
  });

  it("refuses a file truncated mid-line", async () => {
    const err = await expectRefused(t, "list-sizes", tmp.write("truncated.csv", APRIL.slice(0, APRIL.indexOf("01K,E38") + 5)));
    expect(err.message).toBe('truncated.csv:4:6: expected 10 fields in each gp-reg-pat-prac-all row, got "5 fields"');
  });

  it("refuses a file truncated inside a quoted field", async () => {
    const err = await expectRefused(t, "list-sizes", listFile("truncated-quote.csv", [ROW_A81001, 'GP_PRAC_PAT_LIST,2026-04-01,GP,16C,E38000247,A81002,"TS18']));
    expect(err.message).toBe("truncated-quote.csv:3:7: expected a closing quote (the file may be truncated)");
  });

  it("refuses conflicting rows for the same practice and month, naming both lines", async () => {
    const err = await expectRefused(t, "list-sizes", listFile("conflict.csv", [ROW_A81001, ROW_A81002, ROW_A82003, ROW_A81002.replace(",18654", ",18655")]));
    expect(err.message).toBe(
      'conflict.csv:5:6 (CODE): expected one row per practice per month; A81002 for 2026-04 is also on line 3 with 18654 patients, got "A81002"',
    );
  });

  it("refuses text that is not UTF-8 (Latin-1 in a postcode)", async () => {
    const bytes = Buffer.concat([Buffer.from(`${LIST_SIZES_HEADER}\nGP_PRAC_PAT_LIST,2026-04-01,GP,16C,E38000247,A81001,TS18 1HU`), Buffer.from([0xa3]), Buffer.from(",ALL,ALL,3747\n")]);
    const err = await expectRefused(t, "list-sizes", tmp.write("latin1.csv", bytes));
    expect(err.message).toBe('latin1.csv:2:7: expected UTF-8 text (the file may be in another encoding), got "TS18 1HU\uFFFD"');
  });

  it("refuses a UTF-16 file without a byte order mark (its header cannot be read)", async () => {
    const err = await expectRefused(t, "list-sizes", tmp.write("utf16.csv", Buffer.from(APRIL, "utf16le")));
    expect(err.message).toMatch(/^utf16\.csv:1: expected a gp-reg-pat-prac-all header with the columns EXTRACT_DATE, CODE or ORG_CODE or PRACTICE_CODE, NUMBER_OF_PATIENTS, got "P\\u0000U\\u0000/);
  });
});

describe("list sizes: a large file", () => {
  it("imports 50,000 generated rows correctly", async () => {
    const N = 50_000;
    const patients = (i: number) => (i * 7919) % 30_000;
    const code = (i: number) => `${String.fromCharCode(65 + (i % 26))}${String(i).padStart(5, "0")}`;
    const lines = [LIST_SIZES_HEADER];
    for (let i = 0; i < N; i++) lines.push(`GP_PRAC_PAT_LIST,2026-04-01,GP,16C,E38000247,${code(i)},TS18 1HU,ALL,ALL,${patients(i)}`);
    const path = tmp.write("large.csv", lines.join("\n") + "\n");

    const result = await runImport(t, "list-sizes", path);
    expect(result.counts).toEqual({ read: N, inserted: N, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toEqual([{ message: UNKNOWN_WARNING, count: N }]);

    let expectedSum = 0;
    for (let i = 0; i < N; i++) expectedSum += patients(i);
    const agg = t.sqlite
      .prepare("select count(*) as n, count(distinct practice_code) as codes, sum(patients) as total, min(month) as lo, max(month) as hi from list_sizes")
      .get();
    expect(agg).toEqual({ n: N, codes: N, total: expectedSum, lo: "2026-04-01", hi: "2026-04-01" });
    for (const i of [0, 1, 499, 500, 12_345, 49_999]) {
      const row = await t.db.selectFrom("list_sizes").select("patients").where("practice_code", "=", code(i)).executeTakeFirstOrThrow();
      expect(row.patients, code(i)).toBe(patients(i));
    }
    expect(rows(t, "import_log", "id")[0]).toMatchObject({ rows_read: N, rows_inserted: N });

    // The same month re-issued with one value changed, at the very end: one update, the rest unchanged.
    lines[N] = lines[N]!.replace(/,\d+$/, ",1");
    const reissue = tmp.write("large-v2.csv", lines.join("\n") + "\n");
    const again = await runImport(t, "list-sizes", reissue);
    expect(again.counts).toEqual({ read: N, inserted: 0, updated: 1, unchanged: N - 1, rejected: 0 });
    const last = await t.db.selectFrom("list_sizes").select("patients").where("practice_code", "=", code(N - 1)).executeTakeFirstOrThrow();
    expect(last.patients).toBe(1);
  });
});
