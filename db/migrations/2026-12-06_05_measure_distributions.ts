import type { Kysely } from "kysely";
import { writeMeasureDistributions } from "../../app/services/measures.server";
import type { Database } from "../schema";

/**
 * Each measure's distribution per month among all loaded practices and among each ICB's (ADR 17), so that a
 * practice's demand page reads its rank, decile and the decile lines from a few rows instead of every practice's
 * values in England. Filled here for the values already stored by the same function the importers call: the
 * distribution's definition (which values are ranked) is the measures' own, not the migration's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("measure_distributions")
    .addColumn("measure_id", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("valued_count", "integer", (c) => c.notNull())
    .addColumn("ranked_count", "integer", (c) => c.notNull())
    // The short lines before the long values: a row's later columns are reached through its earlier ones.
    .addColumn("decile_lines", "text", (c) => c.notNull())
    .addColumn("ranked_values", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("measure_distributions_pk", ["measure_id", "month", "scope"])
    .execute();
  await db.schema.createIndex("measure_distributions_scope_idx").on("measure_distributions").columns(["scope", "month"]).execute();
  await writeMeasureDistributions(db as Kysely<Database>);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("measure_distributions").execute();
}
