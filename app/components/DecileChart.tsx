import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatInteger } from "~/utils/format";
import { ClientOnly } from "./ClientOnly";
import { ScrollableTable } from "./ScrollableTable";

export interface BandCount {
  key: string;
  label: string;
  practices: number;
}

/**
 * How practices are spread over bands of the share of core minutes open: a bar chart (hidden from assistive
 * technology) and the same figures in a table. Practices without enough data are counted in the table only.
 */
export function DecileChart({ bands, notEnoughData, caption }: { bands: BandCount[]; notEnoughData: number; caption: string }) {
  const short = bands.map((b) => ({ ...b, short: b.key === "100" ? "100" : b.key.replace("-", "–") }));
  const ranked = bands.reduce((s, b) => s + b.practices, 0);
  return (
    <>
      {ranked > 0 ? (
        <div className="app-chart" aria-hidden="true">
          <ClientOnly>
            {() => (
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={short} margin={{ top: 8, right: 24, bottom: 24, left: 8 }} accessibilityLayer={false}>
                  <CartesianGrid stroke="#d8dde0" strokeDasharray="3 3" vertical={false} />
                  <XAxis
                    dataKey="short"
                    label={{ value: "% of core minutes open", position: "insideBottom", offset: -16 }}
                    interval={0}
                    tick={{ fontSize: 12 }}
                  />
                  <YAxis allowDecimals={false} width={48} label={{ value: "Practices", angle: -90, position: "insideLeft" }} />
                  <Tooltip
                    formatter={(v) => [formatInteger(Number(v)), "Practices"]}
                    labelFormatter={(_, p) => String(p?.[0]?.payload?.label ?? "")}
                  />
                  <Bar dataKey="practices" fill="#005eb8" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            )}
          </ClientOnly>
        </div>
      ) : (
        <p>No practice has data for enough of its core minutes to be placed in a band.</p>
      )}
      <details className="nhsuk-details" open={ranked === 0}>
        <summary className="nhsuk-details__summary">
          <span className="nhsuk-details__summary-text">Show the figures as a table</span>
        </summary>
        <ScrollableTable wrapperClassName="nhsuk-details__text" caption={caption} captionStyle="small">
          <thead className="nhsuk-table__head">
            <tr>
              <th scope="col" className="nhsuk-table__header">
                Share of core minutes open
              </th>
              <th scope="col" className="nhsuk-table__header app-numeric">
                Practices
              </th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {bands.map((b) => (
              <tr key={b.key} className="nhsuk-table__row">
                <td className="nhsuk-table__cell">{b.label}</td>
                <td className="nhsuk-table__cell app-numeric">{formatInteger(b.practices)}</td>
              </tr>
            ))}
            <tr className="nhsuk-table__row">
              <td className="nhsuk-table__cell">Not enough data (less than half the core minutes known)</td>
              <td className="nhsuk-table__cell app-numeric">{formatInteger(notEnoughData)}</td>
            </tr>
          </tbody>
        </ScrollableTable>
      </details>
    </>
  );
}
