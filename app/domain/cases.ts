import { addDays, isDate } from "./calendar";

/**
 * Cases: a fair, recorded, human-decided process, support first (domain-rules.md section 2).
 *
 * concern noted → informal contact → support offered → remedial notice → breach notice
 *   → sanction proposed or termination considered → closed (remedied, or no further action).
 *
 * Rules enforced here (the service records who, when, why and the evidence for every move):
 * - A case only moves forward, one step at a time, or to closed from anywhere.
 * - A remedial or breach notice needs a recorded informal contact and support offered first, unless a
 *   patient-safety reason is recorded; then the case may go straight to a notice.
 * - A breach notice may follow support offered directly (a breach not capable of remedy) or a remedial notice.
 * - Proposing a sanction or considering termination needs an issued notice in the case, and considering
 *   termination also needs the LMC consultation recorded and a statement of the cumulative effect of the
 *   case's earlier notices.
 */
export const STAGES = [
  "concern_noted",
  "informal_contact",
  "support_offered",
  "remedial_notice",
  "breach_notice",
  "sanction_proposed",
  "termination_considered",
  "closed",
] as const;

export type Stage = (typeof STAGES)[number];

export const STAGE_LABELS: Record<Stage, string> = {
  concern_noted: "Concern noted",
  informal_contact: "Informal contact",
  support_offered: "Support offered",
  remedial_notice: "Remedial notice",
  breach_notice: "Breach notice",
  sanction_proposed: "Sanction proposed",
  termination_considered: "Termination considered",
  closed: "Closed",
};

export type Outcome = "remedied" | "no_further_action";

export const OUTCOME_LABELS: Record<Outcome, string> = {
  remedied: "Remedied",
  no_further_action: "No further action",
};

/** What has been recorded in the case so far, as the rules need it. */
export interface CaseFacts {
  stage: Stage;
  informalContactRecorded: boolean;
  supportOffered: boolean;
  patientSafetyReason: string | null;
  issuedNotices: number;
  lmcConsultationRecorded: boolean;
}

export interface MoveRequest {
  to: Stage;
  reason: string;
  outcome?: Outcome;
  cumulativeEffect?: string;
}

const NEXT: Record<Stage, Stage[]> = {
  concern_noted: ["informal_contact"],
  informal_contact: ["support_offered"],
  support_offered: ["remedial_notice", "breach_notice"],
  remedial_notice: ["breach_notice", "sanction_proposed", "termination_considered"],
  breach_notice: ["sanction_proposed", "termination_considered"],
  sanction_proposed: ["termination_considered"],
  termination_considered: [],
  closed: [],
};

export type MoveCheck = { ok: true } | { ok: false; problems: string[] };

/** Whether a case may move to a stage, and if not, every reason why not. */
export function checkMove(facts: CaseFacts, move: MoveRequest): MoveCheck {
  const problems: string[] = [];
  if (!move.reason.trim()) problems.push("Give the reason for this step");
  if (facts.stage === "closed") {
    problems.push("The case is closed");
    return { ok: false, problems };
  }
  if (move.to === "closed") {
    if (!move.outcome) problems.push("Say whether the breach was remedied or there is no further action");
    return problems.length ? { ok: false, problems } : { ok: true };
  }
  const isNotice = move.to === "remedial_notice" || move.to === "breach_notice";
  const safetyOverride = isNotice && facts.patientSafetyReason !== null && facts.patientSafetyReason.trim() !== "";
  const allowed = NEXT[facts.stage].includes(move.to) || (safetyOverride && STAGES.indexOf(move.to) > STAGES.indexOf(facts.stage));
  if (!allowed) {
    problems.push(`A case at "${STAGE_LABELS[facts.stage]}" cannot move to "${STAGE_LABELS[move.to]}"`);
  }
  if (isNotice && !safetyOverride) {
    if (!facts.informalContactRecorded) problems.push("Record an informal contact (a call or meeting) before a notice, or record a patient-safety reason");
    if (!facts.supportOffered) problems.push("Offer support (a support plan) before a notice, or record a patient-safety reason");
  }
  if (move.to === "sanction_proposed" || move.to === "termination_considered") {
    if (facts.issuedNotices === 0) problems.push("A sanction or termination can only follow an issued remedial or breach notice");
  }
  if (move.to === "termination_considered") {
    if (!facts.lmcConsultationRecorded) problems.push("Record the consultation with the Local Medical Committee before considering termination");
    if (!move.cumulativeEffect?.trim())
      problems.push(`State the cumulative effect of the case's earlier notices (${facts.issuedNotices} issued)`);
  }
  return problems.length ? { ok: false, problems } : { ok: true };
}

/** The stages a case may move to next (for the form), given what is recorded. */
export function nextStages(facts: CaseFacts): Stage[] {
  if (facts.stage === "closed") return [];
  return [...STAGES.filter((s) => s !== "closed" && checkMove(facts, { to: s, reason: "x", cumulativeEffect: "x" }).ok), "closed"];
}

/* Notices ------------------------------------------------------------------------------------------------- */

export type NoticeType = "remedial" | "breach";
export type NoticeStatus = "draft" | "approved" | "issued" | "remedied" | "lapsed" | "withdrawn";
export type ShorterPeriodReason = "patient_safety" | "material_financial_loss";

export const NOTICE_LABELS: Record<NoticeType, string> = { remedial: "Remedial notice", breach: "Breach notice" };
export const SHORTER_PERIOD_LABELS: Record<ShorterPeriodReason, string> = {
  patient_safety: "to protect patient safety",
  material_financial_loss: "to protect the commissioner from material financial loss",
};

/** The contract's minimum period to remedy a breach, from the date of issue. */
export const MINIMUM_REMEDY_DAYS = 28;

export type RemedyPeriodCheck = { ok: true; remedyBy: string } | { ok: false; problem: string };

/**
 * The date by which a remedial notice's steps must be taken: `days` after the date of issue. At least 28 days,
 * unless a shorter period is needed to protect patient safety or to protect the commissioner from material
 * financial loss, and that reason is recorded.
 */
export function remedyPeriod(issueDate: string, days: number, shorter?: { reason: ShorterPeriodReason; explanation: string } | null): RemedyPeriodCheck {
  if (!isDate(issueDate)) return { ok: false, problem: "Enter the date of issue as a real date" };
  if (!Number.isInteger(days) || days < 1) return { ok: false, problem: "The period must be a whole number of days, at least 1" };
  if (days > 366) return { ok: false, problem: "The period must be 366 days or fewer" };
  if (days < MINIMUM_REMEDY_DAYS && !(shorter && shorter.explanation.trim())) {
    return {
      ok: false,
      problem: `The period must be at least ${MINIMUM_REMEDY_DAYS} days from the date of issue, unless a shorter period is needed to protect patient safety or to protect the commissioner from material financial loss, with the reason recorded`,
    };
  }
  return { ok: true, remedyBy: addDays(issueDate, days) };
}

export type NoticeAction = "approve" | "issue" | "mark_remedied" | "mark_lapsed" | "withdraw" | "edit";

/** Who may do what to a notice, and when. `actorIsAuthor` = the actor wrote the draft. */
export function checkNoticeAction(status: NoticeStatus, action: NoticeAction, actorIsAuthor: boolean): string | null {
  switch (action) {
    case "edit":
      return status === "draft" ? null : "Only a draft can be edited";
    case "approve":
      if (status !== "draft") return "Only a draft can be approved";
      return actorIsAuthor ? "A draft must be approved by a second commissioner, not its author" : null;
    case "issue":
      return status === "approved" ? null : "Only an approved notice can be issued";
    case "mark_remedied":
    case "mark_lapsed":
      return status === "issued" ? null : "Only an issued notice can be marked remedied or lapsed";
    case "withdraw":
      return status === "draft" || status === "approved" ? null : "An issued notice cannot be withdrawn";
  }
}

/* Case records ------------------------------------------------------------------------------------------- */

/** The stages a notice of each type takes the case to when it is issued. */
export const NOTICE_STAGE: Record<NoticeType, Stage> = { remedial: "remedial_notice", breach: "breach_notice" };

/** Notice statuses the practice may see: a notice it has been sent. Drafts and approved drafts never. */
export const PRACTICE_VISIBLE_NOTICE_STATUSES: readonly NoticeStatus[] = ["issued", "remedied", "lapsed"];

export const NOTICE_STATUS_LABELS: Record<NoticeStatus, string> = {
  draft: "Draft",
  approved: "Approved, not yet issued",
  issued: "Issued",
  remedied: "Remedied",
  lapsed: "Lapsed (not remedied in the period)",
  withdrawn: "Withdrawn",
};

/** Whether a notice of this type may be drafted: the support-first order, unless a patient-safety reason is recorded. */
export function checkNoticeDraft(facts: CaseFacts, type: NoticeType): string[] {
  const problems: string[] = [];
  if (facts.stage === "closed") return ["The case is closed"];
  const safety = facts.patientSafetyReason !== null && facts.patientSafetyReason.trim() !== "";
  if (!safety) {
    if (!facts.informalContactRecorded)
      problems.push(`Record an informal contact (a call or meeting) before a ${NOTICE_LABELS[type].toLowerCase()}, or record a patient-safety reason`);
    if (!facts.supportOffered) problems.push(`Offer support (a support plan) before a ${NOTICE_LABELS[type].toLowerCase()}, or record a patient-safety reason`);
  }
  return problems;
}

/** Whether the case should move when a notice of this type is issued (it is not yet at or past the notice's stage). */
export function stageAfterIssue(current: Stage, type: NoticeType): Stage | null {
  const target = NOTICE_STAGE[type];
  return STAGES.indexOf(current) < STAGES.indexOf(target) ? target : null;
}

/**
 * A remedial notice lapses when its steps were not taken by the remedy-by date: it can be marked lapsed only after
 * that date. A breach notice has no remedy period and may be marked lapsed (no longer in force) at any time after issue.
 */
export function checkLapse(type: NoticeType, remedyBy: string | null, today: string): string | null {
  if (type === "remedial" && remedyBy && today <= remedyBy)
    return `The remedy period runs to ${remedyBy}: a remedial notice can only be marked lapsed after that date`;
  return null;
}

export const INFORMAL_CONTACT_KINDS = ["call", "meeting"] as const;
export type InformalContactKind = (typeof INFORMAL_CONTACT_KINDS)[number];

export const SUPPORT_ITEM_STATUSES = ["planned", "in_progress", "done", "not_done", "cancelled"] as const;
export type SupportItemStatus = (typeof SUPPORT_ITEM_STATUSES)[number];
export const SUPPORT_ITEM_STATUS_LABELS: Record<SupportItemStatus, string> = {
  planned: "Planned",
  in_progress: "In progress",
  done: "Done",
  not_done: "Not done",
  cancelled: "Cancelled",
};

export const RESPONSE_KINDS = ["acknowledgement", "response", "review_request"] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];
export const RESPONSE_LABELS: Record<ResponseKind, string> = {
  acknowledgement: "Acknowledgement",
  response: "Written response",
  review_request: "Request for review",
};

/** Every kind of entry in a case's record (case_events.kind). */
export const EVENT_KINDS = [
  "opened",
  "moved",
  "closed",
  "updated",
  "informal_contact",
  "patient_safety_reason",
  "lmc_consultation",
  "support_items_added",
  "support_item_updated",
  "support_progress",
  "notice_drafted",
  "notice_edited",
  "notice_approved",
  "notice_issued",
  "notice_remedied",
  "notice_lapsed",
  "notice_withdrawn",
  "acknowledgement",
  "response",
  "review_request",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_LABELS: Record<EventKind, string> = {
  opened: "Case opened",
  moved: "Stage changed",
  closed: "Case closed",
  updated: "Case details changed",
  informal_contact: "Informal contact recorded",
  patient_safety_reason: "Patient-safety reason recorded",
  lmc_consultation: "LMC consultation recorded",
  support_items_added: "Support offered",
  support_item_updated: "Support plan item changed",
  support_progress: "Support progress recorded",
  notice_drafted: "Notice drafted",
  notice_edited: "Notice draft edited",
  notice_approved: "Notice approved",
  notice_issued: "Notice issued",
  notice_remedied: "Notice marked remedied",
  notice_lapsed: "Notice marked lapsed",
  notice_withdrawn: "Notice withdrawn",
  acknowledgement: "Practice acknowledged",
  response: "Practice responded",
  review_request: "Practice asked for a review",
};

/** Steps of a notice the practice never sees: it is not told of drafts until one is issued. */
export const PRACTICE_HIDDEN_EVENTS: readonly EventKind[] = ["notice_drafted", "notice_edited", "notice_approved", "notice_withdrawn"];

/**
 * Whether a remedy period (days from the date of issue) may be set before the date of issue is known: the same rule
 * as `remedyPeriod` (at least 28 days, unless a shorter-period reason is recorded with its explanation).
 */
export function checkRemedyDays(days: number, shorter?: { reason: ShorterPeriodReason; explanation: string } | null): string | null {
  const check = remedyPeriod("2001-01-01", days, shorter);
  return check.ok ? null : check.problem;
}

/* Who may do what in a case ------------------------------------------------------------------------------- */

interface CasePrincipal {
  role: "icb" | "practice" | "admin";
  icbCode: string | null;
  practiceCode: string | null;
}

/**
 * The two sides of a case. ICB steps (opening, moves, contacts, support plans, notices) are for a commissioner of
 * the practice's current ICB; practice steps (acknowledging, responding, asking for a review, recording progress on
 * its plan) for the practice's own manager. Admins only look, as for pauses (docs/decisions/0010): a case is a
 * commissioning decision.
 */
export function canActForIcb(user: CasePrincipal, practice: { icb_code: string | null }): boolean {
  return user.role === "icb" && user.icbCode !== null && practice.icb_code === user.icbCode;
}

export function canActForPractice(user: CasePrincipal, practice: { ods_code: string }): boolean {
  return user.role === "practice" && user.practiceCode === practice.ods_code;
}
