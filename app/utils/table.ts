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

/** Rows shown on one page of a long table; the CSV download always holds every row. */
export const PAGE_SIZE = 50;

export interface PageInfo {
  /** 1-based, clamped to the pages there are. */
  page: number;
  /** At least 1: an empty table is one empty page. */
  pages: number;
  /** Every row, on all the pages (what the CSV holds). */
  total: number;
  /** 1-based positions of the first and last row shown; 0 and 0 when there are none. */
  first: number;
  last: number;
}

/**
 * One page of already sorted rows. `?page=` is clamped to the nearest page there is, as the pages treat other
 * query parameters they cannot use (an unknown flag or sort falls back to its default): missing, not a whole
 * number (`abc`, `-2`, `1.5`) or 0 is page 1, and past the end is the last page, so a link kept from before a
 * filter changed still shows rows.
 */
export function paginate<Row>(rows: Row[], pageParam: string | null, size: number = PAGE_SIZE): { rows: Row[]; info: PageInfo } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  // Digits only; a number too long to be exact (even Infinity) still clamps to the last page.
  const asked = pageParam !== null && /^\d+$/.test(pageParam) ? Number(pageParam) : 1;
  const page = Math.min(Math.max(asked, 1), pages);
  const start = (page - 1) * size;
  const slice = rows.slice(start, start + size);
  return {
    rows: slice,
    info: { page, pages, total: rows.length, first: slice.length ? start + 1 : 0, last: start + slice.length },
  };
}

/**
 * The page numbers a numbered pagination shows: the first, the last, and the current page with one either side;
 * null where two or more pages are left out (an ellipsis). A gap of a single page shows that page instead, since
 * an ellipsis would take as much room. `page` is clamped to 1..pages.
 */
export function pageNumbers(page: number, pages: number): (number | null)[] {
  if (pages < 1) return [];
  const current = Math.min(Math.max(page, 1), pages);
  const shown = new Set([1, pages, current - 1, current, current + 1].filter((p) => p >= 1 && p <= pages));
  const sorted = [...shown].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  for (const p of sorted) {
    const prev = out[out.length - 1];
    if (typeof prev === "number" && p - prev === 2) out.push(p - 1);
    else if (typeof prev === "number" && p - prev > 2) out.push(null);
    out.push(p);
  }
  return out;
}
