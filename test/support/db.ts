import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { inject } from "vitest";
import { openDatabase, type OpenDatabase } from "../../db/connection";

export interface TestDatabase extends OpenDatabase {
  /** Closes the connection and deletes the file. */
  dispose(): Promise<void>;
}

/** A fresh copy of the migrated template database, in its own temporary directory. */
export function copyTemplateDatabase(): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "icb-test-"));
  const path = join(dir, "test.db");
  copyFileSync(inject("templateDb"), path);
  return { path, dir };
}

export function createTestDatabase(): TestDatabase {
  const { path, dir } = copyTemplateDatabase();
  const open = openDatabase(path);
  return {
    ...open,
    async dispose() {
      await open.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Statement = BetterSqlite3.Statement<unknown[]>;
// Prepared once per connection (the fuzz tests dump thousands of times); SQLite re-prepares them after schema changes.
const dumpStatements = new WeakMap<OpenDatabase["sqlite"], { tables: Statement; rows: Map<string, Statement> }>();

/** Every row of every table, for "this changed nothing" checks. */
export function dumpTables(open: OpenDatabase): Record<string, unknown[]> {
  let cached = dumpStatements.get(open.sqlite);
  if (!cached) {
    cached = {
      tables: open.sqlite.prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name",
      ),
      rows: new Map(),
    };
    dumpStatements.set(open.sqlite, cached);
  }
  const dump: Record<string, unknown[]> = {};
  for (const { name } of cached.tables.all() as { name: string }[]) {
    let statement = cached.rows.get(name);
    if (!statement) {
      statement = open.sqlite.prepare(`select * from "${name}" order by rowid`);
      cached.rows.set(name, statement);
    }
    dump[name] = statement.all();
  }
  return dump;
}
