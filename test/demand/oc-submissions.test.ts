/** The monthly OC submissions importer (oc-submissions), on files built in the published long layout (data-formats.md 1a). */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ImportError } from "../../importers/core/errors";
import { importFile } from "../../importers/core/run";
import { main } from "../../importers/cli";
import { ocSubmissionsImporter, publicationFromName, type OcSubmissionsOptions } from "../../importers/oc-submissions";
import { copyTemplateDatabase, createTestDatabase, dumpTables, type TestDatabase } from "../support/db";
import { openDatabase } from "../../db/connection";
import { expectRefused, expectUnchanged, fixturePath, rows, runImport, TempDir } from "../importers/helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

/** The published header, in the published order. */
const HEADER =
  "MONTH,GP_CODE,GP_NAME,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,SUPPLIER,METRIC,VALUE";

/** GP_NAME … REGION_NAME as NHS England attaches them (names with commas are quoted in the file). */
const GEOGRAPHY: Record<string, string[]> = {
  A81001: ["THE DENSHAM SURGERY", "U89141", "STOCKTON PCN", "16C", "NHS North East and North Cumbria ICB - 16C", "QHM", "NHS North East and North Cumbria Integrated Care Board", "Y63", "North East and Yorkshire"],
  E84042: ["SMITH, JONES AND PARTNERS", "U60173", "HARROW PCN", "W2U3Z", "NHS North West London ICB - W2U3Z", "QRV", "NHS North West London Integrated Care Board", "Y56", "London"],
  L81021: ["WINSCOMBE SURGERY", "U35371", "WORLE PCN", "15C", "NHS Bristol, North Somerset and South Gloucestershire ICB - 15C", "QUY", "NHS Bristol, North Somerset and South Gloucestershire Integrated Care Board", "Y58", "South West"],
};

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One published line. `month` as published, e.g. `01/04/2026`. */
function line(month: string, code: string, supplier: string, metric: string, value: string | number): string {
  return [month, code, ...(GEOGRAPHY[code] ?? GEOGRAPHY.A81001!), supplier, metric, String(value)].map(csvField).join(",");
}

interface Submissions {
  total: number | string;
  clinical: number | string;
  admin: number | string;
  other: number | string;
  patients: number | string;
  /** As published; default 1000 × total ÷ patients to one decimal place. */
  rate?: number | string;
  capability?: number | string;
  participation?: number | string;
  usage?: number | string;
}

/** The nine metric lines of one practice × month × supplier, in the published metric order. */
function practiceMonth(month: string, code: string, supplier: string, s: Submissions): string[] {
  const rate =
    s.rate ?? (typeof s.total === "number" && typeof s.patients === "number" ? ((1000 * s.total) / s.patients).toFixed(1) : "");
  return [
    line(month, code, supplier, "OC_CAPABILITY", s.capability ?? 1),
    line(month, code, supplier, "OC_PARTICIPATION", s.participation ?? 1),
    line(month, code, supplier, "OC_SYSTEM_USAGE", s.usage ?? 1),
    line(month, code, supplier, "OC_TOTAL_SUBMISSIONS", s.total),
    line(month, code, supplier, "OC_SUBMISSION_TYPE_CLINICAL", s.clinical),
    line(month, code, supplier, "OC_SUBMISSION_TYPE_ADMIN", s.admin),
    line(month, code, supplier, "OC_SUBMISSION_TYPE_OTHER", s.other),
    line(month, code, supplier, "PATIENTS_REGISTERED", s.patients),
    line(month, code, supplier, "OC_RATE_PER_1000_REGISTERED_PATIENTS", rate),
  ];
}

function csv(lines: string[], eol = "\r\n"): string {
  return [HEADER, ...lines].join(eol) + eol;
}

function write(name: string, lines: string[], eol = "\r\n"): string {
  return tmp.write(name, csv(lines, eol));
}

const member = (month: string, half: "north" | "south") => `Submissions via OC Systems in General Practice - ${month}_${half}_regions.csv`;

async function importOc(path: string, options?: OcSubmissionsOptions) {
  return importFile(t.db, ocSubmissionsImporter, path, { actor: "test", options });
}

/** Like expectRefused, for imports with options. */
async function expectRefusedWith(path: string, options: OcSubmissionsOptions): Promise<ImportError> {
  const before = dumpTables(t);
  const caught = await importOc(path, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(caught).toBeInstanceOf(ImportError);
  expect(dumpTables(t)).toEqual(before);
  return caught as ImportError;
}

function oc() {
  return t.db
    .selectFrom("oc_monthly")
    .select(["practice_code", "month", "publication", "suppliers", "total", "clinical", "admin", "other", "patients_registered", "rate_per_1000", "capability", "participation", "usage"])
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

const NOT_REPLACING = "Not replacing values from a later publication (practice-months kept as they were)";
const UNKNOWN_PRACTICES = "Submissions kept for practices not yet in the practice data (import epraccur to name them)";
const RATE_DIFFERS =
  "Published OC_RATE_PER_1000_REGISTERED_PATIENTS differs from 1000 × total ÷ PATIENTS_REGISTERED by more than rounding (the recomputed rate is stored)";
const DOESNT_ADD_UP = "Clinical + admin + other submissions do not add up to the total (practice-months)";
const DUPLICATE = "Duplicate row (identical to an earlier line) ignored";

// The worked example of data-formats.md 1a: 134 requests (98 clinical, 36 admin), 6,920 patients, 19.4 per 1,000,
// here from two suppliers whose rates (14.5 + 4.9) add up to the practice's.
const E84042_KLINIK = { total: 100, clinical: 70, admin: 30, other: 0, patients: 6920 };
const E84042_ECONSULT = { total: 34, clinical: 28, admin: 6, other: 0, patients: 6920, capability: 1, participation: 0, usage: 1 };
const A81001_APRIL = { total: 250, clinical: 150, admin: 60, other: 40, patients: 3747 };

describe("oc-submissions: the published layout", () => {
  it("sums several suppliers per practice-month, takes the largest list size and flags, and recomputes the rate", async () => {
    const path = write("oc-april.csv", [
      ...practiceMonth("01/04/2026", "E84042", "Klinik", E84042_KLINIK),
      ...practiceMonth("01/04/2026", "A81001", "TPP Online Consultations", A81001_APRIL),
      ...practiceMonth("01/04/2026", "E84042", "eConsult", { ...E84042_ECONSULT, patients: 6919 }),
    ]);
    const result = await importOc(path);
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 27, inserted: 2, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toEqual([{ message: UNKNOWN_PRACTICES, count: 2 }]);
    expect(await oc()).toEqual([
      {
        practice_code: "A81001",
        month: "2026-04-01",
        publication: "2026-04-01",
        suppliers: "TPP Online Consultations",
        total: 250,
        clinical: 150,
        admin: 60,
        other: 40,
        patients_registered: 3747,
        rate_per_1000: (1000 * 250) / 3747,
        capability: 1,
        participation: 1,
        usage: 1,
      },
      {
        practice_code: "E84042",
        month: "2026-04-01",
        publication: "2026-04-01",
        suppliers: "Klinik|eConsult",
        total: 134,
        clinical: 98,
        admin: 36,
        other: 0,
        patients_registered: 6920,
        rate_per_1000: (1000 * 134) / 6920,
        capability: 1,
        participation: 1,
        usage: 1,
      },
    ]);
    expect(rows(t, "oc_monthly", "practice_code").map((r) => r.import_id)).toEqual([result.importId, result.importId]);
  });

  it("stores oc_per_1000 (1000 × total ÷ PATIENTS_REGISTERED) and oc_admin_share in measure_values, exactly", async () => {
    await importOc(
      write("oc-april.csv", [
        ...practiceMonth("01/04/2026", "E84042", "Klinik", E84042_KLINIK),
        ...practiceMonth("01/04/2026", "E84042", "eConsult", E84042_ECONSULT),
        ...practiceMonth("01/04/2026", "A81001", "TPP", A81001_APRIL),
      ]),
    );
    const perThousand = await measure("oc_per_1000", "2026-04-01", "E84042");
    expect(perThousand).toEqual({ numerator: 134, denominator: 6920, value: (134 / 6920) * 1000 });
    expect(perThousand!.value).toBeCloseTo(19.364, 3);
    const adminShare = await measure("oc_admin_share", "2026-04-01", "E84042");
    expect(adminShare).toEqual({ numerator: 36, denominator: 134, value: (36 / 134) * 100 });
    expect(adminShare!.value).toBeCloseTo(26.866, 3);
    expect(await measure("oc_per_1000", "2026-04-01", "A81001")).toEqual({ numerator: 250, denominator: 3747, value: (250 / 3747) * 1000 });
    expect(await measure("oc_admin_share", "2026-04-01", "A81001")).toEqual({ numerator: 60, denominator: 250, value: 24 });
    // No workforce yet: submissions per GP FTE has a numerator and no denominator, so no value.
    expect(await measure("oc_per_gp_fte", "2026-04-01", "A81001")).toEqual({ numerator: 250, denominator: null, value: null });
  });

  it("loads both members of the north/south zip as one publication, named by the members", async () => {
    const path = await tmp.zip("oc-may-2026.zip", [
      { name: member("May 2026", "north"), data: csv(practiceMonth("01/03/2026", "A81001", "TPP", A81001_APRIL)) },
      { name: member("May 2026", "south"), data: csv([...practiceMonth("01/04/2026", "E84042", "Klinik", E84042_KLINIK), ...practiceMonth("01/04/2026", "L81021", "Accurx", { total: 2998, clinical: 2000, admin: 998, other: 0, patients: 15000 })]) },
    ]);
    const result = await importOc(path);
    expect(result.counts).toEqual({ read: 27, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    // The members say May 2026, although the latest MONTH in them is April.
    expect((await oc()).map((r) => [r.practice_code, r.month, r.publication, r.total])).toEqual([
      ["A81001", "2026-03-01", "2026-05-01", 250],
      ["E84042", "2026-04-01", "2026-05-01", 100],
      ["L81021", "2026-04-01", "2026-05-01", 2998],
    ]);
  });

  it("takes the publication from the option when the name does not say it, and accepts ISO months", async () => {
    const path = write("oc.csv", practiceMonth("2026-03-01", "A81001", "TPP", A81001_APRIL), "\n");
    await importOc(path, { publication: "2026-05" });
    expect((await oc()).map((r) => [r.month, r.publication])).toEqual([["2026-03-01", "2026-05-01"]]);
  });

  it("reads the publication from published names", () => {
    expect(publicationFromName("Submissions via OC Systems in General Practice - May 2026_north_regions.csv")).toBe("2026-05-01");
    expect(publicationFromName("Submissions via OC Systems in General Practice - December 2025_south_regions.csv")).toBe("2025-12-01");
    expect(publicationFromName("oc-practice.csv")).toBeNull();
  });

  it("a later publication restating a month wins; re-importing the earlier one then changes nothing", async () => {
    // May 2026 publication: March to May.
    const may = await tmp.zip("may.zip", [
      {
        name: member("May 2026", "north"),
        data: csv(["01/03/2026", "01/04/2026", "01/05/2026"].flatMap((m) => practiceMonth(m, "A81001", "TPP", A81001_APRIL))),
      },
      {
        name: member("May 2026", "south"),
        data: csv(["01/03/2026", "01/04/2026", "01/05/2026"].flatMap((m) => practiceMonth(m, "E84042", "Klinik", E84042_KLINIK))),
      },
    ]);
    const first = await importOc(may);
    expect(first.counts).toEqual({ read: 54, inserted: 6, updated: 0, unchanged: 0, rejected: 0 });
    expect(await measure("oc_per_1000", "2026-04-01", "E84042")).toEqual({ numerator: 100, denominator: 6920, value: (100 / 6920) * 1000 });

    // June 2026 publication: April to June; E84042's April restated from 100 to 140 submissions.
    const june = write(
      "Submissions via OC Systems in General Practice - June 2026.csv",
      [
        ...practiceMonth("01/04/2026", "E84042", "Klinik", { ...E84042_KLINIK, total: 140, clinical: 110 }),
        ...["01/05/2026", "01/06/2026"].flatMap((m) => practiceMonth(m, "E84042", "Klinik", E84042_KLINIK)),
        ...["01/04/2026", "01/05/2026", "01/06/2026"].flatMap((m) => practiceMonth(m, "A81001", "TPP", A81001_APRIL)),
      ],
    );
    const second = await importOc(june);
    // April E84042 updated; April and May A81001 and May E84042 confirmed unchanged; June inserted twice.
    expect(second.counts).toEqual({ read: 54, inserted: 2, updated: 1, unchanged: 3, rejected: 0 });
    expect((await oc()).map((r) => [r.practice_code, r.month, r.publication, r.total, r.clinical])).toEqual([
      ["A81001", "2026-03-01", "2026-05-01", 250, 150],
      ["E84042", "2026-03-01", "2026-05-01", 100, 70],
      ["A81001", "2026-04-01", "2026-06-01", 250, 150],
      ["E84042", "2026-04-01", "2026-06-01", 140, 110],
      ["A81001", "2026-05-01", "2026-06-01", 250, 150],
      ["E84042", "2026-05-01", "2026-06-01", 100, 70],
      ["A81001", "2026-06-01", "2026-06-01", 250, 150],
      ["E84042", "2026-06-01", "2026-06-01", 100, 70],
    ]);
    expect(await measure("oc_per_1000", "2026-04-01", "E84042")).toEqual({ numerator: 140, denominator: 6920, value: (140 / 6920) * 1000 });

    // The May publication again, as one CSV (other bytes, so not skipped by its hash): June is later, so nothing changes.
    const before = dumpTables(t);
    const mayAgain = write(
      "Submissions via OC Systems in General Practice - May 2026.csv",
      ["01/03/2026", "01/04/2026", "01/05/2026"].flatMap((m) => [
        ...practiceMonth(m, "A81001", "TPP", A81001_APRIL),
        ...practiceMonth(m, "E84042", "Klinik", E84042_KLINIK),
      ]),
    );
    const third = await importOc(mayAgain);
    expect(third.status).toBe("imported");
    expect(third.counts).toEqual({ read: 54, inserted: 0, updated: 0, unchanged: 6, rejected: 0 });
    expect(third.warnings).toEqual([
      { message: NOT_REPLACING, count: 4 },
      { message: UNKNOWN_PRACTICES, count: 2 },
    ]);
    const after = dumpTables(t);
    expect(after.oc_monthly).toEqual(before.oc_monthly);
    expect(after.measure_values).toEqual(before.measure_values);
    expect(after.import_log).toHaveLength(3);
  });

  it("importing the same file twice changes nothing the second time", async () => {
    const path = await tmp.zip("twice.zip", [
      { name: member("April 2026", "north"), data: csv(practiceMonth("01/04/2026", "A81001", "TPP", A81001_APRIL)) },
      { name: member("April 2026", "south"), data: csv(practiceMonth("01/04/2026", "E84042", "Klinik", E84042_KLINIK)) },
    ]);
    const first = await runImport(t, "oc-submissions", path);
    expect(first.counts.inserted).toBe(2);
    await expectUnchanged(t, "oc-submissions", path);
  });

  it("keeps an empty VALUE as not published (null, never 0), and the measure without a value", async () => {
    await importOc(
      write("oc-gaps.csv", [
        ...practiceMonth("01/04/2026", "E84042", "Klinik", { total: "", clinical: "", admin: 30, other: "", patients: 6920, rate: "" }),
        ...practiceMonth("01/04/2026", "A81001", "TPP", { ...A81001_APRIL, admin: "" }),
      ]),
    );
    expect((await oc()).map((r) => [r.practice_code, r.total, r.clinical, r.admin, r.other, r.patients_registered, r.rate_per_1000])).toEqual([
      ["A81001", 250, 150, null, 40, 3747, (1000 * 250) / 3747],
      ["E84042", null, null, 30, null, 6920, null],
    ]);
    expect(await measure("oc_per_1000", "2026-04-01", "E84042")).toEqual({ numerator: null, denominator: 6920, value: null });
    expect(await measure("oc_admin_share", "2026-04-01", "E84042")).toEqual({ numerator: 30, denominator: null, value: null });
    expect(await measure("oc_admin_share", "2026-04-01", "A81001")).toEqual({ numerator: null, denominator: 250, value: null });
  });

  it("sums the suppliers that published a count, ignoring one that left it empty", async () => {
    await importOc(
      write("oc-partial.csv", [
        ...practiceMonth("01/04/2026", "E84042", "Klinik", E84042_KLINIK),
        ...practiceMonth("01/04/2026", "E84042", "eConsult", { total: "", clinical: "", admin: "", other: "", patients: 6920, rate: "" }),
      ]),
    );
    expect((await oc()).map((r) => [r.suppliers, r.total, r.clinical, r.admin, r.other])).toEqual([["Klinik|eConsult", 100, 70, 30, 0]]);
  });

  it("warns about unknown METRIC codes, counting them as not loaded", async () => {
    const result = await importOc(
      write("oc-new-metric.csv", [
        ...practiceMonth("01/04/2026", "A81001", "TPP", A81001_APRIL),
        line("01/04/2026", "A81001", "TPP", "OC_SUBMISSION_TYPE_MEDICATION", 12),
        line("01/04/2026", "E84042", "TPP", "OC_SUBMISSION_TYPE_MEDICATION", 3),
        line("01/04/2026", "A81001", "TPP", "OC_AVERAGE_RESPONSE", 1.5),
      ]),
    );
    expect(result.counts).toEqual({ read: 12, inserted: 1, updated: 0, unchanged: 0, rejected: 3 });
    expect(result.warnings).toEqual([
      { message: 'Not loaded: unknown METRIC "OC_SUBMISSION_TYPE_MEDICATION"', count: 2 },
      { message: 'Not loaded: unknown METRIC "OC_AVERAGE_RESPONSE"', count: 1 },
      { message: UNKNOWN_PRACTICES, count: 1 },
    ]);
    expect((await oc()).map((r) => [r.practice_code, r.total])).toEqual([["A81001", 250]]);
  });

  it("accepts an exactly repeated row once, with a warning", async () => {
    const lines = practiceMonth("01/04/2026", "A81001", "TPP", A81001_APRIL);
    const result = await importOc(write("oc-dup.csv", [...lines, lines[3]!, lines[4]!]));
    expect(result.counts).toEqual({ read: 11, inserted: 1, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toEqual([
      { message: DUPLICATE, count: 2 },
      { message: UNKNOWN_PRACTICES, count: 1 },
    ]);
    expect((await oc()).map((r) => [r.total, r.clinical])).toEqual([[250, 150]]);
  });

  it("warns where clinical + admin + other is not the total, and where the published rate is off by more than rounding", async () => {
    const result = await importOc(
      write("oc-sums.csv", [
        ...practiceMonth("01/04/2026", "A81001", "TPP", { ...A81001_APRIL, other: 41 }),
        ...practiceMonth("01/04/2026", "E84042", "Klinik", { ...E84042_KLINIK, rate: "15.0" }),
        // 1000 × 2998 ÷ 15000 = 199.8666…: 199.87 and 200 are both within their rounding.
        ...practiceMonth("01/04/2026", "L81021", "Accurx", { total: 2998, clinical: 2000, admin: 998, other: 0, patients: 15000, rate: "199.87" }),
        ...practiceMonth("01/05/2026", "L81021", "Accurx", { total: 2998, clinical: 2000, admin: 998, other: 0, patients: 15000, rate: "200" }),
      ]),
    );
    expect(result.warnings).toEqual([
      { message: DOESNT_ADD_UP, count: 1 },
      { message: RATE_DIFFERS, count: 1 },
      { message: UNKNOWN_PRACTICES, count: 3 },
    ]);
    // The stored rate is the recomputed one.
    expect((await oc()).find((r) => r.practice_code === "E84042")!.rate_per_1000).toBe((1000 * 100) / 6920);
  });

  it("warns only about practices the database does not know", async () => {
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const result = await importOc(
      write("oc.csv", [...practiceMonth("01/04/2026", "A81001", "TPP", A81001_APRIL), ...practiceMonth("01/04/2026", "E84042", "Klinik", E84042_KLINIK)]),
    );
    expect(result.warnings).toEqual([{ message: UNKNOWN_PRACTICES, count: 1 }]);
  });

  it("the CLI passes --publication, and refuses it for other sources", async () => {
    const { path: dbPath, dir } = copyTemplateDatabase();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const file = write("oc-cli.csv", practiceMonth("01/03/2026", "A81001", "TPP", A81001_APRIL));
      expect(await main(["import", "oc-submissions", file, "--publication", "2026-05", "--db", dbPath])).toBe(0);
      expect(log.mock.calls[0]![0]).toMatch(/^oc-cli\.csv: imported as #1: 9 rows read, 1 inserted, 0 updated, 0 unchanged, 0 not loaded\n/);
      expect(await main(["import", "list-sizes", file, "--publication", "2026-05", "--db", dbPath])).toBe(2);
      expect(await main(["import", "oc-submissions", file, "--publication", "May 2026", "--db", dbPath])).toBe(2);
      expect(error.mock.calls.map((c) => c[0])).toEqual([
        "--publication applies to oc-submissions files only",
        '--publication must be a month like 2026-05 (YYYY-MM), got "May 2026"',
      ]);
      const open = openDatabase(dbPath);
      try {
        expect(open.sqlite.prepare("select month, publication, total from oc_monthly").all()).toEqual([
          { month: "2026-03-01", publication: "2026-05-01", total: 250 },
        ]);
      } finally {
        await open.close();
      }
    } finally {
      log.mockRestore();
      error.mockRestore();
      (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("oc-submissions: bad input is refused with file:line:col and changes nothing", () => {
  const good = () => practiceMonth("01/04/2026", "A81001", "TPP", A81001_APRIL);

  beforeEach(async () => {
    // Something already stored, so that "unchanged" means more than "still empty".
    await importOc(write("existing.csv", practiceMonth("01/03/2026", "E84042", "Klinik", E84042_KLINIK)));
  });

  it("a missing column", async () => {
    const path = tmp.write("no-metric.csv", csv(good()).replace("SUPPLIER,METRIC,VALUE", "SUPPLIER,METRIC_CODE,VALUE"));
    const e = await expectRefused(t, "oc-submissions", path);
    expect(e.message).toMatch(/^no-metric\.csv:1: expected a monthly OC submissions header with the column METRIC, got "MONTH,GP_CODE,/);
  });

  it("a MONTH that is not a date (31/02/2026)", async () => {
    const lines = good();
    lines[4] = lines[4]!.replace("01/04/2026", "31/02/2026");
    const e = await expectRefused(t, "oc-submissions", write("bad-month.csv", lines));
    expect(e.message).toBe('bad-month.csv:6:1 (MONTH): expected the first day of a month like 01/04/2026 or 2026-04-01, got "31/02/2026"');
  });

  it("a MONTH that is not the first of a month (a day-month swap shows up here)", async () => {
    const lines = good();
    lines[0] = lines[0]!.replace("01/04/2026", "04/01/2026");
    const e = await expectRefused(t, "oc-submissions", write("swapped.csv", lines));
    expect(e.message).toBe('swapped.csv:2:1 (MONTH): expected the first day of a month like 01/04/2026 or 2026-04-01, got "04/01/2026"');
  });

  it("a negative VALUE", async () => {
    const lines = good();
    lines[3] = lines[3]!.replace(/,250$/, ",-250");
    const e = await expectRefused(t, "oc-submissions", write("negative.csv", lines));
    expect(e.message).toBe('negative.csv:5:14 (VALUE): expected a whole number of 0 or more, or empty (not published), got "-250"');
    expect([e.line, e.column]).toEqual([5, 14]);
  });

  it("a VALUE that is not a number", async () => {
    const lines = good();
    lines[7] = lines[7]!.replace(/,3747$/, ",n/a");
    const e = await expectRefused(t, "oc-submissions", write("text.csv", lines));
    expect(e.message).toBe('text.csv:9:14 (VALUE): expected a whole number of 0 or more, or empty (not published), got "n/a"');
  });

  it("a decimal count (decimals are for the rate only), and a rate that is not a number", async () => {
    const lines = good();
    lines[4] = lines[4]!.replace(/,150$/, ",150.5");
    let e = await expectRefused(t, "oc-submissions", write("decimal.csv", lines));
    expect(e.message).toBe('decimal.csv:6:14 (VALUE): expected a whole number of 0 or more, or empty (not published), got "150.5"');
    const rates = good();
    rates[8] = rates[8]!.replace(/,66\.7$/, ",-66.7");
    e = await expectRefused(t, "oc-submissions", write("rate.csv", rates));
    expect(e.message).toBe('rate.csv:10:14 (VALUE): expected a number of 0 or more, or empty (not published), got "-66.7"');
  });

  it("a bad practice code", async () => {
    const lines = good();
    lines[2] = lines[2]!.replace("A81001", "A8100");
    const e = await expectRefused(t, "oc-submissions", write("bad-code.csv", lines));
    expect(e.message).toBe('bad-code.csv:4:2 (GP_CODE): expected a practice ODS code like A81001, got "A8100"');
  });

  it("a row repeating a practice, month, supplier and metric with another value, naming both lines", async () => {
    const lines = good();
    const e = await expectRefused(t, "oc-submissions", write("conflict.csv", [...lines, lines[3]!.replace(/,250$/, ",251")]));
    expect(e.message).toBe(
      'conflict.csv:11:14 (VALUE): expected one row per practice, month, supplier and metric; A81001 2026-04 (supplier TPP) OC_TOTAL_SUBMISSIONS is also on line 5 with 250, got "251"',
    );
  });

  it("the same conflict across the north and south members names the other member", async () => {
    const lines = good();
    const path = await tmp.zip("conflict.zip", [
      { name: member("April 2026", "north"), data: csv(lines) },
      { name: member("April 2026", "south"), data: csv([lines[5]!.replace(/,60$/, ",61")]) },
    ]);
    const e = await expectRefused(t, "oc-submissions", path);
    expect(e.message).toBe(
      `conflict.zip!${member("April 2026", "south")}:2:14 (VALUE): expected one row per practice, month, supplier and metric; A81001 2026-04 (supplier TPP) OC_SUBMISSION_TYPE_ADMIN is also on line 7 of conflict.zip!${member("April 2026", "north")} with 60, got "61"`,
    );
  });

  it("an empty file, and a header with no rows", async () => {
    let e = await expectRefused(t, "oc-submissions", tmp.write("empty.csv", ""));
    expect(e.message).toBe('empty.csv:1: expected a monthly OC submissions header row, got "an empty file"');
    e = await expectRefused(t, "oc-submissions", tmp.write("header-only.csv", HEADER + "\r\n"));
    expect(e.message).toBe('header-only.csv:2: expected monthly OC submissions rows after the header, got "the end of the file"');
  });

  it("a truncated quoted field", async () => {
    const text = csv(practiceMonth("01/04/2026", "E84042", "Klinik", E84042_KLINIK));
    const cut = text.slice(0, text.lastIndexOf('"SMITH, JONES') + 10);
    const e = await expectRefused(t, "oc-submissions", tmp.write("truncated.csv", cut));
    expect(e.message).toBe("truncated.csv:10:3: expected a closing quote (the file may be truncated)");
  });

  it("a short row", async () => {
    const lines = good();
    lines[1] = lines[1]!.replace(/,OC_PARTICIPATION,1$/, ",OC_PARTICIPATION");
    const e = await expectRefused(t, "oc-submissions", write("short.csv", lines));
    expect(e.message).toBe('short.csv:3:14: expected 14 fields in each monthly OC submissions row, got "13 fields"');
  });

  it("a month after the publication its name or option gives, and a bad option", async () => {
    const path = write(member("March 2026", "north"), good());
    let e = await expectRefused(t, "oc-submissions", path);
    expect(e.message).toBe(`${member("March 2026", "north")}:2:1 (MONTH): expected a month no later than the publication (March 2026), got "01/04/2026"`);
    e = await expectRefusedWith(write("plain.csv", good()), { publication: "2026-03" });
    expect(e.message).toBe('plain.csv:2:1 (MONTH): expected a month no later than the publication (March 2026), got "01/04/2026"');
    e = await expectRefusedWith(write("plain.csv", good()), { publication: "April 2026" });
    expect(e.message).toBe('plain.csv: expected a publication option like 2026-05 (YYYY-MM), got "April 2026"');
  });

  it("an option that disagrees with the name, and members of different publications", async () => {
    let e = await expectRefusedWith(write(member("May 2026", "north"), good()), { publication: "2026-06" });
    expect(e.message).toBe(
      `${member("May 2026", "north")}: expected a publication option that agrees with the file's name (${member("May 2026", "north")} says May 2026), got "2026-06"`,
    );
    const path = await tmp.zip("mixed.zip", [
      { name: member("May 2026", "north"), data: csv(good()) },
      { name: member("June 2026", "south"), data: csv(good()) },
    ]);
    e = await expectRefused(t, "oc-submissions", path);
    expect(e.message).toBe(`mixed.zip: expected members of one publication, but ${member("May 2026", "north")} says May 2026 and ${member("June 2026", "south")} says June 2026`);
  });
});
