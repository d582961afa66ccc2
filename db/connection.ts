import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, type MigrationResultSet } from "kysely";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Database } from "./schema";
import { migrations } from "./migrations/index";

export const DEFAULT_DATABASE_PATH = "data/app.db";

/** The database file: `--db PATH`, else `DATABASE_PATH`, else `data/app.db`. */
export function resolveDatabasePath(flag?: string | null): string {
  const chosen = flag || process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
  return chosen === ":memory:" ? chosen : resolve(chosen);
}

export interface OpenDatabase {
  db: Kysely<Database>;
  /** The underlying connection, for backups and pragmas only; queries go through `db`. */
  sqlite: BetterSqlite3.Database;
  path: string;
  close(): Promise<void>;
}

export function openDatabase(path: string = resolveDatabasePath()): OpenDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma("synchronous = NORMAL");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    sqlite,
    path,
    close: () => db.destroy(),
  };
}

export function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
}

/** Brings the schema up to date; throws with the failing migration's name if one fails. */
export async function migrateToLatest(db: Kysely<Database>): Promise<NonNullable<MigrationResultSet["results"]>> {
  const { error, results } = await createMigrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    throw new Error(`Migration ${failed?.migrationName ?? "(unknown)"} failed: ${String(error)}`, { cause: error });
  }
  return results ?? [];
}
