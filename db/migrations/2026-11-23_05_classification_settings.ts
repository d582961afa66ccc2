import type { Kysely } from "kysely";

/**
 * An ICB's thresholds for the "can't or won't" classification (app/domain/classification.ts,
 * `ClassificationSettings`), one row per ICB that has set its own; an ICB without a row uses the defaults
 * (`DEFAULT_CLASSIFICATION`). A table of its own rather than columns on `icb_policies`, so that saving one form
 * never writes the other's values and each keeps its own "last changed by".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("icb_classification_settings")
    .addColumn("icb_code", "text", (c) => c.primaryKey().references("icbs.code"))
    .addColumn("max_no_data_share", "real", (c) => c.notNull())
    .addColumn("high_decile", "integer", (c) => c.notNull())
    .addColumn("low_workforce_decile", "integer", (c) => c.notNull())
    .addColumn("min_pressure_signals", "integer", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("icb_classification_settings").execute();
}
