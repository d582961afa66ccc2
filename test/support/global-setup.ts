import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { migrateToLatest, openDatabase } from "../../db/connection";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated, empty database that tests copy (never open directly). */
    templateDb: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "icb-test-template-"));
  const path = join(dir, "template.db");
  const open = openDatabase(path);
  await migrateToLatest(open.db);
  // Fold the WAL into the main file so that a plain file copy is a complete database.
  open.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  open.sqlite.pragma("journal_mode = DELETE");
  await open.close();
  project.provide("templateDb", path);
  return () => rmSync(dir, { recursive: true, force: true });
}
