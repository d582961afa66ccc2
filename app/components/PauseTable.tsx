import { Link } from "@remix-run/react";
import type { IntervalCategory, PauseKind, PauseStatus } from "../../db/schema";
import { formatInstant } from "~/utils/format";
import type { Column } from "~/utils/table";
import type { DisplayColumn } from "./DataTable";

/** Pause requests as both sides see them: the same columns on a practice's page, the ICB's list and the CSV. */
export interface PauseTableRow {
  id: number;
  practice_code: string;
  practice_name: string | null;
  category: IntervalCategory;
  start_min: number;
  end_min: number;
  /** London wall-clock time, `2026-03-30 08:00` (made on the server). */
  start_local: string;
  end_local: string;
  kind: PauseKind;
  reason: string;
  status: PauseStatus;
  requested_by_name: string | null;
  requested_at: string;
  decided_by_name: string | null;
  decided_at: string | null;
  decision_note: string | null;
}

export const PAUSE_STATUSES = ["pending", "approved", "declined", "withdrawn"] as const satisfies readonly PauseStatus[];

export const CATEGORY_LABELS: Record<IntervalCategory, string> = {
  all: "All requests",
  clinical: "Clinical requests",
  admin: "Admin requests",
};

export const KIND_LABELS: Record<PauseKind, string> = {
  planned: "Planned ahead",
  outage: "After the fact (outage)",
};

const STATUS: Record<PauseStatus, { text: string; className: string }> = {
  pending: { text: "Pending", className: "nhsuk-tag--yellow" },
  approved: { text: "Approved", className: "nhsuk-tag--green" },
  declined: { text: "Declined", className: "nhsuk-tag--red" },
  withdrawn: { text: "Withdrawn", className: "nhsuk-tag--grey" },
};

export function pauseStatusLabel(status: PauseStatus): string {
  return STATUS[status]?.text ?? status;
}

export function PauseStatusTag({ status }: { status: PauseStatus }) {
  const s = STATUS[status] ?? { text: status, className: "nhsuk-tag--white" };
  return <strong className={`nhsuk-tag ${s.className}`}>{s.text}</strong>;
}

/** An epoch minute in London time for reading: `30 March 2026 at 08:00`. */
export function formatMinute(minute: number): string {
  return formatInstant(new Date(minute * 60_000).toISOString());
}

export function pauseColumns(withPractice: boolean): Column<PauseTableRow>[] {
  const practice: Column<PauseTableRow>[] = withPractice
    ? [
        { key: "practice_code", header: "ODS code", value: (r) => r.practice_code },
        { key: "practice", header: "Practice", value: (r) => r.practice_name },
      ]
    : [];
  return [
    ...practice,
    { key: "status", header: "Status", value: (r) => pauseStatusLabel(r.status) },
    { key: "category", header: "Pause of", value: (r) => CATEGORY_LABELS[r.category] },
    { key: "start", header: "Start (London time)", value: (r) => r.start_local },
    { key: "end", header: "End (London time)", value: (r) => r.end_local },
    { key: "kind", header: "Kind", value: (r) => KIND_LABELS[r.kind] },
    { key: "reason", header: "Reason", value: (r) => r.reason },
    { key: "requested_by", header: "Asked by", value: (r) => r.requested_by_name },
    { key: "requested_at", header: "Asked at", value: (r) => r.requested_at },
    { key: "decided_by", header: "Decided by", value: (r) => r.decided_by_name },
    { key: "decided_at", header: "Decided at", value: (r) => r.decided_at },
    { key: "note", header: "Decision note", value: (r) => r.decision_note },
  ];
}

export function pauseDisplayColumns(withPractice: boolean): DisplayColumn<PauseTableRow>[] {
  const render: Record<string, (r: PauseTableRow) => React.ReactNode> = {
    practice: (r) => <Link to={`/practices/${r.practice_code}/pauses`}>{r.practice_name ?? r.practice_code}</Link>,
    status: (r) => <PauseStatusTag status={r.status} />,
    start: (r) => <span className="app-nowrap">{formatMinute(r.start_min)}</span>,
    end: (r) => <span className="app-nowrap">{formatMinute(r.end_min)}</span>,
    requested_at: (r) => formatInstant(r.requested_at),
    decided_at: (r) => (r.decided_at ? formatInstant(r.decided_at) : ""),
  };
  return pauseColumns(withPractice).map((c) => ({ ...c, render: render[c.key] }));
}
