import { ALL_WEEKDAYS } from "~/domain/demand";
import { formatInteger } from "~/utils/format";
import { ScrollableTable } from "./ScrollableTable";

/** Shade 0 (none) to 4 (the most in the grid), as a class; the number is always in the cell as well. */
function level(value: number, max: number): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.min(4, Math.ceil((value / max) * 4));
}

/**
 * Counts by row (hour or time band) and weekday (Monday … Sunday): a table whose cells are shaded by how many,
 * with the number in each cell, so it reads the same without colour.
 */
export function WeekdayHeatmap({ grid, rowLabels, rowHeader, caption }: { grid: number[][]; rowLabels: string[]; rowHeader: string; caption: string }) {
  const max = Math.max(0, ...grid.flat());
  const totals = ALL_WEEKDAYS.map((_, d) => grid.reduce((s, row) => s + (row[d] ?? 0), 0));
  return (
    <ScrollableTable caption={caption} captionStyle="small" className="app-heatmap">
      <thead className="nhsuk-table__head">
        <tr>
          <th scope="col" className="nhsuk-table__header">
            {rowHeader}
          </th>
          {ALL_WEEKDAYS.map((d) => (
            <th key={d} scope="col" className="nhsuk-table__header app-numeric">
              {d}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="nhsuk-table__body">
        {rowLabels.map((label, i) => (
          <tr key={label} className="nhsuk-table__row">
            <th scope="row" className="nhsuk-table__cell app-nowrap">
              {label}
            </th>
            {ALL_WEEKDAYS.map((d, j) => {
              const v = grid[i]?.[j] ?? 0;
              return (
                <td key={d} className={`nhsuk-table__cell app-dheat--${level(v, max)}`}>
                  {formatInteger(v)}
                </td>
              );
            })}
          </tr>
        ))}
        <tr className="nhsuk-table__row">
          <th scope="row" className="nhsuk-table__cell">
            All day
          </th>
          {totals.map((t, j) => (
            <td key={j} className="nhsuk-table__cell app-numeric">
              <strong>{formatInteger(t)}</strong>
            </td>
          ))}
        </tr>
      </tbody>
    </ScrollableTable>
  );
}
