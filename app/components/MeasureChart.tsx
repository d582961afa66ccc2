import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMeasureValue, type MeasureDefinition } from "~/domain/measures";
import { formatMonth, formatMonthShort } from "~/utils/format";
import { ClientOnly } from "./ClientOnly";
import { ScrollableTable } from "./ScrollableTable";

export interface MeasureChartPoint {
  month: string;
  value: number | null;
  suppressed: boolean;
  /** 10th … 90th percentiles among the ICB's practices (empty when none). */
  icb: number[];
  /** 10th … 90th percentiles among all practices loaded (empty when none). */
  all: number[];
}

const PERCENTILES = [10, 20, 30, 40, 50, 60, 70, 80, 90] as const;

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * OpenPrescribing-style: the practice's monthly value (red) against the deciles of its ICB's practices (blue,
 * dashed, the median bold) and of all practices loaded (grey, dotted, the median bold and dashed). The chart is
 * hidden from assistive technology; the same figures are in the table beneath it.
 */
export function MeasureChart({
  def,
  points,
  icbLabel,
  allLabel,
}: {
  def: MeasureDefinition;
  points: MeasureChartPoint[];
  icbLabel: string;
  allLabel: string;
}) {
  if (points.length === 0) return <p>No practice has a value for this measure yet.</p>;
  const data = points.map((p) => {
    const row: Record<string, number | string | null> = { month: p.month, practice: p.value };
    PERCENTILES.forEach((pc, i) => {
      row[`icb${pc}`] = p.icb[i] ?? null;
      row[`all${pc}`] = p.all[i] ?? null;
    });
    return row;
  });
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? "" : formatMeasureValue(def, v));
  return (
    <>
      <ul className="app-chart-key" aria-hidden="true">
        <li className="app-chart-key__item">
          <span className="app-chart-key__swatch app-chart-key__swatch--practice" /> This practice
        </li>
        <li className="app-chart-key__item">
          <span className="app-chart-key__swatch app-chart-key__swatch--icb" /> {capitalised(icbLabel)}: deciles
        </li>
        <li className="app-chart-key__item">
          <span className="app-chart-key__swatch app-chart-key__swatch--icb-median" /> {capitalised(icbLabel)}: median
        </li>
        <li className="app-chart-key__item">
          <span className="app-chart-key__swatch app-chart-key__swatch--all" /> {capitalised(allLabel)}: deciles
        </li>
        <li className="app-chart-key__item">
          <span className="app-chart-key__swatch app-chart-key__swatch--all-median" /> {capitalised(allLabel)}: median
        </li>
      </ul>
      <div className="app-chart" aria-hidden="true">
        <ClientOnly>
          {() => (
            <ResponsiveContainer width="100%" height="100%">
              {/* No keyboard layer: the chart is hidden from assistive technology (the table below carries the figures). */}
              <LineChart data={data} margin={{ top: 8, right: 24, bottom: 8, left: 16 }} accessibilityLayer={false}>
                <CartesianGrid stroke="#d8dde0" strokeDasharray="3 3" />
                <XAxis dataKey="month" tickFormatter={formatMonthShort} minTickGap={24} />
                <YAxis tickFormatter={(v: number) => fmt(v)} width={72} domain={["auto", "auto"]} />
                <Tooltip formatter={(v) => fmt(Number(v))} labelFormatter={(l) => formatMonth(String(l))} />
                {PERCENTILES.map((pc) => (
                  <Line
                    key={`all${pc}`}
                    dataKey={`all${pc}`}
                    name={`${allLabel} ${pc}th percentile`}
                    stroke={pc === 50 ? "#4c6272" : "#768692"}
                    strokeWidth={pc === 50 ? 3 : 1}
                    strokeDasharray={pc === 50 ? "8 4" : "1 3"}
                    dot={false}
                    isAnimationActive={false}
                    connectNulls
                  />
                ))}
                {PERCENTILES.map((pc) => (
                  <Line
                    key={`icb${pc}`}
                    dataKey={`icb${pc}`}
                    name={`${icbLabel} ${pc}th percentile`}
                    stroke="#005eb8"
                    strokeWidth={pc === 50 ? 3 : 1}
                    strokeDasharray={pc === 50 ? undefined : "4 4"}
                    dot={false}
                    isAnimationActive={false}
                    connectNulls
                  />
                ))}
                <Line dataKey="practice" name="This practice" stroke="#d5281b" strokeWidth={3} dot={{ r: 3 }} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          )}
        </ClientOnly>
      </div>
      <details className="nhsuk-details">
        <summary className="nhsuk-details__summary">
          <span className="nhsuk-details__summary-text">Show the figures as a table</span>
        </summary>
        <ScrollableTable
          wrapperClassName="nhsuk-details__text"
          caption={`${def.title} (${def.unit}): this practice and the percentiles of ${icbLabel} and of ${allLabel}, by month`}
          captionStyle="small"
        >
          <thead className="nhsuk-table__head">
            <tr>
              <th scope="col" className="nhsuk-table__header">
                Month
              </th>
              <th scope="col" className="nhsuk-table__header app-numeric">
                This practice
              </th>
              {PERCENTILES.map((pc) => (
                <th key={`i${pc}`} scope="col" className="nhsuk-table__header app-numeric">
                  {capitalised(icbLabel)} {pc}th
                </th>
              ))}
              {PERCENTILES.map((pc) => (
                <th key={`a${pc}`} scope="col" className="nhsuk-table__header app-numeric">
                  {capitalised(allLabel)} {pc}th
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {points.map((p) => (
              <tr key={p.month} className="nhsuk-table__row">
                <th scope="row" className="nhsuk-table__cell app-nowrap">
                  {formatMonth(p.month)}
                </th>
                <td className="nhsuk-table__cell app-numeric">
                  {p.value === null ? "No value" : fmt(p.value)}
                  {p.value !== null && p.suppressed ? <span className="app-low-count"> (low count, not ranked)</span> : null}
                </td>
                {PERCENTILES.map((pc, i) => (
                  <td key={`i${pc}`} className="nhsuk-table__cell app-numeric">
                    {fmt(p.icb[i])}
                  </td>
                ))}
                {PERCENTILES.map((pc, i) => (
                  <td key={`a${pc}`} className="nhsuk-table__cell app-numeric">
                    {fmt(p.all[i])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </ScrollableTable>
      </details>
    </>
  );
}
