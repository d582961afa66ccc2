import { Link } from "@remix-run/react";
import { addDays, weekday } from "~/domain/calendar";
import { DAY_STATE_LABELS, type DateRange, type DayState } from "~/domain/compliance-report";
import { formatInteger } from "~/utils/format";

export interface CalendarDay {
  date: string;
  state: DayState;
  closed: number;
  excepted: number;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAY_HEADERS = [
  ["Mon", "Monday"],
  ["Tue", "Tuesday"],
  ["Wed", "Wednesday"],
  ["Thu", "Thursday"],
  ["Fri", "Friday"],
  ["Sat", "Saturday"],
  ["Sun", "Sunday"],
] as const;

function monthsOf(range: DateRange): string[] {
  const out: string[] = [];
  let m = `${range.from.slice(0, 7)}-01`;
  while (m <= range.to) {
    out.push(m);
    const [y, mo] = m.split("-").map(Number) as [number, number];
    m = mo === 12 ? `${y + 1}-01-01` : `${y}-${String(mo + 1).padStart(2, "0")}-01`;
  }
  return out;
}

function monthWeeks(month: string): (string | null)[][] {
  const [y, mo] = month.split("-").map(Number) as [number, number];
  const inMonth = (d: string) => d.startsWith(`${y}-${String(mo).padStart(2, "0")}`);
  let d = addDays(month, -((weekday(month) + 6) % 7));
  const weeks: (string | null)[][] = [];
  while (weeks.length === 0 || inMonth(d)) {
    const week: (string | null)[] = [];
    for (let i = 0; i < 7; i++, d = addDays(d, 1)) week.push(inMonth(d) ? d : null);
    weeks.push(week);
  }
  return weeks;
}

/** The day's words, and the minutes behind them where there are any. */
function labels(day: CalendarDay): [string, string | null] {
  if (day.state === "flagged" || day.state === "closure") return [DAY_STATE_LABELS[day.state], `${formatInteger(day.closed)} min`];
  if (day.state === "excepted") return [DAY_STATE_LABELS[day.state], `${formatInteger(day.excepted)} min`];
  return [DAY_STATE_LABELS[day.state], null];
}

/**
 * A month-grid calendar of the range: each core day is coloured by how it went AND labelled in words, and links to
 * its timeline; weekends and bank holidays are marked as not core days.
 */
export function ComplianceCalendar({
  range,
  days,
  bankHolidays,
  selected,
  dayHref,
}: {
  range: DateRange;
  days: CalendarDay[];
  bankHolidays: Record<string, string>;
  selected: string | null;
  dayHref: (date: string) => string;
}) {
  const byDate = new Map(days.map((d) => [d.date, d]));
  return (
    <div className="app-calendar-months">
      {monthsOf(range).map((month) => {
        const [y, mo] = month.split("-").map(Number) as [number, number];
        const title = `${MONTHS[mo - 1]} ${y}`;
        return (
          <table key={month} className="app-calendar">
            <caption>{title}</caption>
            <thead>
              <tr>
                {DAY_HEADERS.map(([abbr, full]) => (
                  <th key={abbr} scope="col">
                    <abbr title={full}>{abbr}</abbr>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {monthWeeks(month).map((week, w) => (
                <tr key={w}>
                  {week.map((date, i) => {
                    if (!date) return <td key={i} className="app-calendar__empty" />;
                    const dayNumber = Number(date.slice(8));
                    const inRange = date >= range.from && date <= range.to;
                    const day = byDate.get(date);
                    if (!inRange || !day) {
                      const holiday = bankHolidays[date];
                      const why = !inRange
                        ? "outside the chosen dates"
                        : holiday
                        ? `bank holiday (${holiday}), not a core day`
                        : "weekend, not a core day";
                      return (
                        <td key={i} className={inRange ? "app-day--notcore" : "app-calendar__outside"}>
                          <span className="app-calendar__date">
                            {dayNumber}
                            <span className="nhsuk-u-visually-hidden">
                              {" "}
                              {title}: {why}
                            </span>
                          </span>
                          {inRange && holiday ? (
                            <span className="app-calendar__label" aria-hidden="true">
                              {" "}
                              Bank holiday
                            </span>
                          ) : null}
                        </td>
                      );
                    }
                    const isSelected = date === selected;
                    const [label, detail] = labels(day);
                    return (
                      <td key={i} className={`app-day--${day.state}${isSelected ? " app-calendar__selected" : ""}`}>
                        <Link to={dayHref(date)} preventScrollReset aria-current={isSelected ? "date" : undefined}>
                          <span className="app-calendar__date">
                            {dayNumber}
                            <span className="nhsuk-u-visually-hidden"> {title}:</span>
                          </span>{" "}
                          <span className="app-calendar__label">{label}</span>
                          {detail ? (
                            <>
                              {" "}
                              <span className="app-calendar__label">{detail}</span>
                            </>
                          ) : null}
                        </Link>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        );
      })}
    </div>
  );
}

const LEGEND: { state: DayState | "notcore"; text: string }[] = [
  { state: "open", text: "Open: open throughout core hours" },
  { state: "partial", text: "Part data: open where known, no data for the rest" },
  { state: "closure", text: "Closure: closed for some minutes, fewer than the policy's flag" },
  { state: "flagged", text: "Flagged: closed for at least the policy's minutes" },
  { state: "excepted", text: "Excepted: closed only inside approved pauses" },
  { state: "nodata", text: "No data: nothing received (neither compliant nor a breach)" },
  { state: "notcore", text: "Not a core day: weekend or bank holiday" },
];

export function CalendarLegend({ closedMinutesPerDay }: { closedMinutesPerDay: number }) {
  return (
    <ul className="app-legend" aria-label="Calendar key">
      {LEGEND.map((l) => (
        <li key={l.state}>
          <span className={`app-legend__swatch app-day--${l.state}`} aria-hidden="true" />
          {l.state === "flagged" ? `Flagged: closed for ${closedMinutesPerDay} minutes or more` : l.text}
        </li>
      ))}
    </ul>
  );
}
