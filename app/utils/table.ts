/**
 * Tables defined once and used twice: rendered as HTML and downloaded as CSV with exactly the same rows and
 * columns (OpenPrescribing-style "download this table").
 */
export interface Column<Row> {
  key: string;
  header: string;
  /** The value as data: what the CSV holds and what sorting compares. */
  value: (row: Row) => string | number | null;
  numeric?: boolean;
  sortable?: boolean;
}

export type SortDirection = "asc" | "desc";

export function sortRows<Row>(rows: Row[], columns: Column<Row>[], key: string | null, dir: SortDirection): Row[] {
  const column = columns.find((c) => c.key === key && c.sortable !== false);
  if (!column) return rows;
  const factor = dir === "desc" ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    // Blanks last, whichever the direction.
    if (x === null || x === "") return y === null || y === "" ? 0 : 1;
    if (y === null || y === "") return -1;
    if (typeof x === "number" && typeof y === "number") return (x - y) * factor;
    return String(x).localeCompare(String(y), "en-GB", { numeric: true }) * factor;
  });
}

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (starting =, +, -, @, tab or return) is
 * prefixed with an apostrophe; numbers are written as numbers.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv<Row>(columns: Column<Row>[], rows: Row[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))).join(","));
  return lines.join("\r\n") + "\r\n";
}

/**
 * A CSV download from a page's loader (see entry.server's `downloadFromLoader`). Typed `never` so that the
 * loader's data type stays the page's own data.
 */
export function csvResponse(fileName: string, csv: string): never {
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "Cache-Control": "private, no-store",
    },
  }) as never;
}

/** The current URL with some query parameters changed (null removes one). */
export function withParams(search: string, changes: Record<string, string | null>): string {
  const params = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) params.delete(k);
    else params.set(k, v);
  }
  const s = params.toString();
  return s ? `?${s}` : "?";
}
