import type { Kysely } from "kysely";
import { withIdColumn } from "./helpers";

/**
 * Availability intervals, computed compliance per practice-day and its closure episodes, pause requests,
 * ICB policy settings, bank holidays imported beyond the bundled file, suppliers and their push tokens, and
 * OC submissions by day and time.
 *
 * Times of intervals, episodes and pauses are whole epoch minutes (minutes since 1970-01-01T00:00Z): integers,
 * the unit the engine works in, and portable.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withIdColumn(db, db.schema.createTable("suppliers"))
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("token_hint", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("revoked_at", "text")
    .execute();

  await db.schema
    .createTable("supplier_icbs")
    .addColumn("supplier_id", "integer", (c) => c.notNull().references("suppliers.id").onDelete("cascade"))
    .addColumn("icb_code", "text", (c) => c.notNull().references("icbs.code"))
    .addPrimaryKeyConstraint("supplier_icbs_pk", ["supplier_id", "icb_code"])
    .execute();

  await withIdColumn(db, db.schema.createTable("availability_intervals"))
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("start_min", "integer", (c) => c.notNull())
    .addColumn("end_min", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("import_id", "integer", (c) => c.references("import_log.id"))
    .addColumn("supplier_id", "integer", (c) => c.references("suppliers.id"))
    .addColumn("event_id", "text")
    .addColumn("received_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("availability_practice_start_idx").on("availability_intervals").columns(["practice_code", "start_min"]).execute();
  await db.schema.createIndex("availability_import_idx").on("availability_intervals").columns(["import_id", "practice_code"]).execute();
  await db.schema
    .createIndex("availability_event_idx")
    .on("availability_intervals")
    .columns(["supplier_id", "event_id"])
    .unique()
    .execute();

  await db.schema
    .createTable("compliance_days")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("date", "text", (c) => c.notNull())
    .addColumn("core_minutes", "integer", (c) => c.notNull())
    .addColumn("open_minutes", "integer", (c) => c.notNull())
    .addColumn("closed_minutes", "integer", (c) => c.notNull())
    .addColumn("excepted_minutes", "integer", (c) => c.notNull())
    .addColumn("unknown_minutes", "integer", (c) => c.notNull())
    .addColumn("clinical_open", "integer", (c) => c.notNull())
    .addColumn("clinical_closed", "integer", (c) => c.notNull())
    .addColumn("clinical_excepted", "integer", (c) => c.notNull())
    .addColumn("clinical_unknown", "integer", (c) => c.notNull())
    .addColumn("admin_open", "integer", (c) => c.notNull())
    .addColumn("admin_closed", "integer", (c) => c.notNull())
    .addColumn("admin_excepted", "integer", (c) => c.notNull())
    .addColumn("admin_unknown", "integer", (c) => c.notNull())
    .addColumn("computed_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("compliance_days_pk", ["practice_code", "date"])
    .execute();
  await db.schema.createIndex("compliance_days_date_idx").on("compliance_days").columns(["date", "practice_code"]).execute();

  await withIdColumn(db, db.schema.createTable("closure_episodes"))
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("date", "text", (c) => c.notNull())
    .addColumn("start_min", "integer", (c) => c.notNull())
    .addColumn("end_min", "integer", (c) => c.notNull())
    .addColumn("minutes", "integer", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("excepted", "integer", (c) => c.notNull())
    .addColumn("reasons", "text", (c) => c.notNull())
    .addColumn("pause_ids", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("closure_episodes_practice_idx").on("closure_episodes").columns(["practice_code", "date"]).execute();

  await withIdColumn(db, db.schema.createTable("pause_requests"))
    .addColumn("practice_code", "text", (c) => c.notNull().references("practices.ods_code"))
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("start_min", "integer", (c) => c.notNull())
    .addColumn("end_min", "integer", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("requested_by", "integer", (c) => c.references("users.id"))
    .addColumn("requested_at", "text", (c) => c.notNull())
    .addColumn("decided_by", "integer", (c) => c.references("users.id"))
    .addColumn("decided_at", "text")
    .addColumn("decision_note", "text")
    .execute();
  await db.schema.createIndex("pause_requests_practice_idx").on("pause_requests").columns(["practice_code", "start_min"]).execute();

  await db.schema
    .createTable("icb_policies")
    .addColumn("icb_code", "text", (c) => c.primaryKey().references("icbs.code"))
    .addColumn("closed_minutes_per_day", "integer", (c) => c.notNull())
    .addColumn("flagged_days", "integer", (c) => c.notNull())
    .addColumn("window_days", "integer", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("bank_holidays")
    .addColumn("date", "text", (c) => c.primaryKey())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("import_id", "integer", (c) => c.references("import_log.id"))
    .execute();

  // OC "By Day and Time": the dated edition, per practice per date per hour.
  await db.schema
    .createTable("oc_hourly")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("date", "text", (c) => c.notNull())
    .addColumn("hour", "integer", (c) => c.notNull())
    .addColumn("clinical", "integer", (c) => c.notNull())
    .addColumn("admin", "integer", (c) => c.notNull())
    .addColumn("other", "integer", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("import_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("oc_hourly_pk", ["practice_code", "date", "hour"])
    .execute();
  await db.schema.createIndex("oc_hourly_date_idx").on("oc_hourly").column("date").execute();

  // The older edition: per practice per month, aggregated to weekday (1 = Monday … 7 = Sunday) and hour.
  await db.schema
    .createTable("oc_weekday_hourly")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("weekday", "integer", (c) => c.notNull())
    .addColumn("hour", "integer", (c) => c.notNull())
    .addColumn("clinical", "integer", (c) => c.notNull())
    .addColumn("admin", "integer", (c) => c.notNull())
    .addColumn("other", "integer", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("import_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("oc_weekday_hourly_pk", ["practice_code", "month", "weekday", "hour"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "oc_weekday_hourly",
    "oc_hourly",
    "bank_holidays",
    "icb_policies",
    "pause_requests",
    "closure_episodes",
    "compliance_days",
    "availability_intervals",
    "supplier_icbs",
    "suppliers",
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
