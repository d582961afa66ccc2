import { HALF_HOURS, WEEKDAYS } from "~/domain/compliance-report";
import { formatInteger } from "~/utils/format";
import { ScrollableTable } from "./ScrollableTable";

/** Shade 0 (none) to 4 (the most in the grid), as a class; the number is always in the cell as well. */
function level(value: number, max: number): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.min(4, Math.ceil((value / max) * 4));
}

/**
 * Closed minutes by half hour (rows) and weekday (columns), summed over the range: a table whose cells are shaded
 * by how many, with the number in each cell, so it reads the same without colour.
 */
export function HalfHourHeatmap({ grid, caption }: { grid: number[][]; caption: string }) {
  const max = Math.max(0, ...grid.flat());
  const totals = WEEKDAYS.map((_, d) => grid.reduce((s, row) => s + (row[d] ?? 0), 0));
  return (
    <ScrollableTable caption={caption} captionStyle="small" className="app-heatmap">
      <thead className="nhsuk-table__head">
        <tr>
          <th scope="col" className="nhsuk-table__header">
            Time
          </th>
          {WEEKDAYS.map((d) => (
            <th key={d} scope="col" className="nhsuk-table__header app-numeric">
              {d}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="nhsuk-table__body">
        {HALF_HOURS.map((h, i) => (
          <tr key={h.start} className="nhsuk-table__row">
            <th scope="row" className="nhsuk-table__cell app-nowrap">
              {h.label}
            </th>
            {WEEKDAYS.map((d, j) => {
              const v = grid[i]?.[j] ?? 0;
              return (
                <td key={d} className={`nhsuk-table__cell app-heat--${level(v, max)}`}>
                  {formatInteger(v)}
                </td>
              );
            })}
          </tr>
        ))}
        <tr className="nhsuk-table__row">
          <th scope="row" className="nhsuk-table__cell">
            All core hours
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
