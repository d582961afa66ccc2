import { CompiledQuery, type Kysely } from "kysely";
import type { Database } from "../../db/schema";

/**
 * Batched inserts for bulk paths (importers, the compliance recompute): rows as positional arrays, written
 * `batch` rows per statement. The statement's SQL is compiled once by Kysely for the database's own dialect
 * (placeholders and quoting) from a row of the right shape, then run again and again with new parameters, which
 * skips building and compiling a query tree per batch: that alone took longer than SQLite's own insert work.
 *
 * Portable: the SQL is what `insertInto(table).values(rows)` (with `onConflict` when given) compiles to, so it is
 * SQLite's, or Postgres's with `$1…` placeholders. On Postgres a very large load could use COPY instead (ADR 14).
 */
export class BulkInsert<T extends keyof Database & string> {
  private pending: unknown[] = [];
  private rows = 0;
  private readonly statement: RowsStatement<Record<string, unknown>>;
  /** Rows written so far. */
  written = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly table: T,
    private readonly columns: readonly (keyof Database[T] & string)[],
    private readonly options: { batch?: number; upsert?: { key: readonly string[] } } = {},
  ) {
    this.statement = new RowsStatement(columns, (rows) => {
      const query = db.insertInto(table).values(rows as never);
      const upsert = options.upsert;
      if (!upsert) return query;
      const updated = columns.filter((c) => !upsert.key.includes(c));
      return query.onConflict((oc) =>
        oc.columns(upsert.key as never).doUpdateSet((eb) => Object.fromEntries(updated.map((c) => [c, eb.ref(`excluded.${c}` as never)])) as never),
      );
    });
  }

  private get batch(): number {
    // SQLite allows 32,766 parameters per statement; Postgres 65,535.
    return Math.max(1, Math.min(this.options.batch ?? 200, Math.floor(30000 / this.columns.length)));
  }

  /** Adds one row, its values in the order of `columns`. */
  async add(values: readonly unknown[]): Promise<void> {
    for (let i = 0; i < values.length; i++) this.pending.push(values[i]);
    if (++this.rows >= this.batch) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.rows === 0) return;
    const parameters = this.pending;
    const rows = this.rows;
    this.pending = [];
    this.rows = 0;
    const { sql, tail } = this.statement.compiled(rows);
    if (tail.length !== 0) throw new Error(`BulkInsert: unexpected parameters for ${this.table}`);
    await this.db.executeQuery(CompiledQuery.raw(sql, parameters));
    this.written += rows;
  }
}

/**
 * A multi-row statement with a clause of its own (an `insert … on conflict do update` whose update is more than
 * `excluded.*`), compiled by Kysely once per row count and run again with new rows: `build` is called with rows of
 * placeholder values only the first time a batch has that many rows. The parameters are the rows' values in `columns`
 * order, then the clause's own constants, which is how Kysely compiles `values(rows)` followed by the clause.
 * Building and compiling a 400-row query tree for every batch took 15 s of the appointments import at England scale.
 */
export class RowsStatement<Row extends Record<string, unknown>> {
  private readonly byRows = new Map<number, { sql: string; tail: readonly unknown[] }>();

  constructor(
    private readonly columns: readonly (keyof Row & string)[],
    private readonly build: (rows: Row[]) => { compile(): CompiledQuery },
  ) {}

  /** The SQL for `rows` rows, and the clause's own parameters after the rows' values. */
  compiled(rows: number): { sql: string; tail: readonly unknown[] } {
    let compiled = this.byRows.get(rows);
    if (!compiled) {
      const shape = Object.fromEntries(this.columns.map((c) => [c, 0])) as Row;
      const query = this.build(Array.from({ length: rows }, () => shape)).compile();
      const values = rows * this.columns.length;
      if (query.parameters.length < values) throw new Error("RowsStatement: fewer parameters than the rows' values");
      compiled = { sql: query.sql, tail: query.parameters.slice(values) };
      this.byRows.set(rows, compiled);
    }
    return compiled;
  }

  query(rows: readonly Row[]): CompiledQuery {
    const compiled = this.compiled(rows.length);
    const parameters: unknown[] = [];
    for (const r of rows) for (const c of this.columns) parameters.push(r[c]);
    for (const p of compiled.tail) parameters.push(p);
    return CompiledQuery.raw(compiled.sql, parameters);
  }
}
