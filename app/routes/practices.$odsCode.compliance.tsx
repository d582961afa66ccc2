import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import type { PauseStatus } from "../../db/schema";
import { ClassificationPanel } from "~/components/ClassificationPanel";
import { CalendarLegend, ComplianceCalendar } from "~/components/ComplianceCalendar";
import { DataTable, type DisplayColumn } from "~/components/DataTable";
import { categoryText, DayTimeline } from "~/components/DayTimeline";
import { ErrorSummary } from "~/components/ErrorSummary";
import { HalfHourHeatmap } from "~/components/HalfHourHeatmap";
import { practiceScreeningView, SilentHoursScreening } from "~/components/SilentHoursScreening";
import { DemoTag } from "~/components/StatusTag";
import { datesBetween, isDate, weekday } from "~/domain/calendar";
import { ENOUGH_DATA_SHARE, londonToday, percent, resolveRange } from "~/domain/compliance-report";
import { DEFAULT_POLICY, describePolicy } from "~/domain/policy";
import {
  latestComplianceDate,
  pauseCounts,
  practiceCompliance,
  practiceDayTimeline,
  practicePeerPosition,
  type EpisodeRow,
} from "~/queries/compliance.server";
import { classifyPractice } from "~/services/classification.server";
import { loadCalendar } from "~/services/compliance.server";
import { getPolicy } from "~/services/policy.server";
import { silentHoursForPractice } from "~/services/silent-hours.server";
import { requirePracticeAccess } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatDate, formatDecimal, formatInteger } from "~/utils/format";
import { csvResponse, toCsv, withParams, type Column } from "~/utils/table";
import complianceStyles from "~/styles/compliance.css?url";
import { ScrollableTable } from "~/components/ScrollableTable";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: complianceStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Compliance – ${data?.practice.name ?? "Practice"} – ICB Access Monitor` }];

const CATEGORY_LABELS = { all: "All requests", clinical: "Clinical requests", admin: "Admin requests" } as const;

/** The closure episodes table, once: the page shows it and the CSV holds it. */
const EPISODE_COLUMNS: Column<EpisodeRow>[] = [
  { key: "date", header: "Date", value: (r) => r.date },
  { key: "from", header: "From", value: (r) => r.from },
  { key: "to", header: "To", value: (r) => r.to },
  { key: "minutes", header: "Minutes", value: (r) => r.minutes, numeric: true },
  { key: "category", header: "Closed to", value: (r) => CATEGORY_LABELS[r.category] },
  { key: "reasons", header: "Reasons given", value: (r) => r.reasons.join("; ") },
  { key: "excepted", header: "Excepted by approved pause", value: (r) => (r.excepted ? r.pauseIds.map((id) => `#${id}`).join(", ") || "Yes" : "") },
];

const PAUSE_STATUSES: PauseStatus[] = ["pending", "approved", "declined", "withdrawn"];

const WEEKDAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, practice } = await requirePracticeAccess(request, params.odsCode);
  const db = getDb();
  const q = new URL(request.url).searchParams;
  const [calendar, latest, policy] = await Promise.all([
    loadCalendar(db),
    latestComplianceDate(db, { practice: practice.ods_code }),
    practice.icb_code ? getPolicy(db, practice.icb_code) : Promise.resolve({ ...DEFAULT_POLICY, isDefault: true }),
  ]);
  const range = resolveRange({ from: q.get("from"), to: q.get("to") }, latest ?? londonToday());
  const detail = await practiceCompliance(db, calendar, practice.ods_code, range, policy);

  if (q.get("format") === "csv") {
    return csvResponse(`${practice.ods_code}-closures-${range.from}-to-${range.to}.csv`, toCsv(EPISODE_COLUMNS, detail.episodes));
  }

  // The day for the timeline: as asked, else the most recent day with a closure, else the latest with data.
  const dayParam = q.get("day");
  const errors: Record<string, string> = { ...range.errors };
  if (dayParam && !isDate(dayParam)) errors.day = "Enter the day as a date like 2026-03-31";
  const day =
    dayParam && isDate(dayParam)
      ? dayParam
      : detail.episodes.at(-1)?.date ?? [...detail.days].reverse().find((d) => d.hasData)?.date ?? detail.days.at(-1)?.date ?? range.to;

  const [timeline, position, pauses, classification] = await Promise.all([
    practiceDayTimeline(db, calendar, practice.ods_code, day),
    practicePeerPosition(db, calendar, { odsCode: practice.ods_code, icbCode: practice.icb_code }, range),
    pauseCounts(db, practice.ods_code),
    classifyPractice(db, {
      calendar,
      practice: { odsCode: practice.ods_code, icbCode: practice.icb_code },
      range: { from: range.from, to: range.to },
      policy,
      totals: detail.totals,
    }),
  ]);
  const bankHolidays: Record<string, string> = {};
  for (const d of datesBetween(range.from, range.to)) {
    const title = calendar.bankHoliday(d);
    if (title) bankHolidays[d] = title;
  }
  const dayRow = detail.days.find((d) => d.date === day) ?? null;
  const screening = practiceScreeningView(await silentHoursForPractice(db, practice.ods_code, range.from, range.to));
  // Cases: the ICB's side sees the open case, or (its own commissioners) a link that opens one for these dates.
  const openCase =
    user.role === "practice"
      ? undefined
      : await db.selectFrom("cases").select("id").where("practice_code", "=", practice.ods_code).where("stage", "!=", "closed").executeTakeFirst();
  const caseLink = openCase
    ? { to: `/cases/${openCase.id}`, label: `See the open case (case ${openCase.id})` }
    : user.role === "icb" && practice.icb_code && user.icbCode === practice.icb_code
      ? { to: `/icb/${practice.icb_code}/cases?open=${practice.ods_code}&from=${range.from}&to=${range.to}`, label: "Open a case for this practice" }
      : null;

  return {
    practice: { ods_code: practice.ods_code, name: practice.name, is_demo: practice.is_demo, icb_code: practice.icb_code },
    range: { from: range.from, to: range.to, isDefault: range.isDefault },
    errors,
    latest,
    policy: { closedMinutesPerDay: policy.closedMinutesPerDay, flaggedDays: policy.flaggedDays, windowDays: policy.windowDays },
    days: detail.days.map((d) => ({ date: d.date, state: d.state, closed: d.closed, excepted: d.excepted })),
    totals: detail.totals,
    clinical: detail.clinical,
    admin: detail.admin,
    episodes: detail.episodes,
    halfHours: detail.halfHours,
    bankHolidays,
    screening,
    day,
    dayRow,
    timeline,
    position,
    pauses,
    classification: { result: classification.result, missing: classification.missing, range: classification.range },
    settingsHref: user.role === "icb" && practice.icb_code ? `/icb/${practice.icb_code}/settings` : null,
    // Commissioners and admins may go to the ICB's overview; a practice manager has no ICB pages.
    icbLink: user.role !== "practice" && practice.icb_code ? `/icb/${practice.icb_code}/compliance?from=${range.from}&to=${range.to}` : null,
    caseLink,
  };
}

function Figure({ value, label, testId }: { value: string; label: string; testId: string }) {
  return (
    <div className="app-summary-card" data-testid={testId}>
      <span className="app-summary-card__value">{value}</span> <span className="app-summary-card__label">{label}</span>
    </div>
  );
}

export default function PracticeCompliance() {
  const data = useLoaderData<typeof loader>();
  const { practice: p, range, errors, latest, policy, totals, clinical, admin, episodes, position, pauses, timeline, day, dayRow, icbLink } = data;
  const rangeSearch = new URLSearchParams({ from: range.from, to: range.to }).toString();
  const dayHref = (date: string) => `${withParams(rangeSearch, { day: date })}#day-timeline`;
  const csvHref = withParams(rangeSearch, { format: "csv" });
  const dayLabel = `${WEEKDAY_NAMES[weekday(day)]} ${formatDate(day)}`;
  const episodeColumns: DisplayColumn<EpisodeRow>[] = EPISODE_COLUMNS.map((c) =>
    c.key === "date"
      ? {
          ...c,
          render: (r: EpisodeRow) => (
            <Link to={dayHref(r.date)} preventScrollReset>
              {formatDate(r.date)}
            </Link>
          ),
        }
      : c.key === "minutes"
      ? { ...c, render: (r: EpisodeRow) => formatInteger(r.minutes) }
      : c
  );
  const pct = (share: number | null) => (share === null ? "No data" : `${formatDecimal(percent(share))}%`);

  return (
    <>
      {icbLink ? (
        <div className="nhsuk-back-link">
          <Link className="nhsuk-back-link__link" to={icbLink}>
            Back to the ICB compliance overview
          </Link>
        </div>
      ) : null}
      <span className="nhsuk-caption-l">
        {p.name} ({p.ods_code}) {p.is_demo ? <DemoTag /> : null}
      </span>
      <h1>Online consultation: core hours compliance</h1>
      <ErrorSummary errors={errors} order={["from", "to", "day"]} />
      <p>
        The practice&apos;s online consultation tool must be open throughout core hours, 08:00 to 18:30 Monday to Friday except bank holidays. Showing{" "}
        {formatDate(range.from)} to {formatDate(range.to)}
        {range.isDefault
          ? latest
            ? ", the 12 weeks up to the latest day with data"
            : ", the 12 weeks up to today (no availability data has been received yet)"
          : ""}
        . <Link to={`/practices/${p.ods_code}`}>Practice details</Link>
        {data.caseLink ? (
          <>
            {" · "}
            <Link to={data.caseLink.to} data-testid="case-link">
              {data.caseLink.label}
            </Link>
          </>
        ) : null}
      </p>
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          <strong>No data is neither compliant nor a breach.</strong> Minutes that no supplier log covers are shown as &ldquo;no data&rdquo;.
          {totals.unknown === totals.coreMinutes && totals.coreMinutes > 0 ? " There is no availability data for this practice in these dates." : ""}
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
            className="nhsuk-input"
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
            className="nhsuk-input"
            type="date"
            id="to"
            name="to"
            defaultValue={range.to}
            aria-describedby={errors.to ? "to-error" : undefined}
          />
        </div>
        <button className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">
          Show these dates
        </button>
      </Form>

      <h2>Headline figures</h2>
      <div className="app-summary-cards">
        <Figure testId="figure-open" value={pct(totals.openShare)} label={`of ${formatInteger(totals.coreMinutes)} core minutes open`} />
        <Figure testId="figure-closed" value={formatInteger(totals.closed)} label="closed minutes" />
        <Figure testId="figure-excepted" value={formatInteger(totals.excepted)} label="excepted minutes (inside approved pauses)" />
        <Figure testId="figure-nodata" value={formatInteger(totals.unknown)} label="minutes with no data" />
        <Figure
          testId="figure-flagged"
          value={formatInteger(totals.flaggedDays)}
          label={`flagged ${totals.flaggedDays === 1 ? "day" : "days"} (${policy.closedMinutesPerDay}+ closed minutes)`}
        />
      </div>
      <p data-testid="policy-flag">
        {totals.flagged ? (
          <>
            <strong className="nhsuk-tag nhsuk-tag--red">Flagged</strong> Under the ICB&apos;s policy ({describePolicy(policy)}) this practice is
            flagged for these dates.
          </>
        ) : (
          <>
            <strong className="nhsuk-tag nhsuk-tag--grey">Not flagged</strong> Under the ICB&apos;s policy ({describePolicy(policy)}) this practice is
            not flagged for these dates.
          </>
        )}
      </p>

      <ScrollableTable caption="Minutes by kind of request" captionStyle="small">
        <thead className="nhsuk-table__head">
          <tr>
            <th scope="col" className="nhsuk-table__header">
              Kind of request
            </th>
            <th scope="col" className="nhsuk-table__header app-numeric">
              Open
            </th>
            <th scope="col" className="nhsuk-table__header app-numeric">
              Closed
            </th>
            <th scope="col" className="nhsuk-table__header app-numeric">
              Excepted
            </th>
            <th scope="col" className="nhsuk-table__header app-numeric">
              No data
            </th>
          </tr>
        </thead>
        <tbody className="nhsuk-table__body">
          {(
            [
              ["Clinical", clinical],
              ["Admin", admin],
            ] as const
          ).map(([label, t]) => (
            <tr key={label} className="nhsuk-table__row">
              <th scope="row" className="nhsuk-table__cell">
                {label}
              </th>
              <td className="nhsuk-table__cell app-numeric">{formatInteger(t.open)}</td>
              <td className="nhsuk-table__cell app-numeric">{formatInteger(t.closed)}</td>
              <td className="nhsuk-table__cell app-numeric">{formatInteger(t.excepted)}</td>
              <td className="nhsuk-table__cell app-numeric">{formatInteger(t.unknown)}</td>
            </tr>
          ))}
        </tbody>
      </ScrollableTable>

      <ClassificationPanel data={data.classification} settingsHref={data.settingsHref} />
      <p>
        <Link to={`/practices/${p.ods_code}/demand`}>Demand and capacity: the figures behind the suggestion</Link>
      </p>

      <h2>Among the ICB&apos;s practices</h2>
      <p data-testid="peer-position">
        {position ? (
          <>
            On share of core minutes open:{" "}
            <strong>
              rank {position.rank} of {position.of}; decile {position.decile}
            </strong>
            .
          </>
        ) : (
          <>Not ranked for these dates: fewer than {ENOUGH_DATA_SHARE * 100}% of this practice&apos;s core minutes have data.</>
        )}
      </p>
      <p className="nhsuk-body-s">
        Rank 1 is the highest share of core minutes open; practices with the same share share a rank. Decile 10 is the tenth of practices with the
        highest share, decile 1 the tenth with the lowest (as for every measure in this service). Only practices with data for at least {ENOUGH_DATA_SHARE * 100}% of their core minutes in
        these dates are ranked. Other practices are not named.
      </p>

      <h2>Pause requests</h2>
      <p data-testid="pause-summary">
        {PAUSE_STATUSES.map((s) => `${pauses[s]} ${s}`).join(", ")} (all time).{" "}
        <Link to={`/practices/${p.ods_code}/pauses`}>See and make pause requests</Link>
      </p>

      <h2>Calendar</h2>
      <p>Each core day in the dates shown, by what happened. Choose a day to see its timeline.</p>
      <CalendarLegend closedMinutesPerDay={policy.closedMinutesPerDay} />
      <ComplianceCalendar range={range} days={data.days} bankHolidays={data.bankHolidays} selected={day} dayHref={dayHref} />

      <h2 id="day-timeline" tabIndex={-1}>
        Day timeline: {dayLabel}
      </h2>
      <Form method="get" className="app-filter-bar app-range-form">
        <input type="hidden" name="from" value={range.from} />
        <input type="hidden" name="to" value={range.to} />
        <div className={`nhsuk-form-group${errors.day ? " nhsuk-form-group--error" : ""}`}>
          <label className="nhsuk-label" htmlFor="day">
            Day
          </label>
          {errors.day ? (
            <span className="nhsuk-error-message" id="day-error">
              <span className="nhsuk-u-visually-hidden">Error:</span> {errors.day}
            </span>
          ) : null}
          <input className="nhsuk-input" type="date" id="day" name="day" defaultValue={day} aria-describedby={errors.day ? "day-error" : undefined} />
        </div>
        <button className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">
          Show day
        </button>
      </Form>
      {timeline.core ? (
        <>
          {dayRow ? (
            <p>
              {formatInteger(dayRow.open)} minutes open, {formatInteger(dayRow.closed)} closed, {formatInteger(dayRow.excepted)} excepted and{" "}
              {formatInteger(dayRow.unknown)} with no data.
            </p>
          ) : null}
          <DayTimeline segments={timeline.segments} caption={`Core hours on ${dayLabel}`} />
        </>
      ) : (
        <p>{timeline.bankHoliday ? `${dayLabel} is a bank holiday (${timeline.bankHoliday}): not a core day.` : `${dayLabel} is not a core day.`}</p>
      )}

      <h2>Closure episodes</h2>
      <p>
        Every stretch of core hours in which the tool was closed to {categoryText("all")} or to one kind, with the reasons suppliers gave, in London
        time. Closures inside an approved pause are excepted.
      </p>
      <DataTable
        caption={`Closure episodes, ${formatDate(range.from)} to ${formatDate(range.to)}`}
        columns={episodeColumns}
        rows={episodes}
        rowKey={(r) => String(r.id)}
        csvHref={csvHref}
        empty={<p>No closures recorded in these dates.</p>}
      />

      <h2>When closures happen</h2>
      <p>Closed minutes (excepted minutes not included) in each half hour of core hours, by weekday, over these dates.</p>
      <HalfHourHeatmap grid={data.halfHours} caption="Closed minutes by weekday and half hour" />

      <SilentHoursScreening screening={data.screening} dayHref={dayHref} />
    </>
  );
}
