import { sql, type Kysely } from "kysely";
import { isPostgres } from "./helpers";

/**
 * Closes a hole in the audit log's append-only triggers (2026-11-23_01): on SQLite, `INSERT OR REPLACE` (or
 * `REPLACE INTO`) with the id of an existing row deletes that row and writes a new one without firing the delete
 * trigger (delete triggers fire for REPLACE only with `recursive_triggers` on), so an entry could be rewritten.
 * This refuses any insert that names an id already in the log. Postgres has no REPLACE; its `ON CONFLICT DO UPDATE`
 * is an update, which the existing trigger refuses.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`create trigger audit_log_no_replace before insert on audit_log
    when exists (select 1 from audit_log where id = new.id)
    begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`drop trigger if exists audit_log_no_replace`.execute(db);
}
