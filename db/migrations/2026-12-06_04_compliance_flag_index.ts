import type { Kysely } from "kysely";

/**
 * Stored days by practice and closed minutes (ADR 17). Flags look only at the days at or over the policy's closed
 * minutes; by (practice, closed, date) the ICB overview reads just those, from the index alone, instead of every
 * day of the range. A plain index: portable.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("compliance_days_closed_idx").on("compliance_days").columns(["practice_code", "closed_minutes", "date"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("compliance_days_closed_idx").execute();
}
