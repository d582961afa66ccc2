import { Link, useLocation } from "@remix-run/react";
import type { ReactNode } from "react";
import { withParams, type Column, type SortDirection } from "~/utils/table";
import { ScrollableTable } from "./ScrollableTable";

export interface DisplayColumn<Row> extends Column<Row> {
  /** How the cell looks; defaults to the value. */
  render?: (row: Row) => ReactNode;
}

interface Props<Row> {
  caption: string;
  columns: DisplayColumn<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string;
  sort?: { key: string | null; dir: SortDirection };
  /** Where the same table downloads as CSV; shown as a link under the table. */
  csvHref?: string;
  /** Rows the CSV holds when the table shows only one page of them (default: the rows shown). */
  csvRows?: number;
  empty?: ReactNode;
}

export function DataTable<Row>({ caption, columns, rows, rowKey, sort, csvHref, csvRows, empty }: Props<Row>) {
  const location = useLocation();
  return (
    <>
      <ScrollableTable caption={caption} captionStyle="hidden">
        <thead className="nhsuk-table__head">
          <tr className="nhsuk-table__row">
            {columns.map((c) => {
              const active = sort && sort.key === c.key;
              const nextDir: SortDirection = active && sort.dir === "asc" ? "desc" : "asc";
              const ariaSort = active ? (sort.dir === "asc" ? "ascending" : "descending") : sort && c.sortable !== false ? "none" : undefined;
              return (
                <th key={c.key} scope="col" className={`nhsuk-table__header${c.numeric ? " app-numeric" : ""}`} aria-sort={ariaSort}>
                  {sort && c.sortable !== false ? (
                    <Link className="app-sort-link" to={withParams(location.search, { sort: c.key, dir: nextDir, page: null })} preventScrollReset>
                      {c.header}
                      {active ? (sort.dir === "asc" ? " ▲" : " ▼") : null}
                    </Link>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="nhsuk-table__body">
          {rows.map((row) => (
            <tr key={rowKey(row)} className="nhsuk-table__row">
              {columns.map((c, i) => {
                const content = c.render ? c.render(row) : c.value(row);
                return i === 0 ? (
                  <th key={c.key} scope="row" className={`nhsuk-table__cell${c.numeric ? " app-numeric" : ""}`}>
                    {content}
                  </th>
                ) : (
                  <td key={c.key} className={`nhsuk-table__cell${c.numeric ? " app-numeric" : ""}`}>
                    {content}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </ScrollableTable>
      {rows.length === 0 ? (empty ?? <p>No rows match.</p>) : null}
      {csvHref ? (
        <p className="nhsuk-body-s">
          <a href={csvHref} download>
            Download this table as CSV
          </a>{" "}
          ({csvRows ?? rows.length} {(csvRows ?? rows.length) === 1 ? "row" : "rows"})
        </p>
      ) : null}
    </>
  );
}
