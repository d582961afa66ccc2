import { data, redirect, type AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { canViewPractice } from "~/domain/access";
import { isDate } from "~/domain/calendar";
import { canActForIcb, canActForPractice, INFORMAL_CONTACT_KINDS, PRACTICE_VISIBLE_NOTICE_STATUSES, STAGES, SUPPORT_ITEM_STATUSES } from "~/domain/cases";
import {
  addSupportPlanItems,
  CaseError,
  openCase,
  recordInformalContact,
  recordLmcConsultation,
  recordPatientSafetyReason,
  recordPracticeResponse,
  recordProgress,
  moveStage,
  updateCase,
  updateSupportItem,
  type CaseActor,
  type SupportItemInput,
} from "~/services/cases.server";
import { approveNotice, draftNotice, editNotice, issueNotice, markLapsed, markRemedied, withdrawNotice } from "~/services/notices.server";
import { requireUser, type SessionUser } from "./auth.server";
import { getDb } from "./db.server";
import type { FieldErrors } from "./forms";
import { forbidden, notFound } from "./http.server";

/**
 * The forms of the case pages (`/icb/:icbCode/cases`, `/cases/:caseId`, its notices, `/practices/:odsCode/cases`):
 * the guard, the form's Zod schema, then the service (app/services/cases.server.ts, notices.server.ts), which checks
 * the rules and the user's scope again, records the step with its evidence and writes the audit log.
 *
 * Refusals come before the form is read: a case the user may not see is 404 (like one that does not exist), a step
 * for the other side (or an admin's, who only looks) is 403. A form that does not pass is 400 with its errors keyed
 * by the id of the field they belong to (`<form>-<field>`), so the error summary links to it.
 */

export interface IntentResult {
  intent: string;
  /** The item or notice the form was for, when a page repeats a form per item. */
  target: number | null;
  errors: FieldErrors;
  values: Record<string, string>;
}

export function failed(intent: string, errors: FieldErrors, values: Record<string, string> = {}, target: number | null = null) {
  return data<IntentResult>({ intent, target, errors, values }, { status: 400 });
}

export function actorOf(user: SessionUser, context: AppLoadContext): CaseActor {
  return { user: { id: user.id }, ip: context.clientIp ?? null };
}

/** A route parameter that must be a positive whole number, or 404. */
export function idParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,9}$/.test(value)) throw notFound();
  return Number(value);
}

export type Side = "icb" | "practice" | null;

export interface GuardedCase {
  user: SessionUser;
  caseId: number;
  stage: (typeof STAGES)[number];
  practice: { ods_code: string; name: string; icb_code: string | null };
  /** Which side the user may act for: a commissioner of the practice's ICB, the practice's own manager, or neither (admins, who only look). */
  side: Side;
}

/** The case, if the user may see its practice (else 404, whether or not it exists). */
export async function requireCase(request: Request, caseIdParam: string | undefined): Promise<GuardedCase> {
  const user = await requireUser(request);
  const caseId = idParam(caseIdParam);
  const db = getDb();
  const c = await db.selectFrom("cases").select(["id", "practice_code", "stage"]).where("id", "=", caseId).executeTakeFirst();
  if (!c) throw notFound();
  const practice = await db.selectFrom("practices").select(["ods_code", "name", "icb_code"]).where("ods_code", "=", c.practice_code).executeTakeFirst();
  if (!practice || !canViewPractice(user, practice)) throw notFound();
  const side: Side = canActForIcb(user, practice) ? "icb" : canActForPractice(user, practice) ? "practice" : null;
  return { user, caseId, stage: c.stage, practice, side };
}

/**
 * The notice of the case, if the user may see it: a notice of another case is 404, and so is a notice the practice
 * has not been sent (a draft, an approved or withdrawn one) when the user is on the practice's side.
 */
export async function requireNotice(request: Request, caseIdParam: string | undefined, noticeIdParam: string | undefined) {
  const guarded = await requireCase(request, caseIdParam);
  const noticeId = idParam(noticeIdParam);
  const notice = await getDb().selectFrom("notices").select(["id", "case_id", "status", "type"]).where("id", "=", noticeId).executeTakeFirst();
  if (!notice || notice.case_id !== guarded.caseId) throw notFound();
  if (guarded.user.role === "practice" && !PRACTICE_VISIBLE_NOTICE_STATUSES.includes(notice.status)) throw notFound();
  return { ...guarded, noticeId, notice };
}

/** Which side may use each form. `either`: the practice's manager or a commissioner of its ICB. */
const SIDES: Record<string, "icb" | "practice" | "either"> = {
  open: "icb",
  update: "icb",
  "informal-contact": "icb",
  "safety-reason": "icb",
  lmc: "icb",
  "add-support": "icb",
  "update-item": "icb",
  progress: "either",
  move: "icb",
  close: "icb",
  "draft-notice": "icb",
  edit: "icb",
  approve: "icb",
  issue: "icb",
  remedied: "icb",
  lapsed: "icb",
  withdraw: "icb",
  acknowledge: "practice",
  respond: "practice",
  review: "practice",
};

/**
 * Refuses (403) a form that is not this user's side's to use. False for a form the page does not have (the route
 * answers 400).
 */
export function requireSide(intent: string, side: Side, allowed: readonly string[]): boolean {
  const needs = SIDES[intent];
  if (!needs || !allowed.includes(intent)) return false;
  const ok = needs === "either" ? side !== null : side === needs;
  if (!ok) throw forbidden();
  return true;
}

/* Form fields ------------------------------------------------------------------------------------------------- */

const required = (message: string) => z.string({ message }).trim().min(1, message);
const textField = (what: string, max: number, min = 1) =>
  z
    .string({ message: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .min(min, `${what[0]!.toUpperCase()}${what.slice(1)} must be at least ${min} characters`)
    .max(max, `${what[0]!.toUpperCase()}${what.slice(1)} must be ${max.toLocaleString("en-GB")} characters or fewer`);
const optionalText = (what: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${what} must be ${max.toLocaleString("en-GB")} characters or fewer`)
    .optional()
    .transform((s) => (s ? s : undefined));
const dateField = (what: string) => required(`Enter ${what}`).refine(isDate, `Enter ${what} as a real date, for example 2026-11-23`);
/** An optional date: empty is null (which clears a date that can be cleared). */
const optionalDate = (what: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((s) => (s ? s : null))
    .refine((s) => s === null || isDate(s), `Enter ${what} as a real date, for example 2026-11-23`);
const idField = (message: string) => z.coerce.number({ message }).int(message).positive(message);
const daysField = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s ? s : undefined))
  .refine((s) => s === undefined || /^\d{1,4}$/.test(s), "Enter the period as a whole number of days")
  .transform((s) => (s === undefined ? undefined : Number(s)));
const shorterReason = z.enum(["", "patient_safety", "material_financial_loss"], { message: "Choose the reason for a shorter period" }).optional();

export const OpenCaseForm = z.object({
  practiceCode: required("Choose the practice").toUpperCase(),
  from: dateField("the period's first day"),
  to: dateField("the period's last day"),
  summary: textField("a summary of the concern", 5000),
  ownerId: idField("Choose who owns the case"),
  nextReviewDate: optionalDate("the next review date"),
});

const UpdateCaseForm = z.object({
  ownerId: idField("Choose who owns the case"),
  nextReviewDate: optionalDate("the next review date"),
  reason: optionalText("The reason", 2000),
});

const ContactForm = z.object({
  date: dateField("the date of the call or meeting"),
  kind: z.enum(INFORMAL_CONTACT_KINDS, { message: "Choose whether it was a call or a meeting" }),
  attendees: textField("who took part", 2000),
  notes: textField("notes of what was discussed", 10_000),
});

const SafetyForm = z.object({ reason: textField("the patient-safety reason", 5000, 10) });

const LmcForm = z.object({ date: dateField("the date of the consultation"), note: textField("a note of the consultation", 10_000) });

const SupportForm = z.object({
  owner: optionalText("The owner", 300),
  dueDate: optionalDate("the due date"),
  reviewDate: optionalDate("the review date"),
  otherTitle: optionalText("The other action", 300),
});

const STATUS = z.enum(SUPPORT_ITEM_STATUSES, { message: "Choose a status" });

const UpdateItemForm = z.object({
  itemId: idField("Choose a support plan item"),
  status: STATUS,
  owner: textField("who owns it", 300),
  dueDate: optionalDate("the due date"),
  reviewDate: optionalDate("the review date"),
  note: optionalText("The note", 5000),
});

const ProgressForm = z.object({
  itemId: idField("Choose a support plan item"),
  status: STATUS,
  note: textField("a note of the progress", 5000),
});

const MoveForm = z.object({
  to: z.enum(STAGES.filter((s) => s !== "closed") as [string, ...string[]], { message: "Choose the stage" }),
  reason: textField("the reason for this step", 10_000),
  cumulativeEffect: optionalText("The statement", 10_000),
});

const CloseForm = z.object({
  outcome: z.enum(["remedied", "no_further_action"], { message: "Choose whether the breach was remedied or there is no further action" }),
  reason: textField("the reason for closing the case", 10_000),
});

const DraftForm = z.object({
  type: z.enum(["remedial", "breach"], { message: "Choose remedial notice or breach notice" }),
  from: dateField("the first day of the period the notice is about"),
  to: dateField("the last day of the period the notice is about"),
  periodDays: daysField,
  shorterReason,
  shorterExplanation: optionalText("The explanation", 5000),
});

const ResponseForm = z.object({
  text: textField("your response", 20_000, 10),
  noticeId: z.coerce.number().int().positive().optional(),
});
const ReviewForm = z.object({
  text: textField("what you would like reviewed and why", 20_000, 10),
  noticeId: z.coerce.number().int().positive().optional(),
});
const AcknowledgeForm = z.object({ noticeId: idField("Choose the notice to acknowledge"), note: optionalText("The note", 20_000) });

const EditForm = z.object({
  covering: z.string().optional(),
  breachDetail: z.string().optional(),
  stepsRequired: z.string().optional(),
  nonRepetition: z.string().optional(),
  closing: z.string().optional(),
  periodDays: daysField,
  shorterReason,
  shorterExplanation: optionalText("The explanation", 5000),
  refreshEvidence: z.literal("yes").optional(),
  note: optionalText("The note", 2000),
});
const IssueForm = z.object({ issueDate: dateField("the date of issue") });
const NoteForm = z.object({ note: optionalText("The note", 5000) });
const WithdrawForm = z.object({ reason: textField("the reason for withdrawing the notice", 5000, 3) });

/** Form values as strings (checkbox lists joined), for re-filling a form that did not pass. */
function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") values[k] = k in values ? `${values[k]},${v}` : v;
  return values;
}

type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Validates a form; errors keyed `<prefix>-<field>` (the field's id on the page). */
function parseWith<S extends z.ZodType>(form: FormData, schema: S, prefix: string): Parsed<z.output<S>> {
  const input: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") input[k] = v;
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, data: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) errors[`${prefix}-${String(issue.path[0] ?? "form")}`] ??= issue.message;
  return { ok: false, errors };
}

/** A service refusal: 404 and 403 are thrown as they are; a rule that was not met comes back as the form's errors. */
function problemsOf(e: unknown): string[] {
  if (e instanceof CaseError) {
    if (e.status === 404) throw notFound();
    if (e.status === 403) throw forbidden();
    return e.problems;
  }
  throw e;
}

/** A rule's problems as errors on the form's first field (each its own line in the error summary). */
function ruleErrors(problems: string[], field: string): FieldErrors {
  const errors: FieldErrors = {};
  problems.forEach((p, i) => (errors[i === 0 ? field : `${field}~${i}`] = p));
  return errors;
}

/** The id a page gives a form's field: `contact-date`, or `item-12-status` for a form repeated per item. */
export const fieldId = (prefix: string, field: string, target?: number | null) => (target ? `${prefix}-${target}-${field}` : `${prefix}-${field}`);

async function run(intent: string, form: FormData, prefix: string, firstField: string, target: number | null, step: () => Promise<string>) {
  try {
    return redirect(await step());
  } catch (e) {
    if (e instanceof Response) throw e;
    return failed(intent, ruleErrors(problemsOf(e), fieldId(prefix, firstField, target)), formValues(form), target);
  }
}

/** A per-item form's errors, with the item's id in each key. */
function withTarget(parsed: Parsed<unknown>, prefix: string, target: number | null): Parsed<unknown> {
  if (parsed.ok || !target) return parsed;
  const errors: FieldErrors = {};
  for (const [k, v] of Object.entries(parsed.errors)) errors[k.replace(`${prefix}-`, `${prefix}-${target}-`)] = v;
  return { ok: false, errors };
}

function targetOf(form: FormData, field: string): number | null {
  const n = Number(form.get(field));
  return Number.isInteger(n) && n > 0 ? n : null;
}

/* The forms ----------------------------------------------------------------------------------------------------- */

/** `/icb/:icbCode/cases`: opening a case (a person's decision; the app only suggests). */
export async function openCaseIntent(form: FormData, actor: CaseActor) {
  const p = parseWith(form, OpenCaseForm, "open");
  if (!p.ok) return failed("open", p.errors, formValues(form), null);
  const v = p.data;
  return run("open", form, "open", "summary", null, async () => {
    const id = await openCase(getDb(), actor, {
      practiceCode: v.practiceCode,
      from: v.from,
      to: v.to,
      summary: v.summary,
      ownerId: v.ownerId,
      nextReviewDate: v.nextReviewDate,
    });
    return `/cases/${id}?done=opened`;
  });
}

/**
 * The forms of a case (its page and the practice's cases page): `back` is where a successful step returns, with
 * `done=<what>` added. Items and notices named in a form must belong to the case (else 404).
 */
export async function caseIntent(intent: string, form: FormData, actor: CaseActor, caseId: number, back: (done: string) => string) {
  const db = getDb();
  const itemOfCase = async (itemId: number) => {
    const item = await db.selectFrom("support_plan_items").select(["id", "case_id"]).where("id", "=", itemId).executeTakeFirst();
    if (!item || item.case_id !== caseId) throw notFound();
    return item.id;
  };
  const noticeOfCase = async (noticeId: number | undefined) => {
    if (noticeId === undefined) return undefined;
    const n = await db.selectFrom("notices").select(["id", "case_id"]).where("id", "=", noticeId).executeTakeFirst();
    if (!n || n.case_id !== caseId) throw notFound();
    return n.id;
  };
  switch (intent) {
    case "update": {
      const p = parseWith(form, UpdateCaseForm, "update");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      return run(intent, form, "update", "ownerId", null, async () => {
        await updateCase(db, actor, caseId, { ownerId: v.ownerId, nextReviewDate: v.nextReviewDate, reason: v.reason });
        return back("updated");
      });
    }
    case "informal-contact": {
      const p = parseWith(form, ContactForm, "contact");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      return run(intent, form, "contact", "date", null, async () => {
        await recordInformalContact(db, actor, caseId, v);
        return back("contact");
      });
    }
    case "safety-reason": {
      const p = parseWith(form, SafetyForm, "safety");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      return run(intent, form, "safety", "reason", null, async () => {
        await recordPatientSafetyReason(db, actor, caseId, v.reason);
        return back("safety");
      });
    }
    case "lmc": {
      const p = parseWith(form, LmcForm, "lmc");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      return run(intent, form, "lmc", "date", null, async () => {
        await recordLmcConsultation(db, actor, caseId, v);
        return back("lmc");
      });
    }
    case "add-support": {
      const p = parseWith(form, SupportForm, "support");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      const chosen = form.getAll("actionId").filter((a): a is string => typeof a === "string" && a.trim() !== "");
      const errors: FieldErrors = {};
      if (chosen.length === 0 && !v.otherTitle) errors["support-actionId"] = "Choose at least one support action, or describe another";
      if (v.otherTitle && !v.owner) errors["support-owner"] = "Say who owns the other action";
      if (v.dueDate && v.reviewDate && v.reviewDate < v.dueDate) errors["support-reviewDate"] = "The review date must not be before the due date";
      if (Object.keys(errors).length) return failed(intent, errors, formValues(form));
      const items: SupportItemInput[] = chosen.map((actionId) => ({ actionId, owner: v.owner, dueDate: v.dueDate, reviewDate: v.reviewDate }));
      if (v.otherTitle) items.push({ actionId: "other", title: v.otherTitle, owner: v.owner, dueDate: v.dueDate, reviewDate: v.reviewDate });
      return run(intent, form, "support", "actionId", null, async () => {
        await addSupportPlanItems(db, actor, caseId, items);
        return back("support");
      });
    }
    case "update-item": {
      const target = targetOf(form, "itemId");
      const p = withTarget(parseWith(form, UpdateItemForm, "item"), "item", target) as Parsed<z.output<typeof UpdateItemForm>>;
      if (!p.ok) return failed(intent, p.errors, formValues(form), target);
      const v = p.data;
      const itemId = await itemOfCase(v.itemId);
      if (v.dueDate && v.reviewDate && v.reviewDate < v.dueDate)
        return failed(intent, { [fieldId("item", "reviewDate", itemId)]: "The review date must not be before the due date" }, formValues(form), itemId);
      return run(intent, form, "item", "status", itemId, async () => {
        await updateSupportItem(db, actor, itemId, { status: v.status, owner: v.owner, dueDate: v.dueDate, reviewDate: v.reviewDate, note: v.note });
        return back("item");
      });
    }
    case "progress": {
      const target = targetOf(form, "itemId");
      const p = withTarget(parseWith(form, ProgressForm, "progress"), "progress", target) as Parsed<z.output<typeof ProgressForm>>;
      if (!p.ok) return failed(intent, p.errors, formValues(form), target);
      const v = p.data;
      const itemId = await itemOfCase(v.itemId);
      return run(intent, form, "progress", "status", itemId, async () => {
        await recordProgress(db, actor, itemId, { status: v.status, note: v.note });
        return back("progress");
      });
    }
    case "move": {
      const p = parseWith(form, MoveForm, "move");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      return run(intent, form, "move", "to", null, async () => {
        await moveStage(db, actor, caseId, { to: v.to as (typeof STAGES)[number], reason: v.reason, cumulativeEffect: v.cumulativeEffect });
        return back("moved");
      });
    }
    case "close": {
      const p = parseWith(form, CloseForm, "close");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      return run(intent, form, "close", "outcome", null, async () => {
        await moveStage(db, actor, caseId, { to: "closed", outcome: v.outcome, reason: v.reason });
        return back("closed");
      });
    }
    case "draft-notice": {
      const p = parseWith(form, DraftForm, "draft");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      const remedial = v.type === "remedial";
      if (remedial && v.periodDays !== undefined && v.periodDays < 28 && !v.shorterReason)
        return failed(intent, { "draft-shorterReason": "Choose the reason for a period shorter than 28 days" }, formValues(form));
      return run(intent, form, "draft", "type", null, async () => {
        const id = await draftNotice(db, actor, caseId, {
          type: v.type,
          from: v.from,
          to: v.to,
          periodDays: remedial ? v.periodDays : undefined,
          shorter: remedial && v.shorterReason ? { reason: v.shorterReason, explanation: v.shorterExplanation ?? "" } : undefined,
        });
        return `/cases/${caseId}/notices/${id}?done=drafted`;
      });
    }
    case "respond":
    case "review": {
      const prefix = intent === "respond" ? "respond" : "review";
      const p = parseWith(form, intent === "respond" ? ResponseForm : ReviewForm, prefix);
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      const noticeId = await noticeOfCase(v.noticeId);
      return run(intent, form, prefix, "text", null, async () => {
        await recordPracticeResponse(db, actor, caseId, { kind: intent === "respond" ? "response" : "review_request", noticeId: noticeId ?? null, text: v.text });
        return back(intent === "respond" ? "responded" : "review");
      });
    }
    case "acknowledge": {
      const target = targetOf(form, "noticeId");
      const p = withTarget(parseWith(form, AcknowledgeForm, "acknowledge"), "acknowledge", target) as Parsed<z.output<typeof AcknowledgeForm>>;
      if (!p.ok) return failed(intent, p.errors, formValues(form), target);
      const v = p.data;
      const noticeId = (await noticeOfCase(v.noticeId))!;
      return run(intent, form, "acknowledge", "noticeId", noticeId, async () => {
        await recordPracticeResponse(db, actor, caseId, { kind: "acknowledgement", noticeId, text: v.note ?? "" });
        return back("acknowledged");
      });
    }
  }
  return failed(intent, { form: "Choose what to do" });
}

/** The current values of a draft, to send the service only what the form changed. */
export interface DraftState {
  type: "remedial" | "breach";
  remedyPeriodDays: number | null;
  shorterReason: "patient_safety" | "material_financial_loss" | null;
  shorterExplanation: string | null;
}

/** The forms of a notice's page. The practice's forms (acknowledge, respond, review) go to `caseIntent`. */
export async function noticeIntent(intent: string, form: FormData, actor: CaseActor, noticeId: number, draft: DraftState, back: (done: string) => string) {
  const db = getDb();
  switch (intent) {
    case "edit": {
      const p = parseWith(form, EditForm, "edit");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      const text: Record<string, string> = {};
      for (const k of ["covering", "breachDetail", "stepsRequired", "nonRepetition", "closing"] as const) if (v[k] !== undefined) text[k] = v[k]!;
      const remedial = draft.type === "remedial";
      const days = remedial ? (v.periodDays ?? 28) : undefined;
      const reason = remedial && v.shorterReason ? v.shorterReason : null;
      const explanation = reason ? (v.shorterExplanation ?? "") : null;
      const remedyChanged =
        remedial && (days !== (draft.remedyPeriodDays ?? 28) || reason !== draft.shorterReason || (reason !== null && explanation !== (draft.shorterExplanation ?? "")));
      if (remedial && days! < 28 && !reason) return failed(intent, { "edit-shorterReason": "Choose the reason for a period shorter than 28 days" }, formValues(form));
      return run(intent, form, "edit", "breachDetail", null, async () => {
        await editNotice(db, actor, noticeId, {
          text,
          ...(remedyChanged ? { periodDays: days, shorter: reason ? { reason, explanation: explanation ?? "" } : null } : {}),
          refreshEvidence: v.refreshEvidence === "yes",
          note: v.note,
        });
        return back("edited");
      });
    }
    case "approve":
      return run(intent, form, "approve", "button", null, async () => {
        await approveNotice(db, actor, noticeId);
        return back("approved");
      });
    case "issue": {
      const p = parseWith(form, IssueForm, "issue");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      return run(intent, form, "issue", "issueDate", null, async () => {
        await issueNotice(db, actor, noticeId, v);
        return back("issued");
      });
    }
    case "remedied":
    case "lapsed": {
      const p = parseWith(form, NoteForm, intent);
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      return run(intent, form, intent, "note", null, async () => {
        await (intent === "remedied" ? markRemedied : markLapsed)(db, actor, noticeId, v.note ?? "");
        return back(intent);
      });
    }
    case "withdraw": {
      const p = parseWith(form, WithdrawForm, "withdraw");
      if (!p.ok) return failed(intent, p.errors, formValues(form), null);
      const v = p.data;
      return run(intent, form, "withdraw", "reason", null, async () => {
        await withdrawNotice(db, actor, noticeId, v.reason);
        return back("withdrawn");
      });
    }
  }
  return failed(intent, { form: "Choose what to do" });
}
