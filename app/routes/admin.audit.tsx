import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { z } from "zod";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { ErrorSummary } from "~/components/ErrorSummary";
import { isDate } from "~/domain/calendar";
import { auditVocabulary, searchAudit, type AuditFilters, type AuditRow } from "~/services/audit.server";
import { audit, requirePermission } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInstant, formatInteger } from "~/utils/format";
import type { FieldErrors } from "~/utils/forms";
import { csvResponse, toCsv, withParams, type Column } from "~/utils/table";

/**
 * The audit log, for admins: who did what, to what, when and from where. Search by actor, action, entity and
 * London dates; newest first, a page at a time; `?format=csv` downloads every row the search selects (and that
 * download is itself audited).
 */

export const meta: MetaFunction = () => [{ title: "Audit log – ICB Access Monitor" }];

export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

const PAGE_SIZE = 50;

const optionalText = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .transform((v) => v || undefined)
    .optional();
const optionalDate = (message: string) =>
  z
    .string()
    .trim()
    .refine((v) => v === "" || isDate(v), message)
    .transform((v) => v || undefined)
    .optional();

const SearchSchema = z
  .object({
    actor: optionalText(320, "Enter at most 320 characters for who"),
    action: optionalText(100, "Enter at most 100 characters for the action"),
    entityType: optionalText(100, "Enter at most 100 characters for the kind of record"),
    entityId: optionalText(200, "Enter at most 200 characters for the record"),
    from: optionalDate("Enter the first date like 2026-11-23"),
    to: optionalDate("Enter the last date like 2026-11-23"),
    page: z.coerce.number().int().positive().max(1_000_000).catch(1),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && v.from > v.to) ctx.addIssue({ code: "custom", path: ["to"], message: "The last date must be the same as or after the first date" });
  });

const FIELDS = ["actor", "action", "entityType", "entityId", "from", "to"] as const;

const COLUMNS: Column<AuditRow>[] = [
  { key: "id", header: "Entry", value: (r) => r.id, numeric: true },
  { key: "at", header: "When (UTC)", value: (r) => r.at },
  { key: "actor", header: "Who", value: (r) => r.actor },
  { key: "user_id", header: "User id", value: (r) => r.user_id, numeric: true },
  { key: "action", header: "Action", value: (r) => r.action },
  { key: "entity_type", header: "Record kind", value: (r) => r.entity_type },
  { key: "entity_id", header: "Record", value: (r) => r.entity_id },
  { key: "ip", header: "From", value: (r) => r.ip },
  { key: "detail", header: "Detail", value: (r) => r.detail },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "view:audit:any");
  const url = new URL(request.url);
  const raw = Object.fromEntries(["page", ...FIELDS].map((k) => [k, url.searchParams.get(k) ?? ""]));
  const parsed = SearchSchema.safeParse(raw);
  const values = Object.fromEntries(FIELDS.map((k) => [k, raw[k] ?? ""])) as Record<(typeof FIELDS)[number], string>;
  const db = getDb();
  const vocabulary = await auditVocabulary(db);
  if (!parsed.success) {
    if (url.searchParams.get("format") === "csv") throw new Response("Correct the search before downloading it", { status: 400 });
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "form")] ??= issue.message;
    return { values, errors, rows: [] as AuditRow[], total: 0, page: 1, pages: 0, vocabulary };
  }
  const { page, ...rest } = parsed.data;
  const filters: AuditFilters = rest;
  if (url.searchParams.get("format") === "csv") {
    const { rows } = await searchAudit(db, filters);
    await audit(user, context, { action: "audit.exported", entityType: "audit_log", detail: { filters, rows: rows.length } });
    return csvResponse("audit-log.csv", toCsv(COLUMNS, rows));
  }
  let { rows, total } = await searchAudit(db, filters, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const pages = Math.ceil(total / PAGE_SIZE);
  // A page past the end (an old link, a narrower search) shows the last page, not "entries 401 to 120".
  const shown = pages > 0 ? Math.min(page, pages) : 1;
  if (shown !== page) ({ rows, total } = await searchAudit(db, filters, { limit: PAGE_SIZE, offset: (shown - 1) * PAGE_SIZE }));
  return { values, errors: {} as FieldErrors, rows, total, page: shown, pages: Math.ceil(total / PAGE_SIZE), vocabulary };
}

function TextField({ name, label, value, error, hint, type = "text", list }: { name: string; label: string; value: string; error?: string; hint?: string; type?: string; list?: string }) {
  const describedBy = [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`nhsuk-form-group${error ? " nhsuk-form-group--error" : ""}`}>
      <label className="nhsuk-label" htmlFor={name}>
        {label}
      </label>
      {hint ? (
        <div className="nhsuk-hint" id={`${name}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <span className="nhsuk-error-message" id={`${name}-error`}>
          <span className="nhsuk-u-visually-hidden">Error:</span> {error}
        </span>
      ) : null}
      <input
        className={`nhsuk-input${error ? " nhsuk-input--error" : ""}`}
        id={name}
        name={name}
        type={type}
        defaultValue={value}
        list={list}
        aria-describedby={describedBy}
        spellCheck={false}
      />
    </div>
  );
}

export default function AdminAudit() {
  const { values, errors, rows, total, page, pages, vocabulary } = useLoaderData<typeof loader>();
  const location = useLocation();
  const render: Partial<Record<string, (r: AuditRow) => React.ReactNode>> = {
    at: (r) => (
      <time className="app-nowrap" dateTime={r.at} title={r.at}>
        {formatInstant(r.at)}
      </time>
    ),
    detail: (r) => (r.detail ? <code style={{ wordBreak: "break-all" }}>{r.detail}</code> : null),
  };
  const columns: DisplayColumn<AuditRow>[] = COLUMNS.filter((c) => c.key !== "user_id").map((c) => ({
    ...c,
    header: c.key === "at" ? "When" : c.header,
    render: render[c.key],
  }));
  const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);
  return (
    <>
      <ErrorSummary errors={errors} order={[...FIELDS]} />
      <h1>Audit log</h1>
      <p>
        Every sign-in, change, import and view of a notice or case, newest first. Entries can be added but never changed or removed: the database refuses
        it. Times are UK time on the page and UTC in the download.
      </p>
      <Form method="get" className="app-audit-search">
        <div className="nhsuk-grid-row">
          <div className="nhsuk-grid-column-one-third">
            <TextField name="actor" label="Who" value={values.actor} error={errors.actor} hint="Part of an email address, cli or supplier:name" />
          </div>
          <div className="nhsuk-grid-column-one-third">
            <TextField name="action" label="Action" value={values.action} error={errors.action} hint="Like auth.signed_in, or auth for all of them" list="audit-actions" />
            <datalist id="audit-actions">
              {vocabulary.actions.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
          </div>
          <div className="nhsuk-grid-column-one-third">
            <div className={`nhsuk-form-group${errors.entityType ? " nhsuk-form-group--error" : ""}`}>
              <label className="nhsuk-label" htmlFor="entityType">
                Kind of record
              </label>
              <select className="nhsuk-select" id="entityType" name="entityType" defaultValue={values.entityType}>
                <option value="">Any</option>
                {vocabulary.entityTypes.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
                {values.entityType && !vocabulary.entityTypes.includes(values.entityType) ? <option value={values.entityType}>{values.entityType}</option> : null}
              </select>
            </div>
          </div>
        </div>
        <div className="nhsuk-grid-row">
          <div className="nhsuk-grid-column-one-third">
            <TextField name="entityId" label="Record" value={values.entityId} error={errors.entityId} hint="Its id or code, exactly" />
          </div>
          <div className="nhsuk-grid-column-one-third">
            <TextField name="from" label="From" value={values.from} error={errors.from} hint="First date, like 2026-11-23" type="date" />
          </div>
          <div className="nhsuk-grid-column-one-third">
            <TextField name="to" label="To" value={values.to} error={errors.to} hint="Last date, included" type="date" />
          </div>
        </div>
        <button className="nhsuk-button nhsuk-u-margin-right-3" type="submit">
          Search
        </button>
        <Link to="/admin/audit" className="nhsuk-link">
          Clear the search
        </Link>
      </Form>

      <p data-testid="audit-count">
        {total === 0 ? "No entries match." : `Entries ${formatInteger(first)} to ${formatInteger(last)} of ${formatInteger(total)}, newest first.`}
      </p>
      {total > 0 ? (
        <>
          <DataTable caption="Audit log entries" columns={columns} rows={rows} rowKey={(r) => String(r.id)} />
          <p className="nhsuk-body-s">
            <a href={withParams(location.search, { format: "csv", page: null })} download>
              Download all {formatInteger(total)} {total === 1 ? "entry" : "entries"} of this search as CSV
            </a>
          </p>
        </>
      ) : null}
      {pages > 1 ? (
        <nav className="nhsuk-pagination" role="navigation" aria-label="Pages of the audit log">
          <ul className="nhsuk-list nhsuk-pagination__list">
            {page > 1 ? (
              <li className="nhsuk-pagination-item--previous">
                <Link className="nhsuk-pagination__link nhsuk-pagination__link--prev" to={withParams(location.search, { page: String(page - 1) })} rel="prev">
                  <span className="nhsuk-pagination__title">Newer</span>
                  <span className="nhsuk-u-visually-hidden">:</span>
                  <span className="nhsuk-pagination__page">
                    Page {page - 1} of {pages}
                  </span>
                </Link>
              </li>
            ) : null}
            {page < pages ? (
              <li className="nhsuk-pagination-item--next">
                <Link className="nhsuk-pagination__link nhsuk-pagination__link--next" to={withParams(location.search, { page: String(page + 1) })} rel="next">
                  <span className="nhsuk-pagination__title">Older</span>
                  <span className="nhsuk-u-visually-hidden">:</span>
                  <span className="nhsuk-pagination__page">
                    Page {page + 1} of {pages}
                  </span>
                </Link>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </>
  );
}
