import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { affectedDays, type EvidenceSnapshot } from "~/domain/case-evidence";
import {
  EVENT_LABELS,
  NOTICE_LABELS,
  OUTCOME_LABELS,
  STAGE_LABELS,
  SUPPORT_ITEM_STATUS_LABELS,
  type EventKind,
  type NoticeType,
  type Outcome,
  type Stage,
  type SupportItemStatus,
} from "~/domain/cases";
import { caseEventEvidence, type CaseActor, type CaseView } from "./cases.server";

/**
 * A case's record as the timeline on its page shows it: each entry with who, when, what, its facts in words, and a
 * summary of the evidence as it stood at that step (each entry keeps its own frozen copy). Built after the case was
 * read through `getCaseForIcb` or `getCaseForPractice`, which decided which entries the viewer may see; for the
 * practice, the ICB's internal facts (the owner, review dates, the cumulative-effect statement) are left out.
 */

type Db = Kysely<Database>;

export interface EvidenceSummary {
  takenAt: string;
  from: string;
  to: string;
  closed: number;
  excepted: number;
  unknown: number;
  coreMinutes: number;
  coreDays: number;
  daysWithData: number;
  flaggedDays: number;
  flagged: boolean;
  policyText: string;
  closures: number;
  pauses: number;
  /** Core days with closed minutes. */
  days: { date: string; closed: number; excepted: number }[];
}

export interface TimelineEntry {
  id: number;
  at: string;
  by: string;
  kind: EventKind;
  label: string;
  move: { from: string | null; to: string } | null;
  text: string | null;
  facts: [string, string][];
  notice: { id: number; label: string } | null;
  evidence: EvidenceSummary | null;
}

export function summariseEvidence(e: EvidenceSnapshot): EvidenceSummary {
  return {
    takenAt: e.takenAt,
    from: e.from,
    to: e.to,
    closed: e.totals.closed,
    excepted: e.totals.excepted,
    unknown: e.totals.unknown,
    coreMinutes: e.totals.coreMinutes,
    coreDays: e.coverage.coreDays,
    daysWithData: e.coverage.daysWithData,
    flaggedDays: e.flaggedDates.length,
    flagged: e.flagged,
    policyText: e.policyText,
    closures: e.episodes.filter((x) => !x.excepted).length,
    pauses: e.pauses.length,
    days: affectedDays(e),
  };
}

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const record = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

const FIELD_WORDS: Record<string, string> = {
  owner_id: "Owner",
  next_review_date: "Next review",
  summary: "Summary",
  period_from: "Period from",
  period_to: "Period to",
  status: "Status",
  owner: "Owner",
  due_date: "Due",
  review_date: "Review",
};

/** The timeline of a case for this viewer. `forPractice`: the practice's view (its own facts only). */
export async function caseTimeline(db: Db, actor: CaseActor, view: CaseView, forPractice: boolean): Promise<TimelineEntry[]> {
  const userIds = new Set<number>();
  for (const e of view.events) {
    const d = record(e.detail);
    for (const k of ["ownerId"]) if (num(d[k])) userIds.add(num(d[k])!);
    for (const side of [record(d.before), record(d.after)]) if (num(side.owner_id)) userIds.add(num(side.owner_id)!);
  }
  const names = new Map<number, string>();
  if (userIds.size) for (const u of await db.selectFrom("users").select(["id", "name"]).where("id", "in", [...userIds]).execute()) names.set(u.id, u.name);
  const notices = new Map(view.notices.map((n) => [n.id, n]));
  const noticeLabel = (id: number | null): TimelineEntry["notice"] => {
    if (id === null) return null;
    const n = notices.get(id);
    return n ? { id, label: `${NOTICE_LABELS[n.type as NoticeType]} ${id}` } : null;
  };
  const shown = (key: string, value: unknown): string => {
    if (value === null || value === undefined || value === "") return "none";
    if (key === "owner_id" && typeof value === "number") return names.get(value) ?? `user ${value}`;
    if (key === "status" && typeof value === "string" && value in SUPPORT_ITEM_STATUS_LABELS) return SUPPORT_ITEM_STATUS_LABELS[value as SupportItemStatus];
    return String(value);
  };

  const entries: TimelineEntry[] = [];
  for (const e of view.events) {
    const d = record(e.detail);
    const facts: [string, string][] = [];
    let text = e.text;
    switch (e.kind) {
      case "opened": {
        const period = record(d.period);
        if (str(period.from) && str(period.to)) facts.push(["Period", `${period.from} to ${period.to}`]);
        if (!forPractice) {
          if (num(d.ownerId)) facts.push(["Owner", names.get(num(d.ownerId)!) ?? "unknown"]);
          if (str(d.nextReviewDate)) facts.push(["Next review", String(d.nextReviewDate)]);
          if (str(d.patientSafetyReason)) facts.push(["Patient-safety reason", String(d.patientSafetyReason)]);
        }
        break;
      }
      case "moved":
        if (!forPractice) {
          if (str(d.cumulativeEffect)) facts.push(["Cumulative effect of earlier notices", String(d.cumulativeEffect)]);
          if (num(d.issuedNoticesInCase) !== null) facts.push(["Notices issued in this case", String(d.issuedNoticesInCase)]);
          if (Array.isArray(d.earlierNotices)) facts.push(["Notices issued to the practice", String(d.earlierNotices.length)]);
        }
        break;
      case "closed":
        if (str(d.outcome) && d.outcome && String(d.outcome) in OUTCOME_LABELS) facts.push(["Outcome", OUTCOME_LABELS[d.outcome as Outcome]]);
        break;
      case "updated":
        if (!forPractice) {
          const before = record(d.before);
          const after = record(d.after);
          for (const k of Object.keys(after)) facts.push([FIELD_WORDS[k] ?? k, `${shown(k, before[k])} → ${shown(k, after[k])}`]);
        }
        break;
      case "informal_contact":
        if (str(d.date)) facts.push(["Date", String(d.date)]);
        if (str(d.kind)) facts.push(["Contact", d.kind === "call" ? "Call" : "Meeting"]);
        if (str(d.attendees)) facts.push(["Who took part", String(d.attendees)]);
        text = str(d.notes) ?? e.text;
        break;
      case "lmc_consultation":
        if (str(d.date)) facts.push(["Date of the consultation", String(d.date)]);
        break;
      case "support_items_added":
        if (Array.isArray(d.items)) {
          text = null;
          for (const raw of d.items) {
            const i = record(raw);
            const when = [str(i.due_date) ? `due ${i.due_date}` : null, str(i.review_date) ? `review ${i.review_date}` : null].filter(Boolean).join(", ");
            facts.push([String(i.title ?? "Action"), `${String(i.owner ?? "")}${when ? ` (${when})` : ""}`]);
          }
        }
        break;
      case "support_item_updated": {
        facts.push(["Item", String(d.title ?? "")]);
        const before = record(d.before);
        const after = record(d.after);
        for (const k of Object.keys(after)) facts.push([FIELD_WORDS[k] ?? k, `${shown(k, before[k])} → ${shown(k, after[k])}`]);
        break;
      }
      case "support_progress":
        facts.push(["Item", String(d.title ?? "")]);
        facts.push(["Recorded by", d.side === "practice" ? "The practice" : "The ICB"]);
        facts.push(["Status", `${shown("status", d.from)} → ${shown("status", d.status)}`]);
        break;
      case "notice_drafted":
      case "notice_edited":
      case "notice_approved":
      case "notice_issued": {
        if (num(d.version) !== null) facts.push(["Version", String(d.version)]);
        if (str(d.issueDate)) facts.push(["Date of issue", String(d.issueDate)]);
        if (str(d.remedyBy)) facts.push(["Remedy by", String(d.remedyBy)]);
        const period = record(d.period);
        if (str(period.from) && str(period.to)) facts.push(["Period", `${period.from} to ${period.to}`]);
        if (num(d.remedyPeriodDays) !== null) facts.push(["Period for remedy", `${d.remedyPeriodDays} days from the date of issue`]);
        break;
      }
      default:
        break;
    }
    let evidence: EvidenceSummary | null = null;
    if (e.hasEvidence) {
      try {
        evidence = summariseEvidence(await caseEventEvidence(db, actor, e.id));
      } catch {
        evidence = null;
      }
    }
    entries.push({
      id: e.id,
      at: e.at,
      by: e.actorName ?? e.actor,
      kind: e.kind as EventKind,
      label: EVENT_LABELS[e.kind as EventKind] ?? e.kind,
      move: e.to_stage ? { from: e.from_stage ? STAGE_LABELS[e.from_stage as Stage] : null, to: STAGE_LABELS[e.to_stage as Stage] } : null,
      text,
      facts,
      notice: noticeLabel(e.notice_id),
      evidence,
    });
  }
  return entries;
}
