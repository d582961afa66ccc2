import type { Kysely } from "kysely";

/**
 * Stored aggregates of the By Day and Time data (`oc_hourly`), ADR 17:
 * - `oc_daily`: one row per practice and date, the day's sums and its ISO week (Monday). The surge scans sum a year of
 *   these per practice and week (52 rows) instead of grouping some 6,000 hourly rows.
 * - `oc_icb_hourly`: one row per ICB, date and hour, the sums over the ICB's practices and how many practices they
 *   cover. The silent-hours reference profile of an ICB reads these instead of grouping every hourly row of its
 *   practices.
 *
 * Neither is a cache: the By Day and Time importer writes both in the same transaction as `oc_hourly`, and the
 * practice importers rebuild an ICB's rows when they move a practice with data into or out of it. This migration
 * fills both from the rows already stored. Plain tables, plain `insert … select … group by`: portable.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("oc_daily")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("date", "text", (c) => c.notNull())
    .addColumn("clinical", "integer", (c) => c.notNull())
    .addColumn("admin", "integer", (c) => c.notNull())
    .addColumn("other", "integer", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("week", "text", (c) => c.notNull().defaultTo(""))
    .addPrimaryKeyConstraint("oc_daily_pk", ["practice_code", "date"])
    .execute();
  await db.schema.createIndex("oc_daily_date_idx").on("oc_daily").columns(["date"]).execute();
  await db.schema
    .createTable("oc_icb_hourly")
    .addColumn("icb_code", "text", (c) => c.notNull())
    .addColumn("date", "text", (c) => c.notNull())
    .addColumn("hour", "integer", (c) => c.notNull())
    .addColumn("clinical", "integer", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("practices", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("oc_icb_hourly_pk", ["icb_code", "date", "hour"])
    .execute();

  await db
    .insertInto("oc_daily")
    .columns(["practice_code", "date", "clinical", "admin", "other", "total"])
    .expression(
      db
        .selectFrom("oc_hourly")
        .select(["practice_code", "date"])
        .select((eb) => [eb.fn.sum("clinical").as("clinical"), eb.fn.sum("admin").as("admin"), eb.fn.sum("other").as("other"), eb.fn.sum("total").as("total")])
        .groupBy(["practice_code", "date"]),
    )
    .execute();
  // The week of each date, in code: SQL date arithmetic is not portable.
  for (const { date } of (await db.selectFrom("oc_daily").select("date").distinct().execute()) as { date: string }[]) {
    await db.updateTable("oc_daily").set({ week: mondayOf(date) }).where("date", "=", date).execute();
  }
  await db
    .insertInto("oc_icb_hourly")
    .columns(["icb_code", "date", "hour", "clinical", "total", "practices"])
    .expression(
      db
        .selectFrom("oc_hourly as h")
        .innerJoin("practices as p", "p.ods_code", "h.practice_code")
        .where("p.icb_code", "is not", null)
        .select(["p.icb_code", "h.date", "h.hour"])
        .select((eb) => [eb.fn.sum("h.clinical").as("clinical"), eb.fn.sum("h.total").as("total"), eb.fn.countAll().as("practices")])
        .groupBy(["p.icb_code", "h.date", "h.hour"]),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("oc_icb_hourly").execute();
  await db.schema.dropTable("oc_daily").execute();
}

/** The Monday of a `YYYY-MM-DD` date's ISO week (frozen here: a migration must not change with app code). */
function mondayOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}
