import type { Kysely, Selectable } from "kysely";
import { z } from "zod";
import { recordAudit } from "../../db/audit";
import type { Database, NoticeTable } from "../../db/schema";
import { isDate, londonDate } from "~/domain/calendar";
import {
  checkLapse,
  checkNoticeAction,
  checkNoticeDraft,
  checkRemedyDays,
  MINIMUM_REMEDY_DAYS,
  NOTICE_LABELS,
  PRACTICE_VISIBLE_NOTICE_STATUSES,
  remedyPeriod,
  stageAfterIssue,
  type NoticeAction,
  type NoticeType,
  type ShorterPeriodReason,
} from "~/domain/cases";
import { measureById, formatMeasureValue } from "~/domain/measures";
import {
  buildNoticeDocument,
  checkNoticeText,
  NoticeTextSchema,
  parseNoticeDocument,
  withIssue,
  withRemedyPeriod,
  withText,
  type DemandContext,
  type EarlierNotice,
  type NoticeDocument,
  type NoticeInputs,
  type NoticeText,
  type SupportRecord,
} from "~/domain/notice-document";
import { renderNoticeDocx } from "~/domain/notice-docx";
import {
  applyMove,
  CaseError,
  CaseStep,
  caseFacts,
  evidenceSnapshot,
  invalid,
  loadActing,
  loadCase,
  loadPractice,
  practiceKnownStage,
  practiceNoticeHistory,
  requireScope,
  type Acting,
  type CaseActor,
  type CaseRow,
  type ScopedPractice,
} from "./cases.server";
import { classifyPractice, INDICATOR_MEASURES } from "./classification.server";
import { loadCalendar } from "./compliance.server";
import { getPolicy } from "./policy.server";

/**
 * Remedial and breach notices in a case: drafted from the case (version 1), edited while a draft (each edit a new
 * version), approved by a second commissioner who wrote none of it, issued with a date (a remedial notice's
 * remedy-by date computed from its period), then marked remedied or lapsed; or withdrawn before issue. Every step is
 * checked against the acting user's role and scope, recorded in the case and audit-logged (cases.server.ts). The
 * practice never sees a notice before it is issued, and then only the version issued.
 */

type Db = Kysely<Database>;
type NoticeRow = Selectable<NoticeTable>;

const notFound = () => new CaseError("not_found", "Page not found");
const forbidden = (message = "You do not have permission to do this") => new CaseError("forbidden", message);

export interface ShorterPeriod {
  reason: ShorterPeriodReason;
  explanation: string;
}

/* Inputs from the database ------------------------------------------------------------------------------------ */

function addressOf(p: ScopedPractice): string[] {
  return [p.address_line1, p.address_line2, p.address_line3, p.address_line4, p.address_line5, p.postcode].filter((l): l is string => Boolean(l && l.trim()));
}

/** The demand and capacity context for the period: the can't/won't classification, its reasons and the measures behind it. */
export async function demandContext(db: Db, practice: ScopedPractice, from: string, to: string): Promise<DemandContext> {
  const calendar = await loadCalendar(db);
  const policy = await getPolicy(db, practice.icb_code ?? "");
  const pc = await classifyPractice(db, { calendar, practice: { odsCode: practice.ods_code, icbCode: practice.icb_code }, range: { from, to }, policy });
  const measures: DemandContext["measures"] = [];
  for (const [key, id] of Object.entries(INDICATOR_MEASURES) as [keyof typeof INDICATOR_MEASURES, string][]) {
    const indicator = pc.input[key];
    const def = measureById(id);
    if (!indicator || !def || indicator.value === null) continue;
    measures.push({ title: def.title, value: `${formatMeasureValue(def, indicator.value)}${def.unit === "%" ? "%" : ""}`, decile: indicator.decile, period: indicator.period ?? "" });
  }
  return {
    classification: { label: pc.result.label, action: pc.result.action, reasons: pc.result.reasons.map((r) => r.text) },
    measures,
    missing: pc.missing,
  };
}

async function supportRecord(db: Db, caseId: number | null): Promise<SupportRecord> {
  if (caseId === null) return { recorded: false, contacts: [], items: [] };
  const [contacts, items, progress] = await Promise.all([
    db.selectFrom("case_events").select(["detail"]).where("case_id", "=", caseId).where("kind", "=", "informal_contact").orderBy("id").execute(),
    db.selectFrom("support_plan_items").selectAll().where("case_id", "=", caseId).orderBy("id").execute(),
    db
      .selectFrom("support_progress")
      .innerJoin("support_plan_items", "support_plan_items.id", "support_progress.item_id")
      .selectAll("support_progress")
      .where("support_plan_items.case_id", "=", caseId)
      .orderBy("support_progress.id")
      .execute(),
  ]);
  const Contact = z.object({ date: z.string(), kind: z.enum(["call", "meeting"]), attendees: z.string(), notes: z.string() });
  return {
    recorded: true,
    contacts: contacts.flatMap((c) => {
      try {
        const parsed = Contact.safeParse(JSON.parse(c.detail ?? "null"));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    }),
    items: items
      .filter((i) => i.status !== "cancelled")
      .map((i) => ({
        title: i.title,
        owner: i.owner,
        dueDate: i.due_date,
        reviewDate: i.review_date,
        status: i.status,
        progress: progress.filter((p) => p.item_id === i.id).map((p) => ({ at: p.at, side: p.side, status: p.status, note: p.note })),
      })),
  };
}

async function history(db: Db, practiceCode: string, exceptNoticeId?: number): Promise<EarlierNotice[]> {
  return (await practiceNoticeHistory(db, practiceCode, exceptNoticeId)).map((n) => ({
    type: n.type,
    status: n.status,
    issueDate: n.issue_date,
    remedyBy: n.remedy_by,
    periodFrom: n.period_from,
    periodTo: n.period_to,
  }));
}

/** Everything a notice document is built from, read from the database now. */
export async function gatherNoticeInputs(
  db: Db,
  args: {
    practice: ScopedPractice;
    type: NoticeType;
    from: string;
    to: string;
    caseId: number | null;
    takenAt: string;
    remedy?: { periodDays: number; shorter: ShorterPeriod | null } | null;
    issueDate?: string | null;
    remedyBy?: string | null;
    exceptNoticeId?: number;
  },
): Promise<NoticeInputs> {
  const icb = args.practice.icb_code ? await db.selectFrom("icbs").select(["code", "name"]).where("code", "=", args.practice.icb_code).executeTakeFirst() : undefined;
  const [evidence, context, support, earlier] = await Promise.all([
    evidenceSnapshot(db, args.practice, args.from, args.to, args.takenAt),
    demandContext(db, args.practice, args.from, args.to),
    supportRecord(db, args.caseId),
    history(db, args.practice.ods_code, args.exceptNoticeId),
  ]);
  return {
    type: args.type,
    reference: args.caseId === null ? null : `Case ${args.caseId}`,
    draftedOn: londonDate(Math.floor(Date.parse(args.takenAt) / 60_000)),
    contractor: { odsCode: args.practice.ods_code, name: args.practice.name, address: addressOf(args.practice), contractType: args.practice.contract_type },
    commissioner: { code: icb?.code ?? null, name: icb?.name ?? icb?.code ?? "The commissioner" },
    period: { from: args.from, to: args.to },
    evidence,
    context,
    support,
    history: earlier,
    remedy: args.type === "remedial" ? (args.remedy ?? { periodDays: MINIMUM_REMEDY_DAYS, shorter: null }) : null,
    issueDate: args.issueDate ?? null,
    remedyBy: args.remedyBy ?? null,
  };
}

/* Checks ------------------------------------------------------------------------------------------------------- */

const ShorterSchema = z
  .object({
    reason: z.enum(["patient_safety", "material_financial_loss"], { message: "Choose the reason for a shorter period" }),
    explanation: z.string().trim().max(5000, "The explanation must be 5,000 characters or fewer"),
  })
  .nullish();

/** The remedy period of a remedial notice: days from the date of issue, at least 28 unless a shorter-period reason is recorded. */
function remedyFor(type: NoticeType, c: Pick<CaseRow, "patient_safety_reason"> | null, periodDays: number | undefined, shorter: ShorterPeriod | null | undefined) {
  if (type === "breach") {
    if (periodDays !== undefined || shorter) throw invalid(["A breach notice has no period for remedy: it requires the breach not to be repeated"]);
    return null;
  }
  const days = periodDays ?? MINIMUM_REMEDY_DAYS;
  let reason = shorter ?? null;
  // A patient-safety reason already recorded in the case explains a shorter period when none is written here.
  if (reason && reason.reason === "patient_safety" && !reason.explanation.trim() && c?.patient_safety_reason) {
    reason = { reason: "patient_safety", explanation: c.patient_safety_reason };
  }
  const problem = checkRemedyDays(days, reason);
  if (problem) throw invalid([problem]);
  return { periodDays: days, shorter: days < MINIMUM_REMEDY_DAYS ? reason : null };
}

function checkPeriod(from: string, to: string, today: string, c: CaseRow | null): void {
  const problems: string[] = [];
  if (!isDate(from) || !isDate(to)) problems.push("Enter the period as real dates (YYYY-MM-DD)");
  else {
    if (from > to) problems.push("The period's first day must not be after its last day");
    if (to > today) problems.push("The period cannot end after today");
    if (c && (from < c.period_from || to > c.period_to)) problems.push(`The period must be within the case period (${c.period_from} to ${c.period_to})`);
  }
  if (problems.length) throw invalid(problems);
}

async function loadNotice(db: Db, acting: Acting, noticeId: number, need: "icb" | "icb_view" | "view") {
  if (!Number.isInteger(noticeId) || noticeId < 1) throw notFound();
  const notice = await db.selectFrom("notices").selectAll().where("id", "=", noticeId).executeTakeFirst();
  if (!notice) throw notFound();
  const { c, practice } = await loadCase(db, acting, notice.case_id, "view");
  // A notice the practice has not been sent does not exist for the practice, whatever it asks to do with it.
  if (acting.role === "practice" && !PRACTICE_VISIBLE_NOTICE_STATUSES.includes(notice.status)) throw notFound();
  if (need !== "view") requireScope(acting, practice, need);
  return { notice, c, practice };
}

async function currentDocument(db: Db, notice: NoticeRow, version = notice.current_version): Promise<NoticeDocument> {
  const row = await db.selectFrom("notice_versions").select("document").where("notice_id", "=", notice.id).where("version", "=", version).executeTakeFirst();
  if (!row) throw notFound();
  return parseNoticeDocument(row.document);
}

/** Whether the user wrote any of the notice: its author, or the author of any version of it. */
async function wroteAny(db: Db, notice: NoticeRow, userId: number): Promise<boolean> {
  if (notice.author_id === userId) return true;
  const v = await db.selectFrom("notice_versions").select("id").where("notice_id", "=", notice.id).where("created_by", "=", userId).limit(1).executeTakeFirst();
  return Boolean(v);
}

function refuseAction(problem: string | null, action: NoticeAction): void {
  if (!problem) return;
  throw action === "approve" && /not its author/.test(problem) ? forbidden(problem) : invalid([problem]);
}

async function addVersion(db: Db, notice: { id: number }, version: number, doc: NoticeDocument, note: string, acting: Acting): Promise<void> {
  await db
    .insertInto("notice_versions")
    .values({ notice_id: notice.id, version, document: JSON.stringify(doc), note, created_by: acting.id, created_at: acting.at })
    .execute();
}

/** Runs a notice step in one transaction, with the case step for the record and the audit. */
async function inNoticeStep<T>(db: Db, actor: CaseActor, noticeId: number, fn: (step: CaseStep, notice: NoticeRow) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const acting = await loadActing(trx, actor);
    const { notice, c, practice } = await loadNotice(trx, acting, noticeId, "icb");
    return fn(new CaseStep(trx, acting, c, practice), notice);
  });
}

/* Steps -------------------------------------------------------------------------------------------------------- */

export const DraftNoticeSchema = z.object({
  type: z.enum(["remedial", "breach"], { message: "Choose remedial notice or breach notice" }),
  from: z.string().optional(),
  to: z.string().optional(),
  periodDays: z.number({ message: "Enter the period as a number of days" }).int("Enter a whole number of days").optional(),
  shorter: ShorterSchema,
});

/**
 * Drafts a notice in a case (version 1, generated from the case: the evidence for the period, the demand and
 * capacity context, the support offered and earlier notices). The support-first order applies: an informal contact
 * and support offered first, unless a patient-safety reason is recorded. Returns the notice's id.
 */
export async function draftNotice(db: Db, actor: CaseActor, caseId: number, input: z.input<typeof DraftNoticeSchema>): Promise<number> {
  const r = DraftNoticeSchema.safeParse(input);
  if (!r.success) throw invalid(r.error.issues.map((i) => i.message));
  const v = r.data;
  return db.transaction().execute(async (trx) => {
    const acting = await loadActing(trx, actor);
    const { c, practice } = await loadCase(trx, acting, caseId, "icb");
    const step = new CaseStep(trx, acting, c, practice);
    const problems = checkNoticeDraft(await caseFacts(trx, c), v.type);
    if (problems.length) throw invalid(problems);
    const open = await trx.selectFrom("notices").select("id").where("case_id", "=", c.id).where("status", "in", ["draft", "approved"]).executeTakeFirst();
    if (open) throw invalid([`Notice ${open.id} in this case is not yet issued: edit, issue or withdraw it first`]);
    const from = v.from ?? c.period_from;
    const to = v.to ?? c.period_to;
    checkPeriod(from, to, acting.today, c);
    const remedy = remedyFor(v.type, c, v.periodDays, v.shorter ?? null);
    const inputs = await gatherNoticeInputs(trx, { practice, type: v.type, from, to, caseId: c.id, takenAt: acting.at, remedy });
    const doc = buildNoticeDocument(inputs);
    const now = new Date().toISOString();
    const { id } = await trx
      .insertInto("notices")
      .values({
        case_id: c.id,
        type: v.type,
        status: "draft",
        period_from: from,
        period_to: to,
        author_id: acting.id,
        approver_id: null,
        approved_at: null,
        issue_date: null,
        issued_by: null,
        issued_at: null,
        remedy_period_days: remedy?.periodDays ?? null,
        remedy_by: null,
        shorter_period_reason: remedy?.shorter?.reason ?? null,
        shorter_period_explanation: remedy?.shorter?.explanation ?? null,
        remedied_at: null,
        lapsed_at: null,
        withdrawn_at: null,
        acknowledged_at: null,
        acknowledged_by: null,
        current_version: 1,
        issued_version: null,
        created_at: acting.at,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await addVersion(trx, { id }, 1, doc, "drafted", acting);
    const detail = { type: v.type, period: { from, to }, remedyPeriodDays: remedy?.periodDays ?? null, shorter: remedy?.shorter ?? null, closedMinutes: doc.evidence.totals.closed };
    await step.event({ kind: "notice_drafted", noticeId: id, text: `${NOTICE_LABELS[v.type]} drafted`, detail, visible: false });
    await step.audit("notice.drafted", { type: "notice", id }, detail);
    return id;
  });
}

export const EditNoticeSchema = z.object({
  text: NoticeTextSchema.partial().optional(),
  periodDays: z.number({ message: "Enter the period as a number of days" }).int("Enter a whole number of days").optional(),
  shorter: ShorterSchema,
  /** Take the evidence, context, support and history afresh (the text stays as edited). */
  refreshEvidence: z.boolean().optional(),
  note: z.string().trim().max(2000).optional(),
});

/** Edits a draft: a new version with the edited text (and remedy period), the evidence kept or taken afresh. Returns the new version number. */
export async function editNotice(db: Db, actor: CaseActor, noticeId: number, input: z.input<typeof EditNoticeSchema>): Promise<number> {
  const r = EditNoticeSchema.safeParse(input);
  if (!r.success) throw invalid(r.error.issues.map((i) => i.message));
  const v = r.data;
  return inNoticeStep(db, actor, noticeId, async (step, notice) => {
    refuseAction(checkNoticeAction(notice.status, "edit", notice.author_id === step.acting.id), "edit");
    let doc = await currentDocument(step.trx, notice);
    const changed: string[] = [];
    if (v.text) {
      const before = doc.text;
      doc = withText(doc, v.text as Partial<NoticeText>);
      for (const k of Object.keys(before) as (keyof NoticeText)[]) if (before[k] !== doc.text[k]) changed.push(k);
    }
    let remedy: ReturnType<typeof remedyFor> = null;
    if (notice.type === "remedial" && (v.periodDays !== undefined || v.shorter !== undefined)) {
      remedy = remedyFor("remedial", step.c, v.periodDays ?? notice.remedy_period_days ?? MINIMUM_REMEDY_DAYS, v.shorter ?? null);
      doc = withRemedyPeriod(doc, remedy!.periodDays, remedy!.shorter);
      changed.push("remedyPeriod");
    } else if (notice.type === "breach" && (v.periodDays !== undefined || v.shorter)) {
      remedyFor("breach", step.c, v.periodDays, v.shorter ?? null);
    }
    if (v.refreshEvidence) {
      const inputs = await gatherNoticeInputs(step.trx, {
        practice: step.practice,
        type: notice.type,
        from: notice.period_from,
        to: notice.period_to,
        caseId: step.c.id,
        takenAt: step.acting.at,
        exceptNoticeId: notice.id,
      });
      doc = { ...doc, evidence: inputs.evidence, context: inputs.context, support: inputs.support, history: inputs.history, draftedOn: inputs.draftedOn };
      changed.push("evidence");
    }
    const problems = checkNoticeText(notice.type, doc.text);
    if (problems.length) throw invalid(problems);
    if (changed.length === 0) throw invalid(["Nothing was changed"]);
    const version = notice.current_version + 1;
    await addVersion(step.trx, notice, version, doc, "edited", step.acting);
    await step.trx
      .updateTable("notices")
      .set({
        current_version: version,
        ...(remedy
          ? { remedy_period_days: remedy.periodDays, shorter_period_reason: remedy.shorter?.reason ?? null, shorter_period_explanation: remedy.shorter?.explanation ?? null }
          : {}),
        updated_at: new Date().toISOString(),
      })
      .where("id", "=", notice.id)
      .execute();
    const detail = { version, changed, note: v.note ?? null };
    await step.event({ kind: "notice_edited", noticeId: notice.id, text: v.note ?? `Version ${version}`, detail, visible: false });
    await step.audit("notice.edited", { type: "notice", id: notice.id }, detail);
    return version;
  });
}

/**
 * A second commissioner of the practice's ICB approves the draft: never its author, nor anyone who wrote a version
 * of it. The text, the remedy period and the support-first order are checked again.
 */
export async function approveNotice(db: Db, actor: CaseActor, noticeId: number): Promise<void> {
  await inNoticeStep(db, actor, noticeId, async (step, notice) => {
    refuseAction(checkNoticeAction(notice.status, "approve", await wroteAny(step.trx, notice, step.acting.id)), "approve");
    const doc = await currentDocument(step.trx, notice);
    const problems = [...checkNoticeText(notice.type, doc.text), ...checkNoticeDraft(await caseFacts(step.trx, step.c), notice.type)];
    if (notice.type === "remedial") {
      const p = checkRemedyDays(
        notice.remedy_period_days ?? MINIMUM_REMEDY_DAYS,
        notice.shorter_period_reason ? { reason: notice.shorter_period_reason, explanation: notice.shorter_period_explanation ?? "" } : null,
      );
      if (p) problems.push(p);
    }
    if (problems.length) throw invalid(problems);
    await step.trx
      .updateTable("notices")
      .set({ status: "approved", approver_id: step.acting.id, approved_at: step.acting.at, updated_at: new Date().toISOString() })
      .where("id", "=", notice.id)
      .execute();
    const detail = { version: notice.current_version, authorId: notice.author_id };
    await step.event({ kind: "notice_approved", noticeId: notice.id, text: `Version ${notice.current_version} approved`, detail, visible: false });
    await step.audit("notice.approved", { type: "notice", id: notice.id }, detail);
  });
}

export const IssueSchema = z.object({
  issueDate: z.string({ message: "Enter the date of issue" }).refine(isDate, "Enter the date of issue as a real date (YYYY-MM-DD)"),
});

/**
 * Issues an approved notice with its date of issue. A remedial notice's remedy-by date is computed from its period
 * (`remedyPeriod`: at least 28 days unless a shorter-period reason is recorded). The issued version is the approved
 * text with these dates, and is what the practice sees. The case moves to the notice's stage if it is not there yet.
 * Returns the remedy-by date (null for a breach notice).
 */
export async function issueNotice(db: Db, actor: CaseActor, noticeId: number, input: z.input<typeof IssueSchema>): Promise<string | null> {
  const r = IssueSchema.safeParse(input);
  if (!r.success) throw invalid(r.error.issues.map((i) => i.message));
  const { issueDate } = r.data;
  return inNoticeStep(db, actor, noticeId, async (step, notice) => {
    refuseAction(checkNoticeAction(notice.status, "issue", notice.author_id === step.acting.id), "issue");
    const approvedOn = notice.approved_at ? londonDate(Math.floor(Date.parse(notice.approved_at) / 60_000)) : null;
    if (approvedOn && issueDate < approvedOn) throw invalid([`The date of issue cannot be before the notice was approved (${approvedOn})`]);
    let remedyBy: string | null = null;
    if (notice.type === "remedial") {
      const check = remedyPeriod(
        issueDate,
        notice.remedy_period_days ?? MINIMUM_REMEDY_DAYS,
        notice.shorter_period_reason ? { reason: notice.shorter_period_reason, explanation: notice.shorter_period_explanation ?? "" } : null,
      );
      if (!check.ok) throw invalid([check.problem]);
      remedyBy = check.remedyBy;
    }
    const doc = withIssue(await currentDocument(step.trx, notice), issueDate, remedyBy);
    const version = notice.current_version + 1;
    await addVersion(step.trx, notice, version, doc, "issued", step.acting);
    await step.trx
      .updateTable("notices")
      .set({
        status: "issued",
        issue_date: issueDate,
        issued_by: step.acting.id,
        issued_at: step.acting.at,
        remedy_by: remedyBy,
        current_version: version,
        issued_version: version,
        updated_at: new Date().toISOString(),
      })
      .where("id", "=", notice.id)
      .execute();
    const detail = { version, issueDate, remedyBy, remedyPeriodDays: notice.remedy_period_days, shorterReason: notice.shorter_period_reason };
    const target = stageAfterIssue(step.c.stage, notice.type);
    // A case moved to the notice stage before (the ICB's own step, not shown to the practice) shows it from now on.
    const known = target ? null : await practiceKnownStage(step.trx, step.c.id);
    const reveal = known !== null && known !== step.c.stage ? { from: known, to: step.c.stage } : {};
    await step.event({ kind: "notice_issued", noticeId: notice.id, text: `${NOTICE_LABELS[notice.type]} issued on ${issueDate}`, detail, ...reveal });
    await step.audit("notice.issued", { type: "notice", id: notice.id }, detail);
    if (target) {
      await applyMove(step, { to: target, reason: `${NOTICE_LABELS[notice.type]} issued on ${issueDate}` }, { visible: true, noticeId: notice.id });
    }
    return remedyBy;
  });
}

async function finish(db: Db, actor: CaseActor, noticeId: number, action: "mark_remedied" | "mark_lapsed" | "withdraw", note: string): Promise<void> {
  const n = note.trim();
  if (action === "withdraw" && n.length < 3) throw invalid(["Give the reason for withdrawing the notice"]);
  if (n.length > 5000) throw invalid(["The note must be 5,000 characters or fewer"]);
  await inNoticeStep(db, actor, noticeId, async (step, notice) => {
    refuseAction(checkNoticeAction(notice.status, action, notice.author_id === step.acting.id), action);
    if (action === "mark_lapsed") {
      const p = checkLapse(notice.type, notice.remedy_by, step.acting.today);
      if (p) throw invalid([p]);
    }
    const status = action === "mark_remedied" ? "remedied" : action === "mark_lapsed" ? "lapsed" : "withdrawn";
    const column = action === "mark_remedied" ? "remedied_at" : action === "mark_lapsed" ? "lapsed_at" : "withdrawn_at";
    await step.trx
      .updateTable("notices")
      .set({ status, [column]: step.acting.at, updated_at: new Date().toISOString() })
      .where("id", "=", notice.id)
      .execute();
    const kind = action === "mark_remedied" ? "notice_remedied" : action === "mark_lapsed" ? "notice_lapsed" : "notice_withdrawn";
    const detail = { from: notice.status, to: status };
    // A withdrawn notice was never sent: the practice does not see it.
    await step.event({ kind, noticeId: notice.id, text: n || null, detail, visible: action !== "withdraw" });
    await step.audit(`notice.${status}`, { type: "notice", id: notice.id }, { ...detail, note: n || null });
  });
}

/** The steps of an issued notice were taken. */
export const markRemedied = (db: Db, actor: CaseActor, noticeId: number, note = "") => finish(db, actor, noticeId, "mark_remedied", note);
/** The period ended without the steps taken (a remedial notice: only after its remedy-by date). */
export const markLapsed = (db: Db, actor: CaseActor, noticeId: number, note = "") => finish(db, actor, noticeId, "mark_lapsed", note);
/** A draft or approved notice is withdrawn (an issued notice cannot be). */
export const withdrawNotice = (db: Db, actor: CaseActor, noticeId: number, reason: string) => finish(db, actor, noticeId, "withdraw", reason);

/* Reading ------------------------------------------------------------------------------------------------------ */

export interface NoticeView {
  notice: NoticeRow & { authorName: string | null; approverName: string | null; practiceCode: string; practiceName: string };
  document: NoticeDocument;
  version: number;
  versions: { version: number; note: string; createdAt: string; createdByName: string | null }[];
  /** What the viewer may do now. */
  can: { edit: boolean; approve: boolean; issue: boolean; markRemedied: boolean; markLapsed: boolean; withdraw: boolean; acknowledge: boolean };
}

/** A notice as the ICB sees it (any version; the current one by default), with what the viewer may do. */
export async function getNoticeForIcb(db: Db, actor: CaseActor, noticeId: number, version?: number): Promise<NoticeView> {
  const acting = await loadActing(db, actor);
  const { notice, practice } = await loadNotice(db, acting, noticeId, "icb_view");
  const shown = version ?? notice.current_version;
  const [document, versions, names, wrote] = await Promise.all([
    currentDocument(db, notice, shown),
    db
      .selectFrom("notice_versions")
      .leftJoin("users", "users.id", "notice_versions.created_by")
      .select(["notice_versions.version", "notice_versions.note", "notice_versions.created_at", "users.name"])
      .where("notice_versions.notice_id", "=", notice.id)
      .orderBy("notice_versions.version")
      .execute(),
    db.selectFrom("users").select(["id", "name"]).where("id", "in", [notice.author_id, notice.approver_id ?? notice.author_id]).execute(),
    wroteAny(db, notice, acting.id),
  ]);
  const icb = acting.role === "icb" && acting.icbCode === practice.icb_code;
  const may = (action: NoticeAction, isAuthor = notice.author_id === acting.id) => icb && checkNoticeAction(notice.status, action, isAuthor) === null;
  return {
    notice: {
      ...notice,
      authorName: names.find((n) => n.id === notice.author_id)?.name ?? null,
      approverName: notice.approver_id ? (names.find((n) => n.id === notice.approver_id)?.name ?? null) : null,
      practiceCode: practice.ods_code,
      practiceName: practice.name,
    },
    document,
    version: shown,
    versions: versions.map((v) => ({ version: v.version, note: v.note, createdAt: v.created_at, createdByName: v.name })),
    can: {
      edit: may("edit"),
      approve: may("approve", wrote),
      issue: may("issue"),
      markRemedied: may("mark_remedied"),
      markLapsed: may("mark_lapsed") && checkLapse(notice.type, notice.remedy_by, acting.today) === null,
      withdraw: may("withdraw"),
      acknowledge: false,
    },
  };
}

/**
 * A notice as the practice sees it: only once issued, and only the version issued. A draft or an approved notice
 * is "not found" to the practice, exactly like one that does not exist.
 */
export async function getNoticeForPractice(db: Db, actor: CaseActor, noticeId: number): Promise<NoticeView> {
  const acting = await loadActing(db, actor);
  const { notice, practice } = await loadNotice(db, acting, noticeId, "view");
  if (!PRACTICE_VISIBLE_NOTICE_STATUSES.includes(notice.status) || notice.issued_version === null) throw notFound();
  const document = await currentDocument(db, notice, notice.issued_version);
  const own = acting.role === "practice" && acting.practiceCode === practice.ods_code;
  return {
    notice: {
      ...notice,
      current_version: notice.issued_version,
      author_id: 0,
      approver_id: null,
      authorName: null,
      approverName: null,
      practiceCode: practice.ods_code,
      practiceName: practice.name,
    },
    document,
    version: notice.issued_version,
    versions: [],
    can: { edit: false, approve: false, issue: false, markRemedied: false, markLapsed: false, withdraw: false, acknowledge: own && notice.acknowledged_at === null },
  };
}

/** File name for a notice download: `remedial-notice-DEM001-2026-12-01.docx`, or `…-draft-v2.docx` before issue. */
export function noticeFileName(doc: NoticeDocument, version: number, ext: "docx" | "html"): string {
  const kind = doc.type === "remedial" ? "remedial-notice" : "breach-notice";
  const when = doc.issued && doc.issueDate ? doc.issueDate : `draft-v${version}`;
  return `${kind}-${doc.contractor.odsCode}-${when}.${ext}`;
}

/** The notice as a .docx, for whoever may see that version (the practice: the issued version only). */
export async function noticeDocx(db: Db, actor: CaseActor, noticeId: number, options: { forPractice: boolean; version?: number }): Promise<{ fileName: string; bytes: Uint8Array }> {
  const view = options.forPractice ? await getNoticeForPractice(db, actor, noticeId) : await getNoticeForIcb(db, actor, noticeId, options.version);
  return { fileName: noticeFileName(view.document, view.version, "docx"), bytes: await renderNoticeDocx(view.document) };
}

/* Without a case (the CLI) ------------------------------------------------------------------------------------- */

export interface CaselessDraft {
  document: NoticeDocument;
  practice: ScopedPractice;
  remedyBy: string | null;
}

/**
 * A notice drafted straight from the stored evidence, without a case (`npm run cli -- notice draft`): for bulk
 * preparation and for checks. Nothing is stored but an audit entry saying it was drafted.
 */
export async function draftNoticeWithoutCase(
  db: Db,
  args: {
    practiceCode: string;
    type: NoticeType;
    from: string;
    to: string;
    issueDate?: string | null;
    periodDays?: number;
    shorter?: ShorterPeriod | null;
    by: { actor: string; ip: string | null };
  },
): Promise<CaselessDraft> {
  const practice = await loadPractice(db, args.practiceCode.toUpperCase());
  if (!practice) throw new CaseError("not_found", `No practice ${args.practiceCode.toUpperCase()}`);
  if (!isDate(args.from) || !isDate(args.to) || args.from > args.to) throw invalid(["The period must be two real dates, the first not after the last"]);
  if (args.issueDate && !isDate(args.issueDate)) throw invalid(["The date of issue must be a real date (YYYY-MM-DD)"]);
  const remedy = remedyFor(args.type, null, args.periodDays, args.shorter ?? null);
  let remedyBy: string | null = null;
  if (remedy && args.issueDate) {
    const check = remedyPeriod(args.issueDate, remedy.periodDays, remedy.shorter);
    if (!check.ok) throw invalid([check.problem]);
    remedyBy = check.remedyBy;
  }
  const takenAt = new Date().toISOString();
  const inputs = await gatherNoticeInputs(db, { practice, type: args.type, from: args.from, to: args.to, caseId: null, takenAt, remedy, issueDate: args.issueDate ?? null, remedyBy });
  const document = buildNoticeDocument(inputs);
  await recordAudit(db, {
    actor: args.by.actor,
    ip: args.by.ip,
    action: "notice.drafted_without_case",
    entityType: "practice",
    entityId: practice.ods_code,
    detail: { type: args.type, period: { from: args.from, to: args.to }, issueDate: args.issueDate ?? null, remedyBy, closedMinutes: document.evidence.totals.closed },
  });
  return { document, practice, remedyBy };
}
