import type { PracticeStatus } from "../../db/schema";

const LABEL: Record<PracticeStatus, { text: string; className: string }> = {
  active: { text: "Active", className: "nhsuk-tag--green" },
  closed: { text: "Closed", className: "nhsuk-tag--grey" },
  dormant: { text: "Dormant", className: "nhsuk-tag--yellow" },
  proposed: { text: "Proposed", className: "nhsuk-tag--blue" },
  unknown: { text: "Not in ODS data", className: "nhsuk-tag--white" },
};

export function statusLabel(status: PracticeStatus): string {
  return LABEL[status]?.text ?? status;
}

export function StatusTag({ status }: { status: PracticeStatus }) {
  const l = LABEL[status] ?? { text: status, className: "nhsuk-tag--white" };
  return <strong className={`nhsuk-tag ${l.className}`}>{l.text}</strong>;
}

export function DemoTag() {
  return (
    <strong className="nhsuk-tag nhsuk-tag--purple" title="Generated demo data: not a real organisation">
      Demo data
    </strong>
  );
}
