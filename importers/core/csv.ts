import { parse, type CsvError } from "csv-parse";
import type { Readable } from "node:stream";
import { ImportError } from "./errors";

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

/** Longest field we accept: anything longer is a broken file (a missing quote swallowing the rest), not data. */
export const MAX_FIELD_LENGTH = 64 * 1024;

/**
 * Streams CSV records with their line numbers. Handles a UTF-8 BOM, CRLF or LF endings and quoted fields with
 * commas, quotes and newlines; skips blank lines; refuses text that is not UTF-8.
 */
export async function* readCsv(stream: Readable, label: string): AsyncGenerator<CsvRecord> {
  const parser = stream.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      info: true,
      skip_empty_lines: false,
      max_record_size: MAX_FIELD_LENGTH * 4,
    }),
  );
  stream.on("error", (e) => parser.destroy(e));
  let previousEnd = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = previousEnd + 1;
      previousEnd = item.info.lines;
      const fields = item.record;
      if (fields.length === 1 && fields[0]!.trim() === "") continue;
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        if (f.length > MAX_FIELD_LENGTH)
          throw new ImportError({ file: label, line, column: i + 1, expected: `a field of at most ${MAX_FIELD_LENGTH} characters`, got: f });
        if (f.includes("\uFFFD"))
          throw new ImportError({ file: label, line, column: i + 1, expected: "UTF-8 text (the file may be in another encoding)", got: f });
      }
      yield { fields, line };
    }
  } catch (e) {
    if (e instanceof ImportError) throw e;
    const err = e as CsvError & { lines?: number; column?: number };
    if (typeof err.code === "string" && err.code.startsWith("CSV_")) {
      throw new ImportError({
        file: label,
        line: err.lines ?? previousEnd + 1,
        column: typeof err.column === "number" ? err.column + 1 : null,
        expected: csvProblem(err.code),
        got: null,
      });
    }
    if ((err as { code?: string }).code?.startsWith("Z_") || /invalid|zip|inflate/i.test(String(err.message))) {
      throw new ImportError({ file: label, line: previousEnd + 1, expected: "a complete, uncorrupted file", got: String(err.message) });
    }
    throw e;
  }
}

function csvProblem(code: string): string {
  switch (code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return "a closing quote (the file may be truncated)";
    case "CSV_INVALID_CLOSING_QUOTE":
      return "a delimiter or line end after a closing quote";
    case "CSV_MAX_RECORD_SIZE":
      return `a record shorter than ${MAX_FIELD_LENGTH * 4} characters`;
    default:
      return `well-formed CSV (${code})`;
  }
}

/** Header cells as compared: BOM and spaces trimmed, upper case. */
export function normaliseHeader(cell: string): string {
  return cell.replace(/^\uFEFF/, "").trim().toUpperCase();
}

export interface ColumnSpec {
  /** Accepted names (any vintage), compared after `normaliseHeader`. */
  names: readonly string[];
  required: boolean;
}

export type HeaderIndex<K extends string> = { [P in K]: number } & { width: number; names: string[] };

/**
 * Finds each wanted column by name, whatever its position. A missing required column is an error on line 1
 * naming the columns that were expected.
 */
export function matchHeader<K extends string>(
  header: CsvRecord,
  spec: Record<K, ColumnSpec>,
  label: string,
  what: string,
): HeaderIndex<K> {
  const names = header.fields.map(normaliseHeader);
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    if (n && !seen.has(n)) seen.set(n, i);
  });
  const result = { width: names.length, names } as HeaderIndex<K>;
  const missing: string[] = [];
  for (const key of Object.keys(spec) as K[]) {
    const col = spec[key];
    const index = col.names.map((n) => seen.get(n)).find((i) => i !== undefined);
    if (index === undefined) {
      if (col.required) missing.push(col.names.join(" or "));
      (result as Record<string, number>)[key] = -1;
    } else {
      (result as Record<string, number>)[key] = index;
    }
  }
  if (missing.length > 0) {
    throw new ImportError({
      file: label,
      line: header.line,
      column: null,
      expected: `a ${what} header with the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
      got: header.fields.slice(0, 20).join(","),
    });
  }
  return result;
}
