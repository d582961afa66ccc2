/**
 * Reads the served demo database (read-only) for expected values: the journeys compare what the pages show with
 * what the database holds, rather than with figures written into the tests.
 */
import BetterSqlite3 from "better-sqlite3";
import { inject } from "vitest";

/** Runs `fn` on a read-only connection to the served database (the server holds the only writing one). */
export function readServed<T>(fn: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(inject("e2eDatabasePath"), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** All rows of a query on the served database. */
export function queryServed<Row>(sql: string, ...params: unknown[]): Row[] {
  return readServed((db) => db.prepare(sql).all(...params) as Row[]);
}

/** The first row of a query on the served database, or undefined. */
export function queryServedOne<Row>(sql: string, ...params: unknown[]): Row | undefined {
  return readServed((db) => db.prepare(sql).get(...params) as Row | undefined);
}
