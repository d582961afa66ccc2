import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, type MigrationResultSet } from "kysely";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Database } from "./schema";
import { migrations } from "./migrations/index";
import { DEFAULT_BUSY_WAIT_MS, WaitingSqliteDialect } from "./waiting-driver";

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

export interface OpenOptions {
  /** Log every query that takes at least this many milliseconds to stderr, with its SQL (`SLOW_QUERY_MS`). */
  slowQueryMs?: number;
  /**
   * How long a statement waits, asynchronously, for another process's write lock before failing with
   * DatabaseBusyError (`DB_BUSY_WAIT_MS`; default 30 s). See db/waiting-driver.ts.
   */
  busyWaitMs?: number;
}

export function openDatabase(path: string = resolveDatabasePath(), options: OpenOptions = {}): OpenDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  // No blocking wait for another process's lock: the driver waits asynchronously instead (db/waiting-driver.ts).
  sqlite.pragma("busy_timeout = 0");
  const slow = options.slowQueryMs;
  const db = new Kysely<Database>({
    dialect: new WaitingSqliteDialect({ database: reusingInserts(sqlite), busyWaitMs: options.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS }),
    log:
      slow === undefined
        ? undefined
        : (event) => {
            if (event.queryDurationMillis >= slow) {
              console.error(`slow query ${event.queryDurationMillis.toFixed(1)} ms${event.level === "error" ? " (failed)" : ""}: ${event.query.sql}`);
            }
          },
  });
  return {
    db,
    sqlite,
    path,
    close: () => db.destroy(),
  };
}

/**
 * The connection as Kysely sees it, with one change: an INSERT statement is prepared once and reused when the same
 * SQL runs again (Kysely prepares every query it runs). The bulk paths (`importers/core/bulk.ts`) run one
 * multi-row INSERT thousands of times with new parameters, and preparing it each time cost as much as the insert
 * itself (ADR 14). Only INSERTs without RETURNING are kept: they run to completion at once, so a kept statement is
 * never busy when it is wanted again. At most 64 are kept.
 */
function reusingInserts(sqlite: BetterSqlite3.Database): BetterSqlite3.Database {
  const kept = new Map<string, BetterSqlite3.Statement>();
  const prepare = (source: string) => {
    const cached = kept.get(source);
    if (cached) return cached;
    const statement = sqlite.prepare(source);
    if (!statement.reader && /^insert\s/i.test(source)) {
      if (kept.size >= 64) kept.delete(kept.keys().next().value!);
      kept.set(source, statement);
    }
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, property) {
      if (property === "prepare") return prepare;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
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
