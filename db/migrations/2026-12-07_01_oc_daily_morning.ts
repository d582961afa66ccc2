import type { Kysely } from "kysely";

/**
 * `oc_daily.total_0800_1000`: the day's submissions in the hours starting 08:00 and 09:00, written with the rest of
 * the day's sums (ADR 17). The monthly measures' "share of online requests submitted 08:00–10:00" read it from a
 * month of `oc_daily` (about 190,000 rows for England) instead of grouping the month's 1.5 million hourly rows, which
 * took a second or more per month in every import that recomputes measures. Filled here from `oc_hourly` for the days
 * already stored, with one portable correlated `update`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("oc_daily").addColumn("total_0800_1000", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db
    .updateTable("oc_daily")
    .set((eb) => ({
      total_0800_1000: eb.fn.coalesce(
        eb
          .selectFrom("oc_hourly as h")
          .select((eb) => eb.fn.sum("h.total").as("morning"))
          .whereRef("h.practice_code", "=", "oc_daily.practice_code")
          .whereRef("h.date", "=", "oc_daily.date")
          .where("h.hour", "in", [8, 9]),
        eb.lit(0),
      ),
    }))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("oc_daily").dropColumn("total_0800_1000").execute();
}
