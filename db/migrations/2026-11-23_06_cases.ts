import { sql, type Kysely } from "kysely";
import { isPostgres, withIdColumn } from "./helpers";

/**
 * Cases, their events (the timeline), support plans and progress, notices with their versions, and the practice's
 * responses (app/domain/cases.ts, app/services/cases.server.ts).
 *
 * - `case_events` is the record of the case: every move and every record, with who, when, why and a frozen JSON
 *   snapshot of the compliance evidence for the case period as it stood at that moment. Like the audit log, the
 *   database refuses to change or remove its rows.
 * - `notice_versions` keeps every version of a notice's document (the editable text and the generated evidence
 *   table, as JSON); also append-only.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withIdColumn(db, db.schema.createTable("cases"))
    .addColumn("practice_code", "text", (c) => c.notNull().references("practices.ods_code"))
    .addColumn("opened_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("opened_at", "text", (c) => c.notNull())
    .addColumn("stage", "text", (c) => c.notNull())
    .addColumn("owner_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("period_from", "text", (c) => c.notNull())
    .addColumn("period_to", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("patient_safety_reason", "text")
    .addColumn("lmc_consulted_at", "text")
    .addColumn("lmc_consulted_by", "integer", (c) => c.references("users.id"))
    .addColumn("lmc_note", "text")
    .addColumn("next_review_date", "text")
    .addColumn("closed_at", "text")
    .addColumn("outcome", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("cases_practice_idx").on("cases").columns(["practice_code", "stage"]).execute();

  await withIdColumn(db, db.schema.createTable("case_events"))
    .addColumn("case_id", "integer", (c) => c.notNull().references("cases.id"))
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("user_id", "integer", (c) => c.references("users.id"))
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("from_stage", "text")
    .addColumn("to_stage", "text")
    .addColumn("text", "text")
    .addColumn("notice_id", "integer")
    .addColumn("detail", "text")
    .addColumn("evidence", "text")
    .addColumn("practice_visible", "integer", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("case_events_case_idx").on("case_events").columns(["case_id", "id"]).execute();

  await withIdColumn(db, db.schema.createTable("support_plan_items"))
    .addColumn("case_id", "integer", (c) => c.notNull().references("cases.id"))
    .addColumn("action_id", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("due_date", "text")
    .addColumn("review_date", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("support_plan_items_case_idx").on("support_plan_items").column("case_id").execute();

  await withIdColumn(db, db.schema.createTable("support_progress"))
    .addColumn("item_id", "integer", (c) => c.notNull().references("support_plan_items.id"))
    .addColumn("side", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("note", "text", (c) => c.notNull())
    .addColumn("by_user", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("support_progress_item_idx").on("support_progress").column("item_id").execute();

  await withIdColumn(db, db.schema.createTable("notices"))
    .addColumn("case_id", "integer", (c) => c.notNull().references("cases.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("period_from", "text", (c) => c.notNull())
    .addColumn("period_to", "text", (c) => c.notNull())
    .addColumn("author_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("approver_id", "integer", (c) => c.references("users.id"))
    .addColumn("approved_at", "text")
    .addColumn("issue_date", "text")
    .addColumn("issued_by", "integer", (c) => c.references("users.id"))
    .addColumn("issued_at", "text")
    .addColumn("remedy_period_days", "integer")
    .addColumn("remedy_by", "text")
    .addColumn("shorter_period_reason", "text")
    .addColumn("shorter_period_explanation", "text")
    .addColumn("remedied_at", "text")
    .addColumn("lapsed_at", "text")
    .addColumn("withdrawn_at", "text")
    .addColumn("acknowledged_at", "text")
    .addColumn("acknowledged_by", "integer", (c) => c.references("users.id"))
    .addColumn("current_version", "integer", (c) => c.notNull())
    .addColumn("issued_version", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("notices_case_idx").on("notices").columns(["case_id", "status"]).execute();

  await withIdColumn(db, db.schema.createTable("notice_versions"))
    .addColumn("notice_id", "integer", (c) => c.notNull().references("notices.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("document", "text", (c) => c.notNull())
    .addColumn("note", "text", (c) => c.notNull())
    .addColumn("created_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("notice_versions_notice_idx").on("notice_versions").columns(["notice_id", "version"]).unique().execute();

  await withIdColumn(db, db.schema.createTable("practice_responses"))
    .addColumn("case_id", "integer", (c) => c.notNull().references("cases.id"))
    .addColumn("notice_id", "integer", (c) => c.references("notices.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("by_user", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("practice_responses_case_idx").on("practice_responses").column("case_id").execute();

  // The case record and the notice versions are append-only, like the audit log.
  for (const table of ["case_events", "notice_versions"]) {
    if (isPostgres(db)) {
      await sql
        .raw(
          `create function ${table}_append_only() returns trigger language plpgsql as $$ begin raise exception '${table} is append-only'; end $$`,
        )
        .execute(db);
      await sql
        .raw(`create trigger ${table}_no_change before update or delete on ${table} for each row execute function ${table}_append_only()`)
        .execute(db);
    } else {
      await sql.raw(`create trigger ${table}_no_update before update on ${table} begin select raise(abort, '${table} is append-only'); end`).execute(db);
      await sql.raw(`create trigger ${table}_no_delete before delete on ${table} begin select raise(abort, '${table} is append-only'); end`).execute(db);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    for (const table of ["case_events", "notice_versions"]) {
      await sql.raw(`drop trigger if exists ${table}_no_change on ${table}`).execute(db);
      await sql.raw(`drop function if exists ${table}_append_only()`).execute(db);
    }
  }
  for (const t of ["practice_responses", "notice_versions", "notices", "support_progress", "support_plan_items", "case_events", "cases"]) {
    await db.schema.dropTable(t).execute();
  }
}
