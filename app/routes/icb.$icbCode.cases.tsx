import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Choices, errorsFor, Select, StageTag, SubmitButton, TextArea, TextInput } from "~/components/CaseParts";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { ErrorSummary } from "~/components/ErrorSummary";
import { ScrollableTable } from "~/components/ScrollableTable";
import { NOTICE_LABELS, NOTICE_STATUS_LABELS, STAGE_LABELS, STAGES, type NoticeStatus, type Stage } from "~/domain/cases";
import { CLASSIFICATION_LABELS, type Classification } from "~/domain/classification";
import { londonToday, resolveRange } from "~/domain/compliance-report";
import { latestComplianceDate } from "~/queries/compliance.server";
import { icbCommissioners, listIcbCases, suggestCases, type CaseListFilters, type CaseListRow } from "~/services/cases.server";
import { requireIcbAccess } from "~/utils/auth.server";
import { actorOf, failed, openCaseIntent } from "~/utils/case-actions.server";
import { getDb } from "~/utils/db.server";
import { formatDate, formatInteger } from "~/utils/format";
import { forbidden } from "~/utils/http.server";
import { csvResponse, sortRows, toCsv, withParams, type Column, type SortDirection } from "~/utils/table";
import caseStyles from "~/styles/cases.css?url";

/**
 * An ICB's cases: filtered by stage (or open / closed), owner, overdue reviews and notice periods ending soon,
 * sortable, and as CSV (exactly the rows shown). Below, the practices flagged under the ICB's policy that have no
 * open case: the app suggests, a commissioner decides (`?open=CODE` shows the form that opens one).
 */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: caseStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Cases – ${data?.icb.name ?? "ICB"} – ICB Access Monitor` }];

/** "Notice periods ending soon": remedial notices whose remedy-by date is this many days away or fewer (or passed, unmarked). */
const ENDING_SOON_DAYS = 14;

const COLUMNS: Column<CaseListRow>[] = [
  { key: "case", header: "Case", value: (r) => r.id, numeric: true },
  { key: "code", header: "ODS code", value: (r) => r.practiceCode },
  { key: "practice", header: "Practice", value: (r) => r.practiceName },
  { key: "stage", header: "Stage", value: (r) => r.stageLabel },
  { key: "owner", header: "Owner", value: (r) => r.ownerName },
  { key: "opened", header: "Opened", value: (r) => r.openedAt.slice(0, 10) },
  { key: "period", header: "Period", value: (r) => `${r.periodFrom} to ${r.periodTo}` },
  { key: "review", header: "Next review", value: (r) => r.nextReviewDate },
  { key: "overdue", header: "Review overdue", value: (r) => (r.reviewOverdue ? "Overdue" : "") },
  {
    key: "notice",
    header: "Latest notice",
    value: (r) => (r.latestNotice ? `${NOTICE_LABELS[r.latestNotice.type]}: ${NOTICE_STATUS_LABELS[r.latestNotice.status as NoticeStatus]}` : null),
  },
  { key: "remedy_by", header: "Remedy by", value: (r) => (r.remedyDaysLeft !== null ? (r.latestNotice?.remedyBy ?? null) : null) },
  { key: "days_left", header: "Days left to remedy", value: (r) => r.remedyDaysLeft, numeric: true },
];

type StageFilter = "" | "open" | Stage;

function stageFilter(value: string | null): StageFilter {
  if (value === "open") return "open";
  return STAGES.includes(value as Stage) ? (value as Stage) : "";
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, icb } = await requireIcbAccess(request, params.icbCode);
  const db = getDb();
  const q = new URL(request.url).searchParams;
  const actor = actorOf(user, context);
  const stage = stageFilter(q.get("stage"));
  const commissioners = await icbCommissioners(db, icb.code);
  const ownerParam = Number(q.get("owner"));
  const owner = commissioners.find((c) => c.id === ownerParam)?.id ?? null;
  const overdue = q.get("review") === "overdue";
  const ending = q.get("ending") === String(ENDING_SOON_DAYS);
  const filters: CaseListFilters = {
    ...(stage ? { stage } : {}),
    ...(owner ? { ownerId: owner } : {}),
    ...(overdue ? { overdueReview: true } : {}),
    ...(ending ? { noticeEndingWithinDays: ENDING_SOON_DAYS } : {}),
  };
  const sortKey = q.get("sort") ?? "opened";
  const dir: SortDirection = q.get("dir") === "asc" ? "asc" : "desc";
  const rows = sortRows(await listIcbCases(db, actor, icb.code, filters), COLUMNS, sortKey, dir);

  if (q.get("format") === "csv") {
    const suffix = [stage, owner ? `owner-${owner}` : null, overdue ? "review-overdue" : null, ending ? `ending-${ENDING_SOON_DAYS}-days` : null].filter(Boolean).join("-");
    return csvResponse(`${icb.code}-cases${suffix ? `-${suffix}` : ""}.csv`, toCsv(COLUMNS, rows));
  }

  const latest = await latestComplianceDate(db, { icb: icb.code });
  const range = resolveRange({ from: q.get("from"), to: q.get("to") }, latest ?? londonToday());
  const suggestions = await suggestCases(db, icb.code, range);
  const canOpen = user.role === "icb" && user.icbCode === icb.code;

  // The form that opens a case, for one practice of this ICB (`?open=CODE`).
  let opening: { odsCode: string; name: string; openCaseId: number | null; summary: string } | null = null;
  const openCode = (q.get("open") ?? "").toUpperCase();
  if (canOpen && openCode) {
    const practice = await db.selectFrom("practices").select(["ods_code", "name", "icb_code"]).where("ods_code", "=", openCode).executeTakeFirst();
    if (practice && practice.icb_code === icb.code) {
      const open = await db.selectFrom("cases").select("id").where("practice_code", "=", practice.ods_code).where("stage", "!=", "closed").executeTakeFirst();
      const s = suggestions.find((x) => x.odsCode === practice.ods_code);
      opening = {
        odsCode: practice.ods_code,
        name: practice.name,
        openCaseId: open?.id ?? null,
        summary: s
          ? `Flagged under the ICB's policy from ${formatDate(range.from)} to ${formatDate(range.to)}: the online consultation tool was closed for ${formatInteger(
              s.closedMinutes,
            )} minutes of core hours, on ${s.flaggedDays} days of concern.`
          : "",
      };
    }
  }

  return {
    icb: { code: icb.code, name: icb.name },
    rows,
    filter: { stage, owner, overdue, ending },
    sort: { key: sortKey, dir },
    commissioners: commissioners.map((c) => ({ id: c.id, name: c.name })),
    range: { from: range.from, to: range.to },
    rangeErrors: range.errors,
    suggestions,
    canOpen,
    opening,
    me: user.id,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, icb } = await requireIcbAccess(request, params.icbCode);
  // Only the ICB's own commissioners open cases; admins look.
  if (user.role !== "icb" || user.icbCode !== icb.code) throw forbidden();
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (intent !== "open") return failed(intent, { form: "Choose what to do" });
  return openCaseIntent(form, actorOf(user, context));
}

const STAGE_OPTIONS: [string, string][] = [
  ["", "All cases"],
  ["open", "Open cases (any stage)"],
  ...STAGES.map((s): [string, string] => [s, STAGE_LABELS[s]]),
];

export default function IcbCases() {
  const { icb, rows, filter, sort, commissioners, range, rangeErrors, suggestions, canOpen, opening, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  const render: Record<string, (r: CaseListRow) => React.ReactNode> = {
    case: (r) => <Link to={`/cases/${r.id}`}>{`Case ${r.id}`}</Link>,
    practice: (r) => <Link to={`/cases/${r.id}`}>{r.practiceName}</Link>,
    stage: (r) => <StageTag stage={r.stage} />,
    opened: (r) => formatDate(r.openedAt),
    period: (r) => `${formatDate(r.periodFrom)} to ${formatDate(r.periodTo)}`,
    review: (r) => formatDate(r.nextReviewDate),
    overdue: (r) => (r.reviewOverdue ? <strong className="nhsuk-tag nhsuk-tag--red">Overdue</strong> : ""),
    remedy_by: (r) => (r.remedyDaysLeft !== null ? formatDate(r.latestNotice?.remedyBy) : ""),
  };
  const columns: DisplayColumn<CaseListRow>[] = COLUMNS.map((c) => ({ ...c, render: render[c.key] }));
  const search = new URLSearchParams();
  if (filter.stage) search.set("stage", filter.stage);
  if (filter.owner) search.set("owner", String(filter.owner));
  if (filter.overdue) search.set("review", "overdue");
  if (filter.ending) search.set("ending", String(ENDING_SOON_DAYS));
  search.set("sort", sort.key);
  search.set("dir", sort.dir);
  const csvHref = withParams(search.toString(), { format: "csv" });
  const openErrors = errorsFor(errors, "open");

  return (
    <>
      <span className="nhsuk-caption-l">{icb.name ?? icb.code}</span>
      <h1>Cases</h1>
      <ErrorSummary errors={{ ...rangeErrors, ...errors }} />
      <p>
        A case records, step by step, how the ICB works with a practice whose online consultation tool was not open throughout core hours: concern
        noted, informal contact, support offered, then a remedial or breach notice only if needed. Each step keeps the compliance evidence as it
        stood.
      </p>

      {opening ? (
        <section aria-labelledby="open-case-heading" className="app-open-case">
          <h2 id="open-case-heading">Open a case for {opening.name}</h2>
          {opening.openCaseId ? (
            <p>
              {opening.name} already has an open case: <Link to={`/cases/${opening.openCaseId}`}>see case {opening.openCaseId}</Link>.
            </p>
          ) : (
            <Form method="post" noValidate>
              <input type="hidden" name="intent" value="open" />
              <input type="hidden" name="practiceCode" value={opening.odsCode} />
              <p>
                Practice: <strong>{opening.name}</strong> ({opening.odsCode})
              </p>
              <TextInput id="open-from" name="from" label="First day of the period of concern" type="date" errors={openErrors} defaultValue={values.from ?? range.from} />
              <TextInput id="open-to" name="to" label="Last day of the period of concern" type="date" errors={openErrors} defaultValue={values.to ?? range.to} />
              <TextArea
                id="open-summary"
                name="summary"
                label="Summary of the concern"
                hint="What the figures show and why the ICB is concerned. The practice sees this summary."
                errors={openErrors}
                defaultValue={values.summary ?? opening.summary}
              />
              <Select
                id="open-ownerId"
                name="ownerId"
                label="Owner"
                hint="The commissioner who leads the case."
                errors={openErrors}
                defaultValue={values.ownerId ?? String(me)}
                options={commissioners.map((c) => [String(c.id), c.name])}
              />
              <TextInput id="open-nextReviewDate" name="nextReviewDate" label="Next review date (optional)" type="date" errors={openErrors} defaultValue={values.nextReviewDate} />
              <SubmitButton submitting={submitting}>Open the case</SubmitButton>
            </Form>
          )}
        </section>
      ) : null}

      <h2>Cases in {icb.name ?? icb.code}</h2>
      <Form method="get" className="app-filter-bar">
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="stage">
            Stage
          </label>
          <select className="nhsuk-select" id="stage" name="stage" defaultValue={filter.stage}>
            {STAGE_OPTIONS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="owner">
            Owner
          </label>
          <select className="nhsuk-select" id="owner" name="owner" defaultValue={filter.owner ? String(filter.owner) : ""}>
            <option value="">Anyone</option>
            {commissioners.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <Choices
          id="review"
          name="review"
          legend="Reviews"
          errors={{}}
          multiple
          small
          options={[{ value: "overdue", label: "Only overdue reviews" }]}
          defaultValue={filter.overdue ? "overdue" : ""}
        />
        <Choices
          id="ending"
          name="ending"
          legend="Notice periods"
          errors={{}}
          multiple
          small
          options={[{ value: String(ENDING_SOON_DAYS), label: `Only remedy periods ending within ${ENDING_SOON_DAYS} days (or ended, not yet marked)` }]}
          defaultValue={filter.ending ? String(ENDING_SOON_DAYS) : ""}
        />
        <input type="hidden" name="sort" value={sort.key} />
        <input type="hidden" name="dir" value={sort.dir} />
        <button className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">
          Apply
        </button>
      </Form>
      <p data-testid="case-count">
        {rows.length} {rows.length === 1 ? "case" : "cases"}
        {filter.stage === "open" ? ", open" : filter.stage ? `, at “${STAGE_LABELS[filter.stage]}”` : ""}
        {filter.owner ? `, owned by ${commissioners.find((c) => c.id === filter.owner)?.name ?? "them"}` : ""}
        {filter.overdue ? ", review overdue" : ""}
        {filter.ending ? `, remedy period ending within ${ENDING_SOON_DAYS} days` : ""}.
      </p>
      <DataTable
        caption={`Cases in ${icb.name ?? icb.code}`}
        columns={columns}
        rows={rows}
        rowKey={(r) => String(r.id)}
        sort={{ key: sort.key, dir: sort.dir as SortDirection }}
        csvHref={csvHref}
        empty={<p>No cases match.</p>}
      />

      <h2 id="suggested">Suggested cases</h2>
      <p>
        Practices flagged under the ICB&apos;s policy from {formatDate(range.from)} to {formatDate(range.to)} that have no open case. A flag prompts a
        look; it decides nothing. <Link to={`/icb/${icb.code}/compliance?from=${range.from}&to=${range.to}`}>See the compliance figures</Link>.
      </p>
      <Form method="get" className="app-filter-bar">
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="from">
            From
          </label>
          <input className="nhsuk-input" type="date" id="from" name="from" defaultValue={range.from} />
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="to">
            To
          </label>
          <input className="nhsuk-input" type="date" id="to" name="to" defaultValue={range.to} />
        </div>
        <button className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">
          Show suggestions for these dates
        </button>
      </Form>
      {suggestions.length === 0 ? (
        <p>No practice is flagged without an open case.</p>
      ) : (
        <ScrollableTable caption="Practices flagged without an open case" captionStyle="hidden">
          <thead className="nhsuk-table__head">
            <tr className="nhsuk-table__row">
              <th scope="col" className="nhsuk-table__header">
                Practice
              </th>
              <th scope="col" className="nhsuk-table__header">
                PCN
              </th>
              <th scope="col" className="nhsuk-table__header app-numeric">
                Flagged days
              </th>
              <th scope="col" className="nhsuk-table__header app-numeric">
                Closed minutes
              </th>
              <th scope="col" className="nhsuk-table__header">
                Suggested approach
              </th>
              {canOpen ? (
                <th scope="col" className="nhsuk-table__header">
                  <span className="nhsuk-u-visually-hidden">Action</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {suggestions.map((s) => (
              <tr className="nhsuk-table__row" key={s.odsCode}>
                <th scope="row" className="nhsuk-table__cell">
                  <Link to={`/practices/${s.odsCode}/compliance?from=${range.from}&to=${range.to}`}>{s.name}</Link> ({s.odsCode})
                </th>
                <td className="nhsuk-table__cell">{s.pcnName ?? ""}</td>
                <td className="nhsuk-table__cell app-numeric">{formatInteger(s.flaggedDays)}</td>
                <td className="nhsuk-table__cell app-numeric">{formatInteger(s.closedMinutes)}</td>
                <td className="nhsuk-table__cell">{s.classification ? CLASSIFICATION_LABELS[s.classification as Classification].label : ""}</td>
                {canOpen ? (
                  <td className="nhsuk-table__cell">
                    <Form method="get" action={`/icb/${icb.code}/cases`}>
                      <input type="hidden" name="open" value={s.odsCode} />
                      <input type="hidden" name="from" value={range.from} />
                      <input type="hidden" name="to" value={range.to} />
                      <button className="nhsuk-button nhsuk-button--secondary nhsuk-button--small app-inline-button" type="submit">
                        Open a case<span className="nhsuk-u-visually-hidden"> for {s.name}</span>
                      </button>
                    </Form>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </ScrollableTable>
      )}
    </>
  );
}
