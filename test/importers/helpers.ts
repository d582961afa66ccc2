/**
 * Shared helpers for the importer tests: the published fixtures, temporary files and zips, a fresh database per
 * test, and "refused and changed nothing" checks.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import yazl from "yazl";
import { ImportError } from "../../importers/core/errors";
import { importFile, type ImportResult } from "../../importers/core/run";
import { importers, type ImporterName } from "../../importers/index";
import { dumpTables, type TestDatabase } from "../support/db";

export const FIXTURES = fileURLToPath(new URL("../../../shared/fixtures/", import.meta.url));

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}

/** A temporary directory (under os.tmpdir()) for one test file's generated inputs. */
export class TempDir {
  readonly dir = mkdtempSync(join(tmpdir(), "icb-importer-test-"));

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, content: string | Buffer): string {
    const p = this.path(name);
    writeFileSync(p, content);
    return p;
  }

  /** Writes a zip holding the given members (deflated unless `compress: false`). */
  async zip(name: string, members: { name: string; data: string | Buffer; compress?: boolean }[]): Promise<string> {
    const p = this.path(name);
    const zip = new yazl.ZipFile();
    for (const m of members) {
      if (m.name.endsWith("/")) zip.addEmptyDirectory(m.name);
      else zip.addBuffer(Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data, "utf8"), m.name, { compress: m.compress ?? true });
    }
    zip.end();
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(p);
      out.on("close", () => resolve());
      out.on("error", reject);
      zip.outputStream.pipe(out);
    });
    return p;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function runImport(t: TestDatabase, source: ImporterName, path: string): Promise<ImportResult> {
  return importFile(t.db, importers[source], path, { actor: "test" });
}

/**
 * Imports a file that must be refused: returns the ImportError, after checking that every table (import_log and
 * audit_log included) is exactly as it was.
 */
export async function expectRefused(t: TestDatabase, source: ImporterName, path: string): Promise<ImportError> {
  const before = dumpTables(t);
  let caught: unknown = null;
  try {
    await runImport(t, source, path);
  } catch (e) {
    caught = e;
  }
  expect(caught, `importing ${path} as ${source} should have been refused`).toBeInstanceOf(ImportError);
  expect(dumpTables(t)).toEqual(before);
  return caught as ImportError;
}

/** Imports a file that must be an exact no-op (already imported): nothing at all changes. */
export async function expectUnchanged(t: TestDatabase, source: ImporterName, path: string): Promise<ImportResult> {
  const before = dumpTables(t);
  const result = await runImport(t, source, path);
  expect(result.status).toBe("unchanged");
  expect(result.counts).toEqual({ read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 });
  expect(dumpTables(t)).toEqual(before);
  return result;
}

/** Quotes every field the way ODS publishes epraccur. */
export function epraccurLine(fields: readonly string[]): string {
  return fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(",");
}

/** The fields of one line of the (comma-free) epraccur fixtures. */
export function epraccurFields(line: string): string[] {
  return line.replace(/^"|"$/g, "").split('","');
}

/** The published fixture rows as field arrays, by practice code. */
export function epraccurFixtureRows(name = "epraccur-current.csv"): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of fixtureText(name).split("\n")) {
    if (line.trim() === "") continue;
    const fields = epraccurFields(line);
    rows.set(fields[0]!, fields);
  }
  return rows;
}

/** A copy of `fields` with some positions (0-based) replaced. */
export function withFields(fields: readonly string[], changes: Record<number, string>): string[] {
  const copy = [...fields];
  for (const [i, v] of Object.entries(changes)) copy[Number(i)] = v;
  return copy;
}

export const LIST_SIZES_HEADER =
  "PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS";
export const MAPPING_HEADER =
  "GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME";

/** Every row of a table, ordered, for exact comparisons. */
export function rows(t: TestDatabase, table: string, orderBy: string): Record<string, unknown>[] {
  return t.sqlite.prepare(`select * from "${table}" order by ${orderBy}`).all() as Record<string, unknown>[];
}
