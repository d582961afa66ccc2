import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { DataTable } from "~/components/DataTable";
import { ErrorSummary } from "~/components/ErrorSummary";
import { NotificationBanner } from "~/components/NotificationBanner";
import { CATEGORY_LABELS, formatMinute, KIND_LABELS, pauseDisplayColumns, PauseStatusTag, type PauseTableRow } from "~/components/PauseTable";
import { DemoTag } from "~/components/StatusTag";
import { canDecidePause, canRequestPause } from "~/domain/access";
import { parseInstant, minuteToLocal } from "~/domain/instants";
import { pauseEffect, practicePauses, type PauseEffect } from "~/queries/pauses.server";
import { approvePause, declinePause, PauseError, requestPause, withdrawPause } from "~/services/pauses.server";
import { requirePracticeAccess } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInstant, formatInteger } from "~/utils/format";
import { parseForm, type FieldErrors } from "~/utils/forms";
import { forbidden, notFound } from "~/utils/http.server";

/**
 * A practice's pause requests ("exceptional circumstances"). Both sides see the full history. The practice's own
 * manager asks for a pause and may withdraw it while pending; a commissioner of the practice's ICB approves or
 * declines it. Neither acts for the other, and admins only look (docs/decisions/0010). Every intent checks this
 * again on the server; a refused one is 403 and says nothing of the practice.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Pause requests – ${data?.practice.name ?? "Practice"} – ICB Access Monitor` }];

const DONE = ["requested", "withdrawn", "approved", "declined"] as const;
type Done = (typeof DONE)[number];

function toRow(r: Awaited<ReturnType<typeof practicePauses>>[number]): PauseTableRow {
  return { ...r, start_local: minuteToLocal(r.start_min), end_local: minuteToLocal(r.end_min) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, practice } = await requirePracticeAccess(request, params.odsCode);
  const db = getDb();
  const rows = (await practicePauses(db, practice.ods_code)).map(toRow);
  const url = new URL(request.url);
  const done = url.searchParams.get("done") as Done | null;
  const shown = rows.find((r) => String(r.id) === url.searchParams.get("pause"));
  let banner: { done: Done; pause: PauseTableRow; effect: PauseEffect | null } | null = null;
  if (done && DONE.includes(done) && shown) {
    banner = { done, pause: shown, effect: done === "approved" || done === "declined" ? await pauseEffect(db, shown) : null };
  }
  return {
    practice: { ods_code: practice.ods_code, name: practice.name, icb_code: practice.icb_code, is_demo: practice.is_demo },
    rows,
    canRequest: canRequestPause(user, practice),
    canDecide: canDecidePause(user, practice),
    back:
      user.role === "practice"
        ? { to: `/practices/${practice.ods_code}`, label: "Back to your practice" }
        : practice.icb_code
          ? { to: `/icb/${practice.icb_code}/pauses`, label: "Back to all pause requests" }
          : null,
    banner,
  };
}

/** A London wall-clock time from a `datetime-local` field (`2026-05-13T09:10`), as an epoch minute. */
function londonDateTime(what: string) {
  return z
    .string({ message: `Enter the ${what} date and time` })
    .trim()
    .min(1, `Enter the ${what} date and time`)
    .transform((value, ctx) => {
      const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(value);
      const parsed = m ? parseInstant(`${m[1]} ${m[2]}`) : null;
      if (!parsed || !parsed.ok) {
        ctx.addIssue({ code: "custom", message: `Enter the ${what} as a real date and time, for example 13/05/2026 09:10` });
        return z.NEVER;
      }
      const year = Number(m![1]!.slice(0, 4));
      if (year < 2015 || year > 2099) {
        ctx.addIssue({ code: "custom", message: `Enter a ${what} between 2015 and 2099` });
        return z.NEVER;
      }
      return parsed.minute;
    });
}

const MAX_PAUSE_MINUTES = 366 * 24 * 60;

function requestSchema(nowMinute: number) {
  return z
    .object({
      category: z.enum(["all", "clinical", "admin"], { message: "Select which requests the pause is for" }),
      start: londonDateTime("start"),
      end: londonDateTime("end"),
      kind: z.enum(["planned", "outage"], { message: "Select whether the pause is planned ahead or after the fact" }),
      reason: z
        .string({ message: "Enter the reason for the pause" })
        .trim()
        .min(1, "Enter the reason for the pause")
        .min(10, "The reason must be at least 10 characters")
        .max(1000, "The reason must be 1,000 characters or fewer"),
    })
    .superRefine((v, ctx) => {
      if (v.end <= v.start) ctx.addIssue({ code: "custom", path: ["end"], message: "The end must be after the start" });
      else if (v.end - v.start > MAX_PAUSE_MINUTES) ctx.addIssue({ code: "custom", path: ["end"], message: "A pause can be at most a year long" });
      if (v.kind === "planned" && v.start <= nowMinute) {
        ctx.addIssue({ code: "custom", path: ["start"], message: "A planned pause must start in the future. For a pause that has begun, select after the fact" });
      }
      if (v.kind === "outage" && v.start > nowMinute) {
        ctx.addIssue({ code: "custom", path: ["start"], message: "A pause after the fact must have started already. For a future pause, select planned ahead" });
      }
    });
}

const PauseId = z.coerce.number({ message: "Choose a pause request" }).int().positive("Choose a pause request");
const WithdrawSchema = z.object({ pauseId: PauseId });
const ApproveSchema = z.object({
  pauseId: PauseId,
  note: z
    .string()
    .trim()
    .max(1000, "The note must be 1,000 characters or fewer")
    .optional()
    .transform((s) => (s ? s : null)),
});
const DeclineSchema = z.object({
  pauseId: PauseId,
  note: z
    .string({ message: "Enter why the request is declined" })
    .trim()
    .min(1, "Enter why the request is declined")
    .max(1000, "The note must be 1,000 characters or fewer"),
});

type ActionResult = { intent: string; pauseId: number | null; errors: FieldErrors; values: Record<string, string> };

function failed(intent: string, pauseId: number | null, errors: FieldErrors, values: Record<string, string> = {}) {
  return data<ActionResult>({ intent, pauseId, errors, values }, { status: 400 });
}

/** Errors of a decision form, keyed by the id of the field they belong to (so the summary links to it). */
function decisionErrors(intent: string, pauseId: number, errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(errors)) out[k === "note" ? `${intent}-note-${pauseId}` : `pause-${pauseId}`] = v;
  return out;
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, practice } = await requirePracticeAccess(request, params.odsCode);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const db = getDb();
  const by = { userId: user.id, actor: user.email, ip: context.clientIp ?? null };
  const here = `/practices/${practice.ods_code}/pauses`;

  if (intent === "request") {
    if (!canRequestPause(user, practice)) throw forbidden();
    const parsed = parseForm(form, requestSchema(Math.floor(Date.now() / 60_000)));
    if (!parsed.ok) return failed(intent, null, parsed.errors, parsed.values);
    const id = await requestPause(db, { practiceCode: practice.ods_code, ...parsed.data }, by);
    throw redirect(`${here}?done=requested&pause=${id}`);
  }

  if (intent === "withdraw" || intent === "approve" || intent === "decline") {
    const allowed = intent === "withdraw" ? canRequestPause(user, practice) : canDecidePause(user, practice);
    if (!allowed) throw forbidden();
    const schema = intent === "withdraw" ? WithdrawSchema : intent === "approve" ? ApproveSchema : DeclineSchema;
    const parsed = parseForm(form, schema);
    const rawId = Number(form.get("pauseId"));
    const formId = Number.isInteger(rawId) && rawId > 0 ? rawId : null;
    if (!parsed.ok) return failed(intent, formId, formId ? decisionErrors(intent, formId, parsed.errors) : parsed.errors, parsed.values);
    const { pauseId } = parsed.data;
    const pause = await db.selectFrom("pause_requests").select(["id", "practice_code"]).where("id", "=", pauseId).executeTakeFirst();
    // Another practice's request answers exactly as one that does not exist.
    if (!pause || pause.practice_code !== practice.ods_code) throw notFound();
    try {
      if (intent === "withdraw") await withdrawPause(db, pauseId, by);
      else if (intent === "approve") await approvePause(db, pauseId, (parsed.data as z.output<typeof ApproveSchema>).note, by);
      else await declinePause(db, pauseId, (parsed.data as z.output<typeof DeclineSchema>).note, by);
    } catch (e) {
      if (e instanceof PauseError) return failed(intent, pauseId, { [`pause-${pauseId}`]: e.message });
      throw e;
    }
    const done: Done = intent === "withdraw" ? "withdrawn" : intent === "approve" ? "approved" : "declined";
    throw redirect(`${here}?done=${done}&pause=${pauseId}`);
  }

  return failed(intent, null, { form: "Choose what to do" });
}

function minutes(n: number): string {
  return `${formatInteger(n)} ${n === 1 ? "minute" : "minutes"}`;
}

function Banner({ banner }: { banner: NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["banner"]> }) {
  const { done, pause, effect } = banner;
  const from = formatMinute(pause.start_min);
  const to = formatMinute(pause.end_min);
  if (done === "requested") {
    return (
      <NotificationBanner success heading="Pause request sent">
        <p>{`Your ICB will approve or decline the pause from ${from} to ${to}. Until it is approved, closed minutes in it count as closed.`}</p>
      </NotificationBanner>
    );
  }
  if (done === "withdrawn") {
    return <NotificationBanner success heading="Pause request withdrawn" />;
  }
  const noData = effect && effect.coreDays > effect.daysWithData ? effect.coreDays - effect.daysWithData : 0;
  return (
    <NotificationBanner success heading={done === "approved" ? "Pause approved" : "Pause declined"}>
      {effect ? (
        <>
          <p data-testid="pause-effect">
            {done === "approved"
              ? `${minutes(effect.excepted)} closed between ${from} and ${to} now ${effect.excepted === 1 ? "counts" : "count"} as excepted.` +
                (effect.closed > 0
                  ? ` ${minutes(effect.closed)} in the window still ${effect.closed === 1 ? "counts" : "count"} as closed (requests the pause does not cover).`
                  : "")
              : `${minutes(effect.closed)} closed between ${from} and ${to} still ${effect.closed === 1 ? "counts" : "count"} as closed.`}
          </p>
          {effect.coreDays === 0 ? (
            <p>The window has no core hours.</p>
          ) : noData > 0 ? (
            <p>
              {`${noData} of the ${effect.coreDays} core ${effect.coreDays === 1 ? "day" : "days"} in the window ${noData === 1 ? "has" : "have"} no availability data yet` +
                (done === "approved" ? "; closed minutes reported for them later will count as excepted too." : ".")}
            </p>
          ) : null}
        </>
      ) : null}
    </NotificationBanner>
  );
}

function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <span className="nhsuk-error-message" id={`${id}-error`}>
      <span className="nhsuk-u-visually-hidden">Error:</span> {error}
    </span>
  ) : null;
}

function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const list = ids.filter(Boolean).join(" ");
  return list || undefined;
}

function RequestForm({ errors, values, submitting }: { errors: FieldErrors; values: Record<string, string>; submitting: boolean }) {
  const group = (key: string) => `nhsuk-form-group${errors[key] ? " nhsuk-form-group--error" : ""}`;
  const radios = (name: string, options: [string, string, string?][], legend: string, hint: string) => (
    <div className={group(name)}>
      <fieldset className="nhsuk-fieldset" aria-describedby={describedBy(`${name}-hint`, errors[name] && `${name}-error`)}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
        <div className="nhsuk-hint" id={`${name}-hint`}>
          {hint}
        </div>
        <FieldError id={name} error={errors[name]} />
        <div className="nhsuk-radios">
          {options.map(([value, label, itemHint], i) => {
            const id = i === 0 ? name : `${name}-${value}`;
            return (
              <div className="nhsuk-radios__item" key={value}>
                <input
                  className="nhsuk-radios__input"
                  id={id}
                  name={name}
                  type="radio"
                  value={value}
                  defaultChecked={values[name] === value}
                  aria-describedby={itemHint ? `${id}-item-hint` : undefined}
                />
                <label className="nhsuk-label nhsuk-radios__label" htmlFor={id}>
                  {label}
                </label>
                {itemHint ? (
                  <div className="nhsuk-hint nhsuk-radios__hint" id={`${id}-item-hint`}>
                    {itemHint}
                  </div>
                ) : null}
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
  const dateTime = (name: "start" | "end", label: string) => (
    <div className={group(name)}>
      <label className="nhsuk-label" htmlFor={name}>
        {label}
      </label>
      <div className="nhsuk-hint" id={`${name}-hint`}>
        Date and time in UK time (London), for example 13/05/2026 09:10
      </div>
      <FieldError id={name} error={errors[name]} />
      <input
        className={`nhsuk-input nhsuk-input--width-20${errors[name] ? " nhsuk-input--error" : ""}`}
        id={name}
        name={name}
        type="datetime-local"
        defaultValue={values[name] ?? ""}
        aria-describedby={describedBy(`${name}-hint`, errors[name] && `${name}-error`)}
      />
    </div>
  );
  return (
    <Form method="post" noValidate>
      <input type="hidden" name="intent" value="request" />
      {radios(
        "category",
        [
          ["all", "All requests"],
          ["clinical", "Clinical requests only"],
          ["admin", "Admin requests only"],
        ],
        "Which requests would the tool not take?",
        "The tool counts as open only when it takes both clinical and admin requests.",
      )}
      {dateTime("start", "Start")}
      {dateTime("end", "End")}
      {radios(
        "kind",
        [
          ["planned", "Planned ahead", "The pause has not started yet."],
          ["outage", "After the fact (outage)", "The tool was already closed, for example during a supplier outage."],
        ],
        "When are you asking?",
        "Ask ahead where you can.",
      )}
      <div className={group("reason")}>
        <label className="nhsuk-label" htmlFor="reason">
          Reason
        </label>
        <div className="nhsuk-hint" id="reason-hint">
          The exceptional circumstances, for example the patient safety or business continuity reason. 10 to 1,000 characters.
        </div>
        <FieldError id="reason" error={errors.reason} />
        <textarea
          className={`nhsuk-textarea${errors.reason ? " nhsuk-textarea--error" : ""}`}
          id="reason"
          name="reason"
          rows={4}
          defaultValue={values.reason ?? ""}
          aria-describedby={describedBy("reason-hint", errors.reason && "reason-error")}
        />
      </div>
      <button className="nhsuk-button" type="submit" disabled={submitting}>
        Send the request
      </button>
    </Form>
  );
}

function DecisionForms({ pause, errors, values, submitting }: { pause: PauseTableRow; errors: FieldErrors; values: Record<string, string>; submitting: boolean }) {
  const approveId = `approve-note-${pause.id}`;
  const declineId = `decline-note-${pause.id}`;
  return (
    <div className="nhsuk-grid-row">
      <div className="nhsuk-grid-column-one-half">
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="approve" />
          <input type="hidden" name="pauseId" value={pause.id} />
          <div className={`nhsuk-form-group${errors[approveId] ? " nhsuk-form-group--error" : ""}`}>
            <label className="nhsuk-label" htmlFor={approveId}>
              Note for the practice (optional)
            </label>
            <FieldError id={approveId} error={errors[approveId]} />
            <textarea className="nhsuk-textarea" id={approveId} name="note" rows={2} defaultValue={values.approveNote ?? ""} />
          </div>
          <button className="nhsuk-button" type="submit" disabled={submitting}>
            Approve<span className="nhsuk-u-visually-hidden"> the pause from {pause.start_local}</span>
          </button>
        </Form>
      </div>
      <div className="nhsuk-grid-column-one-half">
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="decline" />
          <input type="hidden" name="pauseId" value={pause.id} />
          <div className={`nhsuk-form-group${errors[declineId] ? " nhsuk-form-group--error" : ""}`}>
            <label className="nhsuk-label" htmlFor={declineId}>
              Why it is declined
            </label>
            <FieldError id={declineId} error={errors[declineId]} />
            <textarea
              className={`nhsuk-textarea${errors[declineId] ? " nhsuk-textarea--error" : ""}`}
              id={declineId}
              name="note"
              rows={2}
              defaultValue={values.declineNote ?? ""}
              aria-describedby={errors[declineId] ? `${declineId}-error` : undefined}
            />
          </div>
          <button className="nhsuk-button nhsuk-button--warning" type="submit" disabled={submitting}>
            Decline<span className="nhsuk-u-visually-hidden"> the pause from {pause.start_local}</span>
          </button>
        </Form>
      </div>
    </div>
  );
}

export default function PracticePauses() {
  const { practice, rows, canRequest, canDecide, back, banner } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const errors = result?.errors ?? {};
  const pending = rows.filter((r) => r.status === "pending");
  const requestValues = result?.intent === "request" ? result.values : {};
  const decisionValues = (p: PauseTableRow): Record<string, string> =>
    result && result.pauseId === p.id
      ? { approveNote: result.intent === "approve" ? (result.values.note ?? "") : "", declineNote: result.intent === "decline" ? (result.values.note ?? "") : "" }
      : {};
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
      {banner ? <Banner banner={banner} /> : null}
      <span className="nhsuk-caption-l">
        {practice.name} ({practice.ods_code}) {practice.is_demo ? <DemoTag /> : null}
      </span>
      <h1>Pause requests</h1>
      <p>
        A practice must keep its online consultation tool open throughout core hours, except in exceptional circumstances agreed with its ICB. An
        approved pause turns the closed minutes inside it into excepted minutes; minutes with no data stay unknown.
      </p>

      <h2>Waiting for a decision</h2>
      {pending.length === 0 ? <p>No requests are waiting for a decision.</p> : null}
      {pending.map((p) => (
        <div className="nhsuk-card" key={p.id} id={`pause-${p.id}`} tabIndex={-1}>
          <div className="nhsuk-card__content">
            <h3 className="nhsuk-card__heading">
              {CATEGORY_LABELS[p.category]}, {formatMinute(p.start_min)} to {formatMinute(p.end_min)} <PauseStatusTag status={p.status} />
            </h3>
            <dl className="nhsuk-summary-list">
              <div className="nhsuk-summary-list__row">
                <dt className="nhsuk-summary-list__key">Kind</dt>
                <dd className="nhsuk-summary-list__value">{KIND_LABELS[p.kind]}</dd>
              </div>
              <div className="nhsuk-summary-list__row">
                <dt className="nhsuk-summary-list__key">Reason</dt>
                <dd className="nhsuk-summary-list__value">{p.reason}</dd>
              </div>
              <div className="nhsuk-summary-list__row">
                <dt className="nhsuk-summary-list__key">Asked</dt>
                <dd className="nhsuk-summary-list__value">
                  {p.requested_by_name ?? "Unknown"}, {formatInstant(p.requested_at)}
                </dd>
              </div>
            </dl>
            {errors[`pause-${p.id}`] ? (
              <p className="nhsuk-error-message">
                <span className="nhsuk-u-visually-hidden">Error:</span> {errors[`pause-${p.id}`]}
              </p>
            ) : null}
            {canDecide ? <DecisionForms pause={p} errors={errors} values={decisionValues(p)} submitting={submitting} /> : null}
            {canRequest ? (
              <Form method="post">
                <input type="hidden" name="intent" value="withdraw" />
                <input type="hidden" name="pauseId" value={p.id} />
                <button className="nhsuk-button nhsuk-button--secondary" type="submit" disabled={submitting}>
                  Withdraw this request
                </button>
              </Form>
            ) : null}
          </div>
        </div>
      ))}

      {canRequest ? (
        <>
          <h2>Ask for a pause</h2>
          <RequestForm errors={result?.intent === "request" ? errors : {}} values={requestValues} submitting={submitting} />
        </>
      ) : null}

      <h2>All requests</h2>
      <DataTable
        caption={`Pause requests of ${practice.name}`}
        columns={pauseDisplayColumns(false)}
        rows={rows}
        rowKey={(r) => String(r.id)}
        empty={<p>This practice has not asked for any pauses.</p>}
      />
    </>
  );
}
