/**
 * Backups and restores of the SQLite database (docs/operations.md).
 *
 * A backup uses SQLite's online backup API (better-sqlite3's `backup`): it copies a consistent snapshot while the
 * app keeps serving and importing. Readers and writers are not blocked; if another connection commits while the
 * copy is under way, SQLite starts the copy again, so the file always holds the database exactly as it was at one
 * commit. The copy is written next to the destination and renamed into place only when complete, so a failed or
 * interrupted backup never leaves a half-written file under the backup's name.
 *
 * A restore checks the backup (a readable SQLite database that passes `integrity_check` and has been migrated),
 * copies it next to the database, removes the database's `-wal` and `-shm` files and renames the copy into place.
 * Stop the server first.
 */
import BetterSqlite3 from "better-sqlite3";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";

export class BackupError extends Error {}

export interface TableCount {
  table: string;
  rows: number;
}

/** Rows in every table (the schema's own tables and the migration bookkeeping excluded), by name. */
export function tableCounts(sqlite: BetterSqlite3.Database): TableCount[] {
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .all() as { name: string }[];
  return tables.map(({ name }) => ({
    table: name,
    rows: (sqlite.prepare(`select count(*) as n from "${name.replace(/"/g, '""')}"`).get() as { n: number }).n,
  }));
}

function temporaryNextTo(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.partial`);
}

function removeSidecars(path: string): void {
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
}

function checkDatabase(sqlite: BetterSqlite3.Database, what: string): void {
  let result: { integrity_check: string }[];
  try {
    result = sqlite.pragma("integrity_check") as { integrity_check: string }[];
  } catch (e) {
    throw new BackupError(`${what} fails SQLite's integrity check: ${(e as Error).message}`);
  }
  const problems = result.map((r) => r.integrity_check).filter((r) => r !== "ok");
  if (problems.length > 0) throw new BackupError(`${what} fails SQLite's integrity check: ${problems.slice(0, 5).join("; ")}`);
  const migrated = sqlite.prepare("select count(*) as n from sqlite_master where type = 'table' and name = 'kysely_migration'").get() as { n: number };
  if (migrated.n === 0) throw new BackupError(`${what} is not an ICB Access Monitor database (it has no migration table)`);
}

function openExisting(path: string, what: string, readonly: boolean): BetterSqlite3.Database {
  if (!existsSync(path)) throw new BackupError(`${what} ${path} does not exist`);
  if (!statSync(path).isFile()) throw new BackupError(`${what} ${path} is not a file`);
  try {
    const sqlite = new BetterSqlite3(path, { readonly, fileMustExist: true });
    sqlite.pragma("busy_timeout = 10000");
    // Reading the schema fails here, with a clear message, if the file is not a database at all.
    sqlite.prepare("select count(*) from sqlite_master").get();
    return sqlite;
  } catch (e) {
    if (e instanceof BackupError) throw e;
    throw new BackupError(`${what} ${path} is not a readable SQLite database: ${(e as Error).message}`);
  }
}

/**
 * Copies the database at `source` to `out` while it may be in use. Refuses to replace an existing `out` unless
 * `force`. Returns the row counts of the copy (read back from it, so they are what the backup holds).
 */
export async function backupDatabase(source: string, out: string, opts: { force?: boolean } = {}): Promise<TableCount[]> {
  const target = resolve(out);
  if (resolve(source) === target) throw new BackupError("The backup must go to another file than the database itself");
  if (existsSync(target) && !opts.force) throw new BackupError(`${target} already exists; give --force to replace it`);
  mkdirSync(dirname(target), { recursive: true });
  const db = openExisting(source, "The database", false);
  const partial = temporaryNextTo(target);
  try {
    await db.backup(partial);
  } catch (e) {
    rmSync(partial, { force: true });
    throw new BackupError(`The backup failed: ${(e as Error).message}`);
  } finally {
    db.close();
  }
  let counts: TableCount[];
  try {
    const copy = new BetterSqlite3(partial, { fileMustExist: true });
    try {
      // A self-contained file: no -wal beside it, whatever the source's journal mode.
      copy.pragma("journal_mode = DELETE");
      checkDatabase(copy, "The backup");
      counts = tableCounts(copy);
    } finally {
      copy.close();
    }
    removeSidecars(target);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
    removeSidecars(partial);
  }
  return counts;
}

/**
 * Replaces the database at `dbPath` with the backup `from` (checked first). Refuses to replace an existing database
 * unless `force`. The server must be stopped: it would go on with what it had open.
 */
export async function restoreDatabase(from: string, dbPath: string, opts: { force?: boolean } = {}): Promise<TableCount[]> {
  const target = resolve(dbPath);
  if (resolve(from) === target) throw new BackupError("The backup and the database are the same file");
  if (existsSync(target) && !opts.force) throw new BackupError(`${target} already exists; stop the server and give --force to replace it`);
  const backup = openExisting(from, "The backup", true);
  mkdirSync(dirname(target), { recursive: true });
  const partial = temporaryNextTo(target);
  let counts: TableCount[];
  try {
    checkDatabase(backup, "The backup");
    await backup.backup(partial);
    const copy = new BetterSqlite3(partial, { fileMustExist: true });
    try {
      copy.pragma("journal_mode = WAL");
      counts = tableCounts(copy);
    } finally {
      copy.close();
    }
    removeSidecars(target);
    renameSync(partial, target);
  } finally {
    backup.close();
    rmSync(partial, { force: true });
    removeSidecars(partial);
  }
  return counts;
}

/** Counts as printed by the CLI: one table per line, aligned, then the total. */
export function describeCounts(counts: TableCount[]): string {
  const width = Math.max(...counts.map((c) => c.table.length), 5);
  const lines = counts.map((c) => `  ${c.table.padEnd(width)}  ${String(c.rows).padStart(10)}`);
  const total = counts.reduce((sum, c) => sum + c.rows, 0);
  lines.push(`  ${"total".padEnd(width)}  ${String(total).padStart(10)}`);
  return lines.join("\n");
}
