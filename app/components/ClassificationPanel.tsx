import { Link } from "@remix-run/react";
import { CLASSIFICATION_LABELS, type Classification, type ClassificationResult, type Reason } from "~/domain/classification";
import { formatDate } from "~/utils/format";

const TAG_CLASS: Record<Classification, string> = {
  capacity_pressure: "nhsuk-tag--orange",
  no_evident_pressure: "nhsuk-tag--red",
  compliant: "nhsuk-tag--green",
  not_enough_data: "nhsuk-tag--grey",
};

/** The classification as a tag with its short label. */
export function ClassificationTag({ classification }: { classification: Classification }) {
  return <strong className={`nhsuk-tag ${TAG_CLASS[classification]} app-nowrap`}>{CLASSIFICATION_LABELS[classification].label}</strong>;
}

const REASON_KIND: Record<Reason["kind"], string> = {
  compliance: "Compliance",
  pressure: "Sign of pressure",
  no_pressure: "No sign of pressure",
  data: "Data",
};

export interface ClassificationPanelData {
  result: ClassificationResult;
  missing: string[];
  range: { from: string; to: string };
}

/**
 * The can't/won't suggestion for one practice: the label, the suggested action, every reason with its numbers,
 * the figures it could not use, and that a person decides.
 */
export function ClassificationPanel({ data, settingsHref }: { data: ClassificationPanelData; settingsHref?: string | null }) {
  const { result, missing, range } = data;
  return (
    <section className="nhsuk-card" aria-labelledby="classification-heading" data-testid="classification-panel">
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-card__heading" id="classification-heading">
          Suggested approach
        </h2>
        <p>
          <ClassificationTag classification={result.classification} />{" "}
          <strong data-testid="classification-action">{result.action}</strong>
        </p>
        <p className="nhsuk-body-s">
          From the practice&apos;s core hours compliance from {formatDate(range.from)} to {formatDate(range.to)}, set against its demand and
          capacity figures among its peers.
        </p>
        <h3 className="nhsuk-heading-s">Why</h3>
        <ul className="nhsuk-list nhsuk-list--bullet" data-testid="classification-reasons">
          {result.reasons.map((r, i) => (
            <li key={i}>
              <span className="nhsuk-u-visually-hidden">{REASON_KIND[r.kind]}: </span>
              {r.text}
            </li>
          ))}
        </ul>
        {missing.length > 0 ? (
          <>
            <h3 className="nhsuk-heading-s">Figures it could not use</h3>
            <ul className="nhsuk-list nhsuk-list--bullet" data-testid="classification-missing">
              {missing.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          </>
        ) : null}
        <p className="nhsuk-u-margin-bottom-0">
          <strong>This is a suggestion from the figures; a person decides.</strong>{" "}
          {settingsHref ? <Link to={settingsHref}>The ICB&apos;s thresholds</Link> : null}
        </p>
      </div>
    </section>
  );
}
