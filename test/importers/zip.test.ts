/** Each importer reads a published .zip exactly as it reads the CSV inside it, and refuses broken or empty zips. */
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { ImportError } from "../../importers/core/errors";
import type { ImporterName } from "../../importers/index";
import { createTestDatabase, dumpTables, type TestDatabase } from "../support/db";
import { expectRefused, expectUnchanged, fixturePath, fixtureText, LIST_SIZES_HEADER, runImport, TempDir } from "./helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

const NO_CSV = 'expected a .csv file, or a .zip holding one, got "a zip with no CSV in it"';
const CASES: { source: ImporterName; fixture: string; member: string; noCsv: string }[] = [
  { source: "epraccur", fixture: "epraccur-current.csv", member: "epraccur.csv", noCsv: NO_CSV },
  {
    source: "practice-map",
    fixture: "gpad-Mapping.csv",
    member: "Mapping.csv",
    noCsv: NO_CSV,
  },
  { source: "list-sizes", fixture: "gp-reg-pat-prac-all-2026-04.csv", member: "gp-reg-pat-prac-all.csv", noCsv: NO_CSV },
];

/** The reference tables an importer writes, without the logs (whose timestamps, hashes and names differ). */
function data(d: TestDatabase) {
  const all = dumpTables(d);
  const strip = (rows: unknown[]) => rows.map((r) => ({ ...(r as object), created_at: null, updated_at: null, import_id: null }));
  return {
    regions: strip(all.regions!),
    icbs: strip(all.icbs!),
    sub_icbs: strip(all.sub_icbs!),
    pcns: strip(all.pcns!),
    practices: strip(all.practices!),
    list_sizes: strip(all.list_sizes!),
  };
}

describe.each(CASES)("$source from a zip", ({ source, fixture, member, noCsv }) => {
  it("a zip holding the CSV imports the same as the CSV", async () => {
    const fromCsv = createTestDatabase();
    try {
      const csvResult = await runImport(fromCsv, source, fixturePath(fixture));
      const zip = await tmp.zip(`${source}-plain.zip`, [{ name: member, data: fixtureText(fixture) }]);
      const zipResult = await runImport(t, source, zip);
      expect(zipResult.status).toBe("imported");
      expect(zipResult.fileName).toBe(`${source}-plain.zip`);
      expect(zipResult.counts).toEqual(csvResult.counts);
      expect(zipResult.warnings).toEqual(csvResult.warnings);
      expect(zipResult.counts.inserted).toBe(3);
      expect(data(t)).toEqual(data(fromCsv));
      expect(dumpTables(t).import_log).toMatchObject([{ source, file_name: `${source}-plain.zip`, file_bytes: readFileSync(zip).length }]);
    } finally {
      await fromCsv.dispose();
    }
  });

  it("a zip with a non-CSV member as well as the CSV works", async () => {
    const zip = await tmp.zip(`${source}-with-readme.zip`, [
      { name: "README.txt", data: "Published by NHS England.\n" },
      { name: "metadata.xlsx", data: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]) },
      { name: `data/${member}`, data: fixtureText(fixture) },
    ]);
    const result = await runImport(t, source, zip);
    expect(result.counts).toMatchObject({ read: 3, inserted: 3 });
  });

  it("re-importing the same zip is a no-op", async () => {
    const zip = await tmp.zip(`${source}-again.zip`, [{ name: member, data: fixtureText(fixture) }]);
    await runImport(t, source, zip);
    await expectUnchanged(t, source, zip);
  });

  it("a zip with no CSV in it is refused", async () => {
    await runImport(t, source, fixturePath(fixture));
    const zip = await tmp.zip(`${source}-nocsv.zip`, [{ name: "README.txt", data: "nothing here" }, { name: "folder/", data: "" }]);
    const err = await expectRefused(t, source, zip);
    expect(err.file).toBe(`${source}-nocsv.zip`);
    expect(err.message).toBe(`${source}-nocsv.zip: ${noCsv}`);
  });

  it("a truncated zip is refused", async () => {
    await runImport(t, source, fixturePath(fixture));
    const good = await tmp.zip(`${source}-whole.zip`, [{ name: member, data: fixtureText(fixture) }]);
    const bytes = readFileSync(good);
    const zip = tmp.write(`${source}-truncated.zip`, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const err = await expectRefused(t, source, zip);
    expect(err.message).toBe(
      `${source}-truncated.zip: expected a readable zip archive, got "End of central directory record signature not found. Eith…"`,
    );
  });

  it("a zip whose compressed data is corrupt is refused", async () => {
    await runImport(t, source, fixturePath(fixture));
    // Enough repetitive rows that the member is deflated, then scramble the compressed bytes.
    const text = fixtureText(fixture);
    const big = text + text.split("\n").slice(source === "epraccur" ? 0 : 1).join("\n").repeat(200);
    const good = await tmp.zip(`${source}-tocorrupt.zip`, [{ name: member, data: big }]);
    const bytes = Buffer.from(readFileSync(good));
    const dataStart = 30 + member.length; // local file header + name
    for (let i = dataStart + 10; i < dataStart + 60; i++) bytes[i] = bytes[i]! ^ 0xa5;
    const zip = tmp.write(`${source}-corrupt.zip`, bytes);
    const err = await expectRefused(t, source, zip);
    expect(err.file).toBe(`${source}-corrupt.zip!${member}`);
    expect(err.message).toMatch(new RegExp(`^${source}-corrupt\\.zip!${member.replace(/\./g, "\\.")}: expected a complete, uncorrupted file, got "`));
  });

  it("a zip member that fails its CRC-32 check is refused (a changed digit would otherwise load silently)", async () => {
    await runImport(t, source, fixturePath(fixture));
    const good = await tmp.zip(`${source}-crc.zip`, [{ name: member, data: fixtureText(fixture), compress: false }]);
    const bytes = Buffer.from(readFileSync(good));
    // Stored, not deflated: change one digit of the data in place (same length, still valid CSV).
    const at = bytes.indexOf(Buffer.from("A81001")) + 5;
    expect(String.fromCharCode(bytes[at]!)).toBe("1");
    bytes[at] = "7".charCodeAt(0);
    const zip = tmp.write(`${source}-crc-bad.zip`, bytes);
    const err = await expectRefused(t, source, zip);
    expect(err.message).toBe(`${source}-crc-bad.zip!${member}: expected a complete, uncorrupted file, got "a zip member that fails its CRC-32 check"`);
  });
});

describe("zip specifics", () => {
  it("errors inside a zip member name the zip and the member", async () => {
    const bad = fixtureText("gp-reg-pat-prac-all-2026-04.csv").replace(",18654", ",lots");
    const zip = await tmp.zip("gp-reg-pat-prac-all.zip", [{ name: "gp-reg-pat-prac-all.csv", data: bad }]);
    const err = await expectRefused(t, "list-sizes", zip);
    expect(err.message).toBe('gp-reg-pat-prac-all.zip!gp-reg-pat-prac-all.csv:3:10 (NUMBER_OF_PATIENTS): expected a whole number of 0 or more, got "lots"');
  });

  it("list sizes load every CSV member of a split zip", async () => {
    const [, a81001, a81002, a82003] = fixtureText("gp-reg-pat-prac-all-2026-04.csv").trimEnd().split("\n");
    const zip = await tmp.zip("split.zip", [
      { name: "gp-reg-pat-prac-all-north.csv", data: `${LIST_SIZES_HEADER}\n${a81001}\n${a81002}\n` },
      { name: "gp-reg-pat-prac-all-south.csv", data: `${LIST_SIZES_HEADER}\r\n${a82003}\r\n` },
    ]);
    const result = await runImport(t, "list-sizes", zip);
    expect(result.counts).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect(await t.db.selectFrom("list_sizes").select(["practice_code", "patients"]).orderBy("practice_code").execute()).toEqual([
      { practice_code: "A81001", patients: 3747 },
      { practice_code: "A81002", patients: 18654 },
      { practice_code: "A82003", patients: 11913 },
    ]);
  });

  it("list sizes refuse a split zip whose members repeat a practice with different values, and load nothing", async () => {
    const [, a81001] = fixtureText("gp-reg-pat-prac-all-2026-04.csv").trimEnd().split("\n");
    const zip = await tmp.zip("split-conflict.zip", [
      { name: "north.csv", data: `${LIST_SIZES_HEADER}\n${a81001}\n` },
      { name: "south.csv", data: `${LIST_SIZES_HEADER}\n${a81001!.replace(",3747", ",3748")}\n` },
    ]);
    const err = await expectRefused(t, "list-sizes", zip);
    expect(err.message).toBe(
      'split-conflict.zip!south.csv:2:6 (CODE): expected one row per practice per month; A81001 for 2026-04 is also on line 2 with 3747 patients, got "A81001"',
    );
  });

  it("the practice map takes Mapping.csv from the appointments crosstab zip and ignores the crosstab", async () => {
    const crosstab =
      "APPOINTMENT_MONTH_START_DATE,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,HCP_TYPE,APPT_MODE,NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS,APPT_STATUS\n" +
      "01AUG2025,A81001,THE DENSHAM SURGERY,TPP,U89141,STOCKTON PCN,16C,NHS North East and North Cumbria ICB - 16C,GP,Face-to-Face,General Consultation Routine,2 to 7 Days,12,Attended\n";
    const zip = await tmp.zip("Practice_Level_Crosstab_Aug_25.zip", [
      { name: "Practice_Level_Crosstab_Aug_25.csv", data: crosstab },
      { name: "Mapping.csv", data: fixtureText("gpad-Mapping.csv") },
    ]);
    const result = await runImport(t, "practice-map", zip);
    expect(result.counts).toEqual({ read: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect((await t.db.selectFrom("practices").select("ods_code").orderBy("ods_code").execute()).map((r) => r.ods_code)).toEqual([
      "A81001",
      "A81035",
      "A82003",
    ]);
  });

  it("the practice map refuses a zip of several CSVs none of which is a map, listing them", async () => {
    const zip = await tmp.zip("no-map.zip", [
      { name: "a.csv", data: "x\n1\n" },
      { name: "b.csv", data: "y\n2\n" },
    ]);
    const err = await expectRefused(t, "practice-map", zip);
    expect(err.message).toBe('no-map.zip: expected a practice map CSV (a member named like gp-reg-pat-prac-map.csv or Mapping.csv), got "a.csv, b.csv"');
  });

  it("damaging any bytes of a zip either refuses it, changing nothing, or loads exactly the original data", async () => {
    const lines = [LIST_SIZES_HEADER];
    for (let i = 0; i < 2000; i++) lines.push(`GP_PRAC_PAT_LIST,2026-04-01,GP,16C,E38000247,B${String(i).padStart(5, "0")},TS18 1HU,ALL,ALL,${(i * 7919) % 30000}`);
    const good = await tmp.zip("damage-source.zip", [{ name: "gp-reg-pat-prac-all.csv", data: lines.join("\n") + "\n" }]);
    const original = readFileSync(good);

    const reference = createTestDatabase();
    await runImport(reference, "list-sizes", good);
    const expected = await reference.db.selectFrom("list_sizes").select(["practice_code", "month", "patients"]).orderBy("practice_code").execute();
    await reference.dispose();
    expect(expected).toHaveLength(2000);

    let seed = 20260401;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let refused = 0;
    for (let trial = 0; trial < 40; trial++) {
      const bytes = Buffer.from(original);
      const damaged = 1 + Math.floor(random() * 3);
      for (let k = 0; k < damaged; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const path = tmp.write(`damaged-${trial}.zip`, bytes);
      const before = dumpTables(t);
      try {
        await runImport(t, "list-sizes", path);
      } catch (e) {
        expect(e, `trial ${trial}`).toBeInstanceOf(ImportError);
        expect(dumpTables(t), `trial ${trial}`).toEqual(before);
        refused++;
        continue;
      }
      // Accepted: the damage was somewhere harmless (a timestamp, a comment), so the data must be the original.
      const got = await t.db.selectFrom("list_sizes").select(["practice_code", "month", "patients"]).orderBy("practice_code").execute();
      expect(got, `trial ${trial}`).toEqual(expected);
      await t.db.deleteFrom("list_sizes").execute();
    }
    expect(refused).toBeGreaterThan(30);
  });

  it("epraccur refuses a zip whose CSV member is empty", async () => {
    const zip = await tmp.zip("epraccur-empty-member.zip", [{ name: "epraccur.csv", data: "" }]);
    const err = await expectRefused(t, "epraccur", zip);
    expect(err.message).toBe('epraccur-empty-member.zip!epraccur.csv:1: expected at least one epraccur row, got "an empty file"');
  });
});
