import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { describeCell, SCREENING_LABEL, type Category, type Strength } from "~/domain/silent-hours";
import type { PracticeSilentHours } from "~/services/silent-hours.server";
import { formatDate, formatInteger, formatMonth } from "~/utils/format";
import { ScrollableTable } from "./ScrollableTable";

/**
 * Silent-hours screening as people read it (ADR 0009): the hours of the core day in which a practice that was
 * otherwise busy received no online consultation submissions on many days. Always labelled "Screening, not
 * evidence": submissions say what arrived, not whether the tool was open.
 */

export const STRENGTH_LABELS: Record<Strength, string> = { strong: "Strong", moderate: "Moderate", weak: "Weak" };
const STRENGTH_TAGS: Record<Strength, string> = { strong: "nhsuk-tag--orange", moderate: "nhsuk-tag--yellow", weak: "nhsuk-tag--grey" };

export const REQUEST_LABELS: Record<Category, string> = { all: "All requests", clinical: "Clinical requests" };

/** Why a flag is never a finding, in one sentence (shown beside the label on every screening view). */
export const SCREENING_WHY =
  "Submission counts show what arrived, not whether the tool was open, so a silent hour on otherwise busy days is a reason to ask the practice, never proof that its tool was closed.";

export function StrengthTag({ strength }: { strength: Strength | null }) {
  return strength ? (
    <strong className={`nhsuk-tag ${STRENGTH_TAGS[strength]} app-nowrap`}>{STRENGTH_LABELS[strength]}</strong>
  ) : (
    <strong className="nhsuk-tag nhsuk-tag--white app-nowrap">None</strong>
  );
}

export function ScreeningLabel() {
  return <strong className="nhsuk-tag nhsuk-tag--blue">{SCREENING_LABEL}</strong>;
}

/** A chance from its log10, as `m × 10^e` with two significant figures (tiny chances stay exact: from log10). */
function mantissaExponent(log10P: number): { mantissa: string; exponent: number } | null {
  if (!Number.isFinite(log10P)) return null;
  let exponent = Math.floor(log10P);
  let mantissa = Math.pow(10, log10P - exponent);
  if (Number(mantissa.toFixed(1)) >= 10) {
    exponent += 1;
    mantissa /= 10;
  }
  return { mantissa: mantissa.toFixed(1), exponent };
}

/** The chance as text for downloads: `2.3e-9`; `0` when it is too small to write. */
export function chanceText(log10P: number): string {
  if (log10P >= 0) return "1";
  const me = mantissaExponent(log10P);
  return me ? `${me.mantissa}e${me.exponent}` : "0";
}

/** The chance as read on a page: `2.3 × 10⁻⁹` with a real superscript (and words for screen readers). */
export function Chance({ log10P }: { log10P: number }): ReactNode {
  if (log10P >= -2) return <>{Math.pow(10, log10P).toFixed(3)}</>;
  const me = mantissaExponent(log10P);
  if (!me) return <>below 10<sup>−300</sup></>;
  return (
    <span className="app-nowrap">
      {me.mantissa} × 10<sup aria-hidden="true">−{Math.abs(me.exponent)}</sup>
      <span className="nhsuk-u-visually-hidden"> to the power of minus {Math.abs(me.exponent)}</span>
    </span>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// One practice

export interface ScreeningSignalView {
  category: Category;
  weekday: number;
  hour: number;
  strength: Strength;
  silentDays: number;
  eligibleDays: number;
  medianExpected: number;
  log10P: number;
  /** The most recent silent dates, newest first (at most MAX_DATES). */
  recentDates: string[];
}

export interface ScreeningMonthlyView {
  month: string;
  category: Category;
  weekday: number;
  hour: number;
  strength: Strength;
  expected: number;
  weekdaysInMonth: number;
  log10P: number;
}

/** What the practice's section needs, small enough to send to the browser. */
export interface PracticeScreeningView {
  from: string;
  to: string;
  coreDays: number;
  daysWithData: number;
  reference: PracticeSilentHours["reference"];
  signals: ScreeningSignalView[];
  weekdayMonths: string[];
  monthly: ScreeningMonthlyView[];
}

const MAX_DATES = 5;

export function practiceScreeningView(r: PracticeSilentHours): PracticeScreeningView {
  return {
    from: r.from,
    to: r.to,
    coreDays: r.coreDays,
    daysWithData: r.daysWithData,
    reference: r.reference,
    signals: r.signals.map((s) => ({
      category: s.category,
      weekday: s.weekday,
      hour: s.hour,
      strength: s.strength,
      silentDays: s.silentDays,
      eligibleDays: s.eligibleDays,
      medianExpected: s.medianExpected,
      log10P: s.log10P,
      recentDates: [...s.silentDates].reverse().slice(0, MAX_DATES),
    })),
    weekdayMonths: r.weekdayMonths,
    monthly: r.monthly.map((m) => ({
      month: m.month,
      category: m.category,
      weekday: m.weekday,
      hour: m.hour,
      strength: m.strength,
      expected: m.expected,
      weekdaysInMonth: m.weekdaysInMonth,
      log10P: m.log10P,
    })),
  };
}

function referenceText(reference: PracticeSilentHours["reference"]): string {
  const n = `${formatInteger(reference.practices)} other ${reference.practices === 1 ? "practice" : "practices"}`;
  return reference.basis === "icb" ? `${n} in the ICB` : `${n} with data (the ICB has too few to compare with)`;
}

function plural(n: number, one: string, many: string): string {
  return `${formatInteger(n)} ${n === 1 ? one : many}`;
}

/**
 * The practice compliance page's "Silent-hours screening" section: the flagged weekday × hour cells, or a plain
 * statement that nothing was flagged and how many days had timed data. `dayHref` links a date to its timeline.
 */
export function SilentHoursScreening({ screening: s, dayHref }: { screening: PracticeScreeningView; dayHref?: (date: string) => string }) {
  const range = `${formatDate(s.from)} to ${formatDate(s.to)}`;
  const dataSentence = `${formatInteger(s.daysWithData)} of ${plural(s.coreDays, "core day", "core days")} in these dates had submission data by hour.`;
  return (
    <section aria-labelledby="silent-hours" data-testid="silent-hours">
      <h2 id="silent-hours">Silent-hours screening</h2>
      <p data-testid="silent-hours-label">
        <ScreeningLabel /> {SCREENING_WHY}
      </p>
      <p>
        From NHS England&apos;s online consultation submissions by day and time: an hour is flagged when it had no submissions on many core days
        on which, from the practice&apos;s own submissions that day and the usual pattern across {referenceText(s.reference)}, at least 3 were
        expected. &ldquo;Chance&rdquo; is how likely that many silent days would be by luck alone if requests had kept arriving; the smaller, the
        stronger the signal.
      </p>
      {s.signals.length === 0 ? (
        <p data-testid="silent-hours-none">
          {s.daysWithData > 0
            ? `No hour was flagged from ${range}. ${dataSentence} No flag does not mean the tool was open: hours in which fewer than 3 submissions were expected are never screened.`
            : s.weekdayMonths.length === 0
              ? `Nothing could be screened: there is no submission data by hour for this practice from ${range}.`
              : `There is no daily submission data by hour for this practice from ${range}, only the older monthly figures by weekday (below).`}
        </p>
      ) : (
        <>
          <p data-testid="silent-hours-summary">
            {plural(s.signals.length, "weekday and hour was", "weekdays and hours were")} flagged from {range}. {dataSentence}
          </p>
          <ScrollableTable caption="Hours flagged by silent-hours screening" captionStyle="small">
            <thead className="nhsuk-table__head">
              <tr className="nhsuk-table__row">
                <th scope="col" className="nhsuk-table__header">
                  Weekday and hour
                </th>
                <th scope="col" className="nhsuk-table__header">
                  Requests
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Silent days
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Chance
                </th>
                <th scope="col" className="nhsuk-table__header">
                  Strength
                </th>
                <th scope="col" className="nhsuk-table__header">
                  Most recent silent days
                </th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {s.signals.map((c) => (
                <tr key={`${c.category}-${c.weekday}-${c.hour}`} className="nhsuk-table__row">
                  <th scope="row" className="nhsuk-table__cell app-nowrap">
                    {describeCell(c.weekday, c.hour)}
                  </th>
                  <td className="nhsuk-table__cell">{REQUEST_LABELS[c.category]}</td>
                  <td className="nhsuk-table__cell app-numeric app-nowrap">
                    {formatInteger(c.silentDays)} of {formatInteger(c.eligibleDays)}
                  </td>
                  <td className="nhsuk-table__cell app-numeric">
                    <Chance log10P={c.log10P} />
                  </td>
                  <td className="nhsuk-table__cell">
                    <StrengthTag strength={c.strength} />
                  </td>
                  <td className="nhsuk-table__cell">
                    {c.recentDates.map((d, i) => (
                      <span key={d}>
                        {i > 0 ? ", " : null}
                        {dayHref ? (
                          <Link to={dayHref(d)} preventScrollReset className="app-nowrap">
                            {formatDate(d)}
                          </Link>
                        ) : (
                          <span className="app-nowrap">{formatDate(d)}</span>
                        )}
                      </span>
                    ))}
                    {c.silentDays > c.recentDates.length ? ` and ${formatInteger(c.silentDays - c.recentDates.length)} more` : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollableTable>
          <p className="nhsuk-body-s">
            &ldquo;Silent days&rdquo;: days with no submissions in the hour (for clinical requests: none clinical, though others arrived), of the
            days on which at least 3 were expected. Strong: chance at most 1 in a million and at least 4 silent days; moderate: at most 1 in 10,000
            and 3 days; weak: at most 1 in 1,000 and 3 days.
          </p>
        </>
      )}
      {s.weekdayMonths.length > 0 ? (
        s.monthly.length === 0 ? (
          <p data-testid="silent-hours-monthly-none">
            Nothing was flagged in the older monthly figures by weekday ({s.weekdayMonths.map((m) => formatMonth(m)).join(", ")}).
          </p>
        ) : (
          <ScrollableTable caption="Hours silent for a whole month (older monthly figures by weekday)" captionStyle="small">
            <thead className="nhsuk-table__head">
              <tr className="nhsuk-table__row">
                <th scope="col" className="nhsuk-table__header">
                  Month
                </th>
                <th scope="col" className="nhsuk-table__header">
                  Weekday and hour
                </th>
                <th scope="col" className="nhsuk-table__header">
                  Requests
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Expected in the month
                </th>
                <th scope="col" className="nhsuk-table__header app-numeric">
                  Chance
                </th>
                <th scope="col" className="nhsuk-table__header">
                  Strength
                </th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {s.monthly.map((m) => (
                <tr key={`${m.month}-${m.category}-${m.weekday}-${m.hour}`} className="nhsuk-table__row">
                  <th scope="row" className="nhsuk-table__cell app-nowrap">
                    {formatMonth(m.month)}
                  </th>
                  <td className="nhsuk-table__cell">{describeCell(m.weekday, m.hour)}</td>
                  <td className="nhsuk-table__cell">{REQUEST_LABELS[m.category]}</td>
                  <td className="nhsuk-table__cell app-numeric">{formatInteger(Math.round(m.expected))}</td>
                  <td className="nhsuk-table__cell app-numeric">
                    <Chance log10P={m.log10P} />
                  </td>
                  <td className="nhsuk-table__cell">
                    <StrengthTag strength={m.strength} />
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollableTable>
        )
      ) : null}
    </section>
  );
}
