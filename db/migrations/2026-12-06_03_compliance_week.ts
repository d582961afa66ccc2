import type { Kysely } from "kysely";

/**
 * `compliance_days.week`: the ISO week (its Monday) of each stored day, written with the day (ADR 17). The ICB
 * overview sums an ICB's days per practice and week in one grouped query (a dozen rows per practice, not one per
 * day) for its totals and twelve-week trend. Filled here for the days already stored, one portable `update` per
 * date, since SQL date arithmetic differs between dialects.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("compliance_days").addColumn("week", "text", (c) => c.notNull().defaultTo("")).execute();
  const dates = await db.selectFrom("compliance_days").select("date").distinct().execute();
  for (const { date } of dates as { date: string }[]) {
    await db.updateTable("compliance_days").set({ week: mondayOf(date) }).where("date", "=", date).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("compliance_days").dropColumn("week").execute();
}

/** The Monday of a `YYYY-MM-DD` date's ISO week (frozen here: a migration must not change with app code). */
function mondayOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}
