import type { Kysely } from "kysely";

/**
 * `compliance_weeks`: each practice's stored core days summed per ISO week (ADR 17). The ICB overview read the weekly
 * sums of 24,765 practice-days for the largest ICB in 17 ms; it now reads 5,037 weekly rows, and the days of a
 * range's partial first and last weeks. Filled here from the days already stored, grouped by their `week` column,
 * which is then dropped: nothing else read it, and England's rebuild no longer writes 1.6 million copies of it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("compliance_weeks")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("week", "text", (c) => c.notNull())
    .addColumn("open_minutes", "integer", (c) => c.notNull())
    .addColumn("closed_minutes", "integer", (c) => c.notNull())
    .addColumn("excepted_minutes", "integer", (c) => c.notNull())
    .addColumn("least_unknown", "integer", (c) => c.notNull())
    .addColumn("days", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("compliance_weeks_pk", ["practice_code", "week"])
    .execute();
  await db
    .insertInto("compliance_weeks")
    .columns(["practice_code", "week", "open_minutes", "closed_minutes", "excepted_minutes", "least_unknown", "days"])
    .expression(
      db
        .selectFrom("compliance_days")
        .select(["practice_code", "week"])
        .select((eb) => [
          eb.fn.sum("open_minutes").as("open_minutes"),
          eb.fn.sum("closed_minutes").as("closed_minutes"),
          eb.fn.sum("excepted_minutes").as("excepted_minutes"),
          eb.fn.min("unknown_minutes").as("least_unknown"),
          eb.fn.countAll().as("days"),
        ])
        .groupBy(["practice_code", "week"]),
    )
    .execute();
  await db.schema.alterTable("compliance_days").dropColumn("week").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("compliance_days").addColumn("week", "text", (c) => c.notNull().defaultTo("")).execute();
  await db.schema.dropTable("compliance_weeks").execute();
}
