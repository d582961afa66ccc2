import type { Kysely } from "kysely";

/**
 * Events pushed to `POST /api/v1/availability`, one row per (supplier, event_id), with a hash of the event as
 * received (after validation). It makes a push idempotent even after the interval it created has been cut or
 * replaced by a later file from the same source: the same event again is a duplicate, a different one with the
 * same id is a conflict.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("supplier_events")
    .addColumn("supplier_id", "integer", (c) => c.notNull().references("suppliers.id"))
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("body_hash", "text", (c) => c.notNull())
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("supplier_events_pk", ["supplier_id", "event_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("supplier_events").execute();
}
