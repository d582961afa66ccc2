import type { Kysely } from "kysely";

/**
 * Availability intervals by practice and end (ADR 14). Recomputing a recent day reads the intervals that end after
 * the day starts and start before it ends; by (practice, start) alone that meant every earlier interval of the
 * practice (a year of them for one new day), by (practice, end) only the recent ones. Portable: a plain index.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("availability_practice_end_idx").on("availability_intervals").columns(["practice_code", "end_min"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("availability_practice_end_idx").execute();
}
