import { Form, Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { NOTICE_STATUS_LABELS, STAGE_LABELS, SUPPORT_ITEM_STATUS_LABELS, SUPPORT_ITEM_STATUSES, type NoticeStatus, type Stage, type SupportItemStatus } from "~/domain/cases";
import type { EvidenceSummary, TimelineEntry } from "~/services/case-timeline.server";
import { formatDate, formatInstant, formatInteger } from "~/utils/format";
import { ScrollableTable } from "./ScrollableTable";

/** Pieces shared by the case pages: tags, form fields in the NHS design system's markup, the timeline, the support plan. */

const STAGE_COLOURS: Record<Stage, string> = {
  concern_noted: "nhsuk-tag--blue",
  informal_contact: "nhsuk-tag--aqua-green",
  support_offered: "nhsuk-tag--green",
  remedial_notice: "nhsuk-tag--orange",
  breach_notice: "nhsuk-tag--red",
  sanction_proposed: "nhsuk-tag--red",
  termination_considered: "nhsuk-tag--red",
  closed: "nhsuk-tag--grey",
};

export function StageTag({ stage }: { stage: Stage }) {
  return <strong className={`nhsuk-tag ${STAGE_COLOURS[stage]} app-nowrap`}>{STAGE_LABELS[stage]}</strong>;
}

const NOTICE_COLOURS: Record<NoticeStatus, string> = {
  draft: "nhsuk-tag--white",
  approved: "nhsuk-tag--blue",
  issued: "nhsuk-tag--orange",
  remedied: "nhsuk-tag--green",
  lapsed: "nhsuk-tag--red",
  withdrawn: "nhsuk-tag--grey",
};

export function NoticeStatusTag({ status }: { status: NoticeStatus }) {
  return <strong className={`nhsuk-tag ${NOTICE_COLOURS[status]}`}>{NOTICE_STATUS_LABELS[status]}</strong>;
}

const ITEM_COLOURS: Record<SupportItemStatus, string> = {
  planned: "nhsuk-tag--blue",
  in_progress: "nhsuk-tag--yellow",
  done: "nhsuk-tag--green",
  not_done: "nhsuk-tag--red",
  cancelled: "nhsuk-tag--grey",
};

export function ItemStatusTag({ status }: { status: SupportItemStatus }) {
  return <strong className={`nhsuk-tag ${ITEM_COLOURS[status]}`}>{SUPPORT_ITEM_STATUS_LABELS[status]}</strong>;
}

/* Form fields ---------------------------------------------------------------------------------------------------- */

export type Errors = Record<string, string>;

function describedBy(...ids: (string | false | null | undefined)[]): string | undefined {
  const list = ids.filter(Boolean).join(" ");
  return list || undefined;
}

export function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <span className="nhsuk-error-message" id={`${id}-error`}>
      <span className="nhsuk-u-visually-hidden">Error:</span> {error}
    </span>
  ) : null;
}

interface FieldProps {
  id: string;
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  errors: Errors;
  defaultValue?: string;
}

function Group({ id, errors, children }: { id: string; errors: Errors; children: ReactNode }) {
  return <div className={`nhsuk-form-group${errors[id] ? " nhsuk-form-group--error" : ""}`}>{children}</div>;
}

export function TextInput({ id, name, label, hint, errors, defaultValue, type = "text", width }: FieldProps & { type?: "text" | "date" | "number"; width?: string }) {
  const error = errors[id];
  return (
    <Group id={id} errors={errors}>
      <label className="nhsuk-label" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <div className="nhsuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      <FieldError id={id} error={error} />
      <input
        className={`nhsuk-input${width ? ` nhsuk-input--width-${width}` : ""}${error ? " nhsuk-input--error" : ""}`}
        id={id}
        name={name}
        type={type}
        inputMode={type === "number" ? "numeric" : undefined}
        defaultValue={defaultValue ?? ""}
        aria-describedby={describedBy(hint ? `${id}-hint` : null, error ? `${id}-error` : null)}
      />
    </Group>
  );
}

export function TextArea({ id, name, label, hint, errors, defaultValue, rows = 4 }: FieldProps & { rows?: number }) {
  const error = errors[id];
  return (
    <Group id={id} errors={errors}>
      <label className="nhsuk-label" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <div className="nhsuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      <FieldError id={id} error={error} />
      <textarea
        className={`nhsuk-textarea${error ? " nhsuk-textarea--error" : ""}`}
        id={id}
        name={name}
        rows={rows}
        defaultValue={defaultValue ?? ""}
        aria-describedby={describedBy(hint ? `${id}-hint` : null, error ? `${id}-error` : null)}
      />
    </Group>
  );
}

export function Select({ id, name, label, hint, errors, defaultValue, options }: FieldProps & { options: [string, string][] }) {
  const error = errors[id];
  return (
    <Group id={id} errors={errors}>
      <label className="nhsuk-label" htmlFor={id}>
        {label}
      </label>
      {hint ? (
        <div className="nhsuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      <FieldError id={id} error={error} />
      <select
        className={`nhsuk-select${error ? " nhsuk-select--error" : ""}`}
        id={id}
        name={name}
        defaultValue={defaultValue ?? ""}
        aria-describedby={describedBy(hint ? `${id}-hint` : null, error ? `${id}-error` : null)}
      >
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </Group>
  );
}

/** Radios (or checkboxes, `multiple`) in a fieldset; the first input takes the field's id, so the error summary links to it. */
export function Choices({
  id,
  name,
  legend,
  hint,
  errors,
  options,
  defaultValue,
  multiple = false,
  small = false,
}: {
  id: string;
  name: string;
  legend: ReactNode;
  hint?: ReactNode;
  errors: Errors;
  options: { value: string; label: ReactNode; hint?: ReactNode }[];
  defaultValue?: string | string[];
  multiple?: boolean;
  small?: boolean;
}) {
  const error = errors[id];
  const chosen = new Set(Array.isArray(defaultValue) ? defaultValue : defaultValue ? defaultValue.split(",") : []);
  const kind = multiple ? "checkboxes" : "radios";
  return (
    <Group id={id} errors={errors}>
      <fieldset className="nhsuk-fieldset" aria-describedby={describedBy(hint ? `${id}-hint` : null, error ? `${id}-error` : null)}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
        {hint ? (
          <div className="nhsuk-hint" id={`${id}-hint`}>
            {hint}
          </div>
        ) : null}
        <FieldError id={id} error={error} />
        <div className={`nhsuk-${kind}${small ? ` nhsuk-${kind}--small` : ""}`}>
          {options.map((o, i) => {
            const inputId = i === 0 ? id : `${id}-${o.value}`;
            return (
              <div className={`nhsuk-${kind}__item`} key={o.value}>
                <input
                  className={`nhsuk-${kind}__input`}
                  id={inputId}
                  name={name}
                  type={multiple ? "checkbox" : "radio"}
                  value={o.value}
                  defaultChecked={chosen.has(o.value)}
                  aria-describedby={o.hint ? `${inputId}-item-hint` : undefined}
                />
                <label className={`nhsuk-label nhsuk-${kind}__label`} htmlFor={inputId}>
                  {o.label}
                </label>
                {o.hint ? (
                  <div className={`nhsuk-hint nhsuk-${kind}__hint`} id={`${inputId}-item-hint`}>
                    {o.hint}
                  </div>
                ) : null}
              </div>
            );
          })}
        </div>
      </fieldset>
    </Group>
  );
}

/** A collapsible section holding one form; open when its form has errors. */
export function FormSection({ id, title, open, children }: { id: string; title: string; open: boolean; children: ReactNode }) {
  return (
    <details className="nhsuk-details" id={id} open={open}>
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">{title}</span>
      </summary>
      <div className="nhsuk-details__text">{children}</div>
    </details>
  );
}

export function SubmitButton({ children, submitting, variant }: { children: ReactNode; submitting: boolean; variant?: "secondary" | "warning" }) {
  return (
    <button className={`nhsuk-button${variant ? ` nhsuk-button--${variant}` : ""}`} type="submit" disabled={submitting}>
      {children}
    </button>
  );
}

/** Errors of one form only: those whose key starts with its prefix (`contact-`, `item-12-`). */
export function errorsFor(errors: Errors, prefix: string): Errors {
  return Object.fromEntries(Object.entries(errors).filter(([k]) => k.startsWith(`${prefix}-`)));
}

/* Evidence and timeline ------------------------------------------------------------------------------------------- */

const plural = (n: number, one: string, many = `${one}s`) => `${formatInteger(n)} ${n === 1 ? one : many}`;

export function EvidenceDetails({ evidence, summary }: { evidence: EvidenceSummary; summary?: string }) {
  return (
    <details className="nhsuk-details app-evidence">
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">{summary ?? `Evidence as it stood on ${formatInstant(evidence.takenAt)}`}</span>
      </summary>
      <div className="nhsuk-details__text">
        <p>
          {formatDate(evidence.from)} to {formatDate(evidence.to)}: <strong>{plural(evidence.closed, "closed minute")}</strong> in core hours,{" "}
          {plural(evidence.excepted, "excepted minute")} (approved pauses), {plural(evidence.unknown, "minute")} with no data. Data for{" "}
          {formatInteger(evidence.daysWithData)} of {plural(evidence.coreDays, "core day")}; {plural(evidence.closures, "closure")}
          {evidence.pauses ? `, ${plural(evidence.pauses, "approved pause")}` : ""}. {plural(evidence.flaggedDays, "day")} of concern under the ICB&apos;s
          policy ({evidence.policyText}): {evidence.flagged ? "flagged" : "not flagged"}.
        </p>
        {evidence.days.length ? (
          <ScrollableTable caption="Days with closed minutes" captionStyle="small">
            <thead className="nhsuk-table__head">
              <tr className="nhsuk-table__row">
                <th scope="col" className="nhsuk-table__header">
                  Date
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Closed minutes
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Excepted minutes
                </th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {evidence.days.map((d) => (
                <tr className="nhsuk-table__row" key={d.date}>
                  <td className="nhsuk-table__cell">{formatDate(d.date)}</td>
                  <td className="nhsuk-table__cell app-numeric">{formatInteger(d.closed)}</td>
                  <td className="nhsuk-table__cell app-numeric">{formatInteger(d.excepted)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr className="nhsuk-table__row">
                <th scope="row" className="nhsuk-table__header">
                  Total
                </th>
                <td className="nhsuk-table__cell app-numeric">{formatInteger(evidence.closed)}</td>
                <td className="nhsuk-table__cell app-numeric">{formatInteger(evidence.days.reduce((s, d) => s + d.excepted, 0))}</td>
              </tr>
            </tfoot>
          </ScrollableTable>
        ) : (
          <p>No day in the period had closed minutes.</p>
        )}
      </div>
    </details>
  );
}

/** The case's record, oldest first. */
export function Timeline({ entries, caseId }: { entries: TimelineEntry[]; caseId: number }) {
  if (entries.length === 0) return <p>Nothing has been recorded yet.</p>;
  return (
    <ol className="app-case-timeline" aria-label="The case's record, oldest first">
      {entries.map((e) => (
        <li className="app-case-timeline__item" key={e.id} id={`event-${e.id}`} data-kind={e.kind}>
          <h3 className="nhsuk-heading-s app-case-timeline__title">
            {e.label}
            {e.move ? (
              <span className="app-case-timeline__move">
                {" "}
                ({e.move.from ? `${e.move.from} → ` : ""}
                {e.move.to})
              </span>
            ) : null}
          </h3>
          <p className="nhsuk-body-s app-case-timeline__meta">
            {e.by}, {formatInstant(e.at)}
            {e.notice ? (
              <>
                {" · "}
                <Link to={`/cases/${caseId}/notices/${e.notice.id}`}>{e.notice.label}</Link>
              </>
            ) : null}
          </p>
          {e.text ? <p className="app-case-timeline__text">{e.text}</p> : null}
          {e.facts.length ? (
            <dl className="nhsuk-summary-list app-case-timeline__facts">
              {e.facts.map(([k, v], i) => (
                <div className="nhsuk-summary-list__row" key={`${k}-${i}`}>
                  <dt className="nhsuk-summary-list__key">{k}</dt>
                  <dd className="nhsuk-summary-list__value">{v}</dd>
                </div>
              ))}
            </dl>
          ) : null}
          {e.evidence ? <EvidenceDetails evidence={e.evidence} /> : null}
        </li>
      ))}
    </ol>
  );
}

/* Support plan ---------------------------------------------------------------------------------------------------- */

export interface PlanItem {
  id: number;
  title: string;
  owner: string;
  dueDate: string | null;
  reviewDate: string | null;
  status: SupportItemStatus;
  progress: { id: number; side: "practice" | "icb"; status: SupportItemStatus; note: string; at: string; byName: string | null }[];
}

export const STATUS_OPTIONS: [string, string][] = SUPPORT_ITEM_STATUSES.map((s) => [s, SUPPORT_ITEM_STATUS_LABELS[s]]);

/**
 * The support plan: each item with its owner, dates, status and progress. `progressForm`: the practice's manager or
 * a commissioner of its ICB records progress; `updateForm`: the commissioner changes the item.
 */
export function SupportPlan({
  items,
  today,
  errors,
  values,
  target,
  submitting,
  progressForm,
  updateForm,
  hidden,
}: {
  items: PlanItem[];
  today: string;
  errors: Errors;
  values: Record<string, string>;
  target: number | null;
  submitting: boolean;
  progressForm: boolean;
  updateForm: boolean;
  /** Extra hidden fields for each form (the case on the practice's cases page). */
  hidden?: Record<string, string>;
}) {
  if (items.length === 0) return <p>No support has been offered yet.</p>;
  return (
    <>
      {items.map((item) => {
        const progressErrors = errorsFor(errors, `progress-${item.id}`);
        const updateErrors = errorsFor(errors, `item-${item.id}`);
        const mine = target === item.id ? values : {};
        const reviewDue = item.reviewDate !== null && item.reviewDate < today && item.status !== "done" && item.status !== "cancelled";
        return (
          <div className="nhsuk-card app-plan-item" key={item.id} id={`item-${item.id}`} data-testid={`plan-item-${item.id}`}>
            <div className="nhsuk-card__content">
              <h3 className="nhsuk-card__heading nhsuk-heading-s">
                {item.title} <ItemStatusTag status={item.status} />
              </h3>
              <dl className="nhsuk-summary-list">
                <div className="nhsuk-summary-list__row">
                  <dt className="nhsuk-summary-list__key">Owner</dt>
                  <dd className="nhsuk-summary-list__value">{item.owner}</dd>
                </div>
                <div className="nhsuk-summary-list__row">
                  <dt className="nhsuk-summary-list__key">Due</dt>
                  <dd className="nhsuk-summary-list__value">{item.dueDate ? formatDate(item.dueDate) : "Not set"}</dd>
                </div>
                <div className="nhsuk-summary-list__row">
                  <dt className="nhsuk-summary-list__key">Review</dt>
                  <dd className="nhsuk-summary-list__value">
                    {item.reviewDate ? formatDate(item.reviewDate) : "Not set"}
                    {reviewDue ? (
                      <>
                        {" "}
                        <strong className="nhsuk-tag nhsuk-tag--red">Review overdue</strong>
                      </>
                    ) : null}
                  </dd>
                </div>
              </dl>
              {item.progress.length ? (
                <>
                  <h4 className="nhsuk-heading-xs">Progress</h4>
                  <ul className="nhsuk-list app-progress-list">
                    {item.progress.map((p) => (
                      <li key={p.id}>
                        <strong>
                          {formatInstant(p.at)}, {p.side === "practice" ? "the practice" : "the ICB"}
                          {p.byName ? ` (${p.byName})` : ""}: {SUPPORT_ITEM_STATUS_LABELS[p.status]}.
                        </strong>{" "}
                        {p.note}
                      </li>
                    ))}
                  </ul>
                </>
              ) : (
                <p className="nhsuk-body-s">No progress recorded yet.</p>
              )}
              {progressForm ? (
                <FormSection id={`progress-${item.id}`} title={`Record progress on “${item.title}”`} open={Object.keys(progressErrors).length > 0}>
                  <Form method="post" noValidate>
                    <input type="hidden" name="intent" value="progress" />
                    <input type="hidden" name="itemId" value={item.id} />
                    {Object.entries(hidden ?? {}).map(([k, v]) => (
                      <input type="hidden" name={k} value={v} key={k} />
                    ))}
                    <Select
                      id={`progress-${item.id}-status`}
                      name="status"
                      label="Status now"
                      errors={progressErrors}
                      defaultValue={mine.status ?? item.status}
                      options={STATUS_OPTIONS}
                    />
                    <TextArea
                      id={`progress-${item.id}-note`}
                      name="note"
                      label="What has been done"
                      errors={progressErrors}
                      defaultValue={mine.note}
                      rows={3}
                    />
                    <SubmitButton submitting={submitting} variant="secondary">
                      Record progress<span className="nhsuk-u-visually-hidden"> on {item.title}</span>
                    </SubmitButton>
                  </Form>
                </FormSection>
              ) : null}
              {updateForm ? (
                <FormSection id={`item-${item.id}-update`} title={`Change “${item.title}”`} open={Object.keys(updateErrors).length > 0}>
                  <Form method="post" noValidate>
                    <input type="hidden" name="intent" value="update-item" />
                    <input type="hidden" name="itemId" value={item.id} />
                    <Select id={`item-${item.id}-status`} name="status" label="Status" errors={updateErrors} defaultValue={mine.status ?? item.status} options={STATUS_OPTIONS} />
                    <TextInput id={`item-${item.id}-owner`} name="owner" label="Owner" errors={updateErrors} defaultValue={mine.owner ?? item.owner} />
                    <TextInput id={`item-${item.id}-dueDate`} name="dueDate" label="Due date" type="date" errors={updateErrors} defaultValue={mine.dueDate ?? item.dueDate ?? ""} />
                    <TextInput
                      id={`item-${item.id}-reviewDate`}
                      name="reviewDate"
                      label="Review date"
                      type="date"
                      errors={updateErrors}
                      defaultValue={mine.reviewDate ?? item.reviewDate ?? ""}
                    />
                    <TextArea id={`item-${item.id}-note`} name="note" label="Note (optional)" errors={updateErrors} defaultValue={mine.note} rows={2} />
                    <SubmitButton submitting={submitting} variant="secondary">
                      Save the changes<span className="nhsuk-u-visually-hidden"> to {item.title}</span>
                    </SubmitButton>
                  </Form>
                </FormSection>
              ) : null}
            </div>
          </div>
        );
      })}
    </>
  );
}

/** The success banner's words for `?done=`. */
export const DONE_MESSAGES: Record<string, string> = {
  opened: "Case opened",
  updated: "Case details saved",
  contact: "Informal contact recorded",
  safety: "Patient-safety reason recorded",
  lmc: "LMC consultation recorded",
  support: "Support added to the plan",
  item: "Support plan item changed",
  progress: "Progress recorded",
  moved: "Stage changed",
  closed: "Case closed",
  drafted: "Notice drafted",
  edited: "Draft saved as a new version",
  approved: "Notice approved",
  issued: "Notice issued",
  remedied: "Notice marked remedied",
  lapsed: "Notice marked lapsed",
  withdrawn: "Notice withdrawn",
  acknowledged: "Notice acknowledged",
  responded: "Response sent",
  review: "Request for review sent",
};
