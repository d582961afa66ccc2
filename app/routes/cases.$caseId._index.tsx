import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Choices,
  DONE_MESSAGES,
  errorsFor,
  FormSection,
  NoticeStatusTag,
  Select,
  StageTag,
  SubmitButton,
  SupportPlan,
  TextArea,
  TextInput,
  Timeline,
  type Errors,
  type PlanItem,
} from "~/components/CaseParts";
import { ErrorSummary } from "~/components/ErrorSummary";
import { NotificationBanner } from "~/components/NotificationBanner";
import { ScrollableTable } from "~/components/ScrollableTable";
import { addDays } from "~/domain/calendar";
import { checkNoticeDraft, MINIMUM_REMEDY_DAYS, NOTICE_LABELS, OUTCOME_LABELS, STAGE_LABELS, type NoticeType, type Stage } from "~/domain/cases";
import { londonToday } from "~/domain/compliance-report";
import { SUPPORT_ACTIONS } from "~/domain/support-actions";
import { caseTimeline } from "~/services/case-timeline.server";
import { CaseError, getCaseForIcb, getCaseForPractice, icbCommissioners, suggestSupportForCase, type CaseView } from "~/services/cases.server";
import { auditView } from "~/utils/auth.server";
import { actorOf, caseIntent, failed, requireCase, requireSide } from "~/utils/case-actions.server";
import { getDb } from "~/utils/db.server";
import { formatDate, formatInstant } from "~/utils/format";
import { forbidden, notFound } from "~/utils/http.server";
import caseStyles from "~/styles/cases.css?url";

/**
 * One case: its record (every step in order, each with the evidence as it stood), its notices and support plan,
 * and the forms for the steps the rules allow next. Commissioners of the practice's ICB act; admins only look
 * (the same view, no forms). The practice's own manager sees the practice's view of the same case: no drafts, none
 * of the ICB's internal steps or facts, and its own forms (progress on the plan, acknowledging a notice, a written
 * response, a request for review). Anyone else: 404. Every view is in the audit log.
 */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: caseStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Case ${data.case.id} – ${data.case.practiceName} – ICB Access Monitor` : "Case – ICB Access Monitor" },
];

const CASE_INTENTS = [
  "update",
  "informal-contact",
  "safety-reason",
  "lmc",
  "add-support",
  "update-item",
  "progress",
  "move",
  "close",
  "draft-notice",
  "acknowledge",
  "respond",
  "review",
] as const;

function planItems(view: CaseView): PlanItem[] {
  return view.supportItems.map((i) => ({
    id: i.id,
    title: i.title,
    owner: i.owner,
    dueDate: i.due_date,
    reviewDate: i.review_date,
    status: i.status,
    progress: i.progress.map((p) => ({ id: p.id, side: p.side, status: p.status, note: p.note, at: p.at, byName: p.byName })),
  }));
}

function rethrow(e: unknown): never {
  if (e instanceof CaseError) throw e.status === 403 ? forbidden() : notFound();
  throw e;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const g = await requireCase(request, params.caseId);
  const db = getDb();
  const actor = actorOf(g.user, context);
  const forPractice = g.user.role === "practice";
  const view = await (forPractice ? getCaseForPractice(db, actor, g.caseId) : getCaseForIcb(db, actor, g.caseId)).catch(rethrow);
  const timeline = await caseTimeline(db, actor, view, forPractice);
  await auditView(g.user, context, "case", String(g.caseId));
  const c = view.case;
  const done = new URL(request.url).searchParams.get("done");
  const common = {
    case: {
      id: c.id,
      practiceCode: c.practice_code,
      practiceName: c.practiceName,
      icbCode: c.icbCode,
      stage: view.stage,
      summary: c.summary,
      periodFrom: c.period_from,
      periodTo: c.period_to,
      openedAt: c.opened_at,
      openedByName: c.openedByName,
      ownerName: c.ownerName,
      closedAt: c.closed_at,
      outcome: c.outcome,
    },
    notices: view.notices.map((n) => ({
      id: n.id,
      type: n.type,
      status: n.status,
      periodFrom: n.periodFrom,
      periodTo: n.periodTo,
      issueDate: n.issueDate,
      remedyBy: n.remedyBy,
      acknowledgedAt: n.acknowledgedAt,
      version: n.currentVersion,
      authorName: n.authorName,
      approverName: n.approverName,
    })),
    plan: planItems(view),
    timeline,
    today: londonToday(),
    done: done && DONE_MESSAGES[done] ? DONE_MESSAGES[done] : null,
  };
  if (forPractice) {
    return { ...common, view: "practice" as const, canAct: g.side === "practice", icb: null };
  }
  const icbView = view as Awaited<ReturnType<typeof getCaseForIcb>>;
  const canAct = g.side === "icb" && icbView.case.stage !== "closed";
  const [support, commissioners] = canAct
    ? await Promise.all([suggestSupportForCase(db, actor, g.caseId), c.icbCode ? icbCommissioners(db, c.icbCode) : Promise.resolve([])])
    : [null, []];
  const openDraft = view.notices.find((n) => n.status === "draft" || n.status === "approved") ?? null;
  return {
    ...common,
    view: "icb" as const,
    canAct,
    icb: {
      ownerId: c.owner_id,
      nextReviewDate: c.next_review_date,
      patientSafetyReason: c.patient_safety_reason,
      lmcConsultedAt: c.lmc_consulted_at,
      lmcNote: c.lmc_note,
      facts: icbView.facts,
      nextStages: icbView.nextStages,
      draftProblems: { remedial: checkNoticeDraft(icbView.facts, "remedial"), breach: checkNoticeDraft(icbView.facts, "breach") },
      openDraft: openDraft ? { id: openDraft.id, type: openDraft.type } : null,
      responses: view.responses,
      support: support
        ? {
            classificationLabel: support.classificationLabel,
            reasons: support.reasons,
            suggested: support.suggestions.map((s) => ({ id: s.action.id, because: s.because })),
          }
        : null,
      commissioners: commissioners.map((u) => ({ id: u.id, name: u.name })),
    },
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const g = await requireCase(request, params.caseId);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (!requireSide(intent, g.side, CASE_INTENTS)) return failed(intent, { form: "Choose what to do" });
  return caseIntent(intent, form, actorOf(g.user, context), g.caseId, (done) => `/cases/${g.caseId}?done=${done}`);
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type IcbData = Extract<Data, { view: "icb" }>;

function SummaryRow({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">{children}</dd>
    </div>
  );
}

function NoticesTable({ data, errors, submitting }: { data: Data; errors: Errors; submitting: boolean }) {
  if (data.notices.length === 0) {
    return <p>{data.view === "practice" ? "No notice has been issued in this case." : "No notice has been drafted in this case."}</p>;
  }
  const practiceActs = data.view === "practice" && data.canAct;
  return (
    <ScrollableTable caption={`Notices in case ${data.case.id}`} captionStyle="hidden">
      <thead className="nhsuk-table__head">
        <tr className="nhsuk-table__row">
          <th scope="col" className="nhsuk-table__header">
            Notice
          </th>
          <th scope="col" className="nhsuk-table__header">
            Status
          </th>
          <th scope="col" className="nhsuk-table__header">
            Period
          </th>
          <th scope="col" className="nhsuk-table__header">
            Date of issue
          </th>
          <th scope="col" className="nhsuk-table__header">
            Remedy by
          </th>
          <th scope="col" className="nhsuk-table__header">
            Acknowledged
          </th>
        </tr>
      </thead>
      <tbody className="nhsuk-table__body">
        {data.notices.map((n) => (
          <tr className="nhsuk-table__row" key={n.id}>
            <th scope="row" className="nhsuk-table__cell">
              <Link to={`/cases/${data.case.id}/notices/${n.id}`}>{`${NOTICE_LABELS[n.type as NoticeType]} ${n.id}`}</Link>
              {data.view === "icb" && n.authorName ? <span className="nhsuk-body-s"> (drafted by {n.authorName})</span> : null}
            </th>
            <td className="nhsuk-table__cell">
              <NoticeStatusTag status={n.status} />
            </td>
            <td className="nhsuk-table__cell">
              {formatDate(n.periodFrom)} to {formatDate(n.periodTo)}
            </td>
            <td className="nhsuk-table__cell">{formatDate(n.issueDate)}</td>
            <td className="nhsuk-table__cell">{formatDate(n.remedyBy)}</td>
            <td className="nhsuk-table__cell">
              {n.acknowledgedAt ? (
                formatInstant(n.acknowledgedAt)
              ) : practiceActs ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="acknowledge" />
                  <input type="hidden" name="noticeId" value={n.id} />
                  {errors[`acknowledge-${n.id}-noticeId`] ? <span className="nhsuk-error-message">{errors[`acknowledge-${n.id}-noticeId`]}</span> : null}
                  <button className="nhsuk-button nhsuk-button--small app-inline-button" type="submit" disabled={submitting} id={`acknowledge-${n.id}-noticeId`}>
                    Acknowledge<span className="nhsuk-u-visually-hidden"> {`${NOTICE_LABELS[n.type as NoticeType].toLowerCase()} ${n.id}`}</span>
                  </button>
                </Form>
              ) : n.status === "draft" || n.status === "approved" || n.status === "withdrawn" ? (
                "Not sent"
              ) : (
                "Not yet"
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </ScrollableTable>
  );
}

/** The forms of the ICB's next steps. */
function IcbSteps({ data, errors, values, intent, submitting }: { data: IcbData; errors: Errors; values: Record<string, string>; intent: string | null; submitting: boolean }) {
  const icb = data.icb;
  const v = (i: string) => (intent === i ? values : {});
  const has = (prefix: string) => Object.keys(errorsFor(errors, prefix)).length > 0;
  const moves = icb.nextStages.filter((s) => s !== "closed") as Stage[];
  const suggested = new Map((icb.support?.suggested ?? []).map((s) => [s.id, s.because]));
  const actions = [...SUPPORT_ACTIONS].sort((a, b) => (suggested.has(a.id) ? 0 : 1) - (suggested.has(b.id) ? 0 : 1));
  const draftTypes = (["remedial", "breach"] as const).filter((t) => icb.draftProblems[t].length === 0);
  const f = icb.facts;
  return (
    <>
      <h2 id="next-steps">Next steps</h2>
      <dl className="nhsuk-summary-list" data-testid="case-facts">
        <SummaryRow label="Informal contact">{f.informalContactRecorded ? "Recorded" : "Not yet recorded"}</SummaryRow>
        <SummaryRow label="Support offered">{f.supportOffered ? "Yes, a support plan" : "Not yet"}</SummaryRow>
        <SummaryRow label="Patient-safety reason">{f.patientSafetyReason ?? "None recorded"}</SummaryRow>
        <SummaryRow label="LMC consultation">{icb.lmcConsultedAt ? `${formatDate(icb.lmcConsultedAt)}: ${icb.lmcNote ?? ""}` : "Not recorded"}</SummaryRow>
        <SummaryRow label="Notices issued in this case">{f.issuedNotices}</SummaryRow>
      </dl>
      <p>
        A notice needs a recorded informal contact and support offered first, unless a patient-safety reason is recorded. Considering termination
        needs the LMC consultation recorded and a statement of the cumulative effect of the case&apos;s earlier notices.
      </p>

      <FormSection id="informal-contact" title="Record an informal contact (a call or meeting)" open={has("contact")}>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="informal-contact" />
          <TextInput id="contact-date" name="date" label="Date of the call or meeting" type="date" errors={errors} defaultValue={v("informal-contact").date ?? data.today} />
          <Choices
            id="contact-kind"
            name="kind"
            legend="Was it a call or a meeting?"
            errors={errors}
            defaultValue={v("informal-contact").kind}
            options={[
              { value: "call", label: "Call" },
              { value: "meeting", label: "Meeting" },
            ]}
          />
          <TextInput id="contact-attendees" name="attendees" label="Who took part" hint="Names and roles, from the practice and the ICB." errors={errors} defaultValue={v("informal-contact").attendees} />
          <TextArea id="contact-notes" name="notes" label="Notes of what was discussed" errors={errors} defaultValue={v("informal-contact").notes} />
          <SubmitButton submitting={submitting}>Record the contact</SubmitButton>
        </Form>
      </FormSection>

      <FormSection id="add-support" title="Offer support (add to the support plan)" open={has("support")}>
        {icb.support?.classificationLabel ? (
          <p>
            Suggested approach over the case period: <strong>{icb.support.classificationLabel}</strong>
            {icb.support.reasons.length ? ` (${icb.support.reasons.join("; ")})` : ""}. Actions that fit the practice&apos;s situation are listed
            first.
          </p>
        ) : null}
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="add-support" />
          <Choices
            id="support-actionId"
            name="actionId"
            legend="Support actions"
            hint="Choose one or more. Each starts as planned, owned by its usual owner unless you name one below."
            errors={errors}
            multiple
            defaultValue={v("add-support").actionId}
            options={actions.map((a) => ({
              value: a.id,
              label: a.title,
              hint: suggested.has(a.id) ? `Suggested: ${suggested.get(a.id)!.join("; ")}. Usually owned by: ${a.owner}.` : `Usually owned by: ${a.owner}.`,
            }))}
          />
          <TextInput id="support-otherTitle" name="otherTitle" label="Another action, not in the list (optional)" errors={errors} defaultValue={v("add-support").otherTitle} />
          <TextInput id="support-owner" name="owner" label="Owner (optional)" hint="Leave blank for each action's usual owner. Needed for another action." errors={errors} defaultValue={v("add-support").owner} />
          <TextInput id="support-dueDate" name="dueDate" label="Due date (optional)" type="date" errors={errors} defaultValue={v("add-support").dueDate ?? addDays(data.today, 28)} />
          <TextInput id="support-reviewDate" name="reviewDate" label="Review date (optional)" type="date" errors={errors} defaultValue={v("add-support").reviewDate ?? addDays(data.today, 42)} />
          <SubmitButton submitting={submitting}>Add to the support plan</SubmitButton>
        </Form>
      </FormSection>

      <FormSection id="draft-notice" title="Draft a notice" open={has("draft")}>
        {icb.openDraft ? (
          <p>
            <Link to={`/cases/${data.case.id}/notices/${icb.openDraft.id}`}>{`${NOTICE_LABELS[icb.openDraft.type as NoticeType]} ${icb.openDraft.id}`}</Link> is
            not yet issued: edit, issue or withdraw it before drafting another.
          </p>
        ) : draftTypes.length === 0 ? (
          <>
            <p>A notice cannot be drafted yet:</p>
            <ul data-testid="draft-problems">
              {icb.draftProblems.remedial.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </>
        ) : (
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="draft-notice" />
            <Choices
              id="draft-type"
              name="type"
              legend="Which notice?"
              errors={errors}
              defaultValue={v("draft-notice").type}
              options={draftTypes.map((t) => ({
                value: t,
                label: NOTICE_LABELS[t],
                hint:
                  t === "remedial"
                    ? "A breach capable of remedy: the steps required and a period of at least 28 days from the date of issue."
                    : "A breach not capable of remedy: requires the practice not to repeat it.",
              }))}
            />
            <TextInput id="draft-from" name="from" label="First day of the period the notice is about" type="date" errors={errors} defaultValue={v("draft-notice").from ?? data.case.periodFrom} />
            <TextInput id="draft-to" name="to" label="Last day of the period the notice is about" type="date" errors={errors} defaultValue={v("draft-notice").to ?? data.case.periodTo} />
            <TextInput
              id="draft-periodDays"
              name="periodDays"
              label="Period for remedy, in days from the date of issue (remedial notices)"
              hint={`At least ${MINIMUM_REMEDY_DAYS} days, unless a shorter period is needed to protect patient safety or to protect the ICB from material financial loss.`}
              type="number"
              width="4"
              errors={errors}
              defaultValue={v("draft-notice").periodDays ?? String(MINIMUM_REMEDY_DAYS)}
            />
            <Choices
              id="draft-shorterReason"
              name="shorterReason"
              legend="Reason for a period shorter than 28 days"
              errors={errors}
              defaultValue={v("draft-notice").shorterReason ?? ""}
              options={[
                { value: "", label: "None: the period is 28 days or more" },
                { value: "patient_safety", label: "To protect patient safety" },
                { value: "material_financial_loss", label: "To protect the ICB from material financial loss" },
              ]}
            />
            <TextArea id="draft-shorterExplanation" name="shorterExplanation" label="Why the shorter period is needed" errors={errors} defaultValue={v("draft-notice").shorterExplanation} rows={2} />
            <SubmitButton submitting={submitting}>Draft the notice</SubmitButton>
          </Form>
        )}
      </FormSection>

      {moves.length ? (
        <FormSection id="move" title="Move the case to another stage" open={has("move")}>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="move" />
            <Select id="move-to" name="to" label="Move to" errors={errors} defaultValue={v("move").to ?? moves[0]} options={moves.map((s) => [s, STAGE_LABELS[s]])} />
            <TextArea id="move-reason" name="reason" label="Why" errors={errors} defaultValue={v("move").reason} />
            {moves.includes("termination_considered") ? (
              <TextArea
                id="move-cumulativeEffect"
                name="cumulativeEffect"
                label="The cumulative effect of the earlier notices (needed to consider termination)"
                hint={`Notices issued in this case: ${icb.facts.issuedNotices}. The practice's earlier notices are recorded with the step.`}
                errors={errors}
                defaultValue={v("move").cumulativeEffect}
              />
            ) : null}
            <SubmitButton submitting={submitting}>Move the case</SubmitButton>
          </Form>
        </FormSection>
      ) : null}

      <FormSection id="patient-safety" title="Record a patient-safety reason" open={has("safety")}>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="safety-reason" />
          <TextArea
            id="safety-reason"
            name="reason"
            label="Patient-safety reason"
            hint="With a patient-safety reason, a notice may follow without the informal steps, and a remedial notice may give fewer than 28 days."
            errors={errors}
            defaultValue={v("safety-reason").reason ?? icb.patientSafetyReason ?? ""}
          />
          <SubmitButton submitting={submitting} variant="secondary">
            Record the reason
          </SubmitButton>
        </Form>
      </FormSection>

      <FormSection id="lmc" title="Record the consultation with the Local Medical Committee" open={has("lmc")}>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="lmc" />
          <TextInput id="lmc-date" name="date" label="Date of the consultation" type="date" errors={errors} defaultValue={v("lmc").date ?? data.today} />
          <TextArea id="lmc-note" name="note" label="Note of the consultation" errors={errors} defaultValue={v("lmc").note} />
          <SubmitButton submitting={submitting} variant="secondary">
            Record the consultation
          </SubmitButton>
        </Form>
      </FormSection>

      <FormSection id="update" title="Change the owner or the next review date" open={has("update")}>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="update" />
          <Select
            id="update-ownerId"
            name="ownerId"
            label="Owner"
            errors={errors}
            defaultValue={v("update").ownerId ?? String(icb.ownerId)}
            options={icb.commissioners.map((u) => [String(u.id), u.name])}
          />
          <TextInput id="update-nextReviewDate" name="nextReviewDate" label="Next review date" type="date" errors={errors} defaultValue={v("update").nextReviewDate ?? icb.nextReviewDate ?? ""} />
          <TextInput id="update-reason" name="reason" label="Reason for the change (optional)" errors={errors} defaultValue={v("update").reason} />
          <SubmitButton submitting={submitting} variant="secondary">
            Save the changes
          </SubmitButton>
        </Form>
      </FormSection>

      <FormSection id="close" title="Close the case" open={has("close")}>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="close" />
          <Choices
            id="close-outcome"
            name="outcome"
            legend="Outcome"
            errors={errors}
            defaultValue={v("close").outcome}
            options={[
              { value: "remedied", label: OUTCOME_LABELS.remedied },
              { value: "no_further_action", label: OUTCOME_LABELS.no_further_action },
            ]}
          />
          <TextArea id="close-reason" name="reason" label="Why the case is closed" errors={errors} defaultValue={v("close").reason} />
          <SubmitButton submitting={submitting} variant="warning">
            Close the case
          </SubmitButton>
        </Form>
      </FormSection>
    </>
  );
}

function PracticeSteps({ errors, values, intent, submitting }: { errors: Errors; values: Record<string, string>; intent: string | null; submitting: boolean }) {
  const v = (i: string) => (intent === i ? values : {});
  return (
    <>
      <h2 id="your-response">Your response</h2>
      <p>The ICB sees what you send here in the case&apos;s record.</p>
      <FormSection id="respond" title="Respond in writing" open={Object.keys(errorsFor(errors, "respond")).length > 0}>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="respond" />
          <TextArea id="respond-text" name="text" label="Your response" errors={errors} defaultValue={v("respond").text} rows={6} />
          <SubmitButton submitting={submitting}>Send the response</SubmitButton>
        </Form>
      </FormSection>
      <FormSection id="review" title="Ask for a review" open={Object.keys(errorsFor(errors, "review")).length > 0}>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="review" />
          <TextArea id="review-text" name="text" label="What you would like reviewed, and why" errors={errors} defaultValue={v("review").text} rows={6} />
          <SubmitButton submitting={submitting}>Ask for a review</SubmitButton>
        </Form>
      </FormSection>
    </>
  );
}

export default function CasePage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const errors = result?.errors ?? {};
  const c = data.case;
  const back =
    data.view === "practice"
      ? { to: `/practices/${c.practiceCode}/cases`, label: "Back to your practice's cases" }
      : c.icbCode
        ? { to: `/icb/${c.icbCode}/cases`, label: "Back to the ICB's cases" }
        : null;
  return (
    <>
      {back ? (
        <div className="nhsuk-back-link">
          <Link className="nhsuk-back-link__link" to={back.to}>
            {back.label}
          </Link>
        </div>
      ) : null}
      <ErrorSummary errors={errors} />
      {data.done ? <NotificationBanner success heading={data.done} /> : null}
      <span className="nhsuk-caption-l">
        {c.practiceName} ({c.practiceCode})
      </span>
      <h1>
        Case {c.id} <StageTag stage={c.stage as Stage} />
      </h1>
      <dl className="nhsuk-summary-list" data-testid="case-summary">
        <SummaryRow label="Practice">
          <Link to={`/practices/${c.practiceCode}/compliance?from=${c.periodFrom}&to=${c.periodTo}`}>{c.practiceName}</Link>
        </SummaryRow>
        <SummaryRow label="Stage">{STAGE_LABELS[c.stage as Stage]}</SummaryRow>
        <SummaryRow label="Period of concern">
          {formatDate(c.periodFrom)} to {formatDate(c.periodTo)}
        </SummaryRow>
        <SummaryRow label="Concern">{c.summary}</SummaryRow>
        <SummaryRow label="Opened">
          {formatInstant(c.openedAt)}
          {c.openedByName ? ` by ${c.openedByName}` : ""}
        </SummaryRow>
        <SummaryRow label={data.view === "practice" ? "ICB lead" : "Owner"}>{c.ownerName ?? ""}</SummaryRow>
        {data.view === "icb" ? <SummaryRow label="Next review">{data.icb.nextReviewDate ? formatDate(data.icb.nextReviewDate) : "Not set"}</SummaryRow> : null}
        {c.closedAt ? (
          <SummaryRow label="Closed">
            {formatInstant(c.closedAt)}
            {c.outcome ? `: ${OUTCOME_LABELS[c.outcome]}` : ""}
          </SummaryRow>
        ) : null}
      </dl>

      <h2 id="notices">Notices</h2>
      {data.view === "practice" ? <p>Only notices issued to the practice are shown.</p> : null}
      <NoticesTable data={data} errors={errors} submitting={submitting} />

      <h2 id="support-plan">Support plan</h2>
      <SupportPlan
        items={data.plan}
        today={data.today}
        errors={errors}
        values={result?.values ?? {}}
        target={result?.target ?? null}
        submitting={submitting}
        progressForm={data.canAct && c.stage !== "closed"}
        updateForm={data.view === "icb" && data.canAct}
      />

      {data.view === "icb" && data.canAct ? (
        <IcbSteps data={data} errors={errors} values={result?.values ?? {}} intent={result?.intent ?? null} submitting={submitting} />
      ) : null}
      {data.view === "practice" && data.canAct && c.stage !== "closed" ? (
        <PracticeSteps errors={errors} values={result?.values ?? {}} intent={result?.intent ?? null} submitting={submitting} />
      ) : null}

      <h2 id="record">The case&apos;s record</h2>
      <p>Every step, oldest first, with who took it and when. Each keeps the compliance evidence for the case period as it stood at that step.</p>
      <Timeline entries={data.timeline} caseId={c.id} />
    </>
  );
}
