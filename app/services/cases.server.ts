import type { Kysely, Selectable } from "kysely";
import { z } from "zod";
import { recordAudit } from "../../db/audit";
import type { CaseEventTable, CaseTable, Database, NoticeTable, SupportPlanItemTable, SupportProgressTable } from "../../db/schema";
import { canViewIcb, canViewPractice } from "~/domain/access";
import { addDays, isDate, londonDate } from "~/domain/calendar";
import { buildEvidence, EvidenceSnapshotSchema, type EvidenceSnapshot } from "~/domain/case-evidence";
import {
  canActForIcb,
  canActForPractice,
  checkMove,
  INFORMAL_CONTACT_KINDS,
  nextStages,
  PRACTICE_VISIBLE_NOTICE_STATUSES,
  RESPONSE_KINDS,
  STAGE_LABELS,
  SUPPORT_ITEM_STATUSES,
  type CaseFacts,
  type EventKind,
  type InformalContactKind,
  type MoveRequest,
  type Outcome,
  type ResponseKind,
  type Stage,
  type SupportItemStatus,
} from "~/domain/cases";
import type { DateRange } from "~/domain/compliance-report";
import { reasonKeys, suggestSupportActions, supportActionById, type SupportSuggestion } from "~/domain/support-actions";
import { icbComplianceSummary } from "~/queries/compliance.server";
import { classifyIcbPractices, classifyPractice } from "./classification.server";
import { complianceRows, loadCalendar } from "./compliance.server";
import { getPolicy } from "./policy.server";

/**
 * Cases: a fair, recorded, human-decided process, support first (app/domain/cases.ts has the rules).
 *
 * Every function takes the acting user and checks their role and scope again, against the database (not the
 * session): ICB steps need a commissioner of the practice's current ICB, practice steps the practice's own manager,
 * and a case the user may not see at all is "not found", exactly like one that does not exist (docs/decisions/0005).
 * A refusal is a `CaseError`, which a route maps to 404, 403 or 400 (`status`).
 *
 * Every step is one transaction that writes the change, an entry in the case's record (`case_events`, append-only,
 * with the compliance evidence for the case period as it stood) and an audit log entry (who, what, when, from where).
 */

type Db = Kysely<Database>;

export type CaseErrorKind = "not_found" | "forbidden" | "invalid";

export class CaseError extends Error {
  readonly status: 400 | 403 | 404;
  constructor(
    readonly kind: CaseErrorKind,
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = "CaseError";
    this.status = kind === "not_found" ? 404 : kind === "forbidden" ? 403 : 400;
  }
}

const notFound = () => new CaseError("not_found", "Page not found");
const forbidden = () => new CaseError("forbidden", "You do not have permission to do this");
export const invalid = (problems: string[]) => new CaseError("invalid", problems.join("; "), problems);

export interface CaseActor {
  /** The signed-in user. Only the id is taken from here: role and scope are read again from the database. */
  user: { id: number };
  /** Where from: the client address, or `cli`. */
  ip: string | null;
  /** When the step happened, if not now (the demo, back-filling a record). The audit log keeps the real time. */
  at?: string;
}

export interface Acting {
  id: number;
  email: string;
  name: string;
  role: "icb" | "practice" | "admin";
  icbCode: string | null;
  practiceCode: string | null;
  ip: string | null;
  /** ISO instant of the step. */
  at: string;
  /** The London date of the step. */
  today: string;
}

export async function loadActing(db: Db, actor: CaseActor): Promise<Acting> {
  const u = await db
    .selectFrom("users")
    .select(["id", "email", "name", "role", "icb_code", "practice_code", "disabled_at"])
    .where("id", "=", actor.user.id)
    .executeTakeFirst();
  if (!u || u.disabled_at) throw forbidden();
  const at = actor.at ?? new Date().toISOString();
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw invalid(["The time of the step is not a valid instant"]);
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    icbCode: u.icb_code,
    practiceCode: u.practice_code,
    ip: actor.ip,
    at: new Date(ms).toISOString(),
    today: londonDate(Math.floor(ms / 60_000)),
  };
}

export interface ScopedPractice {
  ods_code: string;
  name: string;
  icb_code: string | null;
  address_line1: string | null;
  address_line2: string | null;
  address_line3: string | null;
  address_line4: string | null;
  address_line5: string | null;
  postcode: string | null;
  contract_type: string | null;
}

/** What a step needs: to see the practice, to act for its ICB, or to act for the practice itself. */
export type Need = "view" | "icb" | "practice" | "icb_view";

/** Refuses (404 / 403) unless the acting user may do what is needed for this practice. */
export function requireScope(acting: Acting, practice: { ods_code: string; icb_code: string | null }, need: Need): void {
  if (!canViewPractice(acting, practice)) throw notFound();
  if (need === "icb" && !canActForIcb(acting, practice)) throw forbidden();
  if (need === "practice" && !canActForPractice(acting, practice)) throw forbidden();
  if (need === "icb_view" && acting.role === "practice") throw forbidden();
}

export async function loadPractice(db: Db, odsCode: string): Promise<ScopedPractice | undefined> {
  return db
    .selectFrom("practices")
    .select(["ods_code", "name", "icb_code", "address_line1", "address_line2", "address_line3", "address_line4", "address_line5", "postcode", "contract_type"])
    .where("ods_code", "=", odsCode)
    .executeTakeFirst();
}

export type CaseRow = Selectable<CaseTable>;

/** The case and its practice, after checking the acting user's scope. */
export async function loadCase(db: Db, acting: Acting, caseId: number, need: Need): Promise<{ c: CaseRow; practice: ScopedPractice }> {
  if (!Number.isInteger(caseId) || caseId < 1) throw notFound();
  const c = await db.selectFrom("cases").selectAll().where("id", "=", caseId).executeTakeFirst();
  if (!c) throw notFound();
  const practice = await loadPractice(db, c.practice_code);
  if (!practice) throw notFound();
  requireScope(acting, practice, need);
  return { c, practice };
}

/* Evidence ---------------------------------------------------------------------------------------------------- */

const JsonStrings = z.array(z.string());
const JsonNumbers = z.array(z.number());
const parseList = <T>(schema: z.ZodType<T[]>, text: string): T[] => {
  try {
    return schema.safeParse(JSON.parse(text)).data ?? [];
  } catch {
    return [];
  }
};

/**
 * The compliance evidence for a practice over a period, as it stands now: the compliance CLI's rows (a core day
 * without stored data is 630 minutes of no data), the closure episodes, the approved pauses overlapping the period,
 * and the flags under the ICB's policy.
 */
export async function evidenceSnapshot(db: Db, practice: { ods_code: string; icb_code: string | null }, from: string, to: string, takenAt: string): Promise<EvidenceSnapshot> {
  const calendar = await loadCalendar(db);
  const [rows, stored, episodes, policy] = await Promise.all([
    complianceRows(db, calendar, [practice.ods_code], from, to),
    db.selectFrom("compliance_days").select("date").where("practice_code", "=", practice.ods_code).where("date", ">=", from).where("date", "<=", to).execute(),
    db
      .selectFrom("closure_episodes")
      .selectAll()
      .where("practice_code", "=", practice.ods_code)
      .where("date", ">=", from)
      .where("date", "<=", to)
      .orderBy("start_min")
      .execute(),
    practice.icb_code ? getPolicy(db, practice.icb_code) : getPolicy(db, ""),
  ]);
  const days = calendar.coreDays(from, to);
  let pauses: Awaited<ReturnType<typeof approvedPauses>> = [];
  if (days.length > 0) {
    const start = calendar.coreWindow(days[0]!)!.start;
    const end = calendar.coreWindow(days.at(-1)!)!.end;
    pauses = await approvedPauses(db, practice.ods_code, start, end);
  }
  return buildEvidence({
    practiceCode: practice.ods_code,
    from,
    to,
    takenAt,
    rows,
    datesWithData: new Set(stored.map((r) => r.date)),
    episodes: episodes.map((e) => ({
      date: e.date,
      start_min: e.start_min,
      end_min: e.end_min,
      minutes: e.minutes,
      category: e.category,
      excepted: e.excepted === 1,
      reasons: parseList(JsonStrings, e.reasons),
      pauseIds: parseList(JsonNumbers, e.pause_ids),
    })),
    pauses,
    policy: { closedMinutesPerDay: policy.closedMinutesPerDay, flaggedDays: policy.flaggedDays, windowDays: policy.windowDays },
  });
}

function approvedPauses(db: Db, practiceCode: string, start: number, end: number) {
  return db
    .selectFrom("pause_requests")
    .select(["id", "category", "start_min", "end_min", "reason", "kind", "decided_at"])
    .where("practice_code", "=", practiceCode)
    .where("status", "=", "approved")
    .where("start_min", "<", end)
    .where("end_min", ">", start)
    .orderBy("start_min")
    .execute();
}

/* One step ---------------------------------------------------------------------------------------------------- */

export interface EventInput {
  kind: EventKind;
  from?: Stage | null;
  to?: Stage | null;
  text?: string | null;
  noticeId?: number | null;
  detail?: Record<string, unknown> | null;
  /** False for steps the practice never sees (drafts). Default true. */
  visible?: boolean;
}

/** One step in a case, inside a transaction: the record entry (with the evidence, computed once per step) and the audit entry. */
export class CaseStep {
  private evidence: Promise<EvidenceSnapshot> | undefined;
  constructor(
    readonly trx: Db,
    readonly acting: Acting,
    public c: CaseRow,
    readonly practice: ScopedPractice,
  ) {}

  snapshot(): Promise<EvidenceSnapshot> {
    this.evidence ??= evidenceSnapshot(this.trx, this.practice, this.c.period_from, this.c.period_to, this.acting.at);
    return this.evidence;
  }

  /** The case as it now is in the database (after an update in this step); the evidence is then taken afresh. */
  async reload(): Promise<void> {
    this.c = await this.trx.selectFrom("cases").selectAll().where("id", "=", this.c.id).executeTakeFirstOrThrow();
    this.evidence = undefined;
  }

  async event(e: EventInput): Promise<number> {
    const evidence = await this.snapshot();
    const { id } = await this.trx
      .insertInto("case_events")
      .values({
        case_id: this.c.id,
        at: this.acting.at,
        user_id: this.acting.id,
        actor: this.acting.email,
        kind: e.kind,
        from_stage: e.from ?? null,
        to_stage: e.to ?? null,
        text: e.text ?? null,
        notice_id: e.noticeId ?? null,
        detail: e.detail ? JSON.stringify(e.detail) : null,
        evidence: JSON.stringify(evidence),
        practice_visible: e.visible === false ? 0 : 1,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return id;
  }

  async audit(action: string, entity: { type: string; id: number }, detail: Record<string, unknown>): Promise<void> {
    await recordAudit(this.trx, {
      actor: this.acting.email,
      userId: this.acting.id,
      ip: this.acting.ip,
      action,
      entityType: entity.type,
      entityId: String(entity.id),
      detail: { caseId: this.c.id, practiceCode: this.c.practice_code, ...detail, stepAt: this.acting.at },
    });
  }

  async touch(values: Partial<Omit<CaseRow, "id">> = {}): Promise<void> {
    await this.trx
      .updateTable("cases")
      .set({ ...values, updated_at: new Date().toISOString() })
      .where("id", "=", this.c.id)
      .execute();
    await this.reload();
  }
}

/** Runs a case step: loads the acting user and the case with the scope needed, in one transaction. */
export async function inCaseStep<T>(db: Db, actor: CaseActor, caseId: number, need: Need, fn: (step: CaseStep) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const acting = await loadActing(trx, actor);
    const { c, practice } = await loadCase(trx, acting, caseId, need);
    return fn(new CaseStep(trx, acting, c, practice));
  });
}

/* Facts and moves --------------------------------------------------------------------------------------------- */

const ISSUED = [...PRACTICE_VISIBLE_NOTICE_STATUSES];

export async function caseFacts(db: Db, c: CaseRow): Promise<CaseFacts> {
  const [contact, support, notices] = await Promise.all([
    db.selectFrom("case_events").select("id").where("case_id", "=", c.id).where("kind", "=", "informal_contact").limit(1).executeTakeFirst(),
    db.selectFrom("support_plan_items").select("id").where("case_id", "=", c.id).where("status", "!=", "cancelled").limit(1).executeTakeFirst(),
    db
      .selectFrom("notices")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("case_id", "=", c.id)
      .where("status", "in", ISSUED)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    stage: c.stage,
    informalContactRecorded: Boolean(contact),
    supportOffered: Boolean(support),
    patientSafetyReason: c.patient_safety_reason,
    issuedNotices: Number(notices.n),
    lmcConsultationRecorded: c.lmc_consulted_at !== null,
  };
}

/** Every notice issued to the practice (in any of its cases), oldest first: the contract's notice history. */
export async function practiceNoticeHistory(db: Db, practiceCode: string, exceptNoticeId?: number) {
  let q = db
    .selectFrom("notices")
    .innerJoin("cases", "cases.id", "notices.case_id")
    .select([
      "notices.id",
      "notices.case_id",
      "notices.type",
      "notices.status",
      "notices.issue_date",
      "notices.remedy_by",
      "notices.period_from",
      "notices.period_to",
    ])
    .where("cases.practice_code", "=", practiceCode)
    .where("notices.status", "in", ISSUED)
    .orderBy("notices.issue_date")
    .orderBy("notices.id");
  if (exceptNoticeId !== undefined) q = q.where("notices.id", "!=", exceptNoticeId);
  return q.execute();
}

/** Notice stages reached by a move rather than by issuing a notice are the ICB's own decision: the practice sees them once a notice is issued. */
const HIDDEN_MOVES: readonly Stage[] = ["remedial_notice", "breach_notice"];

/** Applies a move after checking it against the rules; records it and audits it. */
export async function applyMove(step: CaseStep, move: MoveRequest, options: { visible?: boolean; detail?: Record<string, unknown>; noticeId?: number } = {}): Promise<void> {
  const facts = await caseFacts(step.trx, step.c);
  const check = checkMove(facts, move);
  if (!check.ok) throw invalid(check.problems);
  const from = step.c.stage;
  const detail: Record<string, unknown> = { ...options.detail };
  if (move.to === "termination_considered" || move.to === "sanction_proposed") {
    const history = await practiceNoticeHistory(step.trx, step.c.practice_code);
    detail.issuedNoticesInCase = facts.issuedNotices;
    detail.earlierNotices = history.map((n) => ({ id: n.id, caseId: n.case_id, type: n.type, status: n.status, issueDate: n.issue_date, remedyBy: n.remedy_by }));
    if (move.cumulativeEffect) detail.cumulativeEffect = move.cumulativeEffect.trim();
  }
  if (move.to === "closed") {
    await step.touch({ stage: "closed", closed_at: step.acting.at, outcome: move.outcome! });
    await step.event({ kind: "closed", from, to: "closed", text: move.reason.trim(), detail: { outcome: move.outcome, ...detail }, noticeId: options.noticeId });
    await step.audit("case.closed", { type: "case", id: step.c.id }, { from, outcome: move.outcome, reason: move.reason.trim() });
    return;
  }
  await step.touch({ stage: move.to });
  await step.event({
    kind: "moved",
    from,
    to: move.to,
    text: move.reason.trim(),
    detail: Object.keys(detail).length ? detail : null,
    noticeId: options.noticeId,
    visible: options.visible ?? !HIDDEN_MOVES.includes(move.to),
  });
  await step.audit("case.moved", { type: "case", id: step.c.id }, { from, to: move.to, reason: move.reason.trim(), ...detail });
}

/* Input checks ------------------------------------------------------------------------------------------------ */

const text = (what: string, max: number, min = 1) =>
  z
    .string({ message: `Enter ${what}` })
    .trim()
    .min(min, min > 1 ? `${what[0]!.toUpperCase()}${what.slice(1)} must be at least ${min} characters` : `Enter ${what}`)
    .max(max, `${what[0]!.toUpperCase()}${what.slice(1)} must be ${max.toLocaleString("en-GB")} characters or fewer`);
const date = (what: string) => z.string({ message: `Enter ${what}` }).refine(isDate, `Enter ${what} as a real date (YYYY-MM-DD)`);

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw invalid(r.error.issues.map((i) => i.message));
  return r.data;
}

function checkPeriod(from: string, to: string, today: string): string[] {
  const problems: string[] = [];
  if (from > to) problems.push("The period's first day must not be after its last day");
  if (to > today) problems.push("The period cannot end after today");
  if (from < addDays(to, -366)) problems.push("The period must be a year or shorter");
  return problems;
}

async function requireOwner(db: Db, ownerId: number, practice: ScopedPractice): Promise<void> {
  const owner = await db.selectFrom("users").select(["role", "icb_code", "disabled_at"]).where("id", "=", ownerId).executeTakeFirst();
  if (!owner || owner.disabled_at || owner.role !== "icb" || owner.icb_code !== practice.icb_code) {
    throw invalid(["The owner must be a commissioner of the practice's ICB"]);
  }
}

/* Opening, suggesting, changing ------------------------------------------------------------------------------- */

export const OpenCaseSchema = z.object({
  practiceCode: z.string().trim().toUpperCase().min(1, "Choose the practice"),
  from: date("the period's first day"),
  to: date("the period's last day"),
  summary: text("a summary of the concern", 5000),
  ownerId: z.number().int().positive().optional(),
  patientSafetyReason: z.string().trim().max(5000).nullish(),
  nextReviewDate: date("the next review date").nullish(),
});
export type OpenCaseInput = z.input<typeof OpenCaseSchema>;

/** A commissioner of the practice's ICB opens a case (the app only ever suggests one). Returns its id. */
export async function openCase(db: Db, actor: CaseActor, input: OpenCaseInput): Promise<number> {
  const v = parse(OpenCaseSchema, input);
  return db.transaction().execute(async (trx) => {
    const acting = await loadActing(trx, actor);
    const practice = await loadPractice(trx, v.practiceCode);
    if (!practice) throw notFound();
    requireScope(acting, practice, "icb");
    const problems = checkPeriod(v.from, v.to, acting.today);
    if (problems.length) throw invalid(problems);
    const ownerId = v.ownerId ?? acting.id;
    await requireOwner(trx, ownerId, practice);
    const open = await trx.selectFrom("cases").select("id").where("practice_code", "=", practice.ods_code).where("stage", "!=", "closed").executeTakeFirst();
    if (open) throw invalid([`This practice already has an open case (case ${open.id})`]);
    const now = new Date().toISOString();
    const { id } = await trx
      .insertInto("cases")
      .values({
        practice_code: practice.ods_code,
        opened_by: acting.id,
        opened_at: acting.at,
        stage: "concern_noted",
        owner_id: ownerId,
        period_from: v.from,
        period_to: v.to,
        summary: v.summary,
        patient_safety_reason: v.patientSafetyReason?.trim() || null,
        lmc_consulted_at: null,
        lmc_consulted_by: null,
        lmc_note: null,
        next_review_date: v.nextReviewDate ?? null,
        closed_at: null,
        outcome: null,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const c = await trx.selectFrom("cases").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const step = new CaseStep(trx, acting, c, practice);
    await step.event({
      kind: "opened",
      to: "concern_noted",
      text: v.summary,
      detail: { ownerId, period: { from: v.from, to: v.to }, patientSafetyReason: c.patient_safety_reason, nextReviewDate: c.next_review_date },
    });
    await step.audit("case.opened", { type: "case", id }, { period: { from: v.from, to: v.to }, ownerId, summary: v.summary, patientSafetyReason: c.patient_safety_reason });
    return id;
  });
}

export interface CaseSuggestion {
  odsCode: string;
  name: string;
  pcnName: string | null;
  flaggedDays: number;
  closedMinutes: number;
  unknownMinutes: number;
  coreMinutes: number;
  classification: string | null;
  classificationLabel: string | null;
}

/**
 * Practices of the ICB flagged under its policy over the range that have no open case: a list for a commissioner
 * to look at. Opening a case is always a person's decision.
 */
export async function suggestCases(db: Db, icbCode: string, range: DateRange): Promise<CaseSuggestion[]> {
  const calendar = await loadCalendar(db);
  const policy = await getPolicy(db, icbCode);
  const summary = await icbComplianceSummary(db, calendar, icbCode, range, policy);
  const flagged = summary.filter((r) => r.flagged);
  if (flagged.length === 0) return [];
  const open = await db
    .selectFrom("cases")
    .innerJoin("practices", "practices.ods_code", "cases.practice_code")
    .select("cases.practice_code")
    .where("practices.icb_code", "=", icbCode)
    .where("cases.stage", "!=", "closed")
    .execute();
  const withCase = new Set(open.map((r) => r.practice_code));
  const candidates = flagged.filter((r) => !withCase.has(r.odsCode));
  if (candidates.length === 0) return [];
  const classes = await classifyIcbPractices(db, { calendar, icbCode, range, policy, summary });
  return candidates
    .map((r) => {
      const k = classes.get(r.odsCode)?.result;
      return {
        odsCode: r.odsCode,
        name: r.name,
        pcnName: r.pcnName,
        flaggedDays: r.flaggedDays,
        closedMinutes: r.closed,
        unknownMinutes: r.unknown,
        coreMinutes: r.coreMinutes,
        classification: k?.classification ?? null,
        classificationLabel: k?.label ?? null,
      };
    })
    .sort((a, b) => b.flaggedDays - a.flaggedDays || b.closedMinutes - a.closedMinutes || a.odsCode.localeCompare(b.odsCode));
}

export const UpdateCaseSchema = z.object({
  ownerId: z.number().int().positive().optional(),
  nextReviewDate: date("the next review date").nullish(),
  summary: text("a summary of the concern", 5000).optional(),
  periodFrom: date("the period's first day").optional(),
  periodTo: date("the period's last day").optional(),
  reason: text("the reason for the change", 2000).optional(),
});

/** The owner, next review date, summary or period of an open case. */
export async function updateCase(db: Db, actor: CaseActor, caseId: number, input: z.input<typeof UpdateCaseSchema>): Promise<void> {
  const v = parse(UpdateCaseSchema, input);
  await inCaseStep(db, actor, caseId, "icb", async (step) => {
    const c = step.c;
    if (c.stage === "closed") throw invalid(["The case is closed"]);
    const changes: Partial<CaseRow> = {};
    if (v.ownerId !== undefined && v.ownerId !== c.owner_id) {
      await requireOwner(step.trx, v.ownerId, step.practice);
      changes.owner_id = v.ownerId;
    }
    if (v.nextReviewDate !== undefined && (v.nextReviewDate ?? null) !== c.next_review_date) changes.next_review_date = v.nextReviewDate ?? null;
    if (v.summary !== undefined && v.summary !== c.summary) changes.summary = v.summary;
    const from = v.periodFrom ?? c.period_from;
    const to = v.periodTo ?? c.period_to;
    if (from !== c.period_from || to !== c.period_to) {
      const problems = checkPeriod(from, to, step.acting.today);
      if (problems.length) throw invalid(problems);
      changes.period_from = from;
      changes.period_to = to;
    }
    if (Object.keys(changes).length === 0) return;
    const before = Object.fromEntries(Object.keys(changes).map((k) => [k, c[k as keyof CaseRow]]));
    await step.touch(changes);
    await step.event({ kind: "updated", text: v.reason ?? null, detail: { before, after: changes } });
    await step.audit("case.updated", { type: "case", id: c.id }, { before, after: changes, reason: v.reason ?? null });
  });
}

/** Records (or replaces) the patient-safety reason that lets a notice follow without the informal steps. */
export async function recordPatientSafetyReason(db: Db, actor: CaseActor, caseId: number, reason: string): Promise<void> {
  const r = parse(text("the patient-safety reason", 5000, 10), reason);
  await inCaseStep(db, actor, caseId, "icb", async (step) => {
    if (step.c.stage === "closed") throw invalid(["The case is closed"]);
    const before = step.c.patient_safety_reason;
    await step.touch({ patient_safety_reason: r });
    await step.event({ kind: "patient_safety_reason", text: r, detail: { before } });
    await step.audit("case.patient_safety_reason", { type: "case", id: step.c.id }, { before, after: r });
  });
}

/* Informal contact, support ----------------------------------------------------------------------------------- */

export const InformalContactSchema = z.object({
  date: date("the date of the call or meeting"),
  kind: z.enum(INFORMAL_CONTACT_KINDS, { message: "Say whether it was a call or a meeting" }),
  attendees: text("who took part", 2000),
  notes: text("notes of what was discussed", 10_000),
});
export type InformalContactInput = z.input<typeof InformalContactSchema>;

/**
 * Records a call or meeting with the practice. A case at "concern noted" moves to "informal contact" with it (the
 * move is recorded like any other).
 */
export async function recordInformalContact(db: Db, actor: CaseActor, caseId: number, input: InformalContactInput): Promise<void> {
  const v = parse(InformalContactSchema, input);
  await inCaseStep(db, actor, caseId, "icb", async (step) => {
    if (step.c.stage === "closed") throw invalid(["The case is closed"]);
    if (v.date > step.acting.today) throw invalid(["The call or meeting cannot be in the future"]);
    const detail = { date: v.date, kind: v.kind as InformalContactKind, attendees: v.attendees, notes: v.notes };
    await step.event({ kind: "informal_contact", text: v.notes, detail });
    await step.audit("case.informal_contact", { type: "case", id: step.c.id }, detail);
    if (step.c.stage === "concern_noted") {
      await applyMove(step, { to: "informal_contact", reason: `Informal contact recorded: ${v.kind} on ${v.date}` });
    }
  });
}

export const SupportItemSchema = z.object({
  actionId: z.string().trim().min(1, "Choose a support action"),
  title: z.string().trim().max(300, "The title must be 300 characters or fewer").optional(),
  owner: z.string().trim().max(300, "The owner must be 300 characters or fewer").optional(),
  dueDate: date("the due date").nullish(),
  reviewDate: date("the review date").nullish(),
});
export type SupportItemInput = z.input<typeof SupportItemSchema>;

/**
 * Offers support: adds actions from the library (or `other`, with a title) to the case's plan, each with an owner,
 * a due date and a review date. A case at "informal contact" moves to "support offered" with it. Returns the new
 * items' ids.
 */
export async function addSupportPlanItems(db: Db, actor: CaseActor, caseId: number, items: SupportItemInput[]): Promise<number[]> {
  const list = parse(z.array(SupportItemSchema).min(1, "Choose at least one support action").max(30), items);
  const rows = list.map((item, i) => {
    const action = supportActionById(item.actionId);
    if (!action && item.actionId !== "other") throw invalid([`Item ${i + 1}: "${item.actionId}" is not in the support-action library`]);
    const title = item.title || action?.title || "";
    const owner = item.owner || action?.owner || "";
    const problems: string[] = [];
    if (!title) problems.push(`Item ${i + 1}: give the action a title`);
    if (!owner) problems.push(`Item ${i + 1}: say who owns it`);
    if (item.dueDate && item.reviewDate && item.reviewDate < item.dueDate) problems.push(`Item ${i + 1}: the review date must not be before the due date`);
    if (problems.length) throw invalid(problems);
    return { action_id: item.actionId, title, owner, due_date: item.dueDate ?? null, review_date: item.reviewDate ?? null };
  });
  return inCaseStep(db, actor, caseId, "icb", async (step) => {
    if (step.c.stage === "closed") throw invalid(["The case is closed"]);
    const now = new Date().toISOString();
    const ids: number[] = [];
    for (const r of rows) {
      const { id } = await step.trx
        .insertInto("support_plan_items")
        .values({ ...r, case_id: step.c.id, status: "planned", created_by: step.acting.id, created_at: step.acting.at, updated_at: now })
        .returning("id")
        .executeTakeFirstOrThrow();
      ids.push(id);
    }
    const detail = { items: rows.map((r, i) => ({ id: ids[i], ...r })) };
    await step.event({ kind: "support_items_added", text: rows.map((r) => r.title).join("; "), detail });
    await step.audit("case.support_offered", { type: "case", id: step.c.id }, detail);
    if (step.c.stage === "informal_contact") {
      await applyMove(step, { to: "support_offered", reason: `Support offered: ${rows.map((r) => r.title).join("; ")}` });
    }
    return ids;
  });
}

async function loadItem(db: Db, itemId: number): Promise<Selectable<SupportPlanItemTable>> {
  if (!Number.isInteger(itemId) || itemId < 1) throw notFound();
  const item = await db.selectFrom("support_plan_items").selectAll().where("id", "=", itemId).executeTakeFirst();
  if (!item) throw notFound();
  return item;
}

export const UpdateSupportItemSchema = z.object({
  status: z.enum(SUPPORT_ITEM_STATUSES, { message: "Choose a status" }).optional(),
  owner: text("who owns it", 300).optional(),
  dueDate: date("the due date").nullish(),
  reviewDate: date("the review date").nullish(),
  note: z.string().trim().max(5000).optional(),
});

/** The ICB changes a plan item (status, owner, due or review date). */
export async function updateSupportItem(db: Db, actor: CaseActor, itemId: number, input: z.input<typeof UpdateSupportItemSchema>): Promise<void> {
  const v = parse(UpdateSupportItemSchema, input);
  await db.transaction().execute(async (trx) => {
    const acting = await loadActing(trx, actor);
    const item = await loadItem(trx, itemId);
    const { c, practice } = await loadCase(trx, acting, item.case_id, "icb");
    const step = new CaseStep(trx, acting, c, practice);
    if (c.stage === "closed") throw invalid(["The case is closed"]);
    const changes: Partial<Selectable<SupportPlanItemTable>> = {};
    if (v.status !== undefined && v.status !== item.status) changes.status = v.status;
    if (v.owner !== undefined && v.owner !== item.owner) changes.owner = v.owner;
    if (v.dueDate !== undefined && (v.dueDate ?? null) !== item.due_date) changes.due_date = v.dueDate ?? null;
    if (v.reviewDate !== undefined && (v.reviewDate ?? null) !== item.review_date) changes.review_date = v.reviewDate ?? null;
    if (Object.keys(changes).length === 0) return;
    const before = Object.fromEntries(Object.keys(changes).map((k) => [k, item[k as keyof typeof item]]));
    await trx
      .updateTable("support_plan_items")
      .set({ ...changes, updated_at: new Date().toISOString() })
      .where("id", "=", item.id)
      .execute();
    const detail = { itemId: item.id, title: item.title, before, after: changes };
    await step.event({ kind: "support_item_updated", text: v.note || null, detail });
    await step.audit("case.support_item_updated", { type: "support_plan_item", id: item.id }, { ...detail, note: v.note ?? null });
  });
}

export const ProgressSchema = z.object({
  status: z.enum(SUPPORT_ITEM_STATUSES, { message: "Choose a status" }),
  note: text("a note of the progress", 5000),
});

/**
 * Progress on a plan item, from the practice (its own manager) or from the ICB (a commissioner of its ICB); the
 * item takes the status given. Returns the progress entry's id.
 */
export async function recordProgress(db: Db, actor: CaseActor, itemId: number, input: z.input<typeof ProgressSchema>): Promise<number> {
  const v = parse(ProgressSchema, input);
  return db.transaction().execute(async (trx) => {
    const acting = await loadActing(trx, actor);
    const item = await loadItem(trx, itemId);
    const { c, practice } = await loadCase(trx, acting, item.case_id, "view");
    const side = canActForPractice(acting, practice) ? "practice" : canActForIcb(acting, practice) ? "icb" : null;
    if (!side) throw forbidden();
    if (c.stage === "closed") throw invalid(["The case is closed"]);
    const step = new CaseStep(trx, acting, c, practice);
    const { id } = await trx
      .insertInto("support_progress")
      .values({ item_id: item.id, side, status: v.status as SupportItemStatus, note: v.note, by_user: acting.id, at: acting.at })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx.updateTable("support_plan_items").set({ status: v.status, updated_at: new Date().toISOString() }).where("id", "=", item.id).execute();
    const detail = { itemId: item.id, title: item.title, side, from: item.status, status: v.status };
    await step.event({ kind: "support_progress", text: v.note, detail });
    await step.audit("case.support_progress", { type: "support_plan_item", id: item.id }, { ...detail, note: v.note, progressId: id });
    return id;
  });
}

/* Moves, LMC, closing ----------------------------------------------------------------------------------------- */

export const MoveSchema = z.object({
  to: z.enum(["concern_noted", "informal_contact", "support_offered", "remedial_notice", "breach_notice", "sanction_proposed", "termination_considered", "closed"], {
    message: "Choose the stage",
  }),
  reason: z.string().max(10_000, "The reason must be 10,000 characters or fewer"),
  outcome: z.enum(["remedied", "no_further_action"]).optional(),
  cumulativeEffect: z.string().max(10_000, "The statement must be 10,000 characters or fewer").optional(),
});

/**
 * Moves the case to a stage, under the rules of `checkMove`: forward one step at a time (or to closed), a notice
 * stage only after an informal contact and support (unless a patient-safety reason is recorded), a sanction or
 * termination only after an issued notice, and termination only with the LMC consultation recorded and a statement
 * of the cumulative effect of the earlier notices (which are recorded with the move).
 */
export async function moveStage(db: Db, actor: CaseActor, caseId: number, move: z.input<typeof MoveSchema>): Promise<void> {
  const v = parse(MoveSchema, move);
  await inCaseStep(db, actor, caseId, "icb", async (step) => {
    if (v.to === "closed") await refuseOpenDrafts(step);
    await applyMove(step, { to: v.to, reason: v.reason, outcome: v.outcome as Outcome | undefined, cumulativeEffect: v.cumulativeEffect });
  });
}

async function refuseOpenDrafts(step: CaseStep): Promise<void> {
  const draft = await step.trx
    .selectFrom("notices")
    .select("id")
    .where("case_id", "=", step.c.id)
    .where("status", "in", ["draft", "approved"])
    .executeTakeFirst();
  if (draft) throw invalid([`Withdraw or issue notice ${draft.id} (not yet issued) before closing the case`]);
}

/** Closes the case: remedied, or no further action. */
export async function closeCase(db: Db, actor: CaseActor, caseId: number, input: { outcome: Outcome; reason: string }): Promise<void> {
  return moveStage(db, actor, caseId, { to: "closed", outcome: input.outcome, reason: input.reason });
}

export const LmcSchema = z.object({
  date: date("the date of the consultation"),
  note: text("a note of the consultation", 10_000),
});

/** Records the consultation with the Local Medical Committee (needed before termination is considered). */
export async function recordLmcConsultation(db: Db, actor: CaseActor, caseId: number, input: z.input<typeof LmcSchema>): Promise<void> {
  const v = parse(LmcSchema, input);
  await inCaseStep(db, actor, caseId, "icb", async (step) => {
    if (step.c.stage === "closed") throw invalid(["The case is closed"]);
    if (v.date > step.acting.today) throw invalid(["The consultation cannot be in the future"]);
    await step.touch({ lmc_consulted_at: v.date, lmc_consulted_by: step.acting.id, lmc_note: v.note });
    await step.event({ kind: "lmc_consultation", text: v.note, detail: { date: v.date } });
    await step.audit("case.lmc_consultation", { type: "case", id: step.c.id }, { date: v.date, note: v.note });
  });
}

/* The practice's side ----------------------------------------------------------------------------------------- */

export const ResponseSchema = z.object({
  kind: z.enum(RESPONSE_KINDS),
  noticeId: z.number().int().positive().nullish(),
  text: z.string().trim().max(20_000, "The text must be 20,000 characters or fewer"),
});

/**
 * The practice's own manager acknowledges an issued notice, responds in writing, or asks for a review (of the case,
 * or of one issued notice). Returns the response's id.
 */
export async function recordPracticeResponse(db: Db, actor: CaseActor, caseId: number, input: z.input<typeof ResponseSchema>): Promise<number> {
  const v = parse(ResponseSchema, input);
  const kind = v.kind as ResponseKind;
  if (kind !== "acknowledgement" && v.text.length < 10) throw invalid([kind === "response" ? "Write your response (at least 10 characters)" : "Say what you would like reviewed and why (at least 10 characters)"]);
  if (kind === "acknowledgement" && !v.noticeId) throw invalid(["Choose the notice to acknowledge"]);
  return inCaseStep(db, actor, caseId, "practice", async (step) => {
    let notice: Selectable<NoticeTable> | undefined;
    if (v.noticeId) {
      notice = await step.trx.selectFrom("notices").selectAll().where("id", "=", v.noticeId).where("case_id", "=", step.c.id).executeTakeFirst();
      // A notice the practice has not been sent does not exist for it.
      if (!notice || !PRACTICE_VISIBLE_NOTICE_STATUSES.includes(notice.status)) throw notFound();
      if (kind === "acknowledgement" && notice.acknowledged_at) throw invalid(["This notice has already been acknowledged"]);
    }
    const { id } = await step.trx
      .insertInto("practice_responses")
      .values({ case_id: step.c.id, notice_id: notice?.id ?? null, kind, text: v.text, by_user: step.acting.id, at: step.acting.at })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (kind === "acknowledgement" && notice) {
      await step.trx
        .updateTable("notices")
        .set({ acknowledged_at: step.acting.at, acknowledged_by: step.acting.id, updated_at: new Date().toISOString() })
        .where("id", "=", notice.id)
        .execute();
    }
    await step.event({ kind, text: v.text || null, noticeId: notice?.id ?? null, detail: { responseId: id } });
    await step.audit(`case.practice_${kind}`, { type: notice ? "notice" : "case", id: notice?.id ?? step.c.id }, { responseId: id, noticeId: notice?.id ?? null, text: v.text });
    return id;
  });
}

export const acknowledgeNotice = (db: Db, actor: CaseActor, caseId: number, noticeId: number, note = "") =>
  recordPracticeResponse(db, actor, caseId, { kind: "acknowledgement", noticeId, text: note });
export const respondToCase = (db: Db, actor: CaseActor, caseId: number, response: string, noticeId?: number) =>
  recordPracticeResponse(db, actor, caseId, { kind: "response", noticeId: noticeId ?? null, text: response });
export const requestReview = (db: Db, actor: CaseActor, caseId: number, request: string, noticeId?: number) =>
  recordPracticeResponse(db, actor, caseId, { kind: "review_request", noticeId: noticeId ?? null, text: request });

/* Reading ------------------------------------------------------------------------------------------------------ */

export type CaseEventRow = Omit<Selectable<CaseEventTable>, "evidence" | "detail"> & {
  actorName: string | null;
  detail: Record<string, unknown> | null;
  hasEvidence: boolean;
};

export interface SupportItemView extends Selectable<SupportPlanItemTable> {
  progress: (Selectable<SupportProgressTable> & { byName: string | null })[];
}

export interface NoticeSummary {
  id: number;
  type: "remedial" | "breach";
  status: Selectable<NoticeTable>["status"];
  periodFrom: string;
  periodTo: string;
  issueDate: string | null;
  remedyPeriodDays: number | null;
  remedyBy: string | null;
  acknowledgedAt: string | null;
  currentVersion: number;
  issuedVersion: number | null;
  authorName: string | null;
  approverName: string | null;
}

export interface CaseView {
  case: CaseRow & { practiceName: string; icbCode: string | null; ownerName: string | null; openedByName: string | null };
  /** The stage as this viewer may know it (the practice does not see a notice stage until a notice is issued). */
  stage: Stage;
  stageLabel: string;
  events: CaseEventRow[];
  supportItems: SupportItemView[];
  notices: NoticeSummary[];
  responses: { id: number; kind: ResponseKind; noticeId: number | null; text: string; at: string; byName: string | null }[];
}

export interface IcbCaseView extends CaseView {
  facts: CaseFacts;
  nextStages: Stage[];
}

function parseDetail(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function caseView(db: Db, c: CaseRow, practice: ScopedPractice, forPractice: boolean): Promise<CaseView> {
  let events = db
    .selectFrom("case_events")
    .leftJoin("users", "users.id", "case_events.user_id")
    .select([
      "case_events.id",
      "case_events.case_id",
      "case_events.at",
      "case_events.user_id",
      "case_events.actor",
      "case_events.kind",
      "case_events.from_stage",
      "case_events.to_stage",
      "case_events.text",
      "case_events.notice_id",
      "case_events.detail",
      "case_events.practice_visible",
      "users.name as actorName",
    ])
    .select((eb) => eb("case_events.evidence", "is not", null).as("has_evidence"))
    .where("case_events.case_id", "=", c.id)
    .orderBy("case_events.id");
  if (forPractice) events = events.where("case_events.practice_visible", "=", 1);
  let notices = db
    .selectFrom("notices")
    .leftJoin("users as author", "author.id", "notices.author_id")
    .leftJoin("users as approver", "approver.id", "notices.approver_id")
    .selectAll("notices")
    .select(["author.name as authorName", "approver.name as approverName"])
    .where("notices.case_id", "=", c.id)
    .orderBy("notices.id");
  if (forPractice) notices = notices.where("notices.status", "in", ISSUED);
  const [eventRows, items, progress, noticeRows, responses, names] = await Promise.all([
    events.execute(),
    db.selectFrom("support_plan_items").selectAll().where("case_id", "=", c.id).orderBy("id").execute(),
    db
      .selectFrom("support_progress")
      .innerJoin("support_plan_items", "support_plan_items.id", "support_progress.item_id")
      .leftJoin("users", "users.id", "support_progress.by_user")
      .selectAll("support_progress")
      .select("users.name as byName")
      .where("support_plan_items.case_id", "=", c.id)
      .orderBy("support_progress.id")
      .execute(),
    notices.execute(),
    db
      .selectFrom("practice_responses")
      .leftJoin("users", "users.id", "practice_responses.by_user")
      .select(["practice_responses.id", "practice_responses.kind", "practice_responses.notice_id", "practice_responses.text", "practice_responses.at", "users.name as byName"])
      .where("practice_responses.case_id", "=", c.id)
      .orderBy("practice_responses.id")
      .execute(),
    db.selectFrom("users").select(["id", "name"]).where("id", "in", [c.owner_id, c.opened_by]).execute(),
  ]);
  const nameOf = (id: number) => names.find((n) => n.id === id)?.name ?? null;
  const visibleEvents: CaseEventRow[] = eventRows.map(({ has_evidence, detail, ...e }) => ({ ...e, detail: parseDetail(detail), hasEvidence: Boolean(has_evidence) }));
  // The stage as the viewer knows it: for the practice, the last stage its record shows.
  const stage = forPractice ? ([...visibleEvents].reverse().find((e) => e.to_stage)?.to_stage ?? c.stage) : c.stage;
  return {
    case: { ...c, practiceName: practice.name, icbCode: practice.icb_code, ownerName: nameOf(c.owner_id), openedByName: nameOf(c.opened_by) },
    stage,
    stageLabel: STAGE_LABELS[stage],
    events: visibleEvents,
    supportItems: items.map((i) => ({ ...i, progress: progress.filter((p) => p.item_id === i.id) })),
    notices: noticeRows.map((n) => ({
      id: n.id,
      type: n.type,
      status: n.status,
      periodFrom: n.period_from,
      periodTo: n.period_to,
      issueDate: n.issue_date,
      remedyPeriodDays: n.remedy_period_days,
      remedyBy: n.remedy_by,
      acknowledgedAt: n.acknowledged_at,
      currentVersion: forPractice ? (n.issued_version ?? n.current_version) : n.current_version,
      issuedVersion: n.issued_version,
      authorName: forPractice ? null : n.authorName,
      approverName: forPractice ? null : n.approverName,
    })),
    responses: responses.map((r) => ({ id: r.id, kind: r.kind, noticeId: r.notice_id, text: r.text, at: r.at, byName: r.byName })),
  };
}

/** A case as the ICB sees it: everything, drafts included, with what may happen next. Commissioners of its ICB and admins. */
export async function getCaseForIcb(db: Db, actor: CaseActor, caseId: number): Promise<IcbCaseView> {
  const acting = await loadActing(db, actor);
  const { c, practice } = await loadCase(db, acting, caseId, "icb_view");
  const [view, facts] = await Promise.all([caseView(db, c, practice, false), caseFacts(db, c)]);
  return { ...view, facts, nextStages: canActForIcb(acting, practice) ? nextStages(facts) : [] };
}

/**
 * A case as the practice sees it: its record without the ICB's internal steps, its support plan, and only the
 * notices it has been sent (never a draft or an approved draft). Anyone who may see the practice gets this view.
 */
export async function getCaseForPractice(db: Db, actor: CaseActor, caseId: number): Promise<CaseView> {
  const acting = await loadActing(db, actor);
  const { c, practice } = await loadCase(db, acting, caseId, "view");
  return caseView(db, c, practice, true);
}

export interface CaseListRow {
  id: number;
  practiceCode: string;
  practiceName: string;
  stage: Stage;
  stageLabel: string;
  ownerId: number;
  ownerName: string | null;
  openedAt: string;
  periodFrom: string;
  periodTo: string;
  nextReviewDate: string | null;
  reviewOverdue: boolean;
  closedAt: string | null;
  outcome: Outcome | null;
  /** The latest notice the viewer may see. */
  latestNotice: { id: number; type: "remedial" | "breach"; status: string; issueDate: string | null; remedyBy: string | null } | null;
  /** Days from today to the remedy-by date of an issued remedial notice, when there is one. */
  remedyDaysLeft: number | null;
}

export interface CaseListFilters {
  stage?: Stage | "open";
  ownerId?: number;
  practiceCode?: string;
  /** Only open cases whose next review date has passed. */
  overdueReview?: boolean;
  /** Only cases with an issued remedial notice whose period ends within this many days (or has just ended, unmarked). */
  noticeEndingWithinDays?: number;
}

async function listCases(db: Db, acting: Acting, scope: { icb: string } | { practice: string }, filters: CaseListFilters, forPractice: boolean): Promise<CaseListRow[]> {
  let q = db
    .selectFrom("cases")
    .innerJoin("practices", "practices.ods_code", "cases.practice_code")
    .leftJoin("users as owner", "owner.id", "cases.owner_id")
    .selectAll("cases")
    .select(["practices.name as practice_name", "owner.name as owner_name"])
    .orderBy("cases.id", "desc");
  q = "icb" in scope ? q.where("practices.icb_code", "=", scope.icb) : q.where("cases.practice_code", "=", scope.practice);
  if (filters.stage === "open") q = q.where("cases.stage", "!=", "closed");
  else if (filters.stage) q = q.where("cases.stage", "=", filters.stage);
  if (filters.ownerId) q = q.where("cases.owner_id", "=", filters.ownerId);
  if (filters.practiceCode) q = q.where("cases.practice_code", "=", filters.practiceCode.toUpperCase());
  const cases = await q.execute();
  if (cases.length === 0) return [];
  let nq = db
    .selectFrom("notices")
    .select(["id", "case_id", "type", "status", "issue_date", "remedy_by"])
    .where(
      "case_id",
      "in",
      cases.map((c) => c.id),
    )
    .orderBy("id");
  if (forPractice) nq = nq.where("status", "in", ISSUED);
  const notices = await nq.execute();
  const today = acting.today;
  const rows: CaseListRow[] = cases.map((c) => {
    const mine = notices.filter((n) => n.case_id === c.id);
    const latest = mine.at(-1) ?? null;
    const running = mine.filter((n) => n.type === "remedial" && n.status === "issued" && n.remedy_by).at(-1);
    return {
      id: c.id,
      practiceCode: c.practice_code,
      practiceName: c.practice_name,
      stage: c.stage,
      stageLabel: STAGE_LABELS[c.stage],
      ownerId: c.owner_id,
      ownerName: c.owner_name,
      openedAt: c.opened_at,
      periodFrom: c.period_from,
      periodTo: c.period_to,
      nextReviewDate: c.next_review_date,
      reviewOverdue: c.stage !== "closed" && c.next_review_date !== null && c.next_review_date < today,
      closedAt: c.closed_at,
      outcome: c.outcome,
      latestNotice: latest ? { id: latest.id, type: latest.type, status: latest.status, issueDate: latest.issue_date, remedyBy: latest.remedy_by } : null,
      remedyDaysLeft: running?.remedy_by ? Math.round((Date.parse(running.remedy_by) - Date.parse(today)) / 86_400_000) : null,
    };
  });
  return rows.filter(
    (r) =>
      (!filters.overdueReview || r.reviewOverdue) &&
      (filters.noticeEndingWithinDays === undefined || (r.remedyDaysLeft !== null && r.remedyDaysLeft <= filters.noticeEndingWithinDays)),
  );
}

/** An ICB's cases, newest first, filtered by stage, owner, overdue reviews and notice periods ending soon. */
export async function listIcbCases(db: Db, actor: CaseActor, icbCode: string, filters: CaseListFilters = {}): Promise<CaseListRow[]> {
  const acting = await loadActing(db, actor);
  if (!canViewIcb(acting, icbCode)) throw notFound();
  return listCases(db, acting, { icb: icbCode }, filters, false);
}

/** The stage of a case as its practice knows it: the last stage its record shows the practice. */
export async function practiceKnownStage(db: Db, caseId: number): Promise<Stage | null> {
  const last = await db
    .selectFrom("case_events")
    .select("to_stage")
    .where("case_id", "=", caseId)
    .where("practice_visible", "=", 1)
    .where("to_stage", "is not", null)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return last?.to_stage ?? null;
}

/** A practice's cases as the practice sees them (only notices it has been sent). */
export async function listPracticeCases(db: Db, actor: CaseActor, odsCode: string): Promise<CaseListRow[]> {
  const acting = await loadActing(db, actor);
  const practice = await loadPractice(db, odsCode.toUpperCase());
  if (!practice) throw notFound();
  requireScope(acting, practice, "view");
  const rows = await listCases(db, acting, { practice: practice.ods_code }, {}, true);
  // The stage as the practice knows it.
  for (const r of rows) {
    const known = await practiceKnownStage(db, r.id);
    if (known) {
      r.stage = known;
      r.stageLabel = STAGE_LABELS[known];
    }
  }
  return rows;
}

/** The frozen evidence of one entry in a case's record (for whoever may see that entry). */
export async function caseEventEvidence(db: Db, actor: CaseActor, eventId: number): Promise<EvidenceSnapshot> {
  const acting = await loadActing(db, actor);
  const e = await db.selectFrom("case_events").select(["case_id", "evidence", "practice_visible"]).where("id", "=", eventId).executeTakeFirst();
  if (!e || !e.evidence) throw notFound();
  const { practice } = await loadCase(db, acting, e.case_id, "view");
  if (!e.practice_visible && !canActForIcb(acting, practice) && acting.role !== "admin") throw notFound();
  return EvidenceSnapshotSchema.parse(JSON.parse(e.evidence));
}

/** The commissioners who may own an ICB's cases (for the owner field). */
export async function icbCommissioners(db: Db, icbCode: string): Promise<{ id: number; name: string; email: string }[]> {
  return db
    .selectFrom("users")
    .select(["id", "name", "email"])
    .where("role", "=", "icb")
    .where("icb_code", "=", icbCode)
    .where("disabled_at", "is", null)
    .orderBy("name")
    .execute();
}

/* Support suggestions ------------------------------------------------------------------------------------------ */

export interface CaseSupportSuggestions {
  classification: string | null;
  classificationLabel: string | null;
  reasons: string[];
  suggestions: SupportSuggestion[];
}

/** Support actions suggested for a case, from the practice's can't/won't classification over the case period and its closures' reasons. */
export async function suggestSupportForCase(db: Db, actor: CaseActor, caseId: number): Promise<CaseSupportSuggestions> {
  const acting = await loadActing(db, actor);
  const { c, practice } = await loadCase(db, acting, caseId, "icb_view");
  const calendar = await loadCalendar(db);
  const policy = await getPolicy(db, practice.icb_code ?? "");
  const [pc, episodes] = await Promise.all([
    classifyPractice(db, { calendar, practice: { odsCode: practice.ods_code, icbCode: practice.icb_code }, range: { from: c.period_from, to: c.period_to }, policy }),
    db
      .selectFrom("closure_episodes")
      .select("reasons")
      .where("practice_code", "=", practice.ods_code)
      .where("date", ">=", c.period_from)
      .where("date", "<=", c.period_to)
      .where("excepted", "=", 0)
      .execute(),
  ]);
  const keys = reasonKeys(pc.result, episodes.map((e) => parseList(JsonStrings, e.reasons)));
  return {
    classification: pc.result.classification,
    classificationLabel: pc.result.label,
    reasons: pc.result.reasons.map((r) => r.text),
    suggestions: suggestSupportActions(pc.result.classification, keys),
  };
}
