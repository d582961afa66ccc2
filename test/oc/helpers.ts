/** Helpers for the By Day and Time tests: temporary files and zips, imports, and "refused and changed nothing". */
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import yazl from "yazl";
import { ImportError } from "../../importers/core/errors";
import { importFile, type ImportResult } from "../../importers/core/run";
import { ocByDayTimeImporter, type OcByDayTimeOptions } from "../../importers/oc-by-day-time";
import { dumpTables, type TestDatabase } from "../support/db";

export class TempDir {
  readonly dir = mkdtempSync(join(tmpdir(), "icb-oc-test-"));

  write(name: string, content: string | Buffer): string {
    const p = join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  async zip(name: string, members: { name: string; data: string }[]): Promise<string> {
    const p = join(this.dir, name);
    const zip = new yazl.ZipFile();
    for (const m of members) zip.addBuffer(Buffer.from(m.data, "utf8"), m.name);
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

export function importOc(t: TestDatabase, path: string, options?: OcByDayTimeOptions): Promise<ImportResult> {
  return importFile(t.db, ocByDayTimeImporter, path, { actor: "test", options });
}

/** Imports a file that must be refused: returns the ImportError after checking every table is exactly as it was. */
export async function expectRefused(t: TestDatabase, path: string, options?: OcByDayTimeOptions): Promise<ImportError> {
  const before = dumpTables(t);
  let caught: unknown = null;
  try {
    await importOc(t, path, options);
  } catch (e) {
    caught = e;
  }
  expect(caught, `importing ${path} should have been refused`).toBeInstanceOf(ImportError);
  expect(dumpTables(t)).toEqual(before);
  return caught as ImportError;
}

/** Imports a file that must be an exact no-op (already imported). */
export async function expectUnchanged(t: TestDatabase, path: string): Promise<ImportResult> {
  const before = dumpTables(t);
  const result = await importOc(t, path);
  expect(result.status).toBe("unchanged");
  expect(result.counts).toEqual({ read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 });
  expect(dumpTables(t)).toEqual(before);
  return result;
}

/** Every row of a table, ordered, for exact comparisons. */
export function rows(t: TestDatabase, table: string, orderBy: string): Record<string, unknown>[] {
  return t.sqlite.prepare(`select * from "${table}" order by ${orderBy}`).all() as Record<string, unknown>[];
}

export const DATED_HEADER =
  "DATE,WEEKDAY,SUBMISSION_TIME,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,CLINICAL,ADMIN,UNKNOWN_OTHER,TOTAL";
export const WEEKDAY_HEADER =
  "WEEKDAY,SUBMISSION_TIME,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,ICB_CODE,ICB_NAME,REGION_CODE,REGION_NAME,CLINICAL,ADMIN,UNKNOWN_OTHER,TOTAL";
