/** The practice-map importer (Mapping.csv from the appointments zip, or gp-reg-pat-prac-map.csv). */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { expectRefused, expectUnchanged, fixturePath, fixtureText, MAPPING_HEADER, rows, runImport, TempDir } from "./helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

const MAPPING = fixtureText("gpad-Mapping.csv");
const [, MAP_A81001, MAP_A81035, MAP_A82003] = MAPPING.trimEnd().split("\n") as [string, string, string, string];

function mapFile(name: string, lines: string[], eol = "\n"): string {
  return tmp.write(name, [MAPPING_HEADER, ...lines].join(eol) + eol);
}

function practice(code: string) {
  return t.db.selectFrom("practices").selectAll().where("ods_code", "=", code).executeTakeFirstOrThrow();
}

const updated_at = expect.any(String);

/** The gp-reg-pat-prac-map.csv layout (17 columns, with ONS codes and a postcode). */
const PRAC_MAP_HEADER =
  "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PRACTICE_POSTCODE,PCN_CODE,PCN_NAME,ONS_SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ONS_ICB_CODE,ICB_CODE,ICB_NAME,ONS_COMM_REGION_CODE,COMM_REGION_CODE,COMM_REGION_NAME,SUPPLIER_NAME";
const PRAC_MAP_A81001 =
  "GP_PRAC_PAT_LIST,2026-08-01,A81001,THE DENSHAM SURGERY,TS18 1HU,U89141,STOCKTON PCN,E38000247,16C,NHS North East and North Cumbria ICB - 16C,E54000050,QHM,NHS North East and North Cumbria Integrated Care Board,E40000012,Y63,North East and Yorkshire,TPP";

describe("practice map: the published Mapping.csv", () => {
  it("loads every membership: practice → PCN → sub-ICB → ICB → region, with names", async () => {
    const result = await runImport(t, "practice-map", fixturePath("gpad-Mapping.csv"));
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toEqual([]);

    expect(
      await t.db
        .selectFrom("practices")
        .select(["ods_code", "name", "status", "pcn_code", "sub_icb_code", "icb_code", "region_code", "postcode", "source", "is_demo"])
        .orderBy("ods_code")
        .execute(),
    ).toEqual([
      { ods_code: "A81001", name: "THE DENSHAM SURGERY", status: "unknown", pcn_code: "U89141", sub_icb_code: "16C", icb_code: "QHM", region_code: "Y63", postcode: null, source: "practice-map", is_demo: 0 },
      { ods_code: "A81035", name: "NEWLANDS MEDICAL CENTRE", status: "unknown", pcn_code: "U02671", sub_icb_code: "16C", icb_code: "QHM", region_code: "Y63", postcode: null, source: "practice-map", is_demo: 0 },
      { ods_code: "A82003", name: "ULVERSTON MEDICAL PRACTICE", status: "unknown", pcn_code: "U25520", sub_icb_code: "01K", icb_code: "QE1", region_code: "Y62", postcode: null, source: "practice-map", is_demo: 0 },
    ]);
    expect(rows(t, "pcns", "code")).toEqual([
      { code: "U02671", name: "GREATER MIDDLESBROUGH PCN", sub_icb_code: "16C", is_demo: 0, updated_at },
      { code: "U25520", name: "MID FURNESS PCN", sub_icb_code: "01K", is_demo: 0, updated_at },
      { code: "U89141", name: "STOCKTON PCN", sub_icb_code: "16C", is_demo: 0, updated_at },
    ]);
    expect(rows(t, "sub_icbs", "code")).toEqual([
      { code: "01K", name: "NHS Lancashire and South Cumbria ICB - 01K", ons_code: null, icb_code: "QE1", is_demo: 0, updated_at },
      { code: "16C", name: "NHS North East and North Cumbria ICB - 16C", ons_code: null, icb_code: "QHM", is_demo: 0, updated_at },
    ]);
    expect(rows(t, "icbs", "code")).toEqual([
      { code: "QE1", name: "NHS Lancashire and South Cumbria Integrated Care Board", ons_code: null, region_code: "Y62", is_demo: 0, updated_at },
      { code: "QHM", name: "NHS North East and North Cumbria Integrated Care Board", ons_code: null, region_code: "Y63", is_demo: 0, updated_at },
    ]);
    expect(rows(t, "regions", "code")).toEqual([
      { code: "Y62", name: "North West", ons_code: null, is_demo: 0, updated_at },
      { code: "Y63", name: "North East and Yorkshire", ons_code: null, is_demo: 0, updated_at },
    ]);
  });

  it("adds memberships to practices epraccur already loaded, keeping their status and address", async () => {
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const result = await runImport(t, "practice-map", fixturePath("gpad-Mapping.csv"));
    // A81001 gains its PCN (updated); A81035 and A82003 are new to the database.
    expect(result.counts).toEqual({ read: 3, inserted: 2, updated: 1, unchanged: 0, rejected: 0 });
    expect(await practice("A81001")).toMatchObject({
      status: "active",
      pcn_code: "U89141",
      address_line1: "HEALTH CENTRE",
      postcode: "TS18 1HU",
      open_date: "1974-04-01",
      source: "practice-map",
    });
    expect(await practice("A81035")).toMatchObject({ status: "unknown", pcn_code: "U02671", address_line1: null });
    expect(await practice("A82003")).toMatchObject({ status: "unknown", pcn_code: "U25520", icb_code: "QE1" });
    // The organisations epraccur created by code now have names.
    expect(rows(t, "icbs", "code").map((r) => [r.code, r.name])).toEqual([
      ["QE1", "NHS Lancashire and South Cumbria Integrated Care Board"],
      ["QHM", "NHS North East and North Cumbria Integrated Care Board"],
    ]);
    expect(rows(t, "sub_icbs", "code").map((r) => [r.code, r.name])).toEqual([
      ["00K", null],
      ["01K", "NHS Lancashire and South Cumbria ICB - 01K"],
      ["16C", "NHS North East and North Cumbria ICB - 16C"],
    ]);
  });

  it("loads the gp-reg-pat-prac-map.csv layout, with postcode and ONS codes", async () => {
    const path = tmp.write("gp-reg-pat-prac-map.csv", `${PRAC_MAP_HEADER}\n${PRAC_MAP_A81001}\n`);
    const result = await runImport(t, "practice-map", path);
    expect(result.counts).toEqual({ read: 1, inserted: 1, updated: 0, unchanged: 0, rejected: 0 });
    expect(await practice("A81001")).toMatchObject({ name: "THE DENSHAM SURGERY", postcode: "TS18 1HU", pcn_code: "U89141", status: "unknown" });
    expect(rows(t, "sub_icbs", "code")).toEqual([
      { code: "16C", name: "NHS North East and North Cumbria ICB - 16C", ons_code: "E38000247", icb_code: "QHM", is_demo: 0, updated_at },
    ]);
    expect(rows(t, "icbs", "code")).toEqual([
      { code: "QHM", name: "NHS North East and North Cumbria Integrated Care Board", ons_code: "E54000050", region_code: "Y63", is_demo: 0, updated_at },
    ]);
    expect(rows(t, "regions", "code")).toEqual([{ code: "Y63", name: "North East and Yorkshire", ons_code: "E40000012", is_demo: 0, updated_at }]);
  });

  it("loads a practice with no PCN, leaving its PCN empty", async () => {
    const noPcn = MAP_A81035.replace("U02671,GREATER MIDDLESBROUGH PCN", ",");
    const result = await runImport(t, "practice-map", mapFile("map-no-pcn.csv", [noPcn]));
    expect(result.counts.inserted).toBe(1);
    expect(await practice("A81035")).toMatchObject({ pcn_code: null, sub_icb_code: "16C" });
    expect(rows(t, "pcns", "code")).toEqual([]);
  });
});

describe("practice map: editions", () => {
  it("re-importing the same file is a no-op", async () => {
    const first = await runImport(t, "practice-map", fixturePath("gpad-Mapping.csv"));
    const again = await expectUnchanged(t, "practice-map", fixturePath("gpad-Mapping.csv"));
    expect(again.importId).toBe(first.importId);
  });

  it("a newer edition that moves a practice to another PCN updates pcn_code in place", async () => {
    await runImport(t, "practice-map", fixturePath("gpad-Mapping.csv"));
    const moved = MAP_A81001.replace("U89141,STOCKTON PCN", "U02671,GREATER MIDDLESBROUGH PCN");
    const result = await runImport(t, "practice-map", mapFile("Mapping-next.csv", [moved, MAP_A81035, MAP_A82003]));
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 3, inserted: 0, updated: 1, unchanged: 2, rejected: 0 });
    expect(await practice("A81001")).toMatchObject({ pcn_code: "U02671", sub_icb_code: "16C", status: "unknown" });
    expect(await practice("A81035")).toMatchObject({ pcn_code: "U02671" });
    expect(await practice("A82003")).toMatchObject({ pcn_code: "U25520" });
    // The PCN the practice left is kept (other files may still name it).
    expect(rows(t, "pcns", "code").map((r) => r.code)).toEqual(["U02671", "U25520", "U89141"]);
  });

  it("a newer edition with a new PCN creates it; a renamed PCN is renamed", async () => {
    await runImport(t, "practice-map", fixturePath("gpad-Mapping.csv"));
    const newPcn = MAP_A81001.replace("U89141,STOCKTON PCN", "U99001,STOCKTON NORTH PCN");
    const renamed = MAP_A82003.replace("MID FURNESS PCN", "FURNESS PCN");
    const result = await runImport(t, "practice-map", mapFile("Mapping-pcns.csv", [newPcn, MAP_A81035, renamed]));
    // Only A81001's own row changes; A82003's PCN is renamed but the practice row itself is unchanged.
    expect(result.counts).toEqual({ read: 3, inserted: 0, updated: 1, unchanged: 2, rejected: 0 });
    expect(rows(t, "pcns", "code").map((r) => [r.code, r.name, r.sub_icb_code])).toEqual([
      ["U02671", "GREATER MIDDLESBROUGH PCN", "16C"],
      ["U25520", "FURNESS PCN", "01K"],
      ["U89141", "STOCKTON PCN", "16C"],
      ["U99001", "STOCKTON NORTH PCN", "16C"],
    ]);
    expect(await practice("A81001")).toMatchObject({ pcn_code: "U99001" });
  });
});

describe("practice map: accepted variations", () => {
  it("accepts a UTF-8 BOM on the header", async () => {
    const result = await runImport(t, "practice-map", tmp.write("Mapping-bom.csv", "\uFEFF" + MAPPING));
    expect(result.counts.inserted).toBe(3);
    expect(await practice("A81001")).toMatchObject({ pcn_code: "U89141" });
  });

  it("accepts CRLF line endings", async () => {
    const result = await runImport(t, "practice-map", tmp.write("Mapping-crlf.csv", MAPPING.replace(/\n/g, "\r\n")));
    expect(result.counts).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect((await practice("A82003")).region_code).toBe("Y62");
    const region = await t.db.selectFrom("regions").selectAll().where("code", "=", "Y62").executeTakeFirstOrThrow();
    expect(region.name).toBe("North West");
  });

  it("accepts columns in another order and header cells in other case", async () => {
    const header = "icb_code,Region_Code,REGION_NAME,ICB_NAME,SUB_ICB_LOCATION_NAME,SUB_ICB_LOCATION_CODE,PCN_NAME,PCN_CODE,GP_NAME,GP_CODE";
    const row = "QHM,Y63,North East and Yorkshire,NHS North East and North Cumbria Integrated Care Board,NHS North East and North Cumbria ICB - 16C,16C,STOCKTON PCN,U89141,THE DENSHAM SURGERY,A81001";
    await runImport(t, "practice-map", tmp.write("Mapping-reordered.csv", `${header}\n${row}\n`));
    expect(await practice("A81001")).toMatchObject({ name: "THE DENSHAM SURGERY", pcn_code: "U89141", icb_code: "QHM", region_code: "Y63" });
  });

  it("keeps quoted fields containing commas whole", async () => {
    const row = 'A81999,"SMITH, JONES AND PARTNERS",EMIS,U89141,"STOCKTON, NORTH AND WEST PCN",16C,NHS North East and North Cumbria ICB - 16C,QHM,NHS North East and North Cumbria Integrated Care Board,Y63,North East and Yorkshire';
    await runImport(t, "practice-map", mapFile("Mapping-commas.csv", [row]));
    expect(await practice("A81999")).toMatchObject({ name: "SMITH, JONES AND PARTNERS", pcn_code: "U89141" });
    const pcn = await t.db.selectFrom("pcns").selectAll().where("code", "=", "U89141").executeTakeFirstOrThrow();
    expect(pcn.name).toBe("STOCKTON, NORTH AND WEST PCN");
  });

  it("loads an identical duplicate row once, with a warning", async () => {
    const result = await runImport(t, "practice-map", mapFile("Mapping-dup.csv", [MAP_A81001, MAP_A81035, MAP_A81001, MAP_A82003]));
    expect(result.counts).toEqual({ read: 4, inserted: 3, updated: 0, unchanged: 1, rejected: 0 });
    expect(result.warnings).toEqual([{ message: "Duplicate row (identical to an earlier line) ignored", count: 1 }]);
    expect(rows(t, "practices", "ods_code").map((r) => r.ods_code)).toEqual(["A81001", "A81035", "A82003"]);
  });
});

describe("practice map: refused files change nothing", () => {
  beforeEach(async () => {
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    await runImport(t, "practice-map", fixturePath("gpad-Mapping.csv"));
  });

  it("refuses a header without ICB_CODE", async () => {
    const header = MAPPING_HEADER.replace("ICB_CODE,", "ICB,");
    const err = await expectRefused(t, "practice-map", tmp.write("Mapping-no-icb.csv", `${header}\n${MAP_A81001}\n`));
    expect(err.message).toBe(
      'Mapping-no-icb.csv:1: expected a practice map header with the column ICB_CODE, got "GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATI…"',
    );
    expect([err.line, err.column]).toEqual([1, null]);
  });

  it("refuses a header missing several columns, naming them all", async () => {
    const err = await expectRefused(t, "practice-map", tmp.write("Mapping-short.csv", "GP_CODE,GP_NAME,PCN_CODE\nA81001,X,U89141\n"));
    expect(err.message).toBe(
      'Mapping-short.csv:1: expected a practice map header with the columns PCN_NAME, SUB_ICB_LOCATION_CODE, SUB_ICB_LOCATION_NAME, ICB_CODE, ICB_NAME, COMM_REGION_CODE or REGION_CODE, COMM_REGION_NAME or REGION_NAME, got "GP_CODE,GP_NAME,PCN_CODE"',
    );
  });

  it("refuses a data row where the header should be (no header)", async () => {
    const err = await expectRefused(t, "practice-map", tmp.write("Mapping-headless.csv", `${MAP_A81001}\n`));
    expect(err.message).toMatch(/^Mapping-headless\.csv:1: expected a practice map header with the columns PRACTICE_CODE or GP_CODE, /);
  });

  it("refuses a bad practice code", async () => {
    const err = await expectRefused(t, "practice-map", mapFile("Mapping-bad-code.csv", [MAP_A81001, MAP_A81035.replace("A81035", "A81-35")]));
    expect(err.message).toBe('Mapping-bad-code.csv:3:1 (GP_CODE): expected a practice ODS code like A81001, got "A81-35"');
  });

  it("refuses a bad ICB code", async () => {
    const err = await expectRefused(t, "practice-map", mapFile("Mapping-bad-icb.csv", [MAP_A81001.replace(",QHM,", ",Q H M,")]));
    expect(err.message).toBe('Mapping-bad-icb.csv:2:8 (ICB_CODE): expected an ICB code of 3 to 9 letters and digits, got "Q H M"');
  });

  it("refuses a bad ONS code", async () => {
    const bad = PRAC_MAP_A81001.replace("E54000050", "54000050");
    const err = await expectRefused(t, "practice-map", tmp.write("prac-map-bad-ons.csv", `${PRAC_MAP_HEADER}\n${bad}\n`));
    expect(err.message).toBe('prac-map-bad-ons.csv:2:11 (ONS_ICB_CODE): expected an ONS code like E38000247, or empty, got "54000050"');
  });

  it("refuses a row with a missing field", async () => {
    const short = MAP_A82003.split(",").slice(0, 10).join(",");
    const err = await expectRefused(t, "practice-map", mapFile("Mapping-width.csv", [MAP_A81001, MAP_A81035, short]));
    expect(err.message).toBe('Mapping-width.csv:4:11: expected 11 fields in each practice map row, got "10 fields"');
  });

  it("refuses an empty file", async () => {
    const err = await expectRefused(t, "practice-map", tmp.write("Mapping-empty.csv", ""));
    expect(err.message).toBe("Mapping-empty.csv:1: expected a practice map header row, got \"an empty file\"");
  });

  it("refuses a file truncated inside a quoted field", async () => {
    const text = `${MAPPING_HEADER}\n${MAP_A81001}\nA81999,"SMITH, JONES AND PART`;
    const err = await expectRefused(t, "practice-map", tmp.write("Mapping-truncated.csv", text));
    expect(err.message).toBe("Mapping-truncated.csv:3:2: expected a closing quote (the file may be truncated)");
  });

  it("refuses conflicting rows for the same practice, naming both lines", async () => {
    const other = MAP_A81001.replace("U89141,STOCKTON PCN", "U02671,GREATER MIDDLESBROUGH PCN");
    const err = await expectRefused(t, "practice-map", mapFile("Mapping-conflict.csv", [MAP_A81001, MAP_A81035, other]));
    expect(err.message).toBe(
      'Mapping-conflict.csv:4:1 (GP_CODE): expected each practice once; A81001 is also on line 2 with different values, got "A81001"',
    );
  });

  it("refuses text that is not UTF-8", async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${MAPPING_HEADER}\n${MAP_A81001}\nA81999,`),
      Buffer.from([0x4e, 0xe9, 0x65]), // "Née" in Latin-1
      Buffer.from(`,EMIS,U89141,STOCKTON PCN,16C,X,QHM,Y,Y63,Z\n`),
    ]);
    const err = await expectRefused(t, "practice-map", tmp.write("Mapping-latin1.csv", bytes));
    expect(err.message).toBe('Mapping-latin1.csv:3:2: expected UTF-8 text (the file may be in another encoding), got "N\uFFFDe"');
  });
});
