import type { Kysely } from "kysely";

/**
 * `oc_weekly`: `oc_daily` summed per practice and ISO week (its Monday), with the number of days summed (ADR 17). The
 * surge scan of the ICB overview reads a year of weeks for each practice it weighs, 52 rows instead of about 365
 * daily ones (10 ms of each overview of the largest ICB). A week without a day of data has no row (no data is not
 * zero). Kept in step by the code that writes `oc_daily` (`setOcWeeks`); filled here from the days already stored,
 * with a portable `insert … select … group by`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("oc_weekly")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("week", "text", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("days", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("oc_weekly_pk", ["practice_code", "week"])
    .execute();
  await db
    .insertInto("oc_weekly")
    .columns(["practice_code", "week", "total", "days"])
    .expression(
      db
        .selectFrom("oc_daily")
        .select(["practice_code", "week"])
        .select((eb) => [eb.fn.sum("total").as("total"), eb.fn.countAll().as("days")])
        .groupBy(["practice_code", "week"]),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("oc_weekly").execute();
}
