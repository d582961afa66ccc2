/**
 * Kysely's SQLite driver, changed in one way: when the database is locked by another process (an import holds the
 * write lock for as long as its one transaction lasts), a statement waits for it *asynchronously*, so the process
 * goes on serving everything else meanwhile (ADR 18).
 *
 * better-sqlite3 is synchronous: with SQLite's own `busy_timeout` a write that meets the lock blocks the whole event
 * loop until the lock is free or the timeout ends, and a server doing so stops answering every request, reads
 * included. Here the connection runs with `busy_timeout = 0`; a statement that meets SQLITE_BUSY gives the
 * connection back (so other queries run), sleeps with a growing back-off, and tries again, until `busyWaitMs` has
 * passed, when it fails with {@link DatabaseBusyError}.
 *
 * Only statements that are safe to run again are retried: any statement outside a transaction (it changed nothing
 * when it failed), and the `begin immediate` that opens one. Transactions begin IMMEDIATE, so a transaction holds
 * the write lock from its first statement and no statement inside it can meet the lock afterwards (a deferred
 * transaction that read first could not take the lock later without starting again).
 */
import type BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from "kysely";

/** A statement waited `busyWaitMs` for another process's write lock and gave up. */
export class DatabaseBusyError extends Error {
  readonly code = "DATABASE_BUSY";
  constructor(waitedMs: number, cause: unknown) {
    super(`The database stayed locked by another process (an import?) for ${Math.round(waitedMs / 1000)} s; try again when it has finished`, { cause });
    this.name = "DatabaseBusyError";
  }
}

/** How long a statement waits for another process's write lock unless told otherwise (`DB_BUSY_WAIT_MS`). */
export const DEFAULT_BUSY_WAIT_MS = 30_000;

function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_") || code === "SQLITE_LOCKED");
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One holder at a time, handed on in the order asked for (first come, first served): under load no query waits
 * behind ones that asked after it, and an unlock wakes only the next waiter, not all of them.
 */
class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];
  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  unlock(): void {
    const next = this.#waiters.shift();
    // Handed straight to the next waiter (still locked), or free.
    if (next) next();
    else this.#locked = false;
  }
}

const BEGIN = CompiledQuery.raw("begin immediate");

/**
 * Statements kept prepared per connection (least recently used dropped first). SQLite re-prepares a kept statement
 * itself if the schema changes under it (a migration).
 */
const STATEMENT_CACHE_SIZE = 200;

class WaitingConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    private readonly mutex: Mutex,
    private readonly busyWaitMs: number,
  ) {}

  /** Prepared statements by SQL, most recently used last: a page runs the same few dozen statements every time. */
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  #prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (statement) this.#statements.delete(sql);
    else {
      statement = this.sqlite.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value!);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  #run(query: CompiledQuery): QueryResult<unknown> {
    const statement = this.#prepare(query.sql);
    const parameters = query.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const started = Date.now();
    let pause = 2;
    for (;;) {
      try {
        return this.#run(query) as QueryResult<R>;
      } catch (error) {
        const retriable = isSqliteBusy(error) && (!this.inTransaction || query === BEGIN);
        if (!retriable) throw error;
        const waited = Date.now() - started;
        if (waited >= this.busyWaitMs) throw new DatabaseBusyError(waited, error);
        // Give the connection back while waiting: other queries of this process run meanwhile. Nothing of this
        // statement (or of the transaction it would open) has happened yet.
        this.mutex.unlock();
        try {
          await sleep(Math.min(pause, this.busyWaitMs - waited) * (0.75 + Math.random() / 2));
        } finally {
          await this.mutex.lock();
        }
        pause = Math.min(pause * 2, 100);
      }
    }
  }

  /**
   * Rows `chunkSize` at a time (Kysely's `.stream(n)`), as the Postgres driver gives them: yielding each row through
   * the executor's async generators cost more than reading it (countOverlaps: 4.5 s of a national availability import).
   */
  async *streamQuery<R>(query: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error("The SQLite driver streams only select queries");
    const statement = this.sqlite.prepare(query.sql);
    let rows: R[] = [];
    for (const row of statement.iterate(query.parameters as unknown[])) {
      rows.push(row as R);
      if (rows.length >= chunkSize) {
        yield { rows };
        rows = [];
      }
    }
    if (rows.length > 0) yield { rows };
  }
}

class WaitingDriver implements Driver {
  readonly #mutex = new Mutex();
  readonly #connection: WaitingConnection;
  constructor(private readonly sqlite: BetterSqlite3.Database, busyWaitMs: number) {
    this.#connection = new WaitingConnection(sqlite, this.#mutex, busyWaitMs);
  }
  async init(): Promise<void> {
    // SQLite must not wait (blocking the process) itself; this driver waits instead.
    this.sqlite.pragma("busy_timeout = 0");
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    // One connection per process: queries take turns.
    await this.#mutex.lock();
    return this.#connection;
  }
  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(BEGIN);
    (connection as WaitingConnection).inTransaction = true;
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw("commit"));
    } finally {
      (connection as WaitingConnection).inTransaction = this.sqlite.inTransaction;
    }
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw("rollback"));
    } finally {
      (connection as WaitingConnection).inTransaction = false;
    }
  }
  async destroy(): Promise<void> {
    this.sqlite.close();
  }
}

export class WaitingSqliteDialect implements Dialect {
  constructor(private readonly config: { database: BetterSqlite3.Database; busyWaitMs: number }) {}
  createDriver(): Driver {
    return new WaitingDriver(this.config.database, this.config.busyWaitMs);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}
