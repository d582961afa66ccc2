import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { ClassificationPanel } from "~/components/ClassificationPanel";
import { DemandCapacityChart } from "~/components/DemandCapacityChart";
import { ErrorSummary } from "~/components/ErrorSummary";
import { MeasureChart } from "~/components/MeasureChart";
import { ScrollableTable } from "~/components/ScrollableTable";
import { DemoTag } from "~/components/StatusTag";
import { WeekdayHeatmap } from "~/components/WeekdayHeatmap";
import { addDays } from "~/domain/calendar";
import { londonToday, resolveRange } from "~/domain/compliance-report";
import { bandLabel, CALL_BANDS, hourLabel, monthRange, parseMonthParam, SURGE_OPTIONS, SURGE_WEEKS, widestGroupName } from "~/domain/demand";
import { formatMeasureValue, MEASURES } from "~/domain/measures";
import { DEFAULT_POLICY } from "~/domain/policy";
import { latestComplianceDate } from "~/queries/compliance.server";
import {
  callsHeatmap,
  demandAgainstCapacity,
  heatmapWindow,
  practiceBenchmarks,
  practiceMeasureHistory,
  practiceMeasureMonths,
  submissionsHeatmap,
} from "~/queries/demand.server";
import { latestMeasureMonth } from "~/services/benchmarks.server";
import { classifyPractice } from "~/services/classification.server";
import { loadCalendar } from "~/services/compliance.server";
import { getPolicy } from "~/services/policy.server";
import { requirePracticeAccess } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatDate, formatFixed, formatInteger, formatMonth } from "~/utils/format";
import demandStyles from "~/styles/demand.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: demandStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Demand and capacity – ${data?.practice.name ?? "Practice"} – ICB Access Monitor` }];

/**
 * One practice's demand against its capacity. Everything here is the practice's own figures or aggregates of its
 * peers (percentiles, "rank 3 of 12"): a practice manager sees no other practice's name or code.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, practice } = await requirePracticeAccess(request, params.odsCode);
  const db = getDb();
  const code = practice.ods_code;
  const icbCode = practice.icb_code;
  const q = new URL(request.url).searchParams;
  const [calendar, policy, ownMonths, icbLatest] = await Promise.all([
    loadCalendar(db),
    icbCode ? getPolicy(db, icbCode) : Promise.resolve({ ...DEFAULT_POLICY, isDefault: true }),
    practiceMeasureMonths(db, code),
    icbCode ? latestMeasureMonth(db, icbCode) : Promise.resolve(null),
  ]);
  const errors: Record<string, string> = {};
  const asked = q.get("month");
  let month = parseMonthParam(asked);
  if (asked && !month) errors.month = "Enter the month as a month like 2026-03";
  month ??= icbLatest ?? ownMonths[0] ?? null;
  // The classification covers the month shown; without any figures, the compliance page's default twelve weeks.
  const range = month ? monthRange(month) : resolveRange({}, (await latestComplianceDate(db, { practice: code })) ?? londonToday());
  const window = heatmapWindow(month ?? `${range.to.slice(0, 7)}-01`);

  const [history, benchmarks, demand, submissions, calls, classification] = await Promise.all([
    practiceMeasureHistory(db, code, icbCode),
    month ? practiceBenchmarks(db, code, icbCode, month) : Promise.resolve(null),
    demandAgainstCapacity(db, code),
    submissionsHeatmap(db, code, window),
    callsHeatmap(db, code, window, CALL_BANDS),
    classifyPractice(db, { calendar, practice: { odsCode: code, icbCode }, range: { from: range.from, to: range.to }, policy }),
  ]);
  // One practice's classification always reads its submissions by day.
  const scan = classification.surgeScan ?? { series: [], cusum: null };
  const cusum = scan.cusum;
  return {
    practice: { ods_code: code, name: practice.name, is_demo: practice.is_demo, icb_code: icbCode },
    month,
    months: ownMonths,
    errors,
    history,
    benchmarks: benchmarks?.benchmarks ?? null,
    allLabel: widestGroupName(benchmarks?.icbsWithData ?? 0),
    demand,
    submissions,
    calls,
    classification: { result: classification.result, missing: classification.missing, range: classification.range },
    surges: {
      weeks: scan.series.map((p, i) => ({ week: p.week, value: p.value, sum: cusum?.sums[i] ?? null })),
      baselineMean: cusum?.baselineMean ?? null,
      baselineSd: cusum?.baselineSd ?? null,
      found: (cusum?.surges ?? []).map((s) => ({ ...s, endSunday: addDays(s.end, 6) })),
      lookedFor: cusum !== null,
    },
    isManager: user.role === "practice",
    icbLink: user.role !== "practice" && icbCode ? `/icb/${icbCode}/demand${month ? `?month=${month.slice(0, 7)}` : ""}` : null,
    settingsHref: user.role === "icb" && icbCode ? `/icb/${icbCode}/settings` : null,
  };
}

const ordinalRank = (r: { rank: number; of: number } | null) => (r ? `${formatInteger(r.rank)} of ${formatInteger(r.of)}` : "Not ranked");

export default function PracticeDemand() {
  const data = useLoaderData<typeof loader>();
  const { practice: p, month, months, errors, history, benchmarks, allLabel, demand, submissions, calls, classification, surges, icbLink } = data;
  const icbLabel = "the ICB's practices";
  const allTitle = allLabel === "England" ? "England" : "All practices loaded";
  const fmtNumber = (v: number | null, digits = 1) => formatFixed(v, digits);

  return (
    <>
      {icbLink ? (
        <div className="nhsuk-back-link">
          <Link className="nhsuk-back-link__link" to={icbLink}>
            Back to the ICB&apos;s demand and capacity
          </Link>
        </div>
      ) : null}
      <span className="nhsuk-caption-l">
        {p.name} ({p.ods_code}) {p.is_demo ? <DemoTag /> : null}
      </span>
      <h1>Demand and capacity</h1>
      <ErrorSummary errors={errors} order={["month"]} />
      <p>
        The practice&apos;s demand (online consultation submissions and calls) against its capacity (appointments and clinical staff), from NHS
        England&apos;s monthly publications, beside its peers.{" "}
        {data.isManager ? "Other practices are not named: you see where this practice stands among them." : null}{" "}
        <Link to={`/practices/${p.ods_code}`}>Practice details</Link> ·{" "}
        <Link to={`/practices/${p.ods_code}/compliance`}>Core hours compliance</Link>
      </p>

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
            {month && !months.includes(month) ? <option value={month.slice(0, 7)}>{formatMonth(month)}</option> : null}
            {months.map((m) => (
              <option key={m} value={m.slice(0, 7)}>
                {formatMonth(m)}
              </option>
            ))}
            {!month ? <option value="">No figures yet</option> : null}
          </select>
        </div>
        <button className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">
          Show this month
        </button>
      </Form>

      <ClassificationPanel data={classification} settingsHref={data.settingsHref} />

      <h2>Where the practice stands{month ? ` in ${formatMonth(month)}` : ""}</h2>
      {benchmarks ? (
        <>
          <p>
            Rank 1 is the highest value; decile 10 is the tenth of practices with the highest values and decile 1 the lowest, whatever the
            measure&apos;s direction. A value whose denominator is too small to compare fairly is shown but marked &ldquo;low count&rdquo; and
            not ranked. &ldquo;{allTitle}&rdquo; is {allLabel === "England" ? "every practice in England" : "every practice whose figures have been imported here"}.
          </p>
          <ScrollableTable caption={`Measures in ${formatMonth(month)}, with rank and decile`} captionStyle="small" data-testid="benchmarks">
            <thead className="nhsuk-table__head">
              <tr>
                <th scope="col" className="nhsuk-table__header">
                  Measure
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Value
                </th>
                <th scope="col" className="nhsuk-table__header">
                  Unit
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Rank among ICB practices
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  ICB decile
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Rank among {allLabel}
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  {allTitle} decile
                </th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {MEASURES.map((def) => {
                const b = benchmarks.find((x) => x.measureId === def.id);
                const low = b && b.value !== null && b.suppressed;
                return (
                  <tr key={def.id} className="nhsuk-table__row">
                    <th scope="row" className="nhsuk-table__cell">
                      <a href={`#measure-${def.id}`}>{def.title}</a>
                    </th>
                    <td className="nhsuk-table__cell app-numeric">{b?.value === null || !b ? "No value" : formatMeasureValue(def, b.value)}</td>
                    <td className="nhsuk-table__cell">{def.unit}</td>
                    <td className="nhsuk-table__cell app-numeric">{low ? <span className="app-low-count">low count</span> : b?.value == null ? "" : ordinalRank(b.icb)}</td>
                    <td className="nhsuk-table__cell app-numeric">{low ? <span className="app-low-count">not ranked</span> : (b?.icb?.decile ?? "")}</td>
                    <td className="nhsuk-table__cell app-numeric">{low ? <span className="app-low-count">low count</span> : b?.value == null ? "" : ordinalRank(b.all)}</td>
                    <td className="nhsuk-table__cell app-numeric">{low ? <span className="app-low-count">not ranked</span> : (b?.all?.decile ?? "")}</td>
                  </tr>
                );
              })}
            </tbody>
          </ScrollableTable>
        </>
      ) : (
        <p>No demand or capacity figures have been imported for this practice or its ICB yet.</p>
      )}

      <h2>Demand against capacity over time</h2>
      <p>
        Online consultation submissions (all suppliers) and appointments (all staff, all modes, attended or not) each month, and how many
        submissions there were for each appointment.
      </p>
      <DemandCapacityChart points={demand} />

      <h2>When requests arrive</h2>
      <p>
        Summed over {formatMonth(submissions.from)} to {formatMonth(submissions.to)}, by weekday and time of day (UK time). Darker cells hold
        more; every cell shows its number.
      </p>
      {submissions.total > 0 ? (
        <>
          {submissions.weekdayMonths.length > 0 ? (
            <p className="nhsuk-body-s">
              For {submissions.weekdayMonths.map((m) => formatMonth(m)).join(", ")} NHS England published submissions by weekday rather than by
              date; those months are counted by weekday as published.
            </p>
          ) : null}
          <WeekdayHeatmap
            grid={submissions.grid}
            rowLabels={Array.from({ length: 24 }, (_, h) => hourLabel(h))}
            rowHeader="Hour"
            caption={`Online consultation submissions by weekday and hour, ${formatMonth(submissions.from)} to ${formatMonth(submissions.to)}`}
          />
        </>
      ) : (
        <p data-testid="no-submissions-by-time">No online submissions by day and time have been imported for this practice in these months.</p>
      )}
      {calls.total > 0 ? (
        <WeekdayHeatmap
          grid={calls.grid}
          rowLabels={CALL_BANDS.map(bandLabel)}
          rowHeader="Time band"
          caption={`Inbound calls (CBT001) by weekday and 2-hour band, ${formatMonth(calls.from)} to ${formatMonth(calls.to)}`}
        />
      ) : (
        <p data-testid="no-calls">No telephony figures have been imported for this practice in these months.</p>
      )}

      <h2>Surges in online demand</h2>
      <p>
        Weeks when online submissions rose above the practice&apos;s own usual level, found with a cumulative sum (CUSUM) over its weekly
        submissions in the {SURGE_WEEKS} weeks up to {formatDate(classification.range.to)}. The first {SURGE_OPTIONS.baselineWeeks} weeks with data
        set the usual level (their mean and spread). Each later week adds how far it was above that level, in units of the spread, less half a
        unit of allowance; the running total never falls below zero. A surge is signalled when the total passes {SURGE_OPTIONS.h}, and lasts
        until it falls back to zero. Weeks without any data are left out, not counted as zero. A surge is a sign of pressure, not proof of it.
        The method and its parameters are recorded in the service&apos;s decision record <code>docs/decisions/0011-demand-surges-cusum.md</code>.
      </p>
      {!surges.lookedFor ? (
        <p data-testid="surges-not-looked-for">
          {surges.weeks.length === 0
            ? "No online submissions by day and time have been imported for this practice in that year, so surges cannot be looked for."
            : `Only ${surges.weeks.length} week${surges.weeks.length === 1 ? "" : "s"} of online submissions by day and time: too few to set a usual level, so surges cannot be looked for yet.`}
        </p>
      ) : surges.found.length === 0 ? (
        <p data-testid="surges-none">
          No surge: weekly submissions stayed near the usual level of {fmtNumber(surges.baselineMean)} a week (spread {fmtNumber(surges.baselineSd)}).
        </p>
      ) : (
        <ScrollableTable caption={`Surges against the usual level of ${fmtNumber(surges.baselineMean)} submissions a week (spread ${fmtNumber(surges.baselineSd)})`} captionStyle="small" data-testid="surges">
          <thead className="nhsuk-table__head">
            <tr>
              <th scope="col" className="nhsuk-table__header">
                From
              </th>
              <th scope="col" className="nhsuk-table__header">
                Signalled in the week of
              </th>
              <th scope="col" className="nhsuk-table__header">
                To
              </th>
              <th scope="col" className="nhsuk-table__header app-numeric">
                Submissions a week during it
              </th>
              <th scope="col" className="nhsuk-table__header app-numeric">
                Highest running total
              </th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {surges.found.map((s) => (
              <tr key={s.start} className="nhsuk-table__row">
                <td className="nhsuk-table__cell">{formatDate(s.start)}</td>
                <td className="nhsuk-table__cell">{formatDate(s.signalled)}</td>
                <td className="nhsuk-table__cell">{formatDate(s.endSunday)}</td>
                <td className="nhsuk-table__cell app-numeric">{fmtNumber(s.meanDuring)}</td>
                <td className="nhsuk-table__cell app-numeric">{fmtNumber(s.peak)}</td>
              </tr>
            ))}
          </tbody>
        </ScrollableTable>
      )}
      {surges.weeks.length > 0 ? (
        <details className="nhsuk-details">
          <summary className="nhsuk-details__summary">
            <span className="nhsuk-details__summary-text">Show the weekly submissions and running totals</span>
          </summary>
          <ScrollableTable wrapperClassName="nhsuk-details__text" caption="Online submissions by ISO week, with the CUSUM running total" captionStyle="small">
            <thead className="nhsuk-table__head">
              <tr>
                <th scope="col" className="nhsuk-table__header">
                  Week beginning
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Submissions
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Running total
                </th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {surges.weeks.map((w) => (
                <tr key={w.week} className="nhsuk-table__row">
                  <td className="nhsuk-table__cell">{formatDate(w.week)}</td>
                  <td className="nhsuk-table__cell app-numeric">{formatInteger(w.value)}</td>
                  <td className="nhsuk-table__cell app-numeric">{w.sum === null ? "Baseline" : fmtNumber(w.sum, 2)}</td>
                </tr>
              ))}
            </tbody>
          </ScrollableTable>
        </details>
      ) : null}

      <h2>Each measure against its peers</h2>
      <p>
        The practice&apos;s value each month (red) against the deciles of the ICB&apos;s practices (blue, dashed; the median bold) and of{" "}
        {allLabel} (grey, dotted; the median bold), over every month with figures. Values too small to rank are left out of the deciles.
      </p>
      {MEASURES.map((def) => (
        <section key={def.id} aria-labelledby={`measure-${def.id}`}>
          <h3 id={`measure-${def.id}`}>{def.title}</h3>
          <p className="nhsuk-body-s">
            {def.description} Unit: {def.unit}.
          </p>
          <MeasureChart def={def} points={history[def.id] ?? []} icbLabel={icbLabel} allLabel={allLabel} />
        </section>
      ))}
    </>
  );
}
