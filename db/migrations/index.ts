import type { Migration } from "kysely";
import * as platform from "./2026-11-23_01_platform";
import * as compliance from "./2026-11-23_02_compliance";
import * as demand from "./2026-11-23_03_demand";
import * as supplierEvents from "./2026-11-23_03_supplier_events";
import * as classificationSettings from "./2026-11-23_05_classification_settings";
import * as cases from "./2026-11-23_06_cases";
import * as auditLogNoReplace from "./2026-11-23_07_audit_log_no_replace";
import * as availabilityEndIndex from "./2026-11-23_14_availability_end_index";
import * as ocAggregates from "./2026-12-06_02_oc_aggregates";
import * as complianceWeek from "./2026-12-06_03_compliance_week";
import * as complianceFlagIndex from "./2026-12-06_04_compliance_flag_index";
import * as measureDistributions from "./2026-12-06_05_measure_distributions";
import * as ocDailyMorning from "./2026-12-07_01_oc_daily_morning";
import * as ocWeekly from "./2026-12-07_02_oc_weekly";
import * as complianceWeeks from "./2026-12-07_03_compliance_weeks";

/**
 * Every migration, by ISO-dated name. A static list (rather than a folder read at run time) so that the
 * same migrations run from the CLI, the tests and the server bundle. Add new ones at the end.
 */
export const migrations: Record<string, Migration> = {
  "2026-11-23_01_platform": platform,
  "2026-11-23_02_compliance": compliance,
  "2026-11-23_03_demand": demand,
  "2026-11-23_03_supplier_events": supplierEvents,
  "2026-11-23_05_classification_settings": classificationSettings,
  "2026-11-23_06_cases": cases,
  "2026-11-23_07_audit_log_no_replace": auditLogNoReplace,
  "2026-11-23_14_availability_end_index": availabilityEndIndex,
  "2026-12-06_02_oc_aggregates": ocAggregates,
  "2026-12-06_03_compliance_week": complianceWeek,
  "2026-12-06_04_compliance_flag_index": complianceFlagIndex,
  "2026-12-06_05_measure_distributions": measureDistributions,
  "2026-12-07_01_oc_daily_morning": ocDailyMorning,
  "2026-12-07_02_oc_weekly": ocWeekly,
  "2026-12-07_03_compliance_weeks": complianceWeeks,
};
