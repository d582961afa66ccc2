import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { ClassificationTag } from "~/components/ClassificationPanel";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { DecileChart } from "~/components/DecileChart";
import { ErrorSummary } from "~/components/ErrorSummary";
import { Pagination } from "~/components/Pagination";
import { Sparkline } from "~/components/Sparkline";
import { DemoTag } from "~/components/StatusTag";
import { CLASSIFICATION_LABELS, type Classification } from "~/domain/classification";
import type { CoreHoursCalendar } from "~/domain/calendar";
import { bandCounts, describeWeekly, ENOUGH_DATA_SHARE, londonToday, percent, resolveRange, shareOf, type DateRange } from "~/domain/compliance-report";
import { describePolicy } from "~/domain/policy";
import { icbComplianceSummary, latestComplianceDate, weeklyClosed, type PracticeSummaryRow, type WeeklyClosed } from "~/queries/compliance.server";
import { icbPcns } from "~/queries/practices.server";
import { classifyIcbPractices } from "~/services/classification.server";
import { loadCalendar } from "~/services/compliance.server";
import { getPolicy } from "~/services/policy.server";
import { requireIcbAccess } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatDate, formatDecimal, formatInteger, formatPercent } from "~/utils/format";
import { csvResponse, paginate, sortRows, toCsv, withParams, type Column, type SortDirection } from "~/utils/table";
import complianceStyles from "~/styles/compliance.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: complianceStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Compliance – ${data?.icb.name ?? "ICB"} – ICB Access Monitor` }];

type FlagFilter = "all" | "flagged" | "not-flagged";

const APPROACHES = Object.keys(CLASSIFICATION_LABELS) as Classification[];

/** A practice's row with its suggested approach (can't or won't) over the same dates. */
type Ranked = PracticeSummaryRow & { approach: Classification };
/** A row as shown or downloaded: with its weekly trend, read only for the rows shown (or all, for the CSV). */
type Row = Ranked & { weekly: WeeklyClosed[] };

/** The columns that sort (every one but the trend). */
const FIGURES: Column<Ranked>[] = [
  { key: "code", header: "ODS code", value: (r) => r.odsCode },
  { key: "name", header: "Practice", value: (r) => r.name },
  { key: "pcn", header: "PCN", value: (r) => r.pcnName ?? r.pcnCode },
  { key: "open_share", header: "% open", value: (r) => percent(r.openShare), numeric: true },
  { key: "closed", header: "Closed minutes", value: (r) => r.closed, numeric: true },
  { key: "excepted", header: "Excepted minutes", value: (r) => r.excepted, numeric: true },
  { key: "flagged_days", header: "Flagged days", value: (r) => r.flaggedDays, numeric: true },
  { key: "flagged", header: "Policy flag", value: (r) => (r.flagged ? "Flagged" : "Not flagged") },
  { key: "no_data", header: "% no data", value: (r) => percent(r.unknownShare), numeric: true },
];
const APPROACH: Column<Ranked> = { key: "approach", header: "Suggested approach", value: (r) => CLASSIFICATION_LABELS[r.approach].label };
const SORTABLE: Column<Ranked>[] = [...FIGURES, APPROACH];

/** The columns, once: the page shows them and the CSV holds them. */
const COLUMNS: Column<Row>[] = [
  ...FIGURES,
  { key: "trend", header: "Weekly closed minutes", value: (r) => describeWeekly(r.weekly.map((w) => w.closed)), sortable: false },
  APPROACH,
];

/** The rows with their weekly trends. */
async function withTrends(db: ReturnType<typeof getDb>, calendar: CoreHoursCalendar, range: DateRange, rows: Ranked[]): Promise<Row[]> {
  const weekly = await weeklyClosed(db, calendar, range, rows.map((r) => r.odsCode));
  return rows.map((r) => ({ ...r, weekly: weekly.get(r.odsCode)! }));
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { icb } = await requireIcbAccess(request, params.icbCode);
  const db = getDb();
  const url = new URL(request.url);
  const q = url.searchParams;
  const [calendar, latest, policy, pcns] = await Promise.all([
    loadCalendar(db),
    latestComplianceDate(db, { icb: icb.code }),
    getPolicy(db, icb.code),
    icbPcns(icb.code),
  ]);
  const range = resolveRange({ from: q.get("from"), to: q.get("to") }, latest ?? londonToday());
  const pcn = q.get("pcn") || null;
  const flagParam = q.get("flag");
  const flag: FlagFilter = flagParam === "flagged" || flagParam === "not-flagged" ? flagParam : "all";
  const approachParam = q.get("approach");
  const approach = APPROACHES.includes(approachParam as Classification) ? (approachParam as Classification) : null;
  const sortKey = q.get("sort") ?? "closed";
  const dir: SortDirection =
    q.get("dir") === "asc" ? "asc" : q.get("dir") === "desc" ? "desc" : sortKey === "closed" && !q.get("sort") ? "desc" : "asc";

  const summary = await icbComplianceSummary(db, calendar, icb.code, range, policy);
  const classifications = await classifyIcbPractices(db, { calendar, icbCode: icb.code, range, policy, summary });
  const all: Ranked[] = summary.map((r) => ({ ...r, approach: classifications.get(r.odsCode)!.result.classification }));
  const filtered = all.filter(
    (r) => (!pcn || r.pcnCode === pcn) && (flag === "all" || (flag === "flagged") === r.flagged) && (!approach || r.approach === approach)
  );
  const rows = sortRows(filtered, SORTABLE, sortKey, dir);

  if (q.get("format") === "csv") {
    const suffix = [pcn, flag !== "all" ? flag : null, approach].filter(Boolean).join("-");
    return csvResponse(`${icb.code}-compliance-${range.from}-to-${range.to}${suffix ? `-${suffix}` : ""}.csv`, toCsv(COLUMNS, await withTrends(db, calendar, range, rows)));
  }

  const core = all.reduce((s, r) => s + r.coreMinutes, 0);
  const unknown = all.reduce((s, r) => s + r.unknown, 0);
  const spread = bandCounts(all.map((r) => ({ share: r.openShare, enoughData: r.enoughData })));
  // The table shows one page of the sorted, filtered rows; the headline, the spread and the CSV cover them all.
  const page = paginate(rows, q.get("page"));
  return {
    icb,
    range: { from: range.from, to: range.to, isDefault: range.isDefault },
    errors: range.errors,
    latest,
    coreDays: calendar.coreDays(range.from, range.to).length,
    policy: {
      closedMinutesPerDay: policy.closedMinutesPerDay,
      flaggedDays: policy.flaggedDays,
      windowDays: policy.windowDays,
      isDefault: policy.isDefault,
    },
    rows: await withTrends(db, calendar, range, page.rows),
    page: page.info,
    pcns,
    filter: { pcn, flag, approach },
    sort: { key: sortKey, dir },
    headline: {
      practices: all.length,
      flagged: all.filter((r) => r.flagged).length,
      fullyOpen: all.filter((r) => r.coreMinutes > 0 && r.open === r.coreMinutes).length,
      closed: all.reduce((s, r) => s + r.closed, 0),
      noDataShare: shareOf(unknown, core),
      withData: all.filter((r) => r.unknown < r.coreMinutes).length,
    },
    spread,
  };
}

export default function IcbCompliance() {
  const { icb, range, errors, latest, coreDays, policy, rows, page, pcns, filter, sort, headline, spread } = useLoaderData<typeof loader>();
  const render: Record<string, (r: Row) => React.ReactNode> = {
    name: (r) => (
      <>
        <Link to={`/practices/${r.odsCode}/compliance?from=${range.from}&to=${range.to}`}>{r.name}</Link> {r.isDemo ? <DemoTag /> : null}
      </>
    ),
    open_share: (r) => (r.openShare === null ? "No data" : `${formatDecimal(percent(r.openShare))}%`),
    closed: (r) => formatInteger(r.closed),
    excepted: (r) => formatInteger(r.excepted),
    flagged: (r) =>
      r.flagged ? (
        <strong className="nhsuk-tag nhsuk-tag--red app-nowrap">Flagged</strong>
      ) : (
        <strong className="nhsuk-tag nhsuk-tag--grey app-nowrap">Not flagged</strong>
      ),
    no_data: (r) => `${formatDecimal(percent(r.unknownShare))}%`,
    trend: (r) => <Sparkline values={r.weekly.map((w) => w.closed)} />,
    approach: (r) => <ClassificationTag classification={r.approach} />,
  };
  const columns: DisplayColumn<Row>[] = COLUMNS.map((c) => ({ ...c, render: render[c.key] }));
  const search = new URLSearchParams({ from: range.from, to: range.to });
  if (filter.pcn) search.set("pcn", filter.pcn);
  if (filter.flag !== "all") search.set("flag", filter.flag);
  if (filter.approach) search.set("approach", filter.approach);
  search.set("sort", sort.key);
  search.set("dir", sort.dir);
  const csvHref = withParams(search.toString(), { format: "csv" });
  const pcnName = filter.pcn ? pcns.find((p) => p.code === filter.pcn)?.name ?? filter.pcn : null;
  const firstWeek = rows[0]?.weekly[0]?.week;

  return (
    <>
      <span className="nhsuk-caption-l">{icb.name ?? icb.code}</span>
      <h1>Online consultation: core hours compliance</h1>
      <ErrorSummary errors={errors} order={["from", "to"]} />
      <p>
        Since 1 October 2025 practices must keep their online consultation tool open throughout core hours, 08:00 to 18:30 Monday to Friday except
        bank holidays. This page shows, for {formatDate(range.from)} to {formatDate(range.to)} ({formatInteger(coreDays)} core{" "}
        {coreDays === 1 ? "day" : "days"}), how much of each practice&apos;s core hours its tool was open, closed or closed inside an approved pause
        (excepted).
        {range.isDefault
          ? latest
            ? " These are the 12 weeks up to the latest day with data."
            : " No availability data has been received yet, so these are the 12 weeks up to today."
          : null}
      </p>
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          <strong>No data is neither compliant nor a breach.</strong> Minutes for which no supplier log says open or closed are shown as &ldquo;no
          data&rdquo;: they count towards core minutes but never as open or closed.
        </p>
      </div>
      <p>
        This ICB flags a practice with {describePolicy(policy)}
        {policy.isDefault ? " (the default policy)" : ""}. A flagged day is a core day with at least {policy.closedMinutesPerDay} closed minutes;
        excepted minutes do not count. Flags prompt a look; they decide nothing. <Link to={`/icb/${icb.code}/settings`}>Change the policy</Link>
        {" · "}
        <Link to={`/icb/${icb.code}/cases?from=${range.from}&to=${range.to}#suggested`} data-testid="suggested-cases-link">
          Flagged practices without an open case (suggested cases)
        </Link>
      </p>
      <p>
        <Link to={`/icb/${icb.code}/screening?from=${range.from}&to=${range.to}`}>Silent-hours screening</Link>: hours in which busy practices received
        no online consultation submissions on many days (screening, not evidence).
      </p>

      <Form method="get" className="app-filter-bar app-range-form">
        <div className={`nhsuk-form-group${errors.from ? " nhsuk-form-group--error" : ""}`}>
          <label className="nhsuk-label" htmlFor="from">
            From
          </label>
          {errors.from ? (
            <span className="nhsuk-error-message" id="from-error">
              <span className="nhsuk-u-visually-hidden">Error:</span> {errors.from}
            </span>
          ) : null}
          <input
            className={`nhsuk-input${errors.from ? " nhsuk-input--error" : ""}`}
            type="date"
            id="from"
            name="from"
            defaultValue={range.from}
            aria-describedby={errors.from ? "from-error" : undefined}
          />
        </div>
        <div className={`nhsuk-form-group${errors.to ? " nhsuk-form-group--error" : ""}`}>
          <label className="nhsuk-label" htmlFor="to">
            To
          </label>
          {errors.to ? (
            <span className="nhsuk-error-message" id="to-error">
              <span className="nhsuk-u-visually-hidden">Error:</span> {errors.to}
            </span>
          ) : null}
          <input
            className={`nhsuk-input${errors.to ? " nhsuk-input--error" : ""}`}
            type="date"
            id="to"
            name="to"
            defaultValue={range.to}
            aria-describedby={errors.to ? "to-error" : undefined}
          />
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
          <label className="nhsuk-label" htmlFor="flag">
            Policy flag
          </label>
          <select className="nhsuk-select" id="flag" name="flag" defaultValue={filter.flag}>
            <option value="all">All practices</option>
            <option value="flagged">Flagged</option>
            <option value="not-flagged">Not flagged</option>
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

      <h2>Across the ICB</h2>
      <div className="app-summary-cards">
        <div className="app-summary-card" data-testid="headline-flagged">
          <span className="app-summary-card__value">{formatInteger(headline.flagged)}</span>{" "}
          <span className="app-summary-card__label">of {formatInteger(headline.practices)} practices flagged under the policy</span>
        </div>
        <div className="app-summary-card" data-testid="headline-open">
          <span className="app-summary-card__value">{formatInteger(headline.fullyOpen)}</span>{" "}
          <span className="app-summary-card__label">{headline.fullyOpen === 1 ? "practice" : "practices"} open for every core minute</span>
        </div>
        <div className="app-summary-card" data-testid="headline-closed">
          <span className="app-summary-card__value">{formatInteger(headline.closed)}</span>{" "}
          <span className="app-summary-card__label">closed minutes in core hours (excepted minutes not included)</span>
        </div>
        <div className="app-summary-card" data-testid="headline-nodata">
          <span className="app-summary-card__value">{formatPercent(headline.noDataShare)}</span>{" "}
          <span className="app-summary-card__label">of core minutes with no data ({formatInteger(headline.withData)} practices sent any data)</span>
        </div>
      </div>

      <h2>How practices are spread</h2>
      <p>
        Practices by the share of their core minutes that the tool was open. Only practices with data for at least {ENOUGH_DATA_SHARE * 100}% of their
        core minutes are placed in a band; minutes with no data lower a practice&apos;s share.
      </p>
      <DecileChart bands={spread.bands} notEnoughData={spread.notEnoughData} caption="Practices by share of core minutes open" />

      <h2 id="practices">Practices</h2>
      <p data-testid="practices-count">
        {page.pages > 1
          ? `Showing ${formatInteger(page.first)} to ${formatInteger(page.last)} of ${formatInteger(page.total)} practices`
          : `${formatInteger(page.total)} ${page.total === 1 ? "practice" : "practices"}`}
        {pcnName ? ` in ${pcnName}` : ""}
        {filter.flag === "flagged" ? ", flagged under the policy" : filter.flag === "not-flagged" ? ", not flagged under the policy" : ""}
        {filter.approach ? `, suggested approach: ${CLASSIFICATION_LABELS[filter.approach].label}` : ""}
        {page.pages > 1 ? ` (page ${page.page} of ${page.pages})` : ""}.
      </p>
      <p>
        &ldquo;% open&rdquo; is the share of core minutes the tool was open (minutes with no data count against it; &ldquo;No data&rdquo; when there is none at
        all); &ldquo;% no data&rdquo; is the share with no data.
        {firstWeek
          ? ` The trend line shows closed minutes in each ISO week from the week of ${formatDate(
              firstWeek
            )}, oldest first; a grey dot on the baseline is a week with no data. The CSV holds the weekly figures.`
          : ""}
      </p>
      <p>
        &ldquo;Suggested approach&rdquo; sets a flagged practice&apos;s closures in these dates against signs of pressure among the ICB&apos;s
        practices (demand per appointment, demand per 1,000 patients, clinical staff, missed calls, surges in online demand):{" "}
        {APPROACHES.map((a, i) => (
          <span key={a}>
            {i > 0 ? "; " : ""}
            <strong>{CLASSIFICATION_LABELS[a].label}</strong>: {CLASSIFICATION_LABELS[a].action.toLowerCase()}
          </span>
        ))}
        . Each practice&apos;s compliance page lists the reasons and numbers. This is a suggestion from the figures; a person decides.
      </p>
      <DataTable
        caption={`Core hours compliance of practices in ${icb.name ?? icb.code}`}
        columns={columns}
        rows={rows}
        rowKey={(r) => r.odsCode}
        sort={{ key: sort.key, dir: sort.dir }}
        csvHref={csvHref}
        csvRows={page.total}
      />
      <Pagination info={page} label="Pages of the practices table" anchor="practices" />
    </>
  );
}
