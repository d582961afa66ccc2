import type { Kysely } from "kysely";

/**
 * Demand and capacity from NHS England's monthly publications, kept per practice per month (or per day for
 * telephony), aggregated from the published long or crosstab layouts as they are imported:
 * - oc_monthly: Submissions via Online Consultation Systems (summed over suppliers), with the publication it came from;
 * - appointments_monthly: Appointments in General Practice, practice-level crosstab, summed by status, staff, mode and lead time;
 * - workforce_monthly: General Practice Workforce, practice high-level file, FTE and headcount by staff group (null = not published);
 * - cbt_calls / cbt_unassigned: Cloud Based Telephony by day and 2-hour band, per indicator; rows not assigned to a practice kept apart;
 * - measure_values: every measure for every practice-month, recomputed by the importers for what they touch.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("oc_monthly")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("publication", "text", (c) => c.notNull())
    .addColumn("suppliers", "text", (c) => c.notNull())
    .addColumn("total", "integer")
    .addColumn("clinical", "integer")
    .addColumn("admin", "integer")
    .addColumn("other", "integer")
    .addColumn("patients_registered", "integer")
    .addColumn("rate_per_1000", "real")
    .addColumn("capability", "integer")
    .addColumn("participation", "integer")
    .addColumn("usage", "integer")
    .addColumn("import_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("oc_monthly_pk", ["practice_code", "month"])
    .execute();
  await db.schema.createIndex("oc_monthly_month_idx").on("oc_monthly").columns(["month", "practice_code"]).execute();

  await db.schema
    .createTable("appointments_monthly")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("attended", "integer", (c) => c.notNull())
    .addColumn("dna", "integer", (c) => c.notNull())
    .addColumn("status_unknown", "integer", (c) => c.notNull())
    .addColumn("gp", "integer", (c) => c.notNull())
    .addColumn("other_staff", "integer", (c) => c.notNull())
    .addColumn("staff_unknown", "integer", (c) => c.notNull())
    .addColumn("face_to_face", "integer", (c) => c.notNull())
    .addColumn("telephone", "integer", (c) => c.notNull())
    .addColumn("home_visit", "integer", (c) => c.notNull())
    .addColumn("video_online", "integer", (c) => c.notNull())
    .addColumn("mode_unknown", "integer", (c) => c.notNull())
    .addColumn("same_day", "integer", (c) => c.notNull())
    .addColumn("next_day", "integer", (c) => c.notNull())
    .addColumn("days_2_to_7", "integer", (c) => c.notNull())
    .addColumn("days_8_to_14", "integer", (c) => c.notNull())
    .addColumn("days_15_to_21", "integer", (c) => c.notNull())
    .addColumn("days_22_to_28", "integer", (c) => c.notNull())
    .addColumn("days_over_28", "integer", (c) => c.notNull())
    .addColumn("lead_unknown", "integer", (c) => c.notNull())
    .addColumn("import_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("appointments_monthly_pk", ["practice_code", "month"])
    .execute();
  await db.schema.createIndex("appointments_monthly_month_idx").on("appointments_monthly").columns(["month", "practice_code"]).execute();

  await db.schema
    .createTable("workforce_monthly")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("gp_fte", "real")
    .addColumn("nurses_fte", "real")
    .addColumn("dpc_fte", "real")
    .addColumn("admin_fte", "real")
    .addColumn("gp_headcount", "real")
    .addColumn("nurses_headcount", "real")
    .addColumn("dpc_headcount", "real")
    .addColumn("admin_headcount", "real")
    .addColumn("import_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("workforce_monthly_pk", ["practice_code", "month"])
    .execute();
  await db.schema.createIndex("workforce_monthly_month_idx").on("workforce_monthly").columns(["month", "practice_code"]).execute();

  await db.schema
    .createTable("cbt_calls")
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("date", "text", (c) => c.notNull())
    .addColumn("indicator", "text", (c) => c.notNull())
    .addColumn("band", "text", (c) => c.notNull())
    .addColumn("value", "real", (c) => c.notNull())
    .addColumn("import_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("cbt_calls_pk", ["practice_code", "date", "indicator", "band"])
    .execute();
  await db.schema.createIndex("cbt_calls_date_idx").on("cbt_calls").columns(["date", "indicator"]).execute();

  await db.schema
    .createTable("cbt_unassigned")
    .addColumn("region_code", "text", (c) => c.notNull())
    .addColumn("icb_code", "text", (c) => c.notNull())
    .addColumn("sub_icb_code", "text", (c) => c.notNull())
    .addColumn("pcn_code", "text", (c) => c.notNull())
    .addColumn("date", "text", (c) => c.notNull())
    .addColumn("indicator", "text", (c) => c.notNull())
    .addColumn("band", "text", (c) => c.notNull())
    .addColumn("value", "real", (c) => c.notNull())
    .addColumn("import_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("cbt_unassigned_pk", ["region_code", "icb_code", "sub_icb_code", "pcn_code", "date", "indicator", "band"])
    .execute();

  await db.schema
    .createTable("measure_values")
    .addColumn("measure_id", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("numerator", "real")
    .addColumn("denominator", "real")
    .addColumn("value", "real")
    .addColumn("computed_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("measure_values_pk", ["measure_id", "month", "practice_code"])
    .execute();
  await db.schema.createIndex("measure_values_practice_idx").on("measure_values").columns(["practice_code", "measure_id", "month"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["measure_values", "cbt_unassigned", "cbt_calls", "workforce_monthly", "appointments_monthly", "oc_monthly"]) {
    await db.schema.dropTable(t).execute();
  }
}
