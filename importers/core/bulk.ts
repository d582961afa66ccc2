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
  private readonly sqlByRows = new Map<number, string>();
  /** Rows written so far. */
  written = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly table: T,
    private readonly columns: readonly (keyof Database[T] & string)[],
    private readonly options: { batch?: number; upsert?: { key: readonly string[] } } = {},
  ) {}

  private get batch(): number {
    // SQLite allows 32,766 parameters per statement; Postgres 65,535.
    return Math.max(1, Math.min(this.options.batch ?? 200, Math.floor(30000 / this.columns.length)));
  }

  private sqlFor(rows: number): string {
    let text = this.sqlByRows.get(rows);
    if (text === undefined) {
      const shape = Object.fromEntries(this.columns.map((c) => [c, "x"]));
      let query = this.db.insertInto(this.table).values(Array.from({ length: rows }, () => shape) as never);
      const upsert = this.options.upsert;
      if (upsert) {
        const updated = this.columns.filter((c) => !upsert.key.includes(c));
        query = query.onConflict((oc) =>
          oc.columns(upsert.key as never).doUpdateSet((eb) => Object.fromEntries(updated.map((c) => [c, eb.ref(`excluded.${c}` as never)])) as never),
        );
      }
      const compiled = query.compile();
      if (compiled.parameters.length !== rows * this.columns.length) throw new Error(`BulkInsert: unexpected parameters for ${this.table}`);
      text = compiled.sql;
      this.sqlByRows.set(rows, text);
    }
    return text;
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
    await this.db.executeQuery(CompiledQuery.raw(this.sqlFor(rows), parameters));
    this.written += rows;
  }
}
