import type { ExpressionBuilder, Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { addDays } from "~/domain/calendar";
import { isoWeekStart } from "~/domain/compliance-report";
import { chunks } from "~/utils/chunks";

/**
 * The stored aggregates of the By Day and Time data (ADR 17), kept in step with `oc_hourly` by the code that
 * changes what they sum: `oc_daily` (per practice and date), `oc_weekly` (`oc_daily` per practice and ISO week) and
 * `oc_icb_hourly` (per ICB, date and hour, over the practices' current ICB). The By Day and Time importer writes all
 * three for the practice-dates a file touches; the practice importers call `rebuildIcbHourly` for the ICBs a practice
 * with data joined or left. All inside the caller's transaction, in portable `insert … select … group by`.
 */

type Db = Kysely<Database>;

/** The hours (starting at) summed into `oc_daily.total_0800_1000`: 08:00–09:59. */
export const MORNING_HOURS = [8, 9];

/** The submissions of hourly rows in the hours starting 08:00 and 09:00, summed (`hour` and `total` columns). */
export function morningSum(eb: ExpressionBuilder<any, any>) {
  return eb.fn.sum<number>(eb.case().when("hour", "in", MORNING_HOURS).then(eb.ref("total")).else(0).end());
}

/** The `oc_daily` columns that sum a practice-date's hours, in the order `daySums` selects them. */
export const DAY_SUM_COLUMNS = ["clinical", "admin", "other", "total", "total_0800_1000"] as const;

/**
 * A practice-date's sums of hourly rows, from `oc_hourly` or the By Day and Time importer's staging table (both have
 * `clinical`, `admin`, `other`, `total` and `hour`), for a query grouped by practice and date.
 */
export function daySums(eb: ExpressionBuilder<any, any>) {
  return [
    eb.fn.sum<number>("clinical").as("clinical"),
    eb.fn.sum<number>("admin").as("admin"),
    eb.fn.sum<number>("other").as("other"),
    eb.fn.sum<number>("total").as("total"),
    morningSum(eb).as("total_0800_1000"),
  ];
}

/** ICBs whose hourly sums a membership change alters: the old and new ICBs of moved practices that have any data. */
export async function icbsAffectedByMoves(db: Db, moves: readonly { practice: string; from: string | null; to: string | null }[]): Promise<string[]> {
  const icbs = new Set<string>();
  for (let i = 0; i < moves.length; i += 500) {
    const group = moves.slice(i, i + 500);
    const withData = await db
      .selectFrom("oc_daily")
      .select("practice_code")
      .distinct()
      .where(
        "practice_code",
        "in",
        group.map((m) => m.practice),
      )
      .execute();
    const has = new Set(withData.map((r) => r.practice_code));
    for (const m of group) {
      if (!has.has(m.practice)) continue;
      if (m.from) icbs.add(m.from);
      if (m.to) icbs.add(m.to);
    }
  }
  return [...icbs].sort();
}

/**
 * Rebuilds the `oc_icb_hourly` rows of the given ICBs from `oc_hourly` and the practices' current ICB: every date,
 * or only `dates` when given. With dates, one grouped pass over those dates' hours for all the ICBs at once (an
 * import's file touches most ICBs on each of its dates); without, ICB by ICB through its practices.
 */
export async function rebuildIcbHourly(db: Db, icbs: readonly string[], dates?: readonly string[]): Promise<void> {
  if (icbs.length === 0) return;
  const columns = ["icb_code", "date", "hour", "clinical", "total", "practices"] as const;
  if (dates) {
    for (const group of chunks([...dates], 400)) {
      await db.deleteFrom("oc_icb_hourly").where("icb_code", "in", icbs).where("date", "in", group).execute();
      await db
        .insertInto("oc_icb_hourly")
        .columns(columns)
        .expression(
          db
            .selectFrom("oc_hourly as h")
            .innerJoin("practices as p", "p.ods_code", "h.practice_code")
            .where("h.date", "in", group)
            .where("p.icb_code", "in", icbs)
            .select((eb) => [
              eb.fn.coalesce("p.icb_code", eb.val("")).as("icb_code"),
              "h.date",
              "h.hour",
              eb.fn.sum<number>("h.clinical").as("clinical"),
              eb.fn.sum<number>("h.total").as("total"),
              eb.fn.countAll<number>().as("practices"),
            ])
            .groupBy(["p.icb_code", "h.date", "h.hour"]),
        )
        .execute();
    }
    return;
  }
  for (const icb of icbs) {
    await db.deleteFrom("oc_icb_hourly").where("icb_code", "=", icb).execute();
    await db
      .insertInto("oc_icb_hourly")
      .columns(columns)
      .expression(
        db
          .selectFrom("oc_hourly as h")
          .where("h.practice_code", "in", db.selectFrom("practices").select("ods_code").where("icb_code", "=", icb))
          .select((eb) => [
            eb.val(icb).as("icb_code"),
            "h.date",
            "h.hour",
            eb.fn.sum<number>("h.clinical").as("clinical"),
            eb.fn.sum<number>("h.total").as("total"),
            eb.fn.countAll<number>().as("practices"),
          ])
          .groupBy(["h.date", "h.hour"]),
      )
      .execute();
  }
}

/**
 * Rebuilds both aggregates from `oc_hourly` for everything stored: for rows written other than by the importer (the
 * tests' own fixtures) and as a repair. The importers keep them in step on their own.
 */
export async function rebuildOcAggregates(db: Db): Promise<void> {
  await db.deleteFrom("oc_daily").execute();
  await db.deleteFrom("oc_weekly").execute();
  await db
    .insertInto("oc_daily")
    .columns(["practice_code", "date", ...DAY_SUM_COLUMNS])
    .expression(db.selectFrom("oc_hourly").select(["practice_code", "date"]).select(daySums).groupBy(["practice_code", "date"]))
    .execute();
  await setOcWeeks(db, (await db.selectFrom("oc_daily").select("date").distinct().execute()).map((r) => r.date));
  await db.deleteFrom("oc_icb_hourly").execute();
  const icbs = await db.selectFrom("practices").select("icb_code").distinct().where("icb_code", "is not", null).execute();
  await rebuildIcbHourly(db, icbs.map((r) => r.icb_code!));
}

/**
 * After `oc_daily` rows of the given dates were written: sets their `week` (one portable `update` per date, since SQL
 * date arithmetic differs by dialect), then rewrites `oc_weekly` for those dates' weeks, every practice's, from the
 * days now stored. Weeks are rewritten whole (a week's other days may come from another file).
 */
export async function setOcWeeks(db: Db, dates: Iterable<string>): Promise<void> {
  const all = [...new Set(dates)];
  for (const date of all) await db.updateTable("oc_daily").set({ week: isoWeekStart(date) }).where("date", "=", date).execute();
  const weeks = [...new Set(all.map(isoWeekStart))].sort();
  // A few weeks at a time, each group's days found through the date index.
  for (const group of chunks(weeks, 8)) {
    await db.deleteFrom("oc_weekly").where("week", "in", group).execute();
    await db
      .insertInto("oc_weekly")
      .columns(["practice_code", "week", "total", "days"])
      .expression(
        db
          .selectFrom("oc_daily")
          .select(["practice_code", "week"])
          .select((eb) => [eb.fn.sum<number>("total").as("total"), eb.fn.countAll<number>().as("days")])
          .where("date", ">=", group[0]!)
          .where("date", "<=", addDays(group[group.length - 1]!, 6))
          .where("week", "in", group)
          .groupBy(["practice_code", "week"]),
      )
      .execute();
  }
}
