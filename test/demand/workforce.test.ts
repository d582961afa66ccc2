/** The General Practice Workforce importer (workforce), on files built in the published high-level layout (data-formats.md 5a). */
import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openDatabase } from "../../db/connection";
import { main } from "../../importers/cli";
import { ImportError } from "../../importers/core/errors";
import { importFile } from "../../importers/core/run";
import { ocSubmissionsImporter } from "../../importers/oc-submissions";
import { workforceImporter, workforceMonthFromName, type WorkforceOptions } from "../../importers/workforce";
import { copyTemplateDatabase, createTestDatabase, dumpTables, type TestDatabase } from "../support/db";
import { expectRefused, expectUnchanged, runImport, TempDir } from "../importers/helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

/** The published header; the real file starts with a UTF-8 BOM. */
const HEADER = "PRAC_CODE,PRAC_NAME,STAFF_GROUP,DETAILED_STAFF_ROLE,MEASURE,VALUE";
const BOM = "\uFEFF";
const NAMES: Record<string, string> = {
  A81001: "THE DENSHAM SURGERY",
  E84042: "SMITH, JONES AND PARTNERS",
  Y02960: "PARK ROAD MEDICAL PRACTICE",
};

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function line(code: string, group: string, role: string, measure: string, value: string | number): string {
  return [code, NAMES[code] ?? "SOME PRACTICE", group, role, measure, String(value)].map(csvField).join(",");
}

/** FTE and Headcount lines of one role. */
function role(code: string, group: string, name: string, fte: string | number, headcount: string | number): string[] {
  return [line(code, group, name, "FTE", fte), line(code, group, name, "Headcount", headcount)];
}

function csv(lines: string[], eol = "\r\n"): string {
  return BOM + [HEADER, ...lines].join(eol) + eol;
}

/** A81001: every group with roles and a Total; the admin Total is 4.5 against roles adding up to 4.2. */
const A81001 = [
  ...role("A81001", "GP", "Partner/Provider", 2.5, 3),
  ...role("A81001", "GP", "Salaried/Other GPs", 1.25, 2),
  ...role("A81001", "GP", "GP in Training Grade ST3", 1, 1),
  ...role("A81001", "GP", "Total", 4.75, 5),
  ...role("A81001", "Nurses", "Practice Nurse", 1.6, 2),
  ...role("A81001", "Nurses", "Advanced Nurse Practitioner", 0.8, 1),
  ...role("A81001", "Nurses", "Total", 2.4, 3),
  ...role("A81001", "Direct Patient Care", "Pharmacist", 0.5, 1),
  ...role("A81001", "Direct Patient Care", "Healthcare Assistant", "ND", 1),
  ...role("A81001", "Direct Patient Care", "Total", 0.5, 2),
  ...role("A81001", "Admin/Non-Clinical", "Receptionists", 3.2, 5),
  ...role("A81001", "Admin/Non-Clinical", "Practice Manager", 1, 1),
  ...role("A81001", "Admin/Non-Clinical", "Total", 4.5, 6),
];
/** E84042: GP only as a Total; nurses and DPC all missing (ND, NA, ., empty, NS, EST); admin roles without a Total; group names in other cases. */
const E84042 = [
  ...role("E84042", "gp", "Total", 3.1, 4),
  ...role("E84042", "NURSES", "Practice Nurse", "ND", "NA"),
  ...role("E84042", "NURSES", "Total", "ND", "ND"),
  ...role("E84042", "Direct patient care", "Pharmacist", ".", ""),
  ...role("E84042", "Direct patient care", "Physician Associate", "NS", "EST"),
  ...role("E84042", "admin/non-clinical", "Receptionists", 2, 2),
];
/** Y02960: GP FTE not published at all; a zero admin Total (zero, not missing). */
const Y02960 = [
  ...role("Y02960", "GP", "Partner/Provider", "ND", "ND"),
  ...role("Y02960", "GP", "Total", "ND", "ND"),
  ...role("Y02960", "Nurses", "Practice Nurse", 1, 1),
  ...role("Y02960", "Nurses", "Total", 1, 1),
  ...role("Y02960", "Admin/Non-Clinical", "Total", 0, 0),
];

const HIGH_LEVEL_AUGUST = "3 General Practice \u00e2\u20ac\u201c August 2026 Practice Level - High level.csv";
const DETAILED_AUGUST = "1 General Practice \u00e2\u20ac\u201c August 2026 Practice Level - Detailed.csv";

/** The published zip: the detailed (wide) member, which must not be read, and the high-level one. */
function augustZip(name = "GPWPracticeCSV.082026.zip", lines = [...A81001, ...E84042, ...Y02960]): Promise<string> {
  return tmp.zip(name, [
    { name: DETAILED_AUGUST, data: `${BOM}PRAC_CODE,PRAC_NAME,TOTAL_GP_FTE,TOTAL_NURSES_FTE\r\nA81001,THE DENSHAM SURGERY,99,99\r\n` },
    { name: HIGH_LEVEL_AUGUST, data: csv(lines) },
    { name: "Notes.txt", data: "not a CSV" },
  ]);
}

function importWorkforce(path: string, options?: WorkforceOptions) {
  return importFile(t.db, workforceImporter, path, { actor: "test", options });
}

async function expectRefusedWith(path: string, options: WorkforceOptions): Promise<ImportError> {
  const before = dumpTables(t);
  const caught = await importWorkforce(path, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(caught).toBeInstanceOf(ImportError);
  expect(dumpTables(t)).toEqual(before);
  return caught as ImportError;
}

function workforce() {
  return t.db
    .selectFrom("workforce_monthly")
    .select(["practice_code", "month", "gp_fte", "nurses_fte", "dpc_fte", "admin_fte", "gp_headcount", "nurses_headcount", "dpc_headcount", "admin_headcount"])
    .orderBy("month")
    .orderBy("practice_code")
    .execute();
}

function measure(id: string, month: string, practice: string) {
  return t.db
    .selectFrom("measure_values")
    .select(["numerator", "denominator", "value"])
    .where("measure_id", "=", id)
    .where("month", "=", month)
    .where("practice_code", "=", practice)
    .executeTakeFirst();
}

const TOTAL_DIFFERS = "Published FTE Total differs from the sum of its roles by more than 0.01 (the sum of the roles is stored)";
const UNKNOWN_PRACTICES = "Workforce kept for practices not yet in the practice data (import epraccur to name them)";
const AUGUST = [
  { practice_code: "A81001", month: "2026-08-01", gp_fte: 4.75, nurses_fte: 2.4, dpc_fte: 0.5, admin_fte: 4.2, gp_headcount: 5, nurses_headcount: 3, dpc_headcount: 2, admin_headcount: 6 },
  { practice_code: "E84042", month: "2026-08-01", gp_fte: 3.1, nurses_fte: null, dpc_fte: null, admin_fte: 2, gp_headcount: 4, nurses_headcount: null, dpc_headcount: null, admin_headcount: 2 },
  { practice_code: "Y02960", month: "2026-08-01", gp_fte: null, nurses_fte: 1, dpc_fte: null, admin_fte: 0, gp_headcount: null, nurses_headcount: 1, dpc_headcount: null, admin_headcount: 0 },
];

/** OC submissions for August 2026 in the published layout (one supplier each). */
function ocAugust(): string {
  const header =
    "MONTH,GP_CODE,GP_NAME,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,SUPPLIER,METRIC,VALUE";
  const counts: Record<string, [number, number, number, number, number]> = {
    A81001: [250, 150, 60, 40, 3747],
    E84042: [100, 70, 30, 0, 6920],
    Y02960: [80, 50, 20, 10, 5000],
  };
  const metrics = ["OC_TOTAL_SUBMISSIONS", "OC_SUBMISSION_TYPE_CLINICAL", "OC_SUBMISSION_TYPE_ADMIN", "OC_SUBMISSION_TYPE_OTHER", "PATIENTS_REGISTERED"];
  const lines = Object.entries(counts).flatMap(([code, values]) =>
    metrics.map((m, i) => ["01/08/2026", code, csvField(NAMES[code]!), "U00001", "A PCN", "16C", "A SUB-ICB", "QHM", "AN ICB", "Y63", "A REGION", "TPP", m, values[i]].join(",")),
  );
  return tmp.write("Submissions via OC Systems in General Practice - August 2026.csv", [header, ...lines].join("\r\n") + "\r\n");
}

describe("workforce: the published high-level file", () => {
  it("reads only the High level member of GPWPracticeCSV.MMYYYY.zip, for the month in its name", async () => {
    const result = await importWorkforce(await augustZip());
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 26 + 12 + 10, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toEqual([
      { message: TOTAL_DIFFERS, count: 1 },
      { message: UNKNOWN_PRACTICES, count: 3 },
    ]);
    expect(await workforce()).toEqual(AUGUST);
  });

  it("sums the roles (not the Total) for FTE, takes the Total for headcount, and keeps ND, NA, NS, EST, . and empty as null", async () => {
    await importWorkforce(tmp.write(HIGH_LEVEL_AUGUST.replace("\u00e2\u20ac\u201c", "\u2013"), csv([...A81001, ...E84042, ...Y02960], "\n")));
    const stored = await workforce();
    expect(stored).toEqual(AUGUST);
    // Missing is never zero; a published zero is.
    expect(stored.find((r) => r.practice_code === "E84042")!.nurses_fte).toBeNull();
    expect(stored.find((r) => r.practice_code === "Y02960")!.admin_fte).toBe(0);
  });

  it("takes the month from the option when the name does not say it", async () => {
    const result = await importWorkforce(tmp.write("high-level.csv", csv(A81001)), { month: "2026-07" });
    expect(result.counts.inserted).toBe(1);
    expect((await workforce()).map((r) => [r.practice_code, r.month, r.gp_fte])).toEqual([["A81001", "2026-07-01", 4.75]]);
  });

  it("reads the month from published names", () => {
    expect(workforceMonthFromName("GPWPracticeCSV.082026.zip")).toBe("2026-08-01");
    expect(workforceMonthFromName("GPWPracticeCSV.062026.zip")).toBe("2026-06-01");
    expect(workforceMonthFromName("GPWPracticeCSV.0919.zip")).toBe("2019-09-01");
    expect(workforceMonthFromName("3 General Practice – August 2026 Practice Level - High level.csv")).toBe("2026-08-01");
    expect(workforceMonthFromName(HIGH_LEVEL_AUGUST)).toBe("2026-08-01");
    expect(workforceMonthFromName("8. General Practice – December 2021 Practice Level.csv")).toBe("2021-12-01");
    expect(workforceMonthFromName("high-level.csv")).toBeNull();
  });

  it("a newer edition of the same month replaces its values", async () => {
    await importWorkforce(await augustZip());
    const revised = A81001.map((l) =>
      l.replace(",Partner/Provider,FTE,2.5", ",Partner/Provider,FTE,3").replace(",GP,Total,FTE,4.75", ",GP,Total,FTE,5.25"),
    );
    const result = await importWorkforce(await augustZip("GPWPracticeCSV.082026 (revised).zip", [...revised, ...E84042, ...Y02960]));
    expect(result.counts).toEqual({ read: 48, inserted: 0, updated: 1, unchanged: 2, rejected: 0 });
    expect((await workforce()).map((r) => [r.practice_code, r.gp_fte])).toEqual([
      ["A81001", 5.25],
      ["E84042", 3.1],
      ["Y02960", null],
    ]);
    const importIds = (await t.db.selectFrom("workforce_monthly").select(["practice_code", "import_id"]).orderBy("practice_code").execute()).map((r) => r.import_id);
    expect(importIds).toEqual([result.importId, importIds[1], importIds[1]]);
    expect(importIds[1]).not.toBe(result.importId);
  });

  it("importing the same file twice changes nothing the second time", async () => {
    const path = await augustZip();
    expect((await runImport(t, "workforce", path)).counts.inserted).toBe(3);
    await expectUnchanged(t, "workforce", path);
  });

  it("accepts an exactly repeated row once, with a warning, and does not load other staff groups or measures", async () => {
    const result = await importWorkforce(
      tmp.write(
        "GPWPracticeCSV.082026.csv",
        csv([...A81001, A81001[0]!, line("A81001", "PCN staff", "Social Prescriber", "FTE", 1), line("A81001", "GP", "Total", "Contracted hours", 160)]),
      ),
    );
    expect(result.counts).toEqual({ read: 29, inserted: 1, updated: 0, unchanged: 0, rejected: 2 });
    expect(result.warnings).toEqual([
      { message: "Duplicate row (identical to an earlier line) ignored", count: 1 },
      { message: 'Not loaded: staff group "PCN staff" (not GP, Nurses, Direct Patient Care or Admin/Non-Clinical)', count: 1 },
      { message: 'Not loaded: measure "Contracted hours" (not FTE or Headcount)', count: 1 },
      { message: TOTAL_DIFFERS, count: 1 },
      { message: UNKNOWN_PRACTICES, count: 1 },
    ]);
    expect((await workforce()).map((r) => r.gp_fte)).toEqual([4.75]);
  });

  it("sets oc_per_gp_fte and oc_per_clinical_fte once both files are in, whichever comes first, null (not 0) where FTE is missing", async () => {
    const expectMeasures = async () => {
      expect(await measure("oc_per_gp_fte", "2026-08-01", "A81001")).toEqual({ numerator: 250, denominator: 4.75, value: 250 / 4.75 });
      expect((await measure("oc_per_gp_fte", "2026-08-01", "A81001"))!.value).toBeCloseTo(52.632, 3);
      expect(await measure("oc_per_gp_fte", "2026-08-01", "E84042")).toEqual({ numerator: 100, denominator: 3.1, value: 100 / 3.1 });
      expect(await measure("oc_per_gp_fte", "2026-08-01", "Y02960")).toEqual({ numerator: 80, denominator: null, value: null });
      const clinical = 4.75 + 2.4 + 0.5;
      expect(await measure("oc_per_clinical_fte", "2026-08-01", "A81001")).toEqual({ numerator: 250, denominator: clinical, value: 250 / clinical });
      expect((await measure("oc_per_clinical_fte", "2026-08-01", "A81001"))!.value).toBeCloseTo(32.68, 2);
      expect(await measure("oc_per_clinical_fte", "2026-08-01", "E84042")).toEqual({ numerator: 100, denominator: null, value: null });
      expect(await measure("oc_per_1000", "2026-08-01", "Y02960")).toEqual({ numerator: 80, denominator: 5000, value: 16 });
    };
    const oc = ocAugust();
    const zip = await augustZip();

    await importFile(t.db, ocSubmissionsImporter, oc, { actor: "test" });
    expect(await measure("oc_per_gp_fte", "2026-08-01", "A81001")).toEqual({ numerator: 250, denominator: null, value: null });
    await importWorkforce(zip);
    await expectMeasures();
    const ocFirst = (await t.db.selectFrom("measure_values").select(["measure_id", "practice_code", "numerator", "denominator", "value"]).orderBy("measure_id").orderBy("practice_code").execute());

    await t.dispose();
    t = createTestDatabase();
    await importWorkforce(zip);
    expect(await measure("oc_per_gp_fte", "2026-08-01", "A81001")).toEqual({ numerator: null, denominator: 4.75, value: null });
    await importFile(t.db, ocSubmissionsImporter, oc, { actor: "test" });
    await expectMeasures();
    const workforceFirst = await t.db.selectFrom("measure_values").select(["measure_id", "practice_code", "numerator", "denominator", "value"]).orderBy("measure_id").orderBy("practice_code").execute();
    expect(workforceFirst).toEqual(ocFirst);
  });

  it("the CLI passes --month to workforce", async () => {
    const { path: dbPath, dir } = copyTemplateDatabase();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const file = tmp.write("practice-high-level.csv", csv(Y02960));
      expect(await main(["import", "workforce", file, "--month", "2026-05", "--db", dbPath])).toBe(0);
      expect(log.mock.calls[0]![0]).toMatch(/^practice-high-level\.csv: imported as #1: 10 rows read, 1 inserted, /);
      const open = openDatabase(dbPath);
      try {
        expect(open.sqlite.prepare("select practice_code, month, gp_fte, nurses_fte, admin_fte from workforce_monthly").all()).toEqual([
          { practice_code: "Y02960", month: "2026-05-01", gp_fte: null, nurses_fte: 1, admin_fte: 0 },
        ]);
      } finally {
        await open.close();
      }
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("workforce: bad input is refused with file:line:col and changes nothing", () => {
  const named = (name: string, lines: string[]) => tmp.write(name, csv(lines));

  beforeEach(async () => {
    await importWorkforce(tmp.write("existing.csv", csv(Y02960)), { month: "2026-07" });
  });

  it("a missing column", async () => {
    const path = tmp.write("GPWPracticeCSV.082026.csv", csv(A81001).replace("MEASURE,VALUE", "MEASURE_TYPE,VALUE"));
    const e = await expectRefused(t, "workforce", path);
    expect(e.message).toMatch(/^GPWPracticeCSV\.082026\.csv:1: expected a workforce high-level header with the column MEASURE, got "PRAC_CODE,/);
  });

  it("a VALUE that is not a number, or is negative", async () => {
    const lines = [...A81001];
    lines[2] = lines[2]!.replace(/,1\.25$/, ",1.25 FTE");
    let e = await expectRefused(t, "workforce", named("GPWPracticeCSV.082026.csv", lines));
    expect(e.message).toBe(
      'GPWPracticeCSV.082026.csv:4:6 (VALUE): expected a number of 0 or more, or ND, NA, NS, EST, . or empty (not published), got "1.25 FTE"',
    );
    lines[2] = A81001[2]!.replace(/,1\.25$/, ",-1.25");
    e = await expectRefused(t, "workforce", named("GPWPracticeCSV.082026.csv", lines));
    expect(e.message).toBe('GPWPracticeCSV.082026.csv:4:6 (VALUE): expected a number of 0 or more, or ND, NA, NS, EST, . or empty (not published), got "-1.25"');
    expect([e.line, e.column]).toEqual([4, 6]);
  });

  it("a bad practice code, and an empty role", async () => {
    const lines = [...A81001];
    lines[5] = lines[5]!.replace("A81001", "81001");
    let e = await expectRefused(t, "workforce", named("GPWPracticeCSV.082026.csv", lines));
    expect(e.message).toBe('GPWPracticeCSV.082026.csv:7:1 (PRAC_CODE): expected a practice ODS code like A81001, got "81001"');
    e = await expectRefused(t, "workforce", named("GPWPracticeCSV.082026.csv", [line("A81001", "GP", "", "FTE", 1)]));
    expect(e.message).toBe("GPWPracticeCSV.082026.csv:2:4 (DETAILED_STAFF_ROLE): expected a staff role like Partner/Provider or Total, got an empty value");
  });

  it("a row repeating a practice, group, role and measure with another value, naming both lines", async () => {
    const e = await expectRefused(t, "workforce", named("GPWPracticeCSV.082026.csv", [...A81001, line("A81001", "Nurses", "practice nurse", "FTE", 1.7)]));
    expect(e.message).toBe(
      'GPWPracticeCSV.082026.csv:28:6 (VALUE): expected one row per practice, staff group, role and measure; A81001 Nurses practice nurse FTE is also on line 10 with 1.6, got "1.7"',
    );
  });

  it("an empty file, and a header with no rows", async () => {
    let e = await expectRefused(t, "workforce", tmp.write("GPWPracticeCSV.082026.csv", ""));
    expect(e.message).toBe('GPWPracticeCSV.082026.csv:1: expected a workforce high-level header row, got "an empty file"');
    e = await expectRefused(t, "workforce", tmp.write("GPWPracticeCSV.082026.csv", BOM + HEADER + "\r\n"));
    expect(e.message).toBe('GPWPracticeCSV.082026.csv:2: expected workforce rows after the header, got "the end of the file"');
  });

  it("a truncated quoted field", async () => {
    const text = csv([...A81001, ...E84042]);
    const e = await expectRefused(t, "workforce", tmp.write("GPWPracticeCSV.082026.csv", text.slice(0, text.lastIndexOf('"SMITH') + 8)));
    expect(e.message).toBe("GPWPracticeCSV.082026.csv:39:2: expected a closing quote (the file may be truncated)");
  });

  it("a short row", async () => {
    const lines = [...A81001];
    lines[0] = lines[0]!.replace(/,FTE,2\.5$/, ",FTE");
    const e = await expectRefused(t, "workforce", named("GPWPracticeCSV.082026.csv", lines));
    expect(e.message).toBe('GPWPracticeCSV.082026.csv:2:6: expected 6 fields in each workforce high-level row, got "5 fields"');
  });

  it("no month in the name and no option; an option or names that disagree", async () => {
    let e = await expectRefused(t, "workforce", named("high-level.csv", A81001));
    expect(e.message).toBe(
      "high-level.csv: expected a file named like GPWPracticeCSV.082026.zip or '… August 2026 Practice Level - High level.csv', or a month option (--month YYYY-MM), got \"high-level.csv\"",
    );
    e = await expectRefusedWith(named("GPWPracticeCSV.082026.csv", A81001), { month: "2026-09" });
    expect(e.message).toBe(
      'GPWPracticeCSV.082026.csv: expected a month option that agrees with the file\'s name (GPWPracticeCSV.082026.csv says August 2026), got "2026-09"',
    );
    e = await expectRefusedWith(named("high-level.csv", A81001), { month: "Aug 2026" });
    expect(e.message).toBe('high-level.csv: expected a month option like 2026-08 (YYYY-MM), got "Aug 2026"');
    e = await expectRefused(t, "workforce", await augustZip("GPWPracticeCSV.072026.zip"));
    expect(e.message).toBe(
      `GPWPracticeCSV.072026.zip: expected names that agree on the month, but GPWPracticeCSV.072026.zip says July 2026 and ${HIGH_LEVEL_AUGUST} says August 2026`,
    );
  });

  it("a zip of several CSVs none of which is the High level file", async () => {
    const path = await tmp.zip("GPWPracticeCSV.082026.zip", [
      { name: "a.csv", data: csv(A81001) },
      { name: "b.csv", data: csv(A81001) },
    ]);
    const e = await expectRefused(t, "workforce", path);
    expect(e.message).toBe(
      "GPWPracticeCSV.082026.zip: expected a workforce practice CSV, or a zip with a member named like 'Practice Level - High level.csv', got \"a.csv, b.csv\"",
    );
  });
});
