import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatInteger, formatMonth, formatMonthShort } from "~/utils/format";
import { ClientOnly } from "./ClientOnly";
import { ScrollableTable } from "./ScrollableTable";

export interface ListSizePoint {
  month: string;
  patients: number;
}

/** Registered patients by month: a line chart, with the same figures in a table for screen readers and print. */
export function ListSizeChart({ points }: { points: ListSizePoint[] }) {
  if (points.length === 0) return <p>No list sizes have been imported for this practice.</p>;
  return (
    <>
      <div className="app-chart" aria-hidden="true">
        <ClientOnly>
          {() => (
            <ResponsiveContainer width="100%" height="100%">
              {/* No keyboard layer: the chart is hidden from assistive technology (the table below carries the
                  figures), so it must not take focus either (WCAG 4.1.2; axe's aria-hidden-focus). */}
              <LineChart data={points} margin={{ top: 8, right: 24, bottom: 8, left: 16 }} accessibilityLayer={false}>
                <CartesianGrid stroke="#d8dde0" strokeDasharray="3 3" />
                <XAxis dataKey="month" tickFormatter={formatMonthShort} minTickGap={24} />
                <YAxis tickFormatter={(v: number) => formatInteger(v)} width={72} domain={["auto", "auto"]} />
                <Tooltip formatter={(v) => [formatInteger(Number(v)), "Registered patients"]} labelFormatter={(l) => formatMonth(String(l))} />
                <Line type="monotone" dataKey="patients" stroke="#005eb8" strokeWidth={2} dot={false} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          )}
        </ClientOnly>
      </div>
      <details className="nhsuk-details">
        <summary className="nhsuk-details__summary">
          <span className="nhsuk-details__summary-text">Show the list sizes as a table</span>
        </summary>
        <ScrollableTable wrapperClassName="nhsuk-details__text" caption="Registered patients by month" captionStyle="hidden">
          <thead className="nhsuk-table__head">
            <tr>
              <th scope="col" className="nhsuk-table__header">
                Month
              </th>
              <th scope="col" className="nhsuk-table__header app-numeric">
                Registered patients
              </th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {points.map((p) => (
              <tr key={p.month} className="nhsuk-table__row">
                <td className="nhsuk-table__cell">{formatMonth(p.month)}</td>
                <td className="nhsuk-table__cell app-numeric">{formatInteger(p.patients)}</td>
              </tr>
            ))}
          </tbody>
        </ScrollableTable>
      </details>
    </>
  );
}
