import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { DONE_MESSAGES, NoticeStatusTag, StageTag, SupportPlan, type PlanItem } from "~/components/CaseParts";
import { ErrorSummary } from "~/components/ErrorSummary";
import { NotificationBanner } from "~/components/NotificationBanner";
import { DemoTag } from "~/components/StatusTag";
import { canActForPractice, NOTICE_LABELS, OUTCOME_LABELS, type NoticeType } from "~/domain/cases";
import { londonToday } from "~/domain/compliance-report";
import { getCaseForPractice, listPracticeCases } from "~/services/cases.server";
import { auditView, requirePracticeAccess } from "~/utils/auth.server";
import { actorOf, caseIntent, failed } from "~/utils/case-actions.server";
import { getDb } from "~/utils/db.server";
import { formatDate, formatInstant } from "~/utils/format";
import { forbidden, notFound } from "~/utils/http.server";
import caseStyles from "~/styles/cases.css?url";

/**
 * A practice's cases as the practice sees them: the stage as it knows it, its support plan (its own manager records
 * progress on each item) and the notices it has been issued (never a draft), each to acknowledge, respond to or ask
 * to review. Commissioners of its ICB and admins see the same view, without the forms. Views are audit-logged.
 */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: caseStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Cases – ${data?.practice.name ?? "Practice"} – ICB Access Monitor` }];

const PAGE_INTENTS = ["progress", "acknowledge"];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, practice } = await requirePracticeAccess(request, params.odsCode);
  const db = getDb();
  const actor = actorOf(user, context);
  const rows = await listPracticeCases(db, actor, practice.ods_code);
  const cases = [];
  for (const r of rows) {
    const view = await getCaseForPractice(db, actor, r.id);
    await auditView(user, context, "case", String(r.id));
    const plan: PlanItem[] = view.supportItems.map((i) => ({
      id: i.id,
      title: i.title,
      owner: i.owner,
      dueDate: i.due_date,
      reviewDate: i.review_date,
      status: i.status,
      progress: i.progress.map((p) => ({ id: p.id, side: p.side, status: p.status, note: p.note, at: p.at, byName: p.byName })),
    }));
    cases.push({
      id: r.id,
      stage: view.stage,
      periodFrom: r.periodFrom,
      periodTo: r.periodTo,
      openedAt: r.openedAt,
      ownerName: r.ownerName,
      closedAt: r.closedAt,
      outcome: r.outcome,
      notices: view.notices.map((n) => ({ id: n.id, type: n.type, status: n.status, issueDate: n.issueDate, remedyBy: n.remedyBy, acknowledgedAt: n.acknowledgedAt })),
      plan,
    });
  }
  const done = new URL(request.url).searchParams.get("done");
  return {
    practice: { ods_code: practice.ods_code, name: practice.name, is_demo: practice.is_demo, icb_code: practice.icb_code },
    cases,
    canAct: canActForPractice(user, practice),
    isIcb: user.role === "icb",
    today: londonToday(),
    done: done && DONE_MESSAGES[done] ? DONE_MESSAGES[done] : null,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, practice } = await requirePracticeAccess(request, params.odsCode);
  // The practice's own forms; the ICB records its steps on the case's page.
  if (!canActForPractice(user, practice)) throw forbidden();
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (!PAGE_INTENTS.includes(intent)) return failed(intent, { form: "Choose what to do" });
  const caseId = Number(form.get("caseId"));
  if (!Number.isInteger(caseId) || caseId < 1) return failed(intent, { form: "Choose the case" });
  const c = await getDb().selectFrom("cases").select(["id", "practice_code"]).where("id", "=", caseId).executeTakeFirst();
  if (!c || c.practice_code !== practice.ods_code) throw notFound();
  return caseIntent(intent, form, actorOf(user, context), c.id, (done) => `/practices/${practice.ods_code}/cases?done=${done}#case-${c.id}`);
}

export default function PracticeCases() {
  const { practice, cases, canAct, isIcb, today, done } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const errors = result?.errors ?? {};
  return (
    <>
      <ErrorSummary errors={errors} />
      {done ? <NotificationBanner success heading={done} /> : null}
      <span className="nhsuk-caption-l">
        {practice.name} ({practice.ods_code}) {practice.is_demo ? <DemoTag /> : null}
      </span>
      <h1>Cases</h1>
      <p>
        When the practice&apos;s online consultation tool is not open throughout core hours, the ICB may open a case: it notes the concern, talks
        with the practice, offers support, and only then, if needed, issues a remedial or breach notice. This page shows the practice&apos;s cases,
        its support plan and the notices it has been issued.
      </p>
      {isIcb ? (
        <div className="nhsuk-inset-text">
          <span className="nhsuk-u-visually-hidden">Information: </span>
          <p>This is what the practice sees. The ICB&apos;s own view of each case, with its drafts and next steps, is on the case&apos;s page.</p>
        </div>
      ) : null}
      {cases.length === 0 ? <p>The practice has no cases.</p> : null}
      {cases.map((c) => (
        <section key={c.id} id={`case-${c.id}`} aria-labelledby={`case-${c.id}-heading`} className="app-practice-case">
          <h2 id={`case-${c.id}-heading`}>
            Case {c.id} <StageTag stage={c.stage} />
          </h2>
          <dl className="nhsuk-summary-list">
            <div className="nhsuk-summary-list__row">
              <dt className="nhsuk-summary-list__key">Period of concern</dt>
              <dd className="nhsuk-summary-list__value">
                {formatDate(c.periodFrom)} to {formatDate(c.periodTo)}
              </dd>
            </div>
            <div className="nhsuk-summary-list__row">
              <dt className="nhsuk-summary-list__key">Opened</dt>
              <dd className="nhsuk-summary-list__value">{formatInstant(c.openedAt)}</dd>
            </div>
            <div className="nhsuk-summary-list__row">
              <dt className="nhsuk-summary-list__key">ICB lead</dt>
              <dd className="nhsuk-summary-list__value">{c.ownerName ?? ""}</dd>
            </div>
            {c.closedAt ? (
              <div className="nhsuk-summary-list__row">
                <dt className="nhsuk-summary-list__key">Closed</dt>
                <dd className="nhsuk-summary-list__value">
                  {formatInstant(c.closedAt)}
                  {c.outcome ? `: ${OUTCOME_LABELS[c.outcome]}` : ""}
                </dd>
              </div>
            ) : null}
          </dl>
          <p>
            <Link to={`/cases/${c.id}`}>See the full record of case {c.id}</Link>
            {canAct && c.stage !== "closed" ? ", respond in writing or ask for a review" : ""}
          </p>

          <h3>Notices issued</h3>
          {c.notices.length === 0 ? (
            <p>No notice has been issued in this case.</p>
          ) : (
            <ul className="nhsuk-list">
              {c.notices.map((n) => {
                const name = `${NOTICE_LABELS[n.type as NoticeType]} ${n.id}`;
                return (
                  <li key={n.id} className="app-practice-notice" data-testid={`notice-${n.id}`}>
                    <Link to={`/cases/${c.id}/notices/${n.id}`}>{name}</Link> <NoticeStatusTag status={n.status} />: issued {formatDate(n.issueDate)}
                    {n.remedyBy ? `, steps to be taken by ${formatDate(n.remedyBy)}` : ""}.{" "}
                    {n.acknowledgedAt ? (
                      `Acknowledged ${formatInstant(n.acknowledgedAt)}.`
                    ) : canAct ? (
                      <Form method="post" className="app-inline-form">
                        <input type="hidden" name="intent" value="acknowledge" />
                        <input type="hidden" name="caseId" value={c.id} />
                        <input type="hidden" name="noticeId" value={n.id} />
                        {errors[`acknowledge-${n.id}-noticeId`] ? (
                          <span className="nhsuk-error-message" id={`acknowledge-${n.id}-noticeId`}>
                            {errors[`acknowledge-${n.id}-noticeId`]}
                          </span>
                        ) : null}
                        <button className="nhsuk-button nhsuk-button--small app-inline-button" type="submit" disabled={submitting}>
                          Acknowledge<span className="nhsuk-u-visually-hidden"> {name}</span>
                        </button>
                      </Form>
                    ) : (
                      "Not yet acknowledged."
                    )}
                    {canAct ? (
                      <>
                        {" "}
                        <Link to={`/cases/${c.id}/notices/${n.id}#respond`}>
                          Respond in writing<span className="nhsuk-u-visually-hidden"> to {name}</span>
                        </Link>
                        {" · "}
                        <Link to={`/cases/${c.id}/notices/${n.id}#review`}>
                          Ask for a review<span className="nhsuk-u-visually-hidden"> of {name}</span>
                        </Link>
                      </>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          )}

          <h3>Support plan</h3>
          <SupportPlan
            items={c.plan}
            today={today}
            errors={errors}
            values={result?.values ?? {}}
            target={result?.target ?? null}
            submitting={submitting}
            progressForm={canAct && c.stage !== "closed"}
            updateForm={false}
            hidden={{ caseId: String(c.id) }}
          />
        </section>
      ))}
    </>
  );
}
