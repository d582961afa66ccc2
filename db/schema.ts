import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * The one typed description of the database. Every table the app or the importers use is here.
 *
 * Conventions (portable between SQLite and Postgres):
 * - instants are ISO 8601 UTC text (`2026-11-23T10:15:00.000Z`);
 * - calendar dates are `YYYY-MM-DD` text, months are the first day of the month (`2026-04-01`);
 * - booleans are integers 0/1;
 * - JSON is stored as text and parsed at the edge, with Zod.
 */

export type PracticeStatus = "active" | "closed" | "dormant" | "proposed" | "unknown";
export type Role = "icb" | "practice" | "admin";

export interface RegionTable {
  code: string;
  name: string | null;
  ons_code: string | null;
  is_demo: ColumnType<number, number | undefined, number>;
  updated_at: string;
}

export interface IcbTable {
  code: string;
  name: string | null;
  ons_code: string | null;
  region_code: string | null;
  is_demo: ColumnType<number, number | undefined, number>;
  updated_at: string;
}

export interface SubIcbTable {
  code: string;
  name: string | null;
  ons_code: string | null;
  icb_code: string | null;
  is_demo: ColumnType<number, number | undefined, number>;
  updated_at: string;
}

export interface PcnTable {
  code: string;
  name: string | null;
  sub_icb_code: string | null;
  is_demo: ColumnType<number, number | undefined, number>;
  updated_at: string;
}

export interface PracticeTable {
  ods_code: string;
  name: string;
  address_line1: string | null;
  address_line2: string | null;
  address_line3: string | null;
  address_line4: string | null;
  address_line5: string | null;
  postcode: string | null;
  phone: string | null;
  status: PracticeStatus;
  open_date: string | null;
  close_date: string | null;
  region_code: string | null;
  icb_code: string | null;
  sub_icb_code: string | null;
  pcn_code: string | null;
  /** GMS, PMS or APMS where known (not in the ODS files; set by the ICB or the demo). */
  contract_type: string | null;
  /** Which publication last set the record: epraccur, practice-map, demo. */
  source: string;
  is_demo: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

export interface ListSizeTable {
  practice_code: string;
  /** First day of the month the extract is for, `YYYY-MM-01`. */
  month: string;
  patients: number;
  import_id: number | null;
}

export interface UserTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  icb_code: string | null;
  practice_code: string | null;
  created_at: string;
  password_changed_at: string;
  disabled_at: string | null;
}

export interface SessionTable {
  /** SHA-256 of the session token; the token itself lives only in the user's cookie. */
  id: string;
  user_id: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  user_id: number | null;
  /** The email of the user, or a name such as `cli` or `system`, as it was at the time. */
  actor: string;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  ip: string | null;
  /** JSON text. */
  detail: string | null;
}

export interface ImportLogTable {
  id: Generated<number>;
  source: string;
  file_name: string;
  file_hash: string;
  file_bytes: number;
  started_at: string;
  finished_at: string;
  rows_read: number;
  rows_inserted: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_rejected: number;
  /** JSON array of `{ message, count }`: rows not loaded and why, data-quality notes. */
  warnings: string;
  actor: string;
  user_id: number | null;
}

export interface AppSettingTable {
  key: string;
  value: string;
  updated_at: string;
}


export type IntervalStatus = "open" | "closed";
export type IntervalCategory = "all" | "clinical" | "admin";
export type PauseStatus = "pending" | "approved" | "declined" | "withdrawn";
export type PauseKind = "planned" | "outage";

export interface SupplierTable {
  id: Generated<number>;
  name: string;
  /** SHA-256 of the bearer token; the token itself is shown once, when issued. */
  token_hash: string;
  /** The token's first characters, to tell tokens apart in lists. */
  token_hint: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

export interface SupplierIcbTable {
  supplier_id: number;
  icb_code: string;
}

/** An event pushed by a supplier (idempotency key and a hash of what it said). */
export interface SupplierEventTable {
  supplier_id: number;
  event_id: string;
  /** SHA-256 of the validated event, to tell a repeat from a different event reusing the id. */
  body_hash: string;
  practice_code: string;
  received_at: string;
}

/** A stretch of time in which a practice's online consultation tool was open or closed. Times in epoch minutes. */
export interface AvailabilityIntervalTable {
  id: Generated<number>;
  practice_code: string;
  /** Who reported it: the file's `source` column (or `unspecified`), or the pushing supplier's name. */
  source: string;
  start_min: number;
  end_min: number;
  status: IntervalStatus;
  category: IntervalCategory;
  reason: string | null;
  import_id: number | null;
  supplier_id: number | null;
  event_id: string | null;
  received_at: string;
}

export interface ComplianceDayTable {
  practice_code: string;
  date: string;
  core_minutes: number;
  open_minutes: number;
  closed_minutes: number;
  excepted_minutes: number;
  unknown_minutes: number;
  clinical_open: number;
  clinical_closed: number;
  clinical_excepted: number;
  clinical_unknown: number;
  admin_open: number;
  admin_closed: number;
  admin_excepted: number;
  admin_unknown: number;
  computed_at: string;
}

/**
 * A practice's stored core days summed per ISO week (ADR 17), written with the days (`DayWriter`, and
 * `refreshComplianceWeeks` for weeks only partly recomputed); no row for a week without a stored day.
 */
export interface ComplianceWeekTable {
  practice_code: string;
  /** The Monday of the ISO week. */
  week: string;
  open_minutes: number;
  closed_minutes: number;
  excepted_minutes: number;
  /** The fewest no-data minutes of any of the week's days: under a whole day means some minute has data. */
  least_unknown: number;
  days: number;
}

export interface ClosureEpisodeTable {
  id: Generated<number>;
  practice_code: string;
  date: string;
  start_min: number;
  end_min: number;
  minutes: number;
  category: IntervalCategory;
  excepted: number;
  /** JSON array of reasons given by the closed intervals. */
  reasons: string;
  /** JSON array of the approved pauses that excepted it. */
  pause_ids: string;
}

export interface PauseRequestTable {
  id: Generated<number>;
  practice_code: string;
  category: IntervalCategory;
  start_min: number;
  end_min: number;
  reason: string;
  kind: PauseKind;
  status: PauseStatus;
  requested_by: number | null;
  requested_at: string;
  decided_by: number | null;
  decided_at: string | null;
  decision_note: string | null;
}

export interface IcbPolicyTable {
  icb_code: string;
  closed_minutes_per_day: number;
  flagged_days: number;
  window_days: number;
  updated_at: string;
  updated_by: string;
}

/** An ICB's thresholds for the can't/won't classification; ICBs without a row use DEFAULT_CLASSIFICATION. */
export interface IcbClassificationSettingsTable {
  icb_code: string;
  max_no_data_share: number;
  high_decile: number;
  low_workforce_decile: number;
  min_pressure_signals: number;
  updated_at: string;
  updated_by: string;
}

export interface BankHolidayTable {
  date: string;
  title: string;
  import_id: number | null;
}

export interface OcHourlyTable {
  practice_code: string;
  date: string;
  hour: number;
  clinical: number;
  admin: number;
  other: number;
  total: number;
  import_id: number;
}

export interface OcWeekdayHourlyTable {
  practice_code: string;
  month: string;
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
  hour: number;
  clinical: number;
  admin: number;
  other: number;
  total: number;
  import_id: number;
}

/** `oc_hourly` summed per practice and date; written with it by the By Day and Time importer (ADR 17). */
export interface OcDailyTable {
  practice_code: string;
  date: string;
  clinical: number;
  admin: number;
  other: number;
  total: number;
  /** Submissions in the hours starting 08:00 and 09:00 (the measures' 08:00–10:00 share). */
  total_0800_1000: ColumnType<number, number | undefined, number>;
  /** The Monday of the date's ISO week. */
  week: ColumnType<string, string | undefined, string>;
}

/**
 * `oc_daily` summed per practice and ISO week, with the number of days summed; a week without a day of data has no
 * row. Rewritten for the weeks of the dates whenever `oc_daily` is written (`setOcWeeks`, ADR 17).
 */
export interface OcWeeklyTable {
  practice_code: string;
  /** The Monday of the ISO week. */
  week: string;
  total: number;
  days: number;
}

/**
 * `oc_hourly` summed per ICB (the practices' current `icb_code`), date and hour, with the number of practices summed;
 * written by the By Day and Time importer, rebuilt for an ICB when a practice with data joins or leaves it (ADR 17).
 */
export interface OcIcbHourlyTable {
  icb_code: string;
  date: string;
  hour: number;
  clinical: number;
  total: number;
  practices: number;
}

/** Submissions via Online Consultation Systems, per practice per month, summed over suppliers. Null = not published. */
export interface OcMonthlyTable {
  practice_code: string;
  month: string;
  /** The release the values came from (`YYYY-MM-01`); a later release replaces an earlier one's months. */
  publication: string;
  /** Supplier names, `|`-separated. */
  suppliers: string;
  total: number | null;
  clinical: number | null;
  admin: number | null;
  other: number | null;
  /** NHS England's own list-size denominator for the month. */
  patients_registered: number | null;
  rate_per_1000: number | null;
  capability: number | null;
  participation: number | null;
  usage: number | null;
  import_id: number;
}

/** Appointments in General Practice (practice-level crosstab), per practice per month. */
export interface AppointmentsMonthlyTable {
  practice_code: string;
  month: string;
  total: number;
  attended: number;
  dna: number;
  status_unknown: number;
  gp: number;
  other_staff: number;
  staff_unknown: number;
  face_to_face: number;
  telephone: number;
  home_visit: number;
  video_online: number;
  mode_unknown: number;
  same_day: number;
  next_day: number;
  days_2_to_7: number;
  days_8_to_14: number;
  days_15_to_21: number;
  days_22_to_28: number;
  days_over_28: number;
  lead_unknown: number;
  import_id: number;
}

/** General Practice Workforce (practice high-level file), per practice per month. Null = not published (ND, NA…), never 0. */
export interface WorkforceMonthlyTable {
  practice_code: string;
  month: string;
  gp_fte: number | null;
  nurses_fte: number | null;
  dpc_fte: number | null;
  admin_fte: number | null;
  gp_headcount: number | null;
  nurses_headcount: number | null;
  dpc_headcount: number | null;
  admin_headcount: number | null;
  import_id: number;
}

/** Cloud Based Telephony by day and time: one indicator, one 2-hour band, one day, one practice. */
export interface CbtCallsTable {
  practice_code: string;
  date: string;
  indicator: string;
  band: string;
  value: number;
  import_id: number;
}

/** Telephony rows published as `Unassigned` (shared phone accounts): kept apart, by the geography given. */
export interface CbtUnassignedTable {
  region_code: string;
  icb_code: string;
  sub_icb_code: string;
  pcn_code: string;
  date: string;
  indicator: string;
  band: string;
  value: number;
  import_id: number;
}

/** Every measure for every practice-month (app/domain/measures), kept in step by the importers. */
export interface MeasureValueTable {
  measure_id: string;
  month: string;
  practice_code: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  computed_at: string;
}

/**
 * Each measure's distribution in a month among a group of practices (ADR 17): `scope` is "" for all loaded practices
 * (every practice with a value that month) or an ICB code (its current practices). Written with `measure_values` by
 * `recomputeMeasures`, whole months at a time, and again when practices with values change ICB.
 */
export interface MeasureDistributionTable {
  measure_id: string;
  month: string;
  scope: string;
  /** Practices of the group with a value (not null), ranked or not. */
  valued_count: number;
  /** Practices of the group with a ranked value (not null, not suppressed). */
  ranked_count: number;
  /** Their values, sorted ascending, as a JSON array: ranks and deciles are found in it. */
  ranked_values: string;
  /** The 10th … 90th percentiles of those values as a JSON array (empty when none), for the decile lines. */
  decile_lines: string;
}

/* Cases and notices (app/domain/cases.ts, app/services/cases.server.ts) ------------------------------------------ */

export type CaseStage =
  | "concern_noted"
  | "informal_contact"
  | "support_offered"
  | "remedial_notice"
  | "breach_notice"
  | "sanction_proposed"
  | "termination_considered"
  | "closed";
export type CaseOutcome = "remedied" | "no_further_action";
export type NoticeTypeColumn = "remedial" | "breach";
export type NoticeStatusColumn = "draft" | "approved" | "issued" | "remedied" | "lapsed" | "withdrawn";
export type SupportItemStatus = "planned" | "in_progress" | "done" | "not_done" | "cancelled";
export type PracticeResponseKind = "acknowledgement" | "response" | "review_request";

/** A case about one practice: opened by a commissioner, moved through the stages, closed with an outcome. */
export interface CaseTable {
  id: Generated<number>;
  practice_code: string;
  opened_by: number;
  opened_at: string;
  stage: CaseStage;
  /** The commissioner who owns the case. */
  owner_id: number;
  /** The period the case is about (London dates, inclusive). */
  period_from: string;
  period_to: string;
  summary: string;
  /** When recorded, a notice may follow without the informal steps first. */
  patient_safety_reason: string | null;
  /** The date of the Local Medical Committee consultation (`YYYY-MM-DD`); when it was recorded is in case_events. */
  lmc_consulted_at: string | null;
  lmc_consulted_by: number | null;
  lmc_note: string | null;
  next_review_date: string | null;
  closed_at: string | null;
  outcome: CaseOutcome | null;
  updated_at: string;
}

/** The case's record, append-only: every move and every record, with the evidence as it stood (JSON). */
export interface CaseEventTable {
  id: Generated<number>;
  case_id: number;
  at: string;
  user_id: number | null;
  actor: string;
  kind: string;
  from_stage: CaseStage | null;
  to_stage: CaseStage | null;
  /** The reason, note or text given. */
  text: string | null;
  notice_id: number | null;
  /** JSON: what else was recorded (contact details, items, cumulative effect…). */
  detail: string | null;
  /** JSON: the frozen compliance evidence for the case period (app/domain/case-evidence.ts). */
  evidence: string | null;
  /** 0 for steps the practice never sees (drafts, approvals, withdrawn drafts). */
  practice_visible: number;
}

export interface SupportPlanItemTable {
  id: Generated<number>;
  case_id: number;
  /** An id from app/domain/data/support-actions.json, or `other`. */
  action_id: string;
  title: string;
  owner: string;
  due_date: string | null;
  review_date: string | null;
  status: SupportItemStatus;
  created_by: number;
  created_at: string;
  updated_at: string;
}

export interface SupportProgressTable {
  id: Generated<number>;
  item_id: number;
  /** Who wrote it: `practice` or `icb`. */
  side: "practice" | "icb";
  status: SupportItemStatus;
  note: string;
  by_user: number;
  at: string;
}

export interface NoticeTable {
  id: Generated<number>;
  case_id: number;
  type: NoticeTypeColumn;
  status: NoticeStatusColumn;
  period_from: string;
  period_to: string;
  author_id: number;
  approver_id: number | null;
  approved_at: string | null;
  issue_date: string | null;
  issued_by: number | null;
  issued_at: string | null;
  remedy_period_days: number | null;
  remedy_by: string | null;
  shorter_period_reason: "patient_safety" | "material_financial_loss" | null;
  shorter_period_explanation: string | null;
  remedied_at: string | null;
  lapsed_at: string | null;
  withdrawn_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: number | null;
  current_version: number;
  /** The version the practice was sent. */
  issued_version: number | null;
  created_at: string;
  updated_at: string;
}

/** Every version of a notice's document (app/domain/notice-document.ts), as JSON; append-only. */
export interface NoticeVersionTable {
  id: Generated<number>;
  notice_id: number;
  version: number;
  document: string;
  /** `drafted`, `edited` or `issued`. */
  note: string;
  created_by: number;
  created_at: string;
}

export interface PracticeResponseTable {
  id: Generated<number>;
  case_id: number;
  notice_id: number | null;
  kind: PracticeResponseKind;
  text: string;
  by_user: number;
  at: string;
}

export interface Database {
  regions: RegionTable;
  icbs: IcbTable;
  sub_icbs: SubIcbTable;
  pcns: PcnTable;
  practices: PracticeTable;
  list_sizes: ListSizeTable;
  users: UserTable;
  sessions: SessionTable;
  audit_log: AuditLogTable;
  import_log: ImportLogTable;
  app_settings: AppSettingTable;
  suppliers: SupplierTable;
  supplier_icbs: SupplierIcbTable;
  supplier_events: SupplierEventTable;
  availability_intervals: AvailabilityIntervalTable;
  compliance_days: ComplianceDayTable;
  compliance_weeks: ComplianceWeekTable;
  closure_episodes: ClosureEpisodeTable;
  pause_requests: PauseRequestTable;
  icb_policies: IcbPolicyTable;
  icb_classification_settings: IcbClassificationSettingsTable;
  bank_holidays: BankHolidayTable;
  oc_hourly: OcHourlyTable;
  oc_weekday_hourly: OcWeekdayHourlyTable;
  oc_daily: OcDailyTable;
  oc_weekly: OcWeeklyTable;
  oc_icb_hourly: OcIcbHourlyTable;
  oc_monthly: OcMonthlyTable;
  appointments_monthly: AppointmentsMonthlyTable;
  workforce_monthly: WorkforceMonthlyTable;
  cbt_calls: CbtCallsTable;
  cbt_unassigned: CbtUnassignedTable;
  measure_values: MeasureValueTable;
  measure_distributions: MeasureDistributionTable;
  cases: CaseTable;
  case_events: CaseEventTable;
  support_plan_items: SupportPlanItemTable;
  support_progress: SupportProgressTable;
  notices: NoticeTable;
  notice_versions: NoticeVersionTable;
  practice_responses: PracticeResponseTable;
}

export type Practice = Selectable<PracticeTable>;
export type NewPractice = Insertable<PracticeTable>;
export type PracticeUpdate = Updateable<PracticeTable>;
export type User = Selectable<UserTable>;
export type ImportLog = Selectable<ImportLogTable>;
export type AuditEntry = Selectable<AuditLogTable>;
