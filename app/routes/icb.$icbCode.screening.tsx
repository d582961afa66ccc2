import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { ErrorSummary } from "~/components/ErrorSummary";
import { Chance, chanceText, REQUEST_LABELS, ScreeningLabel, SCREENING_WHY, STRENGTH_LABELS, StrengthTag } from "~/components/SilentHoursScreening";
import { DemoTag } from "~/components/StatusTag";
import { londonToday, resolveRange } from "~/domain/compliance-report";
import { describeCell, type Category, type Strength } from "~/domain/silent-hours";
import { icbPcns, listIcbPractices } from "~/queries/practices.server";
import { latestHourlyDate, silentHoursForIcb } from "~/services/silent-hours.server";
import { requireIcbAccess } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatDate, formatInteger, formatMonth } from "~/utils/format";
import { csvResponse, toCsv, withParams, type Column } from "~/utils/table";
import complianceStyles from "~/styles/compliance.css?url";

/**
 * Silent-hours screening of an ICB's practices (ADR 0009): each practice's strongest signal from the By Day and
 * Time submissions, strongest first. Screening, not evidence: it names hours to ask about and decides nothing.
 */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: complianceStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Silent-hours screening – ${data?.icb.name ?? "ICB"} – ICB Access Monitor` }];

interface ScreeningRow {
  odsCode: string;
  name: string;
  isDemo: boolean;
  pcnCode: string | null;
  pcnName: string | null;
  strength: Strength | null;
  weekday: number | null;
  hour: number | null;
  category: Category | null;
  silentDays: number | null;
  eligibleDays: number | null;
  log10P: number | null;
  flaggedHours: number;
  daysWithData: number;
  monthly: { month: string; weekday: number; hour: number; category: Category } | null;
}

/** The columns, once: the page shows them and the CSV holds them. */
const COLUMNS: Column<ScreeningRow>[] = [
  { key: "code", header: "ODS code", value: (r) => r.odsCode },
  { key: "name", header: "Practice", value: (r) => r.name },
  { key: "pcn", header: "PCN", value: (r) => r.pcnName ?? r.pcnCode },
  { key: "strength", header: "Strongest signal", value: (r) => (r.strength ? STRENGTH_LABELS[r.strength] : "None") },
  { key: "when", header: "Weekday and hour", value: (r) => (r.weekday !== null && r.hour !== null ? describeCell(r.weekday, r.hour) : "") },
  { key: "category", header: "Requests", value: (r) => (r.category ? REQUEST_LABELS[r.category] : "") },
  { key: "silent_days", header: "Silent days", value: (r) => r.silentDays, numeric: true },
  { key: "eligible_days", header: "Eligible days", value: (r) => r.eligibleDays, numeric: true },
  { key: "chance", header: "Chance", value: (r) => (r.log10P === null ? "" : chanceText(r.log10P)), numeric: true },
  { key: "flagged_hours", header: "Hours flagged", value: (r) => r.flaggedHours, numeric: true },
  { key: "days_with_data", header: "Days with data", value: (r) => r.daysWithData, numeric: true },
];

/** Shown only when some practice has the older monthly figures flagged. */
const MONTHLY_COLUMN: Column<ScreeningRow> = {
  key: "monthly",
  header: "Silent for a whole month",
  value: (r) => (r.monthly ? `${formatMonth(r.monthly.month)}, ${describeCell(r.monthly.weekday, r.monthly.hour)}, ${REQUEST_LABELS[r.monthly.category]}` : ""),
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { icb } = await requireIcbAccess(request, params.icbCode);
  const db = getDb();
  const q = new URL(request.url).searchParams;
  const [latest, pcns, members] = await Promise.all([
    latestHourlyDate(db, icb.code),
    icbPcns(icb.code),
    listIcbPractices(icb.code, { month: null, includeNotCurrent: true }),
  ]);
  const range = resolveRange({ from: q.get("from"), to: q.get("to") }, latest ?? londonToday());
  const pcn = q.get("pcn") || null;
  const screen = await silentHoursForIcb(db, icb.code, range.from, range.to);
  const byCode = new Map(members.map((m) => [m.ods_code, m]));
  const all: ScreeningRow[] = screen.practices.map((p) => {
    const m = byCode.get(p.practiceCode);
    const s = p.strongest;
    return {
      odsCode: p.practiceCode,
      name: p.practiceName ?? p.practiceCode,
      isDemo: Boolean(m?.is_demo),
      pcnCode: m?.pcn_code ?? null,
      pcnName: m?.pcn_name ?? null,
      strength: s?.strength ?? null,
      weekday: s?.weekday ?? null,
      hour: s?.hour ?? null,
      category: s?.category ?? null,
      silentDays: s?.silentDays ?? null,
      eligibleDays: s?.eligibleDays ?? null,
      log10P: s && Number.isFinite(s.log10P) ? s.log10P : null,
      flaggedHours: p.counts.strong + p.counts.moderate + p.counts.weak,
      daysWithData: p.daysWithData,
      monthly: p.strongestMonthly
        ? { month: p.strongestMonthly.month, weekday: p.strongestMonthly.weekday, hour: p.strongestMonthly.hour, category: p.strongestMonthly.category }
        : null,
    };
  });
  // Already strongest first (then the smallest chance): the order the screen gives.
  const rows = all.filter((r) => !pcn || r.pcnCode === pcn);
  const withMonthly = all.some((r) => r.monthly !== null);
  const columns = withMonthly ? [...COLUMNS, MONTHLY_COLUMN] : COLUMNS;

  if (q.get("format") === "csv") {
    return csvResponse(`${icb.code}-silent-hours-${range.from}-to-${range.to}${pcn ? `-${pcn}` : ""}.csv`, toCsv(columns, rows));
  }

  const count = (s: Strength) => rows.filter((r) => r.strength === s).length;
  return {
    icb: { code: icb.code, name: icb.name },
    range: { from: range.from, to: range.to, isDefault: range.isDefault },
    errors: range.errors,
    latest,
    coreDays: screen.practices[0]?.coreDays ?? 0,
    reference: screen.reference,
    pcns,
    filter: { pcn },
    rows,
    withMonthly,
    headline: { practices: rows.length, strong: count("strong"), moderate: count("moderate"), weak: count("weak") },
  };
}

export default function IcbScreening() {
  const { icb, range, errors, latest, coreDays, reference, pcns, filter, rows, withMonthly, headline } = useLoaderData<typeof loader>();
  const render: Record<string, (r: ScreeningRow) => React.ReactNode> = {
    name: (r) => (
      <>
        <Link to={`/practices/${r.odsCode}/compliance?from=${range.from}&to=${range.to}#silent-hours`}>{r.name}</Link> {r.isDemo ? <DemoTag /> : null}
      </>
    ),
    strength: (r) => <StrengthTag strength={r.strength} />,
    chance: (r) => (r.log10P === null ? "" : <Chance log10P={r.log10P} />),
    days_with_data: (r) => `${formatInteger(r.daysWithData)} of ${formatInteger(coreDays)}`,
  };
  const columns: DisplayColumn<ScreeningRow>[] = (withMonthly ? [...COLUMNS, MONTHLY_COLUMN] : COLUMNS).map((c) => ({ ...c, render: render[c.key] }));
  const search = new URLSearchParams({ from: range.from, to: range.to });
  if (filter.pcn) search.set("pcn", filter.pcn);
  const csvHref = withParams(search.toString(), { format: "csv" });
  const pcnName = filter.pcn ? pcns.find((p) => p.code === filter.pcn)?.name ?? filter.pcn : null;
  const flagged = headline.strong + headline.moderate + headline.weak;

  return (
    <>
      <div className="nhsuk-back-link">
        <Link className="nhsuk-back-link__link" to={`/icb/${icb.code}/compliance?from=${range.from}&to=${range.to}`}>
          Back to the compliance overview
        </Link>
      </div>
      <span className="nhsuk-caption-l">{icb.name ?? icb.code}</span>
      <h1>Silent-hours screening</h1>
      <ErrorSummary errors={errors} order={["from", "to"]} />
      <p data-testid="screening-label">
        <ScreeningLabel /> {SCREENING_WHY}
      </p>
      <p>
        From NHS England&apos;s online consultation submissions by day and time, for {formatDate(range.from)} to {formatDate(range.to)} (
        {formatInteger(coreDays)} core {coreDays === 1 ? "day" : "days"})
        {range.isDefault
          ? latest
            ? ", the 12 weeks up to the latest day with submission data"
            : ", the 12 weeks up to today (no submission data by hour has been received yet)"
          : ""}
        . A practice is listed with its strongest signal: a weekday and core hour with no submissions on many days on which, from its own
        submissions that day and the usual pattern across the ICB&apos;s other practices
        {reference.basis === "all" ? " (here every practice with data, as the ICB has too few)" : ""}, at least 3 were expected. That is the mark a
        daily cap or an afternoon switch-off leaves.
      </p>
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          <strong>No flag does not mean open.</strong> Quiet practices and quiet hours (fewer than 3 submissions expected) are never screened, and a
          practice switched off for whole days sends no rows at all, which looks the same as a supplier sending no data: compare &ldquo;days with
          data&rdquo; with the core days.
        </p>
      </div>

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
        <button className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">
          Apply
        </button>
      </Form>

      <h2>Practices</h2>
      <p data-testid="screening-headline">
        {formatInteger(flagged)} of {formatInteger(headline.practices)} {headline.practices === 1 ? "practice" : "practices"}
        {pcnName ? ` in ${pcnName}` : ""} flagged: {formatInteger(headline.strong)} strong, {formatInteger(headline.moderate)} moderate,{" "}
        {formatInteger(headline.weak)} weak.
      </p>
      <p className="nhsuk-body-s">
        Strongest signal first, then the smallest chance. &ldquo;Silent days&rdquo; are days with no submissions in that hour (for clinical
        requests: none clinical, though others arrived) of the &ldquo;eligible days&rdquo; on which at least 3 were expected; &ldquo;chance&rdquo; is
        how likely that many silent days would be by luck alone; &ldquo;hours flagged&rdquo; counts every weekday and hour flagged for the practice.
        Strong: chance at most 1 in a million and at least 4 silent days; moderate: at most 1 in 10,000 and 3 days; weak: at most 1 in 1,000 and 3
        days. Open a practice for every flagged hour and its dates.
      </p>
      <DataTable
        caption={`Silent-hours screening of practices in ${icb.name ?? icb.code}`}
        columns={columns}
        rows={rows}
        rowKey={(r) => r.odsCode}
        csvHref={csvHref}
        empty={<p>No practices{pcnName ? ` in ${pcnName}` : ""}.</p>}
      />
    </>
  );
}
