/** The importers' shared core: CSV reading, header matching, field checks, inputs (.csv and .zip) and the import run. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_FIELD_LENGTH, matchHeader, normaliseHeader, readCsv, type CsvRecord } from "../../importers/core/csv";
import { describeValue, ImportError, ImportErrors } from "../../importers/core/errors";
import { date, optionalDate, parseDate, practiceCode, requireWidth, validateRecord, wholeNumber } from "../../importers/core/fields";
import { openInput } from "../../importers/core/sources";
import { hashFile, importFile, type Importer, type ProgressSink } from "../../importers/core/run";
import { importers, isImporterName } from "../../importers/index";
import { z } from "zod";
import { createTestDatabase, dumpTables, type TestDatabase } from "../support/db";
import { fixturePath, fixtureText, LIST_SIZES_HEADER, rows, runImport, TempDir } from "./helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

async function readAll(input: string | Buffer | Buffer[], label = "test.csv"): Promise<CsvRecord[]> {
  const chunks = Array.isArray(input) ? input : [Buffer.isBuffer(input) ? input : Buffer.from(input, "utf8")];
  const out: CsvRecord[] = [];
  for await (const r of readCsv(Readable.from(chunks), label)) out.push(r);
  return out;
}

async function readError(input: string | Buffer | Buffer[], label = "test.csv"): Promise<ImportError> {
  try {
    await readAll(input, label);
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return e as ImportError;
  }
  throw new Error("expected the CSV to be refused");
}

describe("readCsv", () => {
  it("gives each record with the line it starts on (LF)", async () => {
    expect(await readAll("a,b\n1,2\n3,4\n")).toEqual([
      { fields: ["a", "b"], line: 1 },
      { fields: ["1", "2"], line: 2 },
      { fields: ["3", "4"], line: 3 },
    ]);
  });

  it("handles CRLF, skips blank lines and keeps counting lines across them", async () => {
    expect(await readAll("a,b\r\n1,2\r\n\r\n\r\n3,4\r\n")).toEqual([
      { fields: ["a", "b"], line: 1 },
      { fields: ["1", "2"], line: 2 },
      { fields: ["3", "4"], line: 5 },
    ]);
  });

  it("counts the lines inside a quoted field holding line breaks", async () => {
    expect(await readAll('h1,h2\n"two\nlines",x\nlast,y\n')).toEqual([
      { fields: ["h1", "h2"], line: 1 },
      { fields: ["two\nlines", "x"], line: 2 },
      { fields: ["last", "y"], line: 4 },
    ]);
  });

  it("keeps quoted commas and doubled quotes, and strips a UTF-8 BOM", async () => {
    expect(await readAll('\uFEFFname,n\n"SMITH, JONES AND PARTNERS",1\n"THE ""OLD"" SURGERY",2')).toEqual([
      { fields: ["name", "n"], line: 1 },
      { fields: ["SMITH, JONES AND PARTNERS", "1"], line: 2 },
      { fields: ['THE "OLD" SURGERY', "2"], line: 3 },
    ]);
  });

  it("gives nothing for an empty input", async () => {
    expect(await readAll("")).toEqual([]);
    expect(await readAll("\n\n")).toEqual([]);
  });

  it("decodes a multi-byte character split between two chunks", async () => {
    const bytes = Buffer.from("a,CAFÉ\n", "utf8");
    const split = bytes.indexOf(0xc3) + 1; // between the two bytes of É
    expect(await readAll([bytes.subarray(0, split), bytes.subarray(split)])).toEqual([{ fields: ["a", "CAFÉ"], line: 1 }]);
  });

  it("refuses bytes that are not UTF-8, at their line and column", async () => {
    const err = await readError(Buffer.concat([Buffer.from("a,b\nx,y\n1,"), Buffer.from([0xe9]), Buffer.from("\n")]));
    expect(err.message).toBe('test.csv:3:2: expected UTF-8 text (the file may be in another encoding), got "\uFFFD"');
    expect([err.file, err.line, err.column]).toEqual(["test.csv", 3, 2]);
  });

  it("refuses an unclosed quote (a truncated file)", async () => {
    const err = await readError('a,b,c\n1,2,3\n4,5,"six', "cut.csv");
    expect(err.message).toBe("cut.csv:3:3: expected a closing quote (the file may be truncated)");
  });

  it("refuses text after a closing quote", async () => {
    const err = await readError('a,b\n"x"y,1\n');
    expect(err.message).toBe("test.csv:2:1: expected a delimiter or line end after a closing quote");
  });

  it("refuses a field longer than the limit", async () => {
    const err = await readError(`a,b\n1,${"x".repeat(MAX_FIELD_LENGTH + 1)}\n`);
    expect(err.message).toMatch(new RegExp(`^test\\.csv:2:2: expected a field of at most ${MAX_FIELD_LENGTH} characters, got "x{57}…"$`));
  });
});

describe("matchHeader", () => {
  const SPEC = {
    code: { names: ["CODE", "ORG_CODE"], required: true },
    patients: { names: ["NUMBER_OF_PATIENTS"], required: true },
    sex: { names: ["SEX"], required: false },
  } as const;

  it("finds columns by name, in any position, case and padding, with alternative names", () => {
    const h = matchHeader({ fields: ["\uFEFFpublication", " number_of_patients ", "Org_Code"], line: 1 }, SPEC, "f.csv", "test");
    expect(h).toEqual({ code: 2, patients: 1, sex: -1, width: 3, names: ["PUBLICATION", "NUMBER_OF_PATIENTS", "ORG_CODE"] });
  });

  it("prefers the first name listed, and the first of two equal cells", () => {
    const h = matchHeader({ fields: ["ORG_CODE", "CODE", "NUMBER_OF_PATIENTS", "CODE"], line: 1 }, SPEC, "f.csv", "test");
    expect([h.code, h.patients]).toEqual([1, 2]);
  });

  it("names every missing required column, at the header's line", () => {
    try {
      matchHeader({ fields: ["SEX", "AGE"], line: 3 }, SPEC, "f.csv", "test");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ImportError);
      expect((e as ImportError).message).toBe('f.csv:3: expected a test header with the columns CODE or ORG_CODE, NUMBER_OF_PATIENTS, got "SEX,AGE"');
    }
  });

  it("uses the singular for one missing column", () => {
    expect(() => matchHeader({ fields: ["CODE"], line: 1 }, SPEC, "f.csv", "test")).toThrow(
      'f.csv:1: expected a test header with the column NUMBER_OF_PATIENTS, got "CODE"',
    );
  });

  it("normalises header cells", () => {
    expect(normaliseHeader("\uFEFF  Code ")).toBe("CODE");
  });
});

describe("ImportError", () => {
  it("reads file:line:col (COLUMN): expected X, got Y", () => {
    const e = new ImportError({ file: "gp.csv", line: 3, column: 10, columnName: "NUMBER_OF_PATIENTS", expected: "a whole number", got: "abc" });
    expect(e.message).toBe('gp.csv:3:10 (NUMBER_OF_PATIENTS): expected a whole number, got "abc"');
    expect(e.name).toBe("ImportError");
    expect(e).toBeInstanceOf(Error);
    expect([e.file, e.line, e.column, e.columnName, e.expected, e.got]).toEqual(["gp.csv", 3, 10, "NUMBER_OF_PATIENTS", "a whole number", "abc"]);
  });

  it("leaves out what it does not know", () => {
    expect(new ImportError({ file: "a.zip", expected: "a zip" }).message).toBe("a.zip: expected a zip");
    expect(new ImportError({ file: "a.csv", line: 2, expected: "x", got: "" }).message).toBe("a.csv:2: expected x, got an empty value");
    // A column without a line is meaningless, so it is not shown.
    expect(new ImportError({ file: "a.csv", column: 4, expected: "x" }).message).toBe("a.csv: expected x");
  });

  it("shortens long values", () => {
    expect(describeValue("y".repeat(100))).toBe(`"${"y".repeat(57)}…"`);
    expect(describeValue("exactly")).toBe('"exactly"');
  });

  it("ImportErrors lists several problems", () => {
    const errs = new ImportErrors(
      [new ImportError({ file: "f", line: 1, expected: "a" }), new ImportError({ file: "f", line: 2, expected: "b" })],
      true,
    );
    expect(errs.message).toBe("f:1: expected a\nf:2: expected b\n(stopped after the first 2 problems)");
  });
});

describe("field checks", () => {
  it("parses each published date format, and refuses impossible dates", () => {
    expect(parseDate("2026-04-01", ["iso", "ddmonyyyy"])).toBe("2026-04-01");
    expect(parseDate("01JAN2021", ["iso", "ddmonyyyy"])).toBe("2021-01-01");
    expect(parseDate("01Aug2026", ["ddmonyyyy"])).toBe("2026-08-01");
    expect(parseDate(" 19740401 ", ["yyyymmdd"])).toBe("1974-04-01");
    expect(parseDate("01/04/2026", ["dd/mm/yyyy"])).toBe("2026-04-01");
    expect(parseDate("29FEB2024", ["ddmonyyyy"])).toBe("2024-02-29");
    for (const bad of ["31FEB2021", "29FEB2023", "2026-13-01", "2026-04-31", "19741301", "01XYZ2021", "", "2026-4-1"]) {
      expect(parseDate(bad, ["iso", "ddmonyyyy", "yyyymmdd"]), bad).toBeNull();
    }
    // Only the formats asked for.
    expect(parseDate("20260401", ["iso"])).toBeNull();
  });

  it("date() and optionalDate() say what they expected", () => {
    expect(date(["iso"]).safeParse("2026-04-01").data).toBe("2026-04-01");
    expect(date(["iso", "ddmonyyyy"]).safeParse("x").error?.issues[0]?.message).toBe("a date like 2026-04-01 or 01JAN2021");
    expect(optionalDate(["yyyymmdd"]).safeParse(" ").data).toBeNull();
    expect(optionalDate(["yyyymmdd"]).safeParse("2017").error?.issues[0]?.message).toBe("a date like 20260401, or empty");
  });

  it("practice codes and whole numbers", () => {
    expect(practiceCode.safeParse(" a81001 ").data).toBe("A81001");
    expect(practiceCode.safeParse("DEM001").data).toBe("DEM001");
    for (const bad of ["A8100", "A810011", "881001", "AA1001", ""]) expect(practiceCode.safeParse(bad).success, bad).toBe(false);
    expect(wholeNumber.safeParse(" 3747 ").data).toBe(3747);
    for (const bad of ["-1", "1.5", "1e3", "", "3,747"]) expect(wholeNumber.safeParse(bad).success, bad).toBe(false);
  });

  it("validateRecord reports the first bad field at its line and column", () => {
    const schema = z.object({ code: practiceCode, n: wholeNumber });
    const columns = { code: { index: 2, name: "CODE" }, n: { index: 0, name: "N" } };
    expect(validateRecord(schema, { fields: ["12", "x", "A81001"], line: 7 }, columns, "f.csv")).toEqual({ code: "A81001", n: 12 });
    expect(() => validateRecord(schema, { fields: ["12", "x", "Z"], line: 7 }, columns, "f.csv")).toThrow(
      'f.csv:7:3 (CODE): expected a practice ODS code like A81001, got "Z"',
    );
  });

  it("requireWidth reports where the row ran short or long", () => {
    expect(() => requireWidth({ fields: ["a", "b"], line: 4 }, 3, "f.csv", "test")).toThrow('f.csv:4:3: expected 3 fields in each test row, got "2 fields"');
    expect(() => requireWidth({ fields: ["a"], line: 4 }, 3, "f.csv", "test")).toThrow('f.csv:4:2: expected 3 fields in each test row, got "1 field"');
    expect(() => requireWidth({ fields: ["a", "b", "c", "d"], line: 4 }, 3, "f.csv", "test")).toThrow('f.csv:4:4: expected 3 fields in each test row, got "4 fields"');
    expect(() => requireWidth({ fields: ["a", "b", "c"], line: 4 }, 3, "f.csv", "test")).not.toThrow();
  });
});

describe("openInput", () => {
  async function memberText(path: string): Promise<{ label: string; name: string; text: string }[]> {
    const input = await openInput(path);
    try {
      const out = [];
      for (const m of input.members) {
        const chunks: Buffer[] = [];
        for await (const c of await m.open()) chunks.push(c as Buffer);
        out.push({ label: m.label, name: m.name, text: Buffer.concat(chunks).toString("utf8") });
      }
      return out;
    } finally {
      input.close();
    }
  }

  it("reads a plain CSV as one member", async () => {
    const input = await openInput(fixturePath("gpad-Mapping.csv"));
    input.close();
    expect(input).toMatchObject({ fileName: "gpad-Mapping.csv", isZip: false, bytes: Buffer.byteLength(fixtureText("gpad-Mapping.csv")) });
    expect(await memberText(fixturePath("gpad-Mapping.csv"))).toEqual([
      { label: "gpad-Mapping.csv", name: "gpad-Mapping.csv", text: fixtureText("gpad-Mapping.csv") },
    ]);
  });

  it("reads each CSV member of a zip, skipping other files, folders and __MACOSX", async () => {
    const path = await tmp.zip("bundle.zip", [
      { name: "README.txt", data: "not a csv" },
      { name: "north/", data: "" },
      { name: "north/part1.CSV", data: "a\n1\n" },
      { name: "__MACOSX/north/._part1.CSV", data: "junk" },
      { name: "part2.csv", data: "a\n2\n", compress: false },
    ]);
    const input = await openInput(path);
    input.close();
    expect(input.isZip).toBe(true);
    expect(await memberText(path)).toEqual([
      { label: "bundle.zip!north/part1.CSV", name: "part1.CSV", text: "a\n1\n" },
      { label: "bundle.zip!part2.csv", name: "part2.csv", text: "a\n2\n" },
    ]);
  });

  it("recognises a zip by its content, not its name", async () => {
    const zipNamedCsv = await tmp.zip("really-a-zip.csv", [{ name: "inner.csv", data: "a\n1\n" }]);
    expect(await memberText(zipNamedCsv)).toEqual([{ label: "really-a-zip.csv!inner.csv", name: "inner.csv", text: "a\n1\n" }]);
    const csvNamedZip = tmp.write("really-a-csv.zip", "a\n1\n");
    expect(await memberText(csvNamedZip)).toEqual([{ label: "really-a-csv.zip", name: "really-a-csv.zip", text: "a\n1\n" }]);
  });

  it("gives no members for a zip with no CSV", async () => {
    const path = await tmp.zip("nocsv.zip", [{ name: "notes.txt", data: "hello" }]);
    expect(await memberText(path)).toEqual([]);
  });

  it("refuses a missing file, a directory and a corrupt zip", async () => {
    await expect(openInput(tmp.path("missing.csv"))).rejects.toThrow(`missing.csv: expected a readable file, got ${JSON.stringify(tmp.path("missing.csv"))}`);
    await expect(openInput(tmp.dir)).rejects.toThrow(/: expected a file, not a directory, got /);
    const good = await tmp.zip("for-corrupting.zip", [{ name: "a.csv", data: "a\n1\n" }]);
    const cut = tmp.write("cut.zip", readFileSync(good).subarray(0, 30));
    await expect(openInput(cut)).rejects.toThrow(/^cut\.zip: expected a readable zip archive, got "End of central directory record signature not found/);
  });
});

describe("importFile", () => {
  let t: TestDatabase;
  beforeEach(() => {
    t = createTestDatabase();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("the registry names every importer by its source", () => {
    expect(Object.keys(importers)).toEqual(expect.arrayContaining(["epraccur", "practice-map", "list-sizes"]));
    for (const [name, importer] of Object.entries(importers)) expect(importer.source).toBe(name);
    expect(isImporterName("epraccur")).toBe(true);
    expect(isImporterName("toString")).toBe(false);
    expect(isImporterName("nope")).toBe(false);
  });

  it("hashes the bytes, and the options when there are any", async () => {
    const a = tmp.write("hash-a.csv", "same bytes\n");
    const b = tmp.write("hash-b.csv", "same bytes\n");
    const c = tmp.write("hash-c.csv", "other bytes\n");
    expect(await hashFile(a)).toBe(createHash("sha256").update("same bytes\n").digest("hex"));
    expect(await hashFile(a)).toBe(await hashFile(b));
    expect(await hashFile(a)).not.toBe(await hashFile(c));
    expect(await hashFile(a, {})).toBe(await hashFile(a));
    expect(await hashFile(a, { x: 1 })).not.toBe(await hashFile(a));
    expect(await hashFile(a, { x: 1, y: 2 })).toBe(await hashFile(a, { y: 2, x: 1 }));
  });

  it("the no-op is per source: the same bytes may be imported by another importer", async () => {
    const first = await runImport(t, "list-sizes", fixturePath("gp-reg-pat-prac-all-2026-04.csv"));
    const fake: Importer = { source: "other-source", title: "test", run: async (ctx) => void ctx.counts.read++ };
    const other = await importFile(t.db, fake, fixturePath("gp-reg-pat-prac-all-2026-04.csv"), { actor: "test" });
    expect(other.status).toBe("imported");
    expect(other.hash).toBe(first.hash);
    expect(rows(t, "import_log", "id").map((r) => [r.source, r.file_hash === first.hash])).toEqual([
      ["list-sizes", true],
      ["other-source", true],
    ]);
  });

  it("rolls back everything an importer wrote when it fails, whatever the error", async () => {
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const path = tmp.write("rollback.csv", "x\n");
    for (const failure of [new ImportError({ file: "rollback.csv", line: 1, expected: "something" }), new Error("boom")]) {
      const before = dumpTables(t);
      const failing: Importer = {
        source: "failing",
        title: "test",
        async run(ctx) {
          await ctx.trx.insertInto("regions").values({ code: "Y99", name: "Nowhere", ons_code: null, updated_at: "2026-01-01" }).execute();
          await ctx.trx.updateTable("practices").set({ name: "CHANGED" }).execute();
          ctx.counts.inserted++;
          throw failure;
        },
      };
      await expect(importFile(t.db, failing, path, { actor: "test" })).rejects.toBe(failure);
      expect(dumpTables(t)).toEqual(before);
    }
  });

  it("records who imported, with user id and address, in both logs", async () => {
    const result = await importFile(t.db, importers["list-sizes"], fixturePath("gp-reg-pat-prac-all-2021-01.csv"), {
      actor: "admin@example.org",
      userId: null,
      ip: "192.0.2.7",
    });
    expect(rows(t, "import_log", "id")[0]).toMatchObject({ id: result.importId, actor: "admin@example.org", user_id: null, rows_read: 1, rows_inserted: 1 });
    expect(rows(t, "audit_log", "id")[0]).toMatchObject({ actor: "admin@example.org", ip: "192.0.2.7", action: "import.completed", entity_id: String(result.importId) });
  });

  it("drives a progress sink from start to stop, on success and on failure", async () => {
    const events: string[] = [];
    const sink: ProgressSink = {
      start: (total, label) => events.push(`start ${total} ${label}`),
      update: (done) => events.push(`update ${done}`),
      stop: () => events.push("stop"),
    };
    const good = fixturePath("gp-reg-pat-prac-all-2026-04.csv");
    const size = Buffer.byteLength(fixtureText("gp-reg-pat-prac-all-2026-04.csv"));
    await importFile(t.db, importers["list-sizes"], good, { actor: "test", progress: sink });
    expect(events).toEqual([`start ${size} gp-reg-pat-prac-all-2026-04.csv`, `update ${size}`, "stop"]);

    events.length = 0;
    const bad = tmp.write("progress-bad.csv", `${LIST_SIZES_HEADER}\nGP_PRAC_PAT_LIST,2026-04-01,GP,16C,E38000247,A81001,TS18 1HU,ALL,ALL,x\n`);
    await expect(importFile(t.db, importers["list-sizes"], bad, { actor: "test", progress: sink })).rejects.toBeInstanceOf(ImportError);
    expect(events[0]).toMatch(/^start \d+ progress-bad\.csv$/);
    expect(events.at(-1)).toBe("stop");
  });

  it("reads a large file in several chunks without splitting characters", async () => {
    // Put a two-byte character across the 1 MiB read-chunk boundary.
    const header = "GP_CODE,GP_NAME,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME\n";
    const row = (i: number, name: string) => `B${String(i).padStart(5, "0")},${name},U89141,STOCKTON PCN,16C,X,QHM,Y,Y63,Z\n`;
    const parts = [header];
    let bytes = header.length;
    let i = 0;
    while (bytes < (1 << 20) - 100) {
      parts.push(row(i++, "PADDING SURGERY"));
      bytes += parts.at(-1)!.length;
    }
    let text = parts.join("");
    const target = (1 << 20) - 1; // the É's first byte is the last byte of the first chunk
    const prefix = `B${String(i).padStart(5, "0")},`;
    const fill = target - Buffer.byteLength(text) - Buffer.byteLength(prefix);
    text += `${prefix}${"A".repeat(fill)}É SURGERY,U89141,STOCKTON PCN,16C,X,QHM,Y,Y63,Z\n`;
    expect(Buffer.from(text).indexOf(Buffer.from("É"))).toBe(target);
    const path = tmp.write("chunk-boundary.csv", text);
    const result = await runImport(t, "practice-map", path);
    expect(result.counts.inserted).toBe(i + 1);
    const p = await t.db.selectFrom("practices").select("name").where("ods_code", "=", `B${String(i).padStart(5, "0")}`).executeTakeFirstOrThrow();
    expect(p.name).toBe(`${"A".repeat(fill)}É SURGERY`);
  });
});
