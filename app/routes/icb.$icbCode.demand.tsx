import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { ClassificationTag } from "~/components/ClassificationPanel";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { ErrorSummary } from "~/components/ErrorSummary";
import { DemoTag } from "~/components/StatusTag";
import { CLASSIFICATION_LABELS, type Classification } from "~/domain/classification";
import { monthRange, parseMonthParam } from "~/domain/demand";
import { formatMeasureValue, MEASURES, type MeasureDefinition } from "~/domain/measures";
import { icbDemandTable, icbMeasureMonths, type IcbDemandPractice } from "~/queries/demand.server";
import { icbComplianceSummary } from "~/queries/compliance.server";
import { icbPcns } from "~/queries/practices.server";
import type { MeasureRow } from "~/services/benchmarks.server";
import { classifyIcbPractices, getClassificationSettings } from "~/services/classification.server";
import { loadCalendar } from "~/services/compliance.server";
import { getPolicy } from "~/services/policy.server";
import { requireIcbAccess } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatDate, formatInteger, formatMonth } from "~/utils/format";
import { csvResponse, sortRows, toCsv, withParams, type Column, type SortDirection } from "~/utils/table";
import demandStyles from "~/styles/demand.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: demandStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Demand and capacity – ${data?.icb.name ?? "ICB"} – ICB Access Monitor` }];

const APPROACHES = Object.keys(CLASSIFICATION_LABELS) as Classification[];

interface DemandRow extends IcbDemandPractice {
  approach: Classification | null;
}

/** A shown value as data: rounded to the measure's own decimal places, as the page shows it. */
function shown(def: MeasureDefinition, m: MeasureRow | undefined): number | null {
  return m?.value === null || m?.value === undefined ? null : Number(m.value.toFixed(def.decimals));
}

/** The decile as data: the number, "low count" where the value is too small to rank fairly, blank without a value. */
function decile(m: MeasureRow | undefined): number | string | null {
  if (!m || m.value === null) return null;
  return m.decile ?? (m.suppressed ? "low count" : null);
}

/** The columns, once, from the measure definitions: the page shows them and the CSV holds them. */
const COLUMNS: Column<DemandRow>[] = [
  { key: "code", header: "ODS code", value: (r) => r.odsCode },
  { key: "name", header: "Practice", value: (r) => r.name },
  { key: "pcn", header: "PCN", value: (r) => r.pcnName ?? r.pcnCode },
  ...MEASURES.flatMap((def): Column<DemandRow>[] => [
    { key: def.id, header: def.title, value: (r) => shown(def, r.measures[def.id]), numeric: true },
    { key: `${def.id}_decile`, header: `${def.title}: ICB decile`, value: (r) => decile(r.measures[def.id]), numeric: true, sortable: false },
  ]),
  { key: "approach", header: "Suggested approach", value: (r) => (r.approach ? CLASSIFICATION_LABELS[r.approach].label : "Not classified") },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { icb } = await requireIcbAccess(request, params.icbCode);
  const db = getDb();
  const q = new URL(request.url).searchParams;
  const [months, pcns, calendar, policy, settings] = await Promise.all([
    icbMeasureMonths(db, icb.code),
    icbPcns(icb.code),
    loadCalendar(db),
    getPolicy(db, icb.code),
    getClassificationSettings(db, icb.code),
  ]);
  const errors: Record<string, string> = {};
  const asked = q.get("month");
  let month = parseMonthParam(asked);
  if (asked && !month) errors.month = "Enter the month as a month like 2026-03";
  month ??= months[0] ?? null;

  const pcn = q.get("pcn") || null;
  const approachParam = q.get("approach");
  const approach = APPROACHES.includes(approachParam as Classification) ? (approachParam as Classification) : null;
  const sortKey = q.get("sort") ?? "code";
  const dir: SortDirection = q.get("dir") === "desc" ? "desc" : "asc";

  let all: DemandRow[] = [];
  if (month) {
    const range = monthRange(month);
    const summary = await icbComplianceSummary(db, calendar, icb.code, range, policy);
    const [practices, classifications] = await Promise.all([
      icbDemandTable(db, icb.code, month),
      classifyIcbPractices(db, { calendar, icbCode: icb.code, range, policy, settings, summary }),
    ]);
    all = practices.map((p) => ({ ...p, approach: classifications.get(p.odsCode)?.result.classification ?? null }));
  }
  const filtered = all.filter((r) => (!pcn || r.pcnCode === pcn) && (!approach || r.approach === approach));
  const rows = sortRows(filtered, COLUMNS, sortKey, dir);

  if (q.get("format") === "csv") {
    const suffix = [pcn, approach].filter(Boolean).join("-");
    return csvResponse(`${icb.code}-demand-${(month ?? "none").slice(0, 7)}${suffix ? `-${suffix}` : ""}.csv`, toCsv(COLUMNS, rows));
  }

  const counts = Object.fromEntries(APPROACHES.map((a) => [a, all.filter((r) => r.approach === a).length])) as Record<Classification, number>;
  return {
    icb: { code: icb.code, name: icb.name },
    month,
    months,
    errors,
    pcns,
    rows,
    counts,
    filter: { pcn, approach },
    sort: { key: sortKey, dir },
    withMeasures: all.filter((r) => Object.keys(r.measures).length > 0).length,
    practices: all.length,
  };
}

const DIRECTION: Record<MeasureDefinition["direction"], string> = {
  higher_is_better: "Higher is better.",
  lower_is_better: "Lower is better.",
  neutral: "Neither higher nor lower is better in itself: it describes demand.",
};

function Definition({ def }: { def: MeasureDefinition }) {
  return (
    <details className="nhsuk-details" data-testid={`definition-${def.id}`}>
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">{def.title}</span>
      </summary>
      <div className="nhsuk-details__text">
        <p>{def.description}</p>
        <p>
          <strong>Why it matters:</strong> {def.why}
        </p>
        <dl className="nhsuk-summary-list">
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Numerator</dt>
            <dd className="nhsuk-summary-list__value">{def.numeratorLabel}</dd>
          </div>
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Denominator</dt>
            <dd className="nhsuk-summary-list__value">{def.denominatorLabel}</dd>
          </div>
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Unit</dt>
            <dd className="nhsuk-summary-list__value">{def.unit}</dd>
          </div>
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Direction</dt>
            <dd className="nhsuk-summary-list__value">{DIRECTION[def.direction]}</dd>
          </div>
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Not ranked below</dt>
            <dd className="nhsuk-summary-list__value">
              a denominator of {def.minDenominator.toLocaleString("en-GB")}: the value is shown, marked &ldquo;low count&rdquo;, and given no decile.
            </dd>
          </div>
        </dl>
        {def.caveats.length > 0 ? (
          <>
            <h3 className="nhsuk-heading-xs">Caveats</h3>
            <ul className="nhsuk-list nhsuk-list--bullet">
              {def.caveats.map((c, i) => (
                <li key={i}>{c}</li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </details>
  );
}

export default function IcbDemand() {
  const { icb, month, months, errors, pcns, rows, counts, filter, sort, withMeasures, practices } = useLoaderData<typeof loader>();
  const byKey = new Map(MEASURES.map((d) => [d.id, d]));
  const columns: DisplayColumn<DemandRow>[] = COLUMNS.map((c) => {
    if (c.key === "name") {
      return {
        ...c,
        render: (r: DemandRow) => (
          <>
            <Link to={`/practices/${r.odsCode}/demand${month ? `?month=${month.slice(0, 7)}` : ""}`}>{r.name}</Link> {r.isDemo ? <DemoTag /> : null}
          </>
        ),
      };
    }
    if (c.key === "approach") {
      return { ...c, render: (r: DemandRow) => (r.approach ? <ClassificationTag classification={r.approach} /> : "Not classified") };
    }
    const def = byKey.get(c.key);
    if (def) return { ...c, render: (r: DemandRow) => formatMeasureValue(def, r.measures[def.id]?.value ?? null) };
    if (c.key.endsWith("_decile")) {
      return {
        ...c,
        render: (r: DemandRow) => {
          const d = c.value(r);
          return d === "low count" ? <span className="app-low-count">low count</span> : d;
        },
      };
    }
    return c;
  });
  const search = new URLSearchParams();
  if (month) search.set("month", month.slice(0, 7));
  if (filter.pcn) search.set("pcn", filter.pcn);
  if (filter.approach) search.set("approach", filter.approach);
  search.set("sort", sort.key);
  search.set("dir", sort.dir);
  const csvHref = withParams(search.toString(), { format: "csv" });
  const pcnName = filter.pcn ? (pcns.find((p) => p.code === filter.pcn)?.name ?? filter.pcn) : null;
  const range = month ? monthRange(month) : null;

  return (
    <>
      <span className="nhsuk-caption-l">{icb.name ?? icb.code}</span>
      <h1>Demand and capacity</h1>
      <ErrorSummary errors={errors} order={["month"]} />
      <p>
        Each practice&apos;s demand (online consultation submissions, calls) and capacity (appointments, clinical staff) from NHS England&apos;s
        monthly publications, as measures with the practice&apos;s decile among this ICB&apos;s practices: decile 10 holds the tenth of practices
        with the highest values, decile 1 the lowest, whatever the measure&apos;s direction.
        {month ? ` Showing ${formatMonth(month)}: ${formatInteger(withMeasures)} of ${formatInteger(practices)} practices have figures.` : ""}
      </p>
      {!month ? (
        <div className="nhsuk-inset-text">
          <span className="nhsuk-u-visually-hidden">Information: </span>
          <p>No demand or capacity figures have been imported for this ICB&apos;s practices yet.</p>
        </div>
      ) : null}

      <h2>What the measures mean</h2>
      {MEASURES.map((def) => (
        <Definition key={def.id} def={def} />
      ))}

      {month && range ? (
        <>
          <h2>Suggested approach</h2>
          <p>
            For each practice, a suggestion that sets its closures of the online consultation tool in {formatMonth(month)} ({formatDate(range.from)} to{" "}
            {formatDate(range.to)}) under the ICB&apos;s policy against its pressure among the ICB&apos;s practices. The practice&apos;s page lists
            the reasons and numbers behind it. This is a suggestion from the figures; a person decides.{" "}
            <Link to={`/icb/${icb.code}/settings`}>The ICB&apos;s thresholds</Link>
          </p>
          <div className="app-summary-cards">
            {APPROACHES.map((a) => (
              <div className="app-summary-card" key={a} data-testid={`count-${a}`}>
                <span className="app-summary-card__value">{formatInteger(counts[a])}</span>{" "}
                <span className="app-summary-card__label">
                  {CLASSIFICATION_LABELS[a].label}: {CLASSIFICATION_LABELS[a].action.toLowerCase()}
                </span>
              </div>
            ))}
          </div>
        </>
      ) : null}

      <h2>Practices</h2>
      <Form method="get" className="app-filter-bar">
        <div className={`nhsuk-form-group${errors.month ? " nhsuk-form-group--error" : ""}`}>
          <label className="nhsuk-label" htmlFor="month">
            Month
          </label>
          {errors.month ? (
            <span className="nhsuk-error-message" id="month-error">
              <span className="nhsuk-u-visually-hidden">Error:</span> {errors.month}
            </span>
          ) : null}
          <select
            className="nhsuk-select"
            id="month"
            name="month"
            defaultValue={month?.slice(0, 7) ?? ""}
            aria-describedby={errors.month ? "month-error" : undefined}
          >
            {month && !months.includes(month) ? <option value={month.slice(0, 7)}>{formatMonth(month)} (no figures)</option> : null}
            {months.map((m) => (
              <option key={m} value={m.slice(0, 7)}>
                {formatMonth(m)}
              </option>
            ))}
          </select>
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="pcn">
            Primary care network
          </label>
          <select className="nhsuk-select" id="pcn" name="pcn" defaultValue={filter.pcn ?? ""}>
            <option value="">All PCNs</option>
            {pcns.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name ?? p.code}
              </option>
            ))}
          </select>
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="approach">
            Suggested approach
          </label>
          <select className="nhsuk-select" id="approach" name="approach" defaultValue={filter.approach ?? ""}>
            <option value="">All practices</option>
            {APPROACHES.map((a) => (
              <option key={a} value={a}>
                {CLASSIFICATION_LABELS[a].label}
              </option>
            ))}
          </select>
        </div>
        <input type="hidden" name="sort" value={sort.key} />
        <input type="hidden" name="dir" value={sort.dir} />
        <button className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">
          Apply
        </button>
      </Form>
      {month ? (
        <>
          <p>
            {rows.length} {rows.length === 1 ? "practice" : "practices"}
            {pcnName ? ` in ${pcnName}` : ""}
            {filter.approach ? `, suggested approach: ${CLASSIFICATION_LABELS[filter.approach].label}` : ""}. &ldquo;Low count&rdquo; marks a value
            whose denominator is too small to rank fairly: it is shown but not ranked. An empty cell has no figure that month. Choose a column
            heading to sort by it.
          </p>
          <DataTable
            caption={`Demand and capacity measures of practices in ${icb.name ?? icb.code}, ${formatMonth(month)}`}
            columns={columns}
            rows={rows}
            rowKey={(r) => r.odsCode}
            sort={{ key: sort.key, dir: sort.dir }}
            csvHref={csvHref}
          />
        </>
      ) : null}
    </>
  );
}
