import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { Choices, DONE_MESSAGES, errorsFor, FormSection, NoticeStatusTag, SubmitButton, TextArea, TextInput, type Errors } from "~/components/CaseParts";
import { ErrorSummary } from "~/components/ErrorSummary";
import { NotificationBanner } from "~/components/NotificationBanner";
import { ScrollableTable } from "~/components/ScrollableTable";
import { addDays, isDate } from "~/domain/calendar";
import { MINIMUM_REMEDY_DAYS, NOTICE_LABELS, SHORTER_PERIOD_LABELS, type NoticeType } from "~/domain/cases";
import { londonToday } from "~/domain/compliance-report";
import { noticeBlocks, type Block } from "~/domain/notice-document";
import { CaseError } from "~/services/cases.server";
import { getNoticeForIcb, getNoticeForPractice } from "~/services/notices.server";
import { auditView } from "~/utils/auth.server";
import { actorOf, caseIntent, failed, noticeIntent, requireNotice, requireSide } from "~/utils/case-actions.server";
import { getDb } from "~/utils/db.server";
import { formatDate, formatInstant } from "~/utils/format";
import { forbidden, notFound } from "~/utils/http.server";
import caseStyles from "~/styles/cases.css?url";

/**
 * A remedial or breach notice: the text and evidence of the version shown (the current one, or `?version=N` for the
 * ICB), its versions, and what the viewer may do: edit a draft (each save a new version), approve it (a second
 * commissioner, never one who wrote it), issue it with a date (the remedy-by date computed), mark it remedied or
 * lapsed, withdraw it before issue. The practice's own manager sees only an issued notice, as issued, and may
 * acknowledge it, respond in writing or ask for a review. Every view is in the audit log.
 */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: caseStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${NOTICE_LABELS[data.notice.type as NoticeType]} ${data.notice.id} – ${data.notice.practiceName} – ICB Access Monitor` : "Notice – ICB Access Monitor" },
];

const NOTICE_INTENTS = ["edit", "approve", "issue", "remedied", "lapsed", "withdraw", "acknowledge", "respond", "review"] as const;

function rethrow(e: unknown): never {
  if (e instanceof CaseError) throw e.status === 403 ? forbidden() : notFound();
  throw e;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const g = await requireNotice(request, params.caseId, params.noticeId);
  const db = getDb();
  const actor = actorOf(g.user, context);
  const forPractice = g.user.role === "practice";
  const q = new URL(request.url).searchParams;
  const asked = q.get("version");
  const version = !forPractice && asked && /^[1-9]\d{0,4}$/.test(asked) ? Number(asked) : undefined;
  const view = await (forPractice ? getNoticeForPractice(db, actor, g.noticeId) : getNoticeForIcb(db, actor, g.noticeId, version)).catch(rethrow);
  await auditView(g.user, context, "notice", String(g.noticeId));
  const n = view.notice;
  const done = q.get("done");
  const isCurrent = view.version === n.current_version;
  return {
    caseId: g.caseId,
    view: forPractice ? ("practice" as const) : ("icb" as const),
    notice: {
      id: n.id,
      type: n.type,
      status: n.status,
      practiceCode: n.practiceCode,
      practiceName: n.practiceName,
      periodFrom: n.period_from,
      periodTo: n.period_to,
      issueDate: n.issue_date,
      remedyBy: n.remedy_by,
      remedyPeriodDays: n.remedy_period_days,
      shorterReason: n.shorter_period_reason,
      shorterExplanation: n.shorter_period_explanation,
      acknowledgedAt: n.acknowledged_at,
      authorName: forPractice ? null : n.authorName,
      approverName: forPractice ? null : n.approverName,
      approvedAt: forPractice ? null : n.approved_at,
      currentVersion: n.current_version,
    },
    version: view.version,
    isCurrent,
    versions: view.versions,
    blocks: noticeBlocks(view.document),
    issued: view.document.issued,
    text: view.can.edit && isCurrent ? view.document.text : null,
    can: isCurrent ? view.can : { ...view.can, edit: false, approve: false, issue: false, markRemedied: false, markLapsed: false, withdraw: false },
    /** A commissioner who wrote (or edited) this draft: the approve button is missing, and the page says why. */
    wroteDraft: !forPractice && g.side === "icb" && n.status === "draft" && !view.can.approve,
    side: g.side,
    today: londonToday(),
    done: done && DONE_MESSAGES[done] ? DONE_MESSAGES[done] : null,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const g = await requireNotice(request, params.caseId, params.noticeId);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (!requireSide(intent, g.side, NOTICE_INTENTS)) return failed(intent, { form: "Choose what to do" });
  const actor = actorOf(g.user, context);
  const back = (done: string) => `/cases/${g.caseId}/notices/${g.noticeId}?done=${done}`;
  if (intent === "acknowledge" || intent === "respond" || intent === "review") {
    // The practice's forms here are about this notice.
    form.set("noticeId", String(g.noticeId));
    return caseIntent(intent, form, actor, g.caseId, back);
  }
  const n = await getDb()
    .selectFrom("notices")
    .select(["type", "remedy_period_days", "shorter_period_reason", "shorter_period_explanation"])
    .where("id", "=", g.noticeId)
    .executeTakeFirstOrThrow();
  return noticeIntent(
    intent,
    form,
    actor,
    g.noticeId,
    { type: n.type, remedyPeriodDays: n.remedy_period_days, shorterReason: n.shorter_period_reason, shorterExplanation: n.shorter_period_explanation },
    back,
  );
}

/** The notice as the page shows it: the same blocks as the print page and the DOCX, in the design system's markup. */
function NoticeBody({ blocks, issued }: { blocks: Block[]; issued: boolean }) {
  return (
    <article className="app-notice" aria-labelledby="notice-title" lang="en-GB">
      {!issued ? <p className="app-draft-mark">Draft – not issued</p> : null}
      {blocks.map((b, i) => {
        switch (b.kind) {
          case "title":
            return (
              <h2 className="nhsuk-heading-l" id="notice-title" key={i}>
                {b.text}
              </h2>
            );
          case "heading":
            return (
              <h3 className="nhsuk-heading-m" key={i}>
                {b.text}
              </h3>
            );
          case "subheading":
            return (
              <h4 className="nhsuk-heading-s" key={i}>
                {b.text}
              </h4>
            );
          case "paragraph":
            return <p key={i}>{b.strong ? <strong>{b.text}</strong> : b.text}</p>;
          case "quote":
            return (
              <blockquote key={i}>
                <p>{b.text}</p>
              </blockquote>
            );
          case "list":
            return (
              <ul key={i}>
                {b.items.map((t, j) => (
                  <li key={j}>{t}</li>
                ))}
              </ul>
            );
          case "facts":
            return (
              <dl className="nhsuk-summary-list" key={i}>
                {b.rows.map(([k, v]) => (
                  <div className="nhsuk-summary-list__row" key={k}>
                    <dt className="nhsuk-summary-list__key">{k}</dt>
                    <dd className="nhsuk-summary-list__value">{v}</dd>
                  </div>
                ))}
              </dl>
            );
          case "table":
            if (b.rows.length === 0) return null;
            return (
              <ScrollableTable key={i} caption={b.caption} captionStyle="small">
                <thead className="nhsuk-table__head">
                  <tr className="nhsuk-table__row">
                    {b.header.map((h, j) => (
                      <th scope="col" className={`nhsuk-table__header${b.numeric[j] ? " app-numeric" : ""}`} key={j}>
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="nhsuk-table__body">
                  {b.rows.map((r, j) => (
                    <tr className="nhsuk-table__row" key={j}>
                      {r.map((cell, k) => (
                        <td className={`nhsuk-table__cell${b.numeric[k] ? " app-numeric" : ""}`} key={k}>
                          {cell}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
                {b.total ? (
                  <tfoot>
                    <tr className="nhsuk-table__row">
                      {b.total.map((cell, k) =>
                        k === 0 ? (
                          <th scope="row" className="nhsuk-table__header" key={k}>
                            {cell}
                          </th>
                        ) : (
                          <td className={`nhsuk-table__cell${b.numeric[k] ? " app-numeric" : ""}`} key={k}>
                            {cell}
                          </td>
                        ),
                      )}
                    </tr>
                  </tfoot>
                ) : null}
              </ScrollableTable>
            );
        }
        return null;
      })}
    </article>
  );
}

function IssueForm({ days, today, errors, values, submitting }: { days: number | null; today: string; errors: Errors; values: Record<string, string>; submitting: boolean }) {
  const [date, setDate] = useState(values.issueDate ?? today);
  const remedyBy = days !== null && isDate(date) ? addDays(date, days) : null;
  return (
    <Form method="post" noValidate>
      <input type="hidden" name="intent" value="issue" />
      <div className={`nhsuk-form-group${errors["issue-issueDate"] ? " nhsuk-form-group--error" : ""}`}>
        <label className="nhsuk-label" htmlFor="issue-issueDate">
          Date of issue
        </label>
        <div className="nhsuk-hint" id="issue-issueDate-hint">
          {days !== null
            ? `The steps must be taken within ${days} days of this date.`
            : "A breach notice has no period for remedy: it requires the breach not to be repeated."}
        </div>
        {errors["issue-issueDate"] ? (
          <span className="nhsuk-error-message" id="issue-issueDate-error">
            <span className="nhsuk-u-visually-hidden">Error:</span> {errors["issue-issueDate"]}
          </span>
        ) : null}
        <input
          className={`nhsuk-input nhsuk-input--width-10${errors["issue-issueDate"] ? " nhsuk-input--error" : ""}`}
          id="issue-issueDate"
          name="issueDate"
          type="date"
          value={date}
          onChange={(e) => setDate(e.target.value)}
          aria-describedby={`issue-issueDate-hint${errors["issue-issueDate"] ? " issue-issueDate-error" : ""}`}
        />
      </div>
      {days !== null ? (
        <p aria-live="polite" data-testid="remedy-by-preview">
          {remedyBy ? (
            <>
              Remedy by: <strong>{formatDate(remedyBy)}</strong> ({days} days from the date of issue).
            </>
          ) : (
            "Enter the date of issue to see the remedy-by date."
          )}
        </p>
      ) : null}
      <SubmitButton submitting={submitting}>Issue the notice</SubmitButton>
    </Form>
  );
}

export default function NoticePage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  const v = (i: string) => (result?.intent === i ? values : {});
  const has = (prefix: string) => Object.keys(errorsFor(errors, prefix)).length > 0;
  const n = data.notice;
  const label = `${NOTICE_LABELS[n.type as NoticeType]} ${n.id}`;
  const versionQuery = data.view === "icb" && !data.isCurrent ? `?version=${data.version}` : "";
  const base = `/cases/${data.caseId}/notices/${n.id}`;
  const remedial = n.type === "remedial";
  return (
    <>
      <div className="nhsuk-back-link">
        <Link className="nhsuk-back-link__link" to={`/cases/${data.caseId}`}>
          Back to case {data.caseId}
        </Link>
      </div>
      <ErrorSummary errors={errors} />
      {data.done ? (
        <NotificationBanner success heading={data.done}>
          {data.done === DONE_MESSAGES.issued && n.issueDate ? (
            <p data-testid="issued-banner">
              Issued on {formatDate(n.issueDate)}.{n.remedyBy ? ` The steps must be taken by ${formatDate(n.remedyBy)}.` : ""}
            </p>
          ) : null}
        </NotificationBanner>
      ) : null}
      <span className="nhsuk-caption-l">
        {n.practiceName} ({n.practiceCode}), case {data.caseId}
      </span>
      <h1>
        {label} <NoticeStatusTag status={n.status} />
      </h1>
      <dl className="nhsuk-summary-list" data-testid="notice-summary">
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Period</dt>
          <dd className="nhsuk-summary-list__value">
            {formatDate(n.periodFrom)} to {formatDate(n.periodTo)}
          </dd>
        </div>
        {remedial ? (
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Period for remedy</dt>
            <dd className="nhsuk-summary-list__value">
              {n.remedyPeriodDays ?? MINIMUM_REMEDY_DAYS} days from the date of issue
              {n.shorterReason ? ` (shorter than ${MINIMUM_REMEDY_DAYS} days ${SHORTER_PERIOD_LABELS[n.shorterReason]}: ${n.shorterExplanation ?? ""})` : ""}
            </dd>
          </div>
        ) : null}
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Date of issue</dt>
          <dd className="nhsuk-summary-list__value">{n.issueDate ? formatDate(n.issueDate) : "Not yet issued"}</dd>
        </div>
        {remedial ? (
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Remedy by</dt>
            <dd className="nhsuk-summary-list__value" data-testid="remedy-by">
              {n.remedyBy ? formatDate(n.remedyBy) : "Set when the notice is issued"}
            </dd>
          </div>
        ) : null}
        {data.view === "icb" ? (
          <>
            <div className="nhsuk-summary-list__row">
              <dt className="nhsuk-summary-list__key">Drafted by</dt>
              <dd className="nhsuk-summary-list__value">{n.authorName ?? ""}</dd>
            </div>
            <div className="nhsuk-summary-list__row">
              <dt className="nhsuk-summary-list__key">Approved by</dt>
              <dd className="nhsuk-summary-list__value">{n.approverName ? `${n.approverName}, ${formatInstant(n.approvedAt)}` : "Not yet approved"}</dd>
            </div>
          </>
        ) : null}
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Acknowledged by the practice</dt>
          <dd className="nhsuk-summary-list__value" data-testid="acknowledged">
            {n.acknowledgedAt ? formatInstant(n.acknowledgedAt) : "Not yet"}
          </dd>
        </div>
      </dl>

      <p>
        <a href={`${base}/docx${versionQuery}`} download>
          Download as a Word document (DOCX)
        </a>{" "}
        · <a href={`${base}/print${versionQuery}`}>Print-ready page</a>
      </p>

      {data.view === "icb" ? (
        <>
          {data.wroteDraft ? (
            <div className="nhsuk-inset-text" data-testid="author-cannot-approve">
              <span className="nhsuk-u-visually-hidden">Information: </span>
              <p>
                You cannot approve this draft because you wrote it or a version of it. A second commissioner of the ICB, who has not edited it, must
                approve it before it can be issued.
              </p>
            </div>
          ) : null}
          {data.can.approve ? (
            <Form method="post">
              <input type="hidden" name="intent" value="approve" />
              <p>Approving confirms that the text, the evidence and the period are right. The notice can then be issued.</p>
              {errors["approve-button"] ? <span className="nhsuk-error-message" id="approve-button">{errors["approve-button"]}</span> : null}
              <SubmitButton submitting={submitting}>Approve this notice</SubmitButton>
            </Form>
          ) : null}
          {data.can.issue ? (
            <>
              <h2>Issue the notice</h2>
              <IssueForm days={remedial ? (n.remedyPeriodDays ?? MINIMUM_REMEDY_DAYS) : null} today={data.today} errors={errors} values={v("issue")} submitting={submitting} />
            </>
          ) : null}
          {data.can.markRemedied || data.can.markLapsed || (n.status === "issued" && data.side === "icb") ? (
            <>
              <h2>After the notice</h2>
              {!data.can.markLapsed && n.status === "issued" && remedial && n.remedyBy ? (
                <p>It can be marked lapsed only after the remedy period ends on {formatDate(n.remedyBy)}.</p>
              ) : null}
              {data.can.markRemedied ? (
                <FormSection id="remedied" title="Mark the notice remedied" open={has("remedied")}>
                  <Form method="post" noValidate>
                    <input type="hidden" name="intent" value="remedied" />
                    <TextArea id="remedied-note" name="note" label="Note (optional)" errors={errors} defaultValue={v("remedied").note} rows={2} />
                    <SubmitButton submitting={submitting}>Mark remedied</SubmitButton>
                  </Form>
                </FormSection>
              ) : null}
              {data.can.markLapsed ? (
                <FormSection id="lapsed" title="Mark the notice lapsed (not remedied in the period)" open={has("lapsed")}>
                  <Form method="post" noValidate>
                    <input type="hidden" name="intent" value="lapsed" />
                    <TextArea id="lapsed-note" name="note" label="Note (optional)" errors={errors} defaultValue={v("lapsed").note} rows={2} />
                    <SubmitButton submitting={submitting} variant="warning">
                      Mark lapsed
                    </SubmitButton>
                  </Form>
                </FormSection>
              ) : null}
            </>
          ) : null}
          {data.can.edit && data.text ? (
            <>
              <h2>Edit the draft</h2>
              <p>Each save is a new version; earlier versions are kept as they were.</p>
              <Form method="post" noValidate>
                <input type="hidden" name="intent" value="edit" />
                <TextArea id="edit-covering" name="covering" label="Covering text" errors={errors} defaultValue={v("edit").covering ?? data.text.covering} rows={5} />
                <TextArea id="edit-breachDetail" name="breachDetail" label="The breach in detail" errors={errors} defaultValue={v("edit").breachDetail ?? data.text.breachDetail} rows={8} />
                {remedial ? (
                  <TextArea id="edit-stepsRequired" name="stepsRequired" label="Steps required to remedy the breach" errors={errors} defaultValue={v("edit").stepsRequired ?? data.text.stepsRequired} rows={6} />
                ) : (
                  <TextArea
                    id="edit-nonRepetition"
                    name="nonRepetition"
                    label="Requirement not to repeat the breach"
                    errors={errors}
                    defaultValue={v("edit").nonRepetition ?? data.text.nonRepetition}
                    rows={5}
                  />
                )}
                <TextArea id="edit-closing" name="closing" label="Closing text" errors={errors} defaultValue={v("edit").closing ?? data.text.closing} rows={4} />
                {remedial ? (
                  <>
                    <TextInput
                      id="edit-periodDays"
                      name="periodDays"
                      label="Period for remedy, in days from the date of issue"
                      hint={`At least ${MINIMUM_REMEDY_DAYS} days, unless a shorter period is needed to protect patient safety or the ICB from material financial loss.`}
                      type="number"
                      width="4"
                      errors={errors}
                      defaultValue={v("edit").periodDays ?? String(n.remedyPeriodDays ?? MINIMUM_REMEDY_DAYS)}
                    />
                    <Choices
                      id="edit-shorterReason"
                      name="shorterReason"
                      legend="Reason for a period shorter than 28 days"
                      errors={errors}
                      defaultValue={v("edit").shorterReason ?? n.shorterReason ?? ""}
                      options={[
                        { value: "", label: "None: the period is 28 days or more" },
                        { value: "patient_safety", label: "To protect patient safety" },
                        { value: "material_financial_loss", label: "To protect the ICB from material financial loss" },
                      ]}
                    />
                    <TextArea
                      id="edit-shorterExplanation"
                      name="shorterExplanation"
                      label="Why the shorter period is needed"
                      errors={errors}
                      defaultValue={v("edit").shorterExplanation ?? n.shorterExplanation ?? ""}
                      rows={2}
                    />
                  </>
                ) : null}
                <Choices
                  id="edit-refreshEvidence"
                  name="refreshEvidence"
                  legend="Evidence"
                  errors={errors}
                  multiple
                  options={[{ value: "yes", label: "Take the evidence, support and notice history afresh (the text stays as edited)" }]}
                />
                <TextInput id="edit-note" name="note" label="Note of the change (optional)" errors={errors} defaultValue={v("edit").note} />
                <SubmitButton submitting={submitting}>Save as a new version</SubmitButton>
              </Form>
            </>
          ) : null}
          {data.can.withdraw ? (
            <FormSection id="withdraw" title="Withdraw the notice" open={has("withdraw")}>
              <Form method="post" noValidate>
                <input type="hidden" name="intent" value="withdraw" />
                <TextArea id="withdraw-reason" name="reason" label="Why the notice is withdrawn" errors={errors} defaultValue={v("withdraw").reason} rows={2} />
                <SubmitButton submitting={submitting} variant="warning">
                  Withdraw the notice
                </SubmitButton>
              </Form>
            </FormSection>
          ) : null}
        </>
      ) : null}

      {data.view === "practice" && data.side === "practice" ? (
        <>
          {data.can.acknowledge ? (
            <Form method="post">
              <input type="hidden" name="intent" value="acknowledge" />
              <p>Acknowledging tells the ICB that the practice has received this notice. It does not mean that you agree with it.</p>
              {errors[`acknowledge-${n.id}-noticeId`] ? (
                <span className="nhsuk-error-message" id={`acknowledge-${n.id}-noticeId`}>
                  {errors[`acknowledge-${n.id}-noticeId`]}
                </span>
              ) : null}
              <SubmitButton submitting={submitting}>Acknowledge this notice</SubmitButton>
            </Form>
          ) : null}
          <FormSection id="respond" title="Respond in writing" open={has("respond")}>
            <Form method="post" noValidate>
              <input type="hidden" name="intent" value="respond" />
              <TextArea id="respond-text" name="text" label="Your response to this notice" errors={errors} defaultValue={v("respond").text} rows={6} />
              <SubmitButton submitting={submitting}>Send the response</SubmitButton>
            </Form>
          </FormSection>
          <FormSection id="review" title="Ask for a review" open={has("review")}>
            <Form method="post" noValidate>
              <input type="hidden" name="intent" value="review" />
              <TextArea id="review-text" name="text" label="What you would like reviewed, and why" errors={errors} defaultValue={v("review").text} rows={6} />
              <SubmitButton submitting={submitting}>Ask for a review</SubmitButton>
            </Form>
          </FormSection>
        </>
      ) : null}

      <h2>{data.view === "icb" ? `The notice (version ${data.version}${data.isCurrent ? ", current" : ""})` : "The notice as issued"}</h2>
      {data.view === "icb" && !data.isCurrent ? (
        <p>
          This is an earlier version. <Link to={base}>See the current version</Link>.
        </p>
      ) : null}
      <NoticeBody blocks={data.blocks} issued={data.issued} />

      {data.view === "icb" ? (
        <>
          <h2>Versions</h2>
          <ScrollableTable caption={`Versions of ${label}`} captionStyle="hidden">
            <thead className="nhsuk-table__head">
              <tr className="nhsuk-table__row">
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Version
                </th>
                <th scope="col" className="nhsuk-table__header">
                  What
                </th>
                <th scope="col" className="nhsuk-table__header">
                  By
                </th>
                <th scope="col" className="nhsuk-table__header">
                  When
                </th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {data.versions.map((ver) => (
                <tr className="nhsuk-table__row" key={ver.version}>
                  <th scope="row" className="nhsuk-table__cell app-numeric">
                    {ver.version === data.version ? ver.version : <Link to={`${base}?version=${ver.version}`}>{ver.version}</Link>}
                  </th>
                  <td className="nhsuk-table__cell">{ver.note}</td>
                  <td className="nhsuk-table__cell">{ver.createdByName ?? ""}</td>
                  <td className="nhsuk-table__cell">{formatInstant(ver.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </ScrollableTable>
        </>
      ) : null}
    </>
  );
}
