/** The ODS epraccur importer, on the published rows and on every way a file can be wrong. */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, dumpTables, type TestDatabase } from "../support/db";
import {
  epraccurFixtureRows,
  epraccurLine,
  expectRefused,
  expectUnchanged,
  fixturePath,
  fixtureText,
  rows,
  runImport,
  TempDir,
  withFields,
} from "./helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

const CURRENT = epraccurFixtureRows("epraccur-current.csv");
const A81001 = CURRENT.get("A81001")!;
const A81003 = CURRENT.get("A81003")!;
const A81065 = CURRENT.get("A81065")!;

/** Column positions (0-based) in epraccur. */
const NAME = 1;
const OPEN_DATE = 10;
const CLOSE_DATE = 11;
const STATUS = 12;
const LEFT_DATE = 16;
const SETTING = 25;

function epraccurFile(name: string, lines: string[][], eol = "\n"): string {
  return tmp.write(name, lines.map(epraccurLine).join(eol) + eol);
}

function practice(code: string) {
  return t.db.selectFrom("practices").selectAll().where("ods_code", "=", code).executeTakeFirstOrThrow();
}

const TIMESTAMPS = { created_at: expect.any(String), updated_at: expect.any(String) };

describe("epraccur: the published rows", () => {
  it("loads the current (ODS Data Search and Export) file: A81001 active, A81003 closed, A81065 dormant", async () => {
    const result = await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toEqual([]);

    expect(rows(t, "practices", "ods_code")).toEqual([
      {
        ods_code: "A81001",
        name: "THE DENSHAM SURGERY",
        address_line1: "HEALTH CENTRE",
        address_line2: "LAWSON STREET",
        address_line3: null,
        address_line4: "STOCKTON-ON-TEES",
        address_line5: null,
        postcode: "TS18 1HU",
        phone: "01642 672351",
        status: "active",
        open_date: "1974-04-01",
        close_date: null,
        region_code: "Y63",
        icb_code: "QHM",
        sub_icb_code: "16C",
        pcn_code: null,
        contract_type: null,
        source: "epraccur",
        is_demo: 0,
        ...TIMESTAMPS,
      },
      {
        ods_code: "A81003",
        name: "VICTORIA MEDICAL PRACTICE",
        address_line1: "HEALTH CENTRE",
        address_line2: "VICTORIA ROAD",
        address_line3: null,
        address_line4: "HARTLEPOOL",
        address_line5: null,
        postcode: "TS26 8DB",
        phone: "01429 272945",
        status: "closed",
        open_date: "1974-04-01",
        close_date: "2017-10-31",
        region_code: "Y63",
        icb_code: "QHM",
        sub_icb_code: "00K",
        pcn_code: null,
        contract_type: null,
        source: "epraccur",
        is_demo: 0,
        ...TIMESTAMPS,
      },
      {
        ods_code: "A81065",
        name: "THE ESTON SURGERY",
        address_line1: "LOW GRANGE HEALTH VILLAGE",
        address_line2: "NORMANBY ROAD",
        address_line3: null,
        address_line4: "MIDDLESBROUGH",
        address_line5: null,
        postcode: "TS6 6TD",
        phone: "01642 511567",
        status: "dormant",
        open_date: "1974-04-01",
        close_date: null,
        region_code: "Y63",
        icb_code: "QHM",
        sub_icb_code: "16C",
        pcn_code: null,
        contract_type: null,
        source: "epraccur",
        is_demo: 0,
        ...TIMESTAMPS,
      },
    ]);
  });

  it("creates the organisations it names (codes only: epraccur has no organisation names)", async () => {
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const updated_at = expect.any(String);
    expect(rows(t, "regions", "code")).toEqual([{ code: "Y63", name: null, ons_code: null, is_demo: 0, updated_at }]);
    expect(rows(t, "icbs", "code")).toEqual([{ code: "QHM", name: null, ons_code: null, region_code: "Y63", is_demo: 0, updated_at }]);
    expect(rows(t, "sub_icbs", "code")).toEqual([
      { code: "00K", name: null, ons_code: null, icb_code: "QHM", is_demo: 0, updated_at },
      { code: "16C", name: null, ons_code: null, icb_code: "QHM", is_demo: 0, updated_at },
    ]);
    expect(rows(t, "pcns", "code")).toEqual([]);
  });

  it("records the import in the import log and the audit log", async () => {
    const result = await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const log = rows(t, "import_log", "id");
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      id: result.importId,
      source: "epraccur",
      file_name: "epraccur-current.csv",
      file_hash: result.hash,
      file_bytes: Buffer.byteLength(fixtureText("epraccur-current.csv")),
      rows_read: 3,
      rows_inserted: 3,
      rows_updated: 0,
      rows_unchanged: 0,
      rows_rejected: 0,
      warnings: "[]",
      actor: "test",
      user_id: null,
    });
    const audit = rows(t, "audit_log", "id");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: "test", action: "import.completed", entity_type: "import", entity_id: String(result.importId) });
    expect(JSON.parse(audit[0]!.detail as string)).toEqual({
      source: "epraccur",
      fileName: "epraccur-current.csv",
      hash: result.hash,
      read: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      rejected: 0,
    });
  });

  it("loads the legacy (retired epraccur.zip) format: status A and prescribing setting 4", async () => {
    const result = await runImport(t, "epraccur", fixturePath("epraccur-legacy.csv"));
    expect(result.counts).toEqual({ read: 1, inserted: 1, updated: 0, unchanged: 0, rejected: 0 });
    expect(await practice("A81001")).toEqual({
      ods_code: "A81001",
      name: "THE DENSHAM SURGERY",
      address_line1: "THE HEALTH CENTRE",
      address_line2: "LAWSON STREET",
      address_line3: "STOCKTON ON TEES",
      address_line4: "CLEVELAND",
      address_line5: null,
      postcode: "TS18 1HU",
      phone: "01642 672351",
      status: "active",
      open_date: "1974-04-01",
      close_date: null,
      region_code: "Y63",
      icb_code: "QHM",
      sub_icb_code: "16C",
      pcn_code: null,
      contract_type: null,
      source: "epraccur",
      is_demo: 0,
      ...TIMESTAMPS,
    });
  });

  it("maps the legacy status codes C, D and P", async () => {
    const legacy = epraccurFixtureRows("epraccur-legacy.csv").get("A81001")!;
    const path = epraccurFile("legacy-statuses.csv", [
      withFields(legacy, { 0: "A81002", [STATUS]: "C", [CLOSE_DATE]: "20200331" }),
      withFields(legacy, { 0: "A81004", [STATUS]: "D" }),
      withFields(legacy, { 0: "A81005", [STATUS]: "P" }),
    ]);
    await runImport(t, "epraccur", path);
    const got = await t.db.selectFrom("practices").select(["ods_code", "status", "close_date"]).orderBy("ods_code").execute();
    expect(got).toEqual([
      { ods_code: "A81002", status: "closed", close_date: "2020-03-31" },
      { ods_code: "A81004", status: "dormant", close_date: null },
      { ods_code: "A81005", status: "proposed", close_date: null },
    ]);
  });

  it("keeps organisation names another file gave (epraccur leaves them alone) and does not touch PCNs", async () => {
    await runImport(t, "practice-map", fixturePath("gpad-Mapping.csv"));
    const result = await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    // A81001 was known from the map (no address, status unknown): updated; A81003 and A81065 are new.
    expect(result.counts).toEqual({ read: 3, inserted: 2, updated: 1, unchanged: 0, rejected: 0 });
    expect(await practice("A81001")).toMatchObject({ status: "active", pcn_code: "U89141", postcode: "TS18 1HU", source: "epraccur" });
    const icb = await t.db.selectFrom("icbs").selectAll().where("code", "=", "QHM").executeTakeFirstOrThrow();
    expect(icb.name).toBe("NHS North East and North Cumbria Integrated Care Board");
    const sub = await t.db.selectFrom("sub_icbs").selectAll().where("code", "=", "16C").executeTakeFirstOrThrow();
    expect(sub.name).toBe("NHS North East and North Cumbria ICB - 16C");
  });
});

describe("epraccur: editions", () => {
  it("re-importing the same file is a no-op", async () => {
    const first = await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const again = await expectUnchanged(t, "epraccur", fixturePath("epraccur-current.csv"));
    expect(again.importId).toBe(first.importId);
    expect(again.hash).toBe(first.hash);
    expect(again.importedAt).toBe(rows(t, "import_log", "id")[0]!.finished_at);
  });

  it("the same bytes under another name are still a no-op", async () => {
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const copy = tmp.write("epraccur-renamed-copy.csv", fixtureText("epraccur-current.csv"));
    const again = await expectUnchanged(t, "epraccur", copy);
    expect(again.fileName).toBe("epraccur-renamed-copy.csv");
  });

  it("a newer edition with a renamed practice and a closure updates both in place", async () => {
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const path = epraccurFile("epraccur-next.csv", [
      withFields(A81001, { [NAME]: "THE DENSHAM SURGERY AND LAWSON PRACTICE" }),
      A81003,
      withFields(A81065, { [STATUS]: "INACTIVE", [CLOSE_DATE]: "20250930", [LEFT_DATE]: "20250930" }),
    ]);
    const result = await runImport(t, "epraccur", path);
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 3, inserted: 0, updated: 2, unchanged: 1, rejected: 0 });
    expect(await practice("A81001")).toMatchObject({ name: "THE DENSHAM SURGERY AND LAWSON PRACTICE", status: "active", close_date: null });
    expect(await practice("A81065")).toMatchObject({ name: "THE ESTON SURGERY", status: "closed", close_date: "2025-09-30" });
    expect(await practice("A81003")).toMatchObject({ name: "VICTORIA MEDICAL PRACTICE", status: "closed", close_date: "2017-10-31" });
    expect(rows(t, "practices", "ods_code")).toHaveLength(3);
    expect(rows(t, "import_log", "id").map((r) => [r.file_name, r.rows_updated, r.rows_unchanged])).toEqual([
      ["epraccur-current.csv", 0, 0],
      ["epraccur-next.csv", 2, 1],
    ]);
  });

  it("a practice that moves sub-ICB location and ICB is moved, creating the new organisations", async () => {
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const path = epraccurFile("epraccur-moved.csv", [withFields(A81001, { 2: "Y62", 3: "QE1", 14: "01K", 23: "01K" }), A81003, A81065]);
    const result = await runImport(t, "epraccur", path);
    expect(result.counts).toEqual({ read: 3, inserted: 0, updated: 1, unchanged: 2, rejected: 0 });
    expect(await practice("A81001")).toMatchObject({ region_code: "Y62", icb_code: "QE1", sub_icb_code: "01K" });
    expect(rows(t, "icbs", "code").map((r) => [r.code, r.region_code])).toEqual([
      ["QE1", "Y62"],
      ["QHM", "Y63"],
    ]);
    expect(rows(t, "sub_icbs", "code").map((r) => [r.code, r.icb_code])).toEqual([
      ["00K", "QHM"],
      ["01K", "QE1"],
      ["16C", "QHM"],
    ]);
  });
});

describe("epraccur: accepted variations", () => {
  it("accepts a UTF-8 BOM before the first row", async () => {
    const path = tmp.write("epraccur-bom.csv", "\uFEFF" + fixtureText("epraccur-current.csv"));
    const result = await runImport(t, "epraccur", path);
    expect(result.counts.inserted).toBe(3);
    expect(rows(t, "practices", "ods_code").map((r) => r.ods_code)).toEqual(["A81001", "A81003", "A81065"]);
  });

  it("accepts CRLF line endings", async () => {
    const path = tmp.write("epraccur-crlf.csv", fixtureText("epraccur-current.csv").replace(/\n/g, "\r\n"));
    const result = await runImport(t, "epraccur", path);
    expect(result.counts).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect(await practice("A81003")).toMatchObject({ status: "closed", close_date: "2017-10-31", phone: "01429 272945" });
  });

  it("accepts a last line without a line end", async () => {
    const path = tmp.write("epraccur-noeol.csv", fixtureText("epraccur-current.csv").trimEnd());
    expect((await runImport(t, "epraccur", path)).counts.inserted).toBe(3);
    expect(await practice("A81065")).toMatchObject({ status: "dormant" });
  });

  it("keeps quoted fields containing commas and quotes whole", async () => {
    const path = epraccurFile("epraccur-commas.csv", [
      withFields(A81001, { 0: "A81999", [NAME]: "SMITH, JONES AND PARTNERS", 4: 'THE "OLD" SURGERY, UNIT 2' }),
      A81003,
    ]);
    const result = await runImport(t, "epraccur", path);
    expect(result.counts.inserted).toBe(2);
    expect(await practice("A81999")).toMatchObject({
      name: "SMITH, JONES AND PARTNERS",
      address_line1: 'THE "OLD" SURGERY, UNIT 2',
      address_line2: "LAWSON STREET",
      postcode: "TS18 1HU",
    });
  });

  it("keeps non-ASCII UTF-8 text", async () => {
    const path = epraccurFile("epraccur-utf8.csv", [withFields(A81001, { [NAME]: "CAFÉ ROAD SURGERY – ŁÓDŹ HOUSE" })]);
    await runImport(t, "epraccur", path);
    expect((await practice("A81001")).name).toBe("CAFÉ ROAD SURGERY – ŁÓDŹ HOUSE");
  });

  it("loads an identical duplicate row once, with a warning", async () => {
    const path = epraccurFile("epraccur-dup.csv", [A81001, A81003, A81001, A81065]);
    const result = await runImport(t, "epraccur", path);
    expect(result.counts).toEqual({ read: 4, inserted: 3, updated: 0, unchanged: 1, rejected: 0 });
    expect(result.warnings).toEqual([{ message: "Duplicate row (identical to an earlier line) ignored", count: 1 }]);
    expect(rows(t, "practices", "ods_code").map((r) => r.ods_code)).toEqual(["A81001", "A81003", "A81065"]);
    expect(JSON.parse(rows(t, "import_log", "id")[0]!.warnings as string)).toEqual(result.warnings);
  });

  it("counts rows that are not GP practices as not loaded, with a warning, and loads the rest", async () => {
    const legacy = epraccurFixtureRows("epraccur-legacy.csv").get("A81001")!;
    const path = epraccurFile("epraccur-mixed.csv", [
      A81001,
      withFields(A81003, { 0: "Y02960", [NAME]: "OUT OF HOURS SERVICE", [SETTING]: "RO80" }),
      withFields(legacy, { 0: "Y01234", [NAME]: "WALK IN CENTRE", [SETTING]: "1" }),
      withFields(A81065, { [SETTING]: "RO72|RO76" }),
    ]);
    const result = await runImport(t, "epraccur", path);
    expect(result.counts).toEqual({ read: 4, inserted: 2, updated: 0, unchanged: 0, rejected: 2 });
    expect(result.warnings).toEqual([{ message: "Not loaded: not a GP practice (prescribing setting is not 4 / role is not RO76)", count: 2 }]);
    expect(rows(t, "practices", "ods_code").map((r) => r.ods_code)).toEqual(["A81001", "A81065"]);
    expect(rows(t, "import_log", "id")[0]).toMatchObject({ rows_read: 4, rows_inserted: 2, rows_rejected: 2 });
  });

  it("skips blank lines, and reports later lines by their real line numbers", async () => {
    const text = [epraccurLine(A81001), "", epraccurLine(A81003), "", "", epraccurLine(withFields(A81065, { [STATUS]: "OPEN" }))].join("\n");
    const path = tmp.write("epraccur-blank-lines.csv", text + "\n");
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe(
      'epraccur-blank-lines.csv:6:13 (Status Code): expected a status of ACTIVE, INACTIVE or DORMANT (or legacy A, C, D or P), got "OPEN"',
    );
  });
});

describe("epraccur: refused files change nothing", () => {
  // Each refusal is checked against a database that already holds data, so "changed nothing" means something.
  beforeEach(async () => {
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2026-04.csv"));
  });

  it("refuses a header row", async () => {
    const header = [
      "Organisation Code", "Name", "National Grouping", "High Level Health Geography", "Address Line 1", "Address Line 2",
      "Address Line 3", "Address Line 4", "Address Line 5", "Postcode", "Open Date", "Close Date", "Status Code",
      "Organisation Sub-Type Code", "Commissioner", "Join Provider/Purchaser Date", "Left Provider/Purchaser Date",
      "Contact Telephone Number", "Null", "Null", "Null", "Amended Record Indicator", "Null", "Provider/Purchaser", "Null",
      "Prescribing Setting", "Null",
    ];
    expect(header).toHaveLength(27);
    const path = epraccurFile("epraccur-header.csv", [header, A81001]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe(
      'epraccur-header.csv:1:1: expected no header row (epraccur as published by ODS starts with data), got "Organisation Code"',
    );
    expect(err.line).toBe(1);
    expect(err.column).toBe(1);
  });

  it("refuses a headered re-export with fewer columns", async () => {
    const text = "OrgCode,Name,NationalGrouping,HighLevelHealthGeography,AddressLine1,AddressLine2,AddressLine3,AddressLine4,AddressLine5,Postcode,OpenDate,CloseDate,StatusCode,SubTypeCode,Commissioner,JoinDate,LeftDate,Phone,Amended,Provider,PrescrSet\n";
    const err = await expectRefused(t, "epraccur", tmp.write("epraccur-reexport.csv", text));
    expect(err.message).toBe('epraccur-reexport.csv:1:22: expected 27 fields in each epraccur row, got "21 fields"');
  });

  it("refuses a row with 26 fields", async () => {
    const path = epraccurFile("epraccur-26.csv", [A81001, A81003.slice(0, 26), A81065]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe('epraccur-26.csv:2:27: expected 27 fields in each epraccur row, got "26 fields"');
    expect([err.file, err.line, err.column]).toEqual(["epraccur-26.csv", 2, 27]);
  });

  it("refuses a row with 28 fields", async () => {
    const path = epraccurFile("epraccur-28.csv", [A81001, [...A81003, "EXTRA"]]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe('epraccur-28.csv:2:28: expected 27 fields in each epraccur row, got "28 fields"');
  });

  it("refuses an impossible open date (19741301)", async () => {
    const path = epraccurFile("epraccur-bad-open.csv", [A81001, withFields(A81065, { [OPEN_DATE]: "19741301" })]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe('epraccur-bad-open.csv:2:11 (Open Date): expected a date like 20260401, or empty, got "19741301"');
    expect(err.columnName).toBe("Open Date");
  });

  it("refuses a close date in another format (31/10/2017)", async () => {
    const path = epraccurFile("epraccur-bad-close.csv", [withFields(A81003, { [CLOSE_DATE]: "31/10/2017" })]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe('epraccur-bad-close.csv:1:12 (Close Date): expected a date like 20260401, or empty, got "31/10/2017"');
  });

  it("refuses a bad practice code", async () => {
    const path = epraccurFile("epraccur-bad-code.csv", [A81001, A81003, withFields(A81065, { 0: "A8106" })]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe('epraccur-bad-code.csv:3:1 (Organisation Code): expected a practice ODS code like A81001, got "A8106"');
  });

  it("refuses an unknown status", async () => {
    const path = epraccurFile("epraccur-bad-status.csv", [withFields(A81001, { [STATUS]: "CLOSED" })]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe(
      'epraccur-bad-status.csv:1:13 (Status Code): expected a status of ACTIVE, INACTIVE or DORMANT (or legacy A, C, D or P), got "CLOSED"',
    );
  });

  it("refuses an empty status", async () => {
    const path = epraccurFile("epraccur-empty-status.csv", [withFields(A81001, { [STATUS]: "" })]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe(
      "epraccur-empty-status.csv:1:13 (Status Code): expected a status of ACTIVE, INACTIVE or DORMANT (or legacy A, C, D or P), got an empty value",
    );
  });

  it("refuses an empty practice name", async () => {
    const path = epraccurFile("epraccur-no-name.csv", [withFields(A81001, { [NAME]: "  " })]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe('epraccur-no-name.csv:1:2 (Name): expected a practice name, got "  "');
  });

  it("refuses an empty file", async () => {
    const err = await expectRefused(t, "epraccur", tmp.write("epraccur-empty.csv", ""));
    expect(err.message).toBe("epraccur-empty.csv:1: expected at least one epraccur row, got \"an empty file\"");
  });

  it("refuses a file of blank lines", async () => {
    const err = await expectRefused(t, "epraccur", tmp.write("epraccur-blank.csv", "\n\r\n\n"));
    expect(err.message).toBe("epraccur-blank.csv:1: expected at least one epraccur row, got \"an empty file\"");
  });

  it("refuses a file truncated inside a quoted field", async () => {
    const text = fixtureText("epraccur-current.csv");
    const cut = text.slice(0, text.indexOf("LOW GRANGE") + "LOW GR".length);
    const err = await expectRefused(t, "epraccur", tmp.write("epraccur-truncated.csv", cut));
    expect(err.message).toBe("epraccur-truncated.csv:3:5: expected a closing quote (the file may be truncated)");
  });

  it("refuses a file truncated between fields", async () => {
    const text = fixtureText("epraccur-current.csv");
    const cut = text.slice(0, text.indexOf('"DORMANT"') - 1);
    const err = await expectRefused(t, "epraccur", tmp.write("epraccur-truncated2.csv", cut));
    expect(err.message).toBe('epraccur-truncated2.csv:3:13: expected 27 fields in each epraccur row, got "12 fields"');
  });

  it("refuses a stray quote inside a field", async () => {
    const text = epraccurLine(A81001) + '\n"A81003","VICTORIA "MEDICAL" PRACTICE","Y63"\n';
    const err = await expectRefused(t, "epraccur", tmp.write("epraccur-stray-quote.csv", text));
    expect(err.message).toBe("epraccur-stray-quote.csv:2:2: expected a delimiter or line end after a closing quote");
  });

  it("refuses conflicting rows for the same practice, naming both lines", async () => {
    const path = epraccurFile("epraccur-conflict.csv", [A81001, A81003, A81065, withFields(A81001, { [STATUS]: "DORMANT" })]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe(
      'epraccur-conflict.csv:4:1 (Organisation Code): expected each practice once; A81001 is also on line 1 with different values, got "A81001"',
    );
  });

  it("refuses text that is not UTF-8 (a Latin-1 É)", async () => {
    const before = Buffer.from(epraccurLine(A81001) + '\n"A81003","ST ');
    const after = Buffer.from(`S SURGERY",${epraccurLine(A81003).split(",").slice(2).join(",")}\n`);
    const path = tmp.write("epraccur-latin1.csv", Buffer.concat([before, Buffer.from([0xc9]), after]));
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe('epraccur-latin1.csv:2:2: expected UTF-8 text (the file may be in another encoding), got "ST \uFFFDS SURGERY"');
  });

  it("refuses a bad row even after good ones, loading none of them", async () => {
    const path = epraccurFile("epraccur-late-error.csv", [
      withFields(A81001, { [NAME]: "RENAMED BEFORE THE ERROR" }),
      withFields(A81003, { 0: "A81004" }),
      withFields(A81065, { [OPEN_DATE]: "2026-04-01" }),
    ]);
    const err = await expectRefused(t, "epraccur", path);
    expect(err.message).toBe('epraccur-late-error.csv:3:11 (Open Date): expected a date like 20260401, or empty, got "2026-04-01"');
    expect((await practice("A81001")).name).toBe("THE DENSHAM SURGERY");
    expect(await t.db.selectFrom("practices").select("ods_code").where("ods_code", "=", "A81004").executeTakeFirst()).toBeUndefined();
  });

  it("a refused file can be imported once it is fixed, and the refused one is refused again", async () => {
    const bad = epraccurFile("epraccur-fixme.csv", [withFields(A81001, { [STATUS]: "X" })]);
    await expectRefused(t, "epraccur", bad);
    await expectRefused(t, "epraccur", bad);
    const good = epraccurFile("epraccur-fixme.csv", [withFields(A81001, { [STATUS]: "DORMANT" })]);
    const result = await runImport(t, "epraccur", good);
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 1, inserted: 0, updated: 1, unchanged: 0, rejected: 0 });
    expect((await practice("A81001")).status).toBe("dormant");
    expect(dumpTables(t).import_log).toHaveLength(3);
  });
});
