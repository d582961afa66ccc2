import { z } from "zod";
import { affectedDays, EvidenceSnapshotSchema, type EvidenceSnapshot } from "./case-evidence";
import { MINIMUM_REMEDY_DAYS, NOTICE_LABELS, SHORTER_PERIOD_LABELS, type NoticeStatus, type NoticeType, type ShorterPeriodReason } from "./cases";

/**
 * Remedial and breach notices as documents (domain-rules.md section 2).
 *
 * `buildNoticeDocument` makes a structured document from plain inputs (the practice, the frozen evidence, the demand
 * and capacity context, the support offered, earlier notices, the remedy period). The document is JSON: its editable
 * text sections (`text`) are plain text; the evidence is generated data kept with each version. `noticeBlocks` lays the
 * document out once, as headings, paragraphs, lists and tables; `renderNoticeHtml` (here) and `renderNoticeDocx`
 * (notice-docx.ts, kept apart so that pages importing these types never bundle the DOCX library) both draw those
 * blocks, so the print page and the Word file say the same thing.
 *
 * The contract's own terms are used throughout: "remedial notice" and "breach notice". The term CQC uses for its
 * own enforcement is refused in the editable text (`checkNoticeText`).
 */

/** The duty, as the amended contract states it (domain-rules.md 1.2). */
export const DUTY_WORDING =
  "must take steps to ensure that all of the following means of contacting the practice are available for patients throughout core hours: (a) attending the practice's premises; (b) telephone; (c) the practice's online consultation tool";

export const CORE_HOURS_TEXT =
  "Core hours are 08:00 to 18:30, Monday to Friday, except Good Friday, Christmas Day and bank holidays. The requirement has applied since 1 October 2025.";

export const DISPUTE_TEXT =
  "If you do not agree with this notice, please tell us first, so that we can try to resolve it locally; your Local Medical Committee can support you. " +
  "You also have the right to refer the dispute to the NHS dispute resolution procedure, which is run by NHS Resolution's Primary Care Appeals service, " +
  "independent of NHS England and of the ICB (https://resolution.nhs.uk/services/primary-care-appeals/). It decides disputes about remedial notices and breach notices.";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** `2026-12-01` → `1 December 2026`. */
export function longDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  if (!y || !m || !d) return iso;
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** `2026-12-01` → `Tuesday 1 December 2026`. */
export function longDateWithDay(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  if (!y || !m || !d) return iso;
  return `${WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]} ${longDate(iso)}`;
}

/** `2026-12-01 09:30` (London) → `1 December 2026, 09:30`. */
function longDateTime(local: string): string {
  return `${longDate(local.slice(0, 10))}, ${local.slice(11, 16)}`;
}

const int = (n: number) => n.toLocaleString("en-GB", { maximumFractionDigits: 0 });
const plural = (n: number, one: string, many = `${one}s`) => `${int(n)} ${n === 1 ? one : many}`;

export const CATEGORY_WORDS: Record<"all" | "clinical" | "admin", string> = {
  all: "All requests",
  clinical: "Clinical requests",
  admin: "Admin requests",
};

/* Inputs ---------------------------------------------------------------------------------------------------- */

const SUPPORT_STATUSES = ["planned", "in_progress", "done", "not_done", "cancelled"] as const;
const SUPPORT_STATUS_WORDS: Record<(typeof SUPPORT_STATUSES)[number], string> = {
  planned: "Planned",
  in_progress: "In progress",
  done: "Done",
  not_done: "Not done",
  cancelled: "Cancelled",
};

export const DemandContextSchema = z.object({
  classification: z.object({ label: z.string(), action: z.string(), reasons: z.array(z.string()) }).nullable(),
  measures: z.array(z.object({ title: z.string(), value: z.string(), decile: z.number().nullable(), period: z.string() })),
  missing: z.array(z.string()),
});
export type DemandContext = z.infer<typeof DemandContextSchema>;

export const SupportRecordSchema = z.object({
  /** False when the notice was drafted without a case (the CLI): support is then not recorded here. */
  recorded: z.boolean(),
  contacts: z.array(z.object({ date: z.string(), kind: z.enum(["call", "meeting"]), attendees: z.string(), notes: z.string() })),
  items: z.array(
    z.object({
      title: z.string(),
      owner: z.string(),
      dueDate: z.string().nullable(),
      reviewDate: z.string().nullable(),
      status: z.enum(SUPPORT_STATUSES),
      progress: z.array(z.object({ at: z.string(), side: z.enum(["practice", "icb"]), status: z.enum(SUPPORT_STATUSES), note: z.string() })),
    }),
  ),
});
export type SupportRecord = z.infer<typeof SupportRecordSchema>;

const NOTICE_TYPES = ["remedial", "breach"] as const;
const NOTICE_STATUSES = ["draft", "approved", "issued", "remedied", "lapsed", "withdrawn"] as const satisfies readonly NoticeStatus[];

export const EarlierNoticeSchema = z.object({
  type: z.enum(NOTICE_TYPES),
  status: z.enum(NOTICE_STATUSES),
  issueDate: z.string().nullable(),
  remedyBy: z.string().nullable(),
  periodFrom: z.string(),
  periodTo: z.string(),
});
export type EarlierNotice = z.infer<typeof EarlierNoticeSchema>;

export interface NoticeInputs {
  type: NoticeType;
  /** The case it belongs to, e.g. `Case 12`; null when drafted without a case. */
  reference: string | null;
  draftedOn: string;
  contractor: { odsCode: string; name: string; address: string[]; contractType: string | null };
  commissioner: { code: string | null; name: string };
  period: { from: string; to: string };
  evidence: EvidenceSnapshot;
  context: DemandContext;
  support: SupportRecord;
  /** The practice's earlier issued notices (the history the cumulative effect is judged on). */
  history: EarlierNotice[];
  /** Remedial notices: the period for remedy from the date of issue (ignored for a breach notice). */
  remedy?: { periodDays: number; shorter: { reason: ShorterPeriodReason; explanation: string } | null } | null;
  /** Set when the notice is issued (or when drafting with a date of issue in mind). */
  issueDate?: string | null;
  remedyBy?: string | null;
}

/* The document ---------------------------------------------------------------------------------------------- */

export const NoticeTextSchema = z.object({
  covering: z.string(),
  breachDetail: z.string(),
  stepsRequired: z.string(),
  nonRepetition: z.string(),
  closing: z.string(),
});
export type NoticeText = z.infer<typeof NoticeTextSchema>;

export const NoticeDocumentSchema = z.object({
  format: z.literal(1),
  type: z.enum(NOTICE_TYPES),
  title: z.string(),
  reference: z.string().nullable(),
  draftedOn: z.string(),
  /** True only for the version the practice was sent. */
  issued: z.boolean(),
  /** The date of issue: as issued, or as planned in a draft. */
  issueDate: z.string().nullable(),
  contractor: z.object({ odsCode: z.string(), name: z.string(), address: z.array(z.string()), contractType: z.string().nullable() }),
  commissioner: z.object({ code: z.string().nullable(), name: z.string() }),
  period: z.object({ from: z.string(), to: z.string() }),
  duty: z.object({ wording: z.string(), coreHours: z.string() }),
  text: NoticeTextSchema,
  evidence: EvidenceSnapshotSchema,
  context: DemandContextSchema,
  support: SupportRecordSchema,
  history: z.array(EarlierNoticeSchema),
  remedy: z
    .object({
      periodDays: z.number().int(),
      shorterReason: z.enum(["patient_safety", "material_financial_loss"]).nullable(),
      shorterExplanation: z.string().nullable(),
      remedyBy: z.string().nullable(),
    })
    .nullable(),
});
export type NoticeDocument = z.infer<typeof NoticeDocumentSchema>;

/** Reads a stored document (JSON text), checking its shape. */
export function parseNoticeDocument(json: string): NoticeDocument {
  return NoticeDocumentSchema.parse(JSON.parse(json));
}

/** "GMS contract", "PMS agreement", "APMS contract", or "contract (type not recorded)". */
export function contractPhrase(contractType: string | null): string {
  const t = contractType?.trim().toUpperCase() ?? "";
  if (t === "GMS") return "GMS contract";
  if (t === "PMS") return "PMS agreement";
  if (t === "APMS") return "APMS contract";
  if (t) return `${contractType!.trim()} contract`;
  return "contract (type not recorded)";
}

export function contractTypeText(contractType: string | null): string {
  return contractType?.trim() ? contractType.trim().toUpperCase() : "not recorded";
}

/** The default text of "the breach in detail", from the evidence (editable afterwards). */
export function defaultBreachDetail(inputs: Pick<NoticeInputs, "contractor" | "period" | "evidence">): string {
  const e = inputs.evidence;
  const affected = affectedDays(e);
  const lines: string[] = [];
  lines.push(
    `Between ${longDate(inputs.period.from)} and ${longDate(inputs.period.to)} the online consultation tool of ${inputs.contractor.name} was not available to patients ` +
      `for ${plural(e.totals.closed, "minute")} of core hours, on ${plural(affected.length, "day")} of the ${plural(e.coverage.coreDays, "core day")} in the period, ` +
      `without an approved pause for exceptional circumstances.`,
  );
  const closedEpisodes = e.episodes.filter((x) => !x.excepted);
  if (closedEpisodes.length > 0) {
    const longest = closedEpisodes.reduce((a, b) => (b.minutes > a.minutes ? b : a));
    lines.push(
      `There were ${plural(closedEpisodes.length, "closure")}; the longest was on ${longDateWithDay(longest.date)} from ${longest.from} to ${longest.to} (${plural(longest.minutes, "minute")}, ${CATEGORY_WORDS[longest.category].toLowerCase()}).`,
    );
    const counts = new Map<string, number>();
    for (const ep of closedEpisodes) for (const r of ep.reasons.length ? ep.reasons : ["no reason given"]) counts.set(r, (counts.get(r) ?? 0) + 1);
    lines.push(
      `Reasons recorded for the closures: ${[...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([r, n]) => `"${r}" (${n})`)
        .join(", ")}.`,
    );
  }
  if (e.flaggedDates.length > 0) {
    lines.push(
      `On ${plural(e.flaggedDates.length, "day")} the tool was closed for ${e.policy.closedMinutesPerDay} minutes or more, the ICB's threshold for a day of concern (policy: ${e.policyText}).`,
    );
  }
  if (e.totals.excepted > 0) lines.push(`A further ${plural(e.totals.excepted, "minute")} of closure fell within pauses the ICB approved, and are not part of the breach.`);
  lines.push(
    "This means that, during those times, patients could not contact the practice through its online consultation tool, as the contract requires throughout core hours.",
  );
  return lines.join("\n");
}

function defaultSteps(inputs: NoticeInputs): string {
  return [
    "1. Keep the online consultation tool open to patients for non-urgent clinical requests and for admin requests throughout core hours (08:00 to 18:30, Monday to Friday, except bank holidays), from the date of this notice.",
    "2. Do not switch the tool off, or limit the number of requests it accepts, to manage demand. Use safeguards that direct urgent needs to the telephone or to the practice's premises instead.",
    `3. Where the tool must be paused in exceptional circumstances, ask ${inputs.commissioner.name} to agree the pause beforehand (or straight away for an unplanned outage), through the pause request process.`,
    "4. Confirm to us in writing, before the end of the period below, the steps you have taken.",
  ].join("\n");
}

function defaultNonRepetition(inputs: NoticeInputs): string {
  return [
    `${inputs.contractor.name} must not repeat the breach described in this notice: the online consultation tool must be available to patients throughout core hours, except during a pause agreed with ${inputs.commissioner.name} in exceptional circumstances.`,
    "Please confirm to us in writing what you have done to make sure that the breach is not repeated.",
  ].join("\n");
}

function defaultCovering(inputs: NoticeInputs): string {
  const what = NOTICE_LABELS[inputs.type].toLowerCase();
  const why =
    inputs.type === "remedial"
      ? "because we consider that you are in breach of your contract and that the breach is capable of remedy"
      : "because we consider that you have breached your contract and that the breach is not capable of remedy";
  return [
    `Dear ${inputs.contractor.name},`,
    `${inputs.commissioner.name} gives you this ${what} under your ${contractPhrase(inputs.contractor.contractType)}, ${why}.`,
    "The details of the breach, the evidence for it, and what you must now do are set out below.",
  ].join("\n");
}

function defaultClosing(inputs: NoticeInputs): string {
  return [`Signed on behalf of ${inputs.commissioner.name}`, "Name:", "Role:", "Date:"].join("\n");
}

/** Builds version 1 of a notice from plain inputs. */
export function buildNoticeDocument(inputs: NoticeInputs): NoticeDocument {
  const remedy =
    inputs.type === "remedial"
      ? {
          periodDays: inputs.remedy?.periodDays ?? MINIMUM_REMEDY_DAYS,
          shorterReason: inputs.remedy?.shorter?.reason ?? null,
          shorterExplanation: inputs.remedy?.shorter?.explanation ?? null,
          remedyBy: inputs.remedyBy ?? null,
        }
      : null;
  return {
    format: 1,
    type: inputs.type,
    title: NOTICE_LABELS[inputs.type],
    reference: inputs.reference,
    draftedOn: inputs.draftedOn,
    issued: false,
    issueDate: inputs.issueDate ?? null,
    contractor: { ...inputs.contractor, address: [...inputs.contractor.address] },
    commissioner: { ...inputs.commissioner },
    period: { ...inputs.period },
    duty: { wording: DUTY_WORDING, coreHours: CORE_HOURS_TEXT },
    text: {
      covering: defaultCovering(inputs),
      breachDetail: defaultBreachDetail(inputs),
      stepsRequired: inputs.type === "remedial" ? defaultSteps(inputs) : "",
      nonRepetition: inputs.type === "breach" ? defaultNonRepetition(inputs) : "",
      closing: defaultClosing(inputs),
    },
    evidence: inputs.evidence,
    context: inputs.context,
    support: inputs.support,
    history: inputs.history,
    remedy,
  };
}

const MAX_TEXT = 20_000;
const FORBIDDEN_TERM = /warning\s+notice/i;

/** Problems with edited text: required sections, length, and only the contract's terms for notices. */
export function checkNoticeText(type: NoticeType, text: NoticeText): string[] {
  const problems: string[] = [];
  const names: Record<keyof NoticeText, string> = {
    covering: "The covering text",
    breachDetail: "The breach in detail",
    stepsRequired: "The steps required",
    nonRepetition: "The requirement not to repeat the breach",
    closing: "The closing text",
  };
  if (!text.breachDetail.trim()) problems.push("Describe the breach in detail");
  if (type === "remedial" && !text.stepsRequired.trim()) problems.push("Give the steps required to remedy the breach");
  if (type === "breach" && !text.nonRepetition.trim()) problems.push("Give the requirement not to repeat the breach");
  for (const key of Object.keys(names) as (keyof NoticeText)[]) {
    if (text[key].length > MAX_TEXT) problems.push(`${names[key]} must be ${int(MAX_TEXT)} characters or fewer`);
    if (FORBIDDEN_TERM.test(text[key]))
      problems.push(`${names[key]}: use the contract's terms, "remedial notice" or "breach notice", not CQC's term for its own enforcement`);
  }
  return problems;
}

/** The document with edited text (the evidence and everything else as before). */
export function withText(doc: NoticeDocument, edits: Partial<NoticeText>): NoticeDocument {
  const text = { ...doc.text };
  for (const key of Object.keys(text) as (keyof NoticeText)[]) {
    const v = edits[key];
    if (typeof v === "string") text[key] = v.replace(/\r\n?/g, "\n");
  }
  return { ...doc, text };
}

/** The document as issued: the date of issue and, for a remedial notice, the remedy-by date. */
export function withIssue(doc: NoticeDocument, issueDate: string, remedyBy: string | null): NoticeDocument {
  return { ...doc, issued: true, issueDate, remedy: doc.remedy ? { ...doc.remedy, remedyBy } : null };
}

/** The document with another remedy period (drafts only; the service checks the rule). */
export function withRemedyPeriod(doc: NoticeDocument, periodDays: number, shorter: { reason: ShorterPeriodReason; explanation: string } | null): NoticeDocument {
  if (!doc.remedy) return doc;
  return { ...doc, remedy: { ...doc.remedy, periodDays, shorterReason: shorter?.reason ?? null, shorterExplanation: shorter?.explanation ?? null } };
}

/* Layout ---------------------------------------------------------------------------------------------------- */

export type Block =
  | { kind: "title"; text: string }
  | { kind: "heading"; text: string }
  | { kind: "subheading"; text: string }
  | { kind: "paragraph"; text: string; strong?: boolean }
  | { kind: "quote"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "facts"; rows: [string, string][] }
  | { kind: "table"; caption: string; header: string[]; rows: string[][]; numeric: boolean[]; total?: string[] };

const paragraphs = (text: string): Block[] =>
  text
    .split(/\n+/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => ({ kind: "paragraph" as const, text: t }));

function remedyText(doc: NoticeDocument): string[] {
  const r = doc.remedy!;
  const lines: string[] = [];
  const period = `${plural(r.periodDays, "day")} from the date of issue of this notice`;
  if (doc.issueDate && r.remedyBy) {
    lines.push(`You must take the steps above within ${period}, that is by ${longDate(r.remedyBy)} (date of issue: ${longDate(doc.issueDate)}).`);
  } else {
    lines.push(`You must take the steps above within ${period}. The date by which they must be taken is set when the notice is issued.`);
  }
  if (r.periodDays < MINIMUM_REMEDY_DAYS && r.shorterReason) {
    lines.push(
      `This period is shorter than the ${MINIMUM_REMEDY_DAYS} days the contract otherwise requires because a shorter period is needed ${SHORTER_PERIOD_LABELS[r.shorterReason]}: ${r.shorterExplanation ?? ""}`.trim(),
    );
  }
  lines.push(
    "If the steps are not taken to our satisfaction by the end of this period, we may take further action under the contract, which may include terminating the contract by a further notice, or a contract sanction instead.",
  );
  return lines;
}

function historyRows(history: EarlierNotice[]): string[][] {
  return history.map((h) => [
    NOTICE_LABELS[h.type],
    h.issueDate ? longDate(h.issueDate) : "not issued",
    `${longDate(h.periodFrom)} to ${longDate(h.periodTo)}`,
    h.remedyBy ? longDate(h.remedyBy) : "",
    h.status === "issued" ? "Issued" : h.status === "remedied" ? "Remedied" : h.status === "lapsed" ? "Lapsed (not remedied)" : h.status,
  ]);
}

/** The document laid out as blocks, in reading order. */
export function noticeBlocks(doc: NoticeDocument): Block[] {
  const e = doc.evidence;
  const blocks: Block[] = [];
  blocks.push({ kind: "title", text: doc.title });
  const address = doc.contractor.address.filter((l) => l.trim()).join(", ") || "not recorded";
  blocks.push({
    kind: "facts",
    rows: [
      ["To (the contractor)", `${doc.contractor.name} (practice code ${doc.contractor.odsCode})`],
      ["Address", address],
      ["Contract type", contractTypeText(doc.contractor.contractType)],
      ["From (the commissioner)", doc.commissioner.name],
      ["Date of issue", doc.issued && doc.issueDate ? longDate(doc.issueDate) : doc.issueDate ? `${longDate(doc.issueDate)} (planned; not yet issued)` : "Not yet issued (draft)"],
      ["Period the notice is about", `${longDate(doc.period.from)} to ${longDate(doc.period.to)}`],
      ...(doc.reference ? ([["Reference", doc.reference]] as [string, string][]) : []),
    ],
  });
  blocks.push(...paragraphs(doc.text.covering));

  blocks.push({ kind: "heading", text: "The contract's requirement" });
  blocks.push({ kind: "paragraph", text: `Under your ${contractPhrase(doc.contractor.contractType)}, the contractor:` });
  blocks.push({ kind: "quote", text: `“${doc.duty.wording}”.` });
  blocks.push({ kind: "paragraph", text: doc.duty.coreHours });

  blocks.push({ kind: "heading", text: "The breach in detail" });
  blocks.push(...paragraphs(doc.text.breachDetail));

  blocks.push({ kind: "heading", text: "Evidence" });
  blocks.push({
    kind: "paragraph",
    text:
      `The figures below come from the online consultation supplier's availability records held by ${doc.commissioner.name}, for the core days from ` +
      `${longDate(e.from)} to ${longDate(e.to)}, as they stood on ${longDate(e.takenAt.slice(0, 10))}. Times are London times.`,
  });
  blocks.push({ kind: "paragraph", text: `Total closed minutes in core hours: ${int(e.totals.closed)}.`, strong: true });
  const days = affectedDays(e);
  blocks.push({
    kind: "table",
    caption: "Days on which the tool was closed",
    header: ["Date", "Closed minutes", "Excepted minutes (approved pause)"],
    rows: days.map((d) => [longDateWithDay(d.date), int(d.closed), int(d.excepted)]),
    numeric: [false, true, true],
    total: ["Total", int(e.totals.closed), int(days.reduce((s, d) => s + d.excepted, 0))],
  });
  if (days.length === 0) blocks.push({ kind: "paragraph", text: "No day in the period had closed minutes." });
  blocks.push({
    kind: "table",
    caption: "Each closure",
    header: ["Date", "From", "To", "Minutes", "Requests affected", "Reason given", "Counted as"],
    rows: e.episodes.map((x) => [
      longDateWithDay(x.date),
      x.from,
      x.to,
      int(x.minutes),
      CATEGORY_WORDS[x.category],
      x.reasons.length ? x.reasons.join("; ") : "none given",
      x.excepted ? `Excepted (approved pause${x.pauseIds.length ? ` ${x.pauseIds.map((id) => `#${id}`).join(", ")}` : ""})` : "Closed",
    ]),
    numeric: [false, false, false, true, false, false, false],
  });
  if (e.episodes.length === 0) blocks.push({ kind: "paragraph", text: "No closures were recorded in the period." });
  blocks.push({ kind: "subheading", text: "Excepted minutes and approved pauses" });
  blocks.push({
    kind: "paragraph",
    text: `${plural(e.totals.excepted, "minute")} of closure fell within pauses approved by ${doc.commissioner.name} for exceptional circumstances. They are not counted as closed.`,
  });
  if (e.pauses.length > 0) {
    blocks.push({
      kind: "table",
      caption: "Approved pauses overlapping the period",
      header: ["Pause", "From", "To", "Requests", "Kind", "Reason"],
      rows: e.pauses.map((p) => [`#${p.id}`, longDateTime(p.from), longDateTime(p.to), CATEGORY_WORDS[p.category], p.kind === "planned" ? "Planned" : "Outage", p.reason]),
      numeric: [false, false, false, false, false, false],
    });
  } else {
    blocks.push({ kind: "paragraph", text: "No pauses were approved in the period." });
  }
  blocks.push({ kind: "subheading", text: "Data coverage" });
  blocks.push({
    kind: "facts",
    rows: [
      ["Core days in the period", int(e.coverage.coreDays)],
      ["Core days with availability data", int(e.coverage.daysWithData)],
      ["Core minutes with no data", `${int(e.coverage.minutesWithNoData)} (not counted as closed)`],
      ["Core minutes open", int(e.totals.open)],
      ["Core minutes closed", int(e.totals.closed)],
      ["Core minutes excepted", int(e.totals.excepted)],
      ["Core minutes in the period", int(e.totals.coreMinutes)],
      ["Days of concern under the ICB's policy", `${int(e.flaggedDates.length)} (${e.policyText})`],
    ],
  });

  blocks.push({ kind: "heading", text: "Demand and capacity" });
  if (doc.context.classification) {
    blocks.push({ kind: "paragraph", text: `Our reading of the practice's demand and capacity: ${doc.context.classification.label} (${doc.context.classification.action.toLowerCase()}).` });
    if (doc.context.classification.reasons.length) blocks.push({ kind: "list", items: doc.context.classification.reasons });
  } else {
    blocks.push({ kind: "paragraph", text: "No reading of the practice's demand and capacity is available." });
  }
  if (doc.context.measures.length) {
    blocks.push({
      kind: "table",
      caption: "Key measures",
      header: ["Measure", "Month", "Value", "Decile among the ICB's practices (10 = highest)"],
      rows: doc.context.measures.map((m) => [m.title, m.period, m.value, m.decile === null ? "not ranked" : String(m.decile)]),
      numeric: [false, false, true, true],
    });
  }
  if (doc.context.missing.length) blocks.push({ kind: "list", items: doc.context.missing });

  blocks.push({ kind: "heading", text: "Support offered" });
  if (!doc.support.recorded) {
    blocks.push({ kind: "paragraph", text: "This draft was prepared without a case: the informal contact and support offered are not recorded in it. Add them before the notice is issued." });
  } else {
    if (doc.support.contacts.length) {
      blocks.push({
        kind: "list",
        items: doc.support.contacts.map(
          (c) => `${longDate(c.date)}: ${c.kind === "call" ? "call" : "meeting"} with ${c.attendees}.${c.notes.trim() ? ` ${c.notes.trim()}` : ""}`,
        ),
      });
    } else {
      blocks.push({ kind: "paragraph", text: "No informal contact is recorded." });
    }
    if (doc.support.items.length) {
      blocks.push({
        kind: "table",
        caption: "Support plan",
        header: ["Action", "Owner", "Due", "Review", "Status", "Latest progress"],
        rows: doc.support.items.map((i) => {
          const last = i.progress.at(-1);
          return [
            i.title,
            i.owner,
            i.dueDate ? longDate(i.dueDate) : "",
            i.reviewDate ? longDate(i.reviewDate) : "",
            SUPPORT_STATUS_WORDS[i.status],
            last ? `${longDate(last.at.slice(0, 10))} (${last.side === "practice" ? "practice" : "ICB"}): ${last.note}` : "",
          ];
        }),
        numeric: [false, false, false, false, false, false],
      });
    } else {
      blocks.push({ kind: "paragraph", text: "No support plan is recorded." });
    }
  }

  if (doc.type === "remedial") {
    blocks.push({ kind: "heading", text: "Steps required to remedy the breach" });
    blocks.push(...paragraphs(doc.text.stepsRequired));
    blocks.push({ kind: "heading", text: "Period for remedy" });
    for (const t of remedyText(doc)) blocks.push({ kind: "paragraph", text: t, strong: t.startsWith("You must") });
  } else {
    blocks.push({ kind: "heading", text: "Requirement not to repeat the breach" });
    blocks.push(...paragraphs(doc.text.nonRepetition));
    blocks.push({
      kind: "paragraph",
      text: "If you repeat this breach, or commit another breach which results in a further remedial notice or breach notice, we may terminate the contract if we are satisfied that the cumulative effect of the breaches justifies it.",
    });
  }
  blocks.push({ kind: "heading", text: "Earlier notices" });
  if (doc.history.length) {
    blocks.push({
      kind: "table",
      caption: "Remedial notices and breach notices issued to the contractor before this one",
      header: ["Notice", "Date of issue", "Period", "Remedy by", "Status"],
      rows: historyRows(doc.history),
      numeric: [false, false, false, false, false],
    });
  } else {
    blocks.push({ kind: "paragraph", text: "No earlier remedial notice or breach notice has been issued to the contractor." });
  }

  blocks.push({ kind: "heading", text: "Your right to dispute this notice" });
  blocks.push({ kind: "paragraph", text: DISPUTE_TEXT });

  blocks.push(...paragraphs(doc.text.closing));
  return blocks;
}

/** The document as plain text, a line per paragraph, list item or table row (cells separated by " | "). */
export function noticePlainText(doc: NoticeDocument): string {
  const lines: string[] = [];
  for (const b of noticeBlocks(doc)) {
    switch (b.kind) {
      case "list":
        for (const i of b.items) lines.push(`- ${i}`);
        break;
      case "facts":
        for (const [k, v] of b.rows) lines.push(`${k}: ${v}`);
        break;
      case "table":
        lines.push(b.caption, b.header.join(" | "), ...b.rows.map((r) => r.join(" | ")));
        if (b.total) lines.push(b.total.join(" | "));
        break;
      default:
        lines.push(b.text);
    }
  }
  return lines.join("\n");
}

/* HTML ------------------------------------------------------------------------------------------------------ */

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** The document as an HTML `<article>` (for a page to embed). */
export function renderNoticeArticle(doc: NoticeDocument): string {
  const out: string[] = [`<article class="notice" lang="en-GB">`];
  if (!doc.issued) out.push(`<p class="notice-draft-mark">Draft – not issued</p>`);
  for (const b of noticeBlocks(doc)) {
    switch (b.kind) {
      case "title":
        out.push(`<h1>${escapeHtml(b.text)}</h1>`);
        break;
      case "heading":
        out.push(`<h2>${escapeHtml(b.text)}</h2>`);
        break;
      case "subheading":
        out.push(`<h3>${escapeHtml(b.text)}</h3>`);
        break;
      case "paragraph":
        out.push(b.strong ? `<p><strong>${escapeHtml(b.text)}</strong></p>` : `<p>${escapeHtml(b.text)}</p>`);
        break;
      case "quote":
        out.push(`<blockquote><p>${escapeHtml(b.text)}</p></blockquote>`);
        break;
      case "list":
        out.push(`<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`);
        break;
      case "facts":
        out.push(`<dl class="notice-facts">${b.rows.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join("")}</dl>`);
        break;
      case "table": {
        if (b.rows.length === 0) break;
        const cell = (tag: "td" | "th", text: string, i: number) => `<${tag}${b.numeric[i] ? ` class="num"` : ""}>${escapeHtml(text)}</${tag}>`;
        out.push(
          `<table><caption>${escapeHtml(b.caption)}</caption>` +
            `<thead><tr>${b.header.map((h, i) => `<th scope="col"${b.numeric[i] ? ` class="num"` : ""}>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
            `<tbody>${b.rows.map((r) => `<tr>${r.map((c, i) => cell("td", c, i)).join("")}</tr>`).join("")}</tbody>` +
            (b.total ? `<tfoot><tr>${b.total.map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : cell("td", c, i))).join("")}</tr></tfoot>` : "") +
            `</table>`,
        );
        break;
      }
    }
  }
  out.push(`</article>`);
  return out.join("\n");
}

export const NOTICE_PRINT_CSS = `
@page { size: A4; margin: 20mm 18mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; color: #000; margin: 0 auto; max-width: 180mm; }
h1 { font-size: 20pt; margin: 0 0 8pt; }
h2 { font-size: 14pt; margin: 16pt 0 6pt; break-after: avoid; }
h3 { font-size: 12pt; margin: 12pt 0 4pt; break-after: avoid; }
blockquote { margin: 6pt 0 6pt 12pt; padding-left: 8pt; border-left: 3pt solid #999; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0 10pt; font-size: 10pt; }
caption { text-align: left; font-weight: bold; padding-bottom: 4pt; }
th, td { border: 1px solid #666; padding: 3pt 5pt; text-align: left; vertical-align: top; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
dl.notice-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2pt 12pt; margin: 8pt 0 12pt; }
dl.notice-facts div { display: contents; }
dt { font-weight: bold; }
dd { margin: 0; }
.notice-draft-mark { border: 2px solid #000; padding: 4pt 8pt; display: inline-block; font-weight: bold; text-transform: uppercase; }
`;

/** A complete, print-ready HTML page. Pass the request's CSP nonce for the inline style. */
export function renderNoticeHtml(doc: NoticeDocument, options: { nonce?: string } = {}): string {
  const title = `${doc.title} – ${doc.contractor.name}${doc.issued && doc.issueDate ? ` – ${longDate(doc.issueDate)}` : " – draft"}`;
  const nonce = options.nonce ? ` nonce="${escapeHtml(options.nonce)}"` : "";
  return [
    "<!doctype html>",
    `<html lang="en-GB">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style${nonce}>${NOTICE_PRINT_CSS}</style>`,
    "</head>",
    "<body>",
    renderNoticeArticle(doc),
    "</body>",
    "</html>",
  ].join("\n");
}
