import { sql, type Kysely } from "kysely";
import { isPostgres, withIdColumn } from "./helpers";

/** Organisations, practices, list sizes, users, sessions, audit and import logs, settings. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("regions")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("name", "text")
    .addColumn("ons_code", "text")
    .addColumn("is_demo", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("icbs")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("name", "text")
    .addColumn("ons_code", "text")
    .addColumn("region_code", "text", (c) => c.references("regions.code"))
    .addColumn("is_demo", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("sub_icbs")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("name", "text")
    .addColumn("ons_code", "text")
    .addColumn("icb_code", "text", (c) => c.references("icbs.code"))
    .addColumn("is_demo", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("pcns")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("name", "text")
    .addColumn("sub_icb_code", "text", (c) => c.references("sub_icbs.code"))
    .addColumn("is_demo", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("practices")
    .addColumn("ods_code", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("address_line1", "text")
    .addColumn("address_line2", "text")
    .addColumn("address_line3", "text")
    .addColumn("address_line4", "text")
    .addColumn("address_line5", "text")
    .addColumn("postcode", "text")
    .addColumn("phone", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("open_date", "text")
    .addColumn("close_date", "text")
    .addColumn("region_code", "text", (c) => c.references("regions.code"))
    .addColumn("icb_code", "text", (c) => c.references("icbs.code"))
    .addColumn("sub_icb_code", "text", (c) => c.references("sub_icbs.code"))
    .addColumn("pcn_code", "text", (c) => c.references("pcns.code"))
    .addColumn("contract_type", "text")
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("is_demo", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("practices_icb_idx").on("practices").columns(["icb_code", "status"]).execute();
  await db.schema.createIndex("practices_pcn_idx").on("practices").column("pcn_code").execute();

  // List sizes keep their practice code even before the practice itself is known (the files are published separately).
  await db.schema
    .createTable("list_sizes")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("patients", "integer", (c) => c.notNull())
    .addColumn("import_id", "integer")
    .addPrimaryKeyConstraint("list_sizes_pk", ["practice_code", "month"])
    .execute();
  await db.schema.createIndex("list_sizes_month_idx").on("list_sizes").column("month").execute();

  await withIdColumn(db, db.schema.createTable("users"))
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("icb_code", "text", (c) => c.references("icbs.code"))
    .addColumn("practice_code", "text", (c) => c.references("practices.ods_code"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("password_changed_at", "text", (c) => c.notNull())
    .addColumn("disabled_at", "text")
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_seen_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .execute();
  await db.schema.createIndex("sessions_user_idx").on("sessions").column("user_id").execute();

  await withIdColumn(db, db.schema.createTable("audit_log"))
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("user_id", "integer")
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("entity_type", "text")
    .addColumn("entity_id", "text")
    .addColumn("ip", "text")
    .addColumn("detail", "text")
    .execute();
  await db.schema.createIndex("audit_log_at_idx").on("audit_log").column("at").execute();
  await db.schema.createIndex("audit_log_entity_idx").on("audit_log").columns(["entity_type", "entity_id"]).execute();

  await withIdColumn(db, db.schema.createTable("import_log"))
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("file_hash", "text", (c) => c.notNull())
    .addColumn("file_bytes", "integer", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text", (c) => c.notNull())
    .addColumn("rows_read", "integer", (c) => c.notNull())
    .addColumn("rows_inserted", "integer", (c) => c.notNull())
    .addColumn("rows_updated", "integer", (c) => c.notNull())
    .addColumn("rows_unchanged", "integer", (c) => c.notNull())
    .addColumn("rows_rejected", "integer", (c) => c.notNull())
    .addColumn("warnings", "text", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("user_id", "integer")
    .execute();
  await db.schema.createIndex("import_log_source_hash_idx").on("import_log").columns(["source", "file_hash"]).execute();

  await db.schema
    .createTable("app_settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  // The audit log is append-only: the database itself refuses to change or remove its rows.
  if (isPostgres(db)) {
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function audit_log_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "app_settings",
    "import_log",
    "audit_log",
    "sessions",
    "users",
    "list_sizes",
    "practices",
    "pcns",
    "sub_icbs",
    "icbs",
    "regions",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
