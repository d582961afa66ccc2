import { CsvError, parse } from "csv-parse";
import { Readable } from "node:stream";
import { ImportError } from "./errors";

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

/** Longest field we accept: anything longer is a broken file (a missing quote swallowing the rest), not data. */
export const MAX_FIELD_LENGTH = 64 * 1024;
/** Longest record we accept, in characters. */
export const MAX_RECORD_LENGTH = MAX_FIELD_LENGTH * 4;

/**
 * Streams CSV records with their line numbers. Handles a UTF-8 BOM, CRLF or LF endings and quoted fields with
 * commas, quotes and newlines; skips blank lines; refuses text that is not UTF-8.
 *
 * One record at a time; the importers' hot loops use `readCsvBatches`, which gives the same records an array at a
 * time (an `await` per record costs about as much as tokenizing it).
 */
export async function* readCsv(stream: Readable, label: string): AsyncGenerator<CsvRecord> {
  for await (const batch of readCsvBatches(stream, label)) for (const record of batch) yield record;
}

/**
 * The same records as `readCsv`, in arrays (one per chunk read, about 1 MB of text). Uses the fast tokenizer below
 * (ADR 14); a file whose first line ends in a lone CR (classic Mac) goes through csv-parse instead.
 */
export async function* readCsvBatches(stream: Readable, label: string): AsyncGenerator<CsvRecord[]> {
  // Errors while reading reach us through the iterator; one after we stopped (a zip member failing its check once
  // the file was already refused) must not become an unhandled 'error' event.
  stream.on("error", () => {});
  const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  let decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
  const tokenizer = new CsvTokenizer(label);
  let started = false;
  let finished = false;
  let lastLine = 1;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        break;
      }
      const chunk = next.value;
      // A UTF-16LE byte order mark is honoured (csv-parse did too); anything else is read as UTF-8.
      if (!started && typeof chunk !== "string" && chunk.length >= 2 && chunk[0] === 0xff && chunk[1] === 0xfe) {
        decoder = new TextDecoder("utf-16le", { fatal: false, ignoreBOM: false });
      }
      const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      if (!started && text.length > 0) {
        started = true;
        if (startsWithLoneCr(text)) {
          finished = true;
          yield* readWithCsvParse(replay(chunk, iterator), label);
          return;
        }
      }
      const out: CsvRecord[] = [];
      tokenizer.push(text, false, out);
      if (out.length > 0) {
        lastLine = out[out.length - 1]!.line;
        yield out;
      }
    }
    const out: CsvRecord[] = [];
    tokenizer.push(decoder.decode(), true, out);
    if (out.length > 0) yield out;
  } catch (e) {
    throw streamError(e, label, Math.max(lastLine, tokenizer.line));
  } finally {
    // Stopped early (an error, or the caller stopped reading): let the stream go, as `for await` would.
    if (!finished) await iterator.return?.();
  }
}

/** True when the text's first line break is a CR not followed by LF (a classic Mac file). */
function startsWithLoneCr(text: string): boolean {
  const cr = text.indexOf("\r");
  if (cr === -1) return false;
  const nl = text.indexOf("\n");
  return (nl === -1 || cr < nl - 1) && cr + 1 < text.length && text.charCodeAt(cr + 1) !== 10;
}

async function* replay(first: Buffer | string, rest: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer | string> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/** An error from the stream under the tokenizer (a damaged zip…) as an ImportError. */
function streamError(e: unknown, label: string, line: number): unknown {
  if (e instanceof ImportError) return e;
  const err = e as Error & { code?: string };
  if (err?.code?.startsWith("Z_") || /invalid|zip|inflate/i.test(String(err?.message))) {
    return new ImportError({ file: label, line, expected: "a complete, uncorrupted file", got: String(err.message) });
  }
  return e;
}

/**
 * A copy of a field that does not keep its chunk alive. V8 makes a field of 13 characters or more a *slice* of the
 * decoded chunk it came from, and a slice kept (a map key, say, that lives until the end of the file) keeps the
 * whole chunk in memory with it: the monthly OC importer held most of its file's text that way, through the
 * supplier name of each practice-month (heap 158 MB, now 55 MB). Use it for text that outlives its batch; `seen`
 * keeps one copy of each distinct value.
 */
export function ownText(value: string, seen: Map<string, string>): string {
  let copy = seen.get(value);
  if (copy === undefined) {
    copy = Buffer.from(value, "utf8").toString("utf8");
    seen.set(copy, copy); // the copy as the key too: the value itself is the slice
  }
  return copy;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** The tokenizer's verdict on a record that may continue in the next chunk. */
const NEED_MORE = -1;

/**
 * A CSV tokenizer over decoded text (RFC 4180 with LF or CRLF line ends, as csv-parse reads them with the options
 * we used): a record ends at a line feed outside quotes (a CR before it is dropped); a field that starts with a
 * quote runs to the matching quote (`""` is a quote); a quote anywhere else, or text after a closing quote, is an
 * error at that line and field. Lines without a quote are split with `String#split` (the fast path, nearly every
 * line of a published file); lines with one are walked field by field.
 *
 * Line numbers count line feeds, including those inside quoted fields (csv-parse counted a CRLF inside quotes as
 * two lines).
 */
export class CsvTokenizer {
  private rest = "";
  /** The line the unconsumed text starts on. */
  line = 1;

  constructor(private readonly label: string) {}

  push(text: string, final: boolean, out: CsvRecord[]): void {
    const buf = this.rest.length === 0 ? text : this.rest + text;
    const n = buf.length;
    let pos = 0;
    let line = this.line;
    let quote = buf.indexOf('"');
    const checkText = buf.indexOf("\uFFFD") !== -1;
    while (pos < n) {
      let nl = buf.indexOf("\n", pos);
      if (nl === -1) {
        if (!final) break;
        nl = n;
      }
      if (quote !== -1 && quote < pos) quote = buf.indexOf('"', pos);
      if (quote === -1 || quote >= nl) {
        let end = nl;
        if (end > pos && buf.charCodeAt(end - 1) === CR) end--;
        if (end - pos > MAX_RECORD_LENGTH) this.tooLong(line);
        const fields = buf.slice(pos, end).split(",");
        if (!(fields.length === 1 && fields[0]!.trim() === "")) {
          if (checkText || end - pos > MAX_FIELD_LENGTH) this.checkFields(fields, line);
          out.push({ fields, line });
        }
        line++;
        pos = nl + 1;
        continue;
      }
      const fields: string[] = [];
      const end = this.quotedRecord(buf, pos, final, line, fields);
      if (end === NEED_MORE) break;
      let lines = 1;
      for (let i = buf.indexOf("\n", pos); i !== -1 && i < end; i = buf.indexOf("\n", i + 1)) lines++;
      if (end - pos > MAX_RECORD_LENGTH) this.tooLong(line);
      if (!(fields.length === 1 && fields[0]!.trim() === "")) {
        this.checkFields(fields, line);
        out.push({ fields, line });
      }
      line += lines;
      pos = end + 1;
    }
    this.rest = pos >= n ? "" : buf.slice(pos);
    this.line = line;
    if (this.rest.length > MAX_RECORD_LENGTH + 2) this.tooLong(line);
  }

  /**
   * Reads one record from `start`, which holds a quote before its end, into `fields`. Returns the index of the line
   * feed that ends it (or the text's length at the end of the input), or NEED_MORE when the text runs out first.
   */
  private quotedRecord(buf: string, start: number, final: boolean, line: number, fields: string[]): number {
    const n = buf.length;
    let i = start;
    let nextLf = -1;
    let nextQuote = -1;
    for (;;) {
      if (i < n && buf.charCodeAt(i) === QUOTE) {
        // A quoted field: up to the closing quote; "" is a quote.
        let value = "";
        let from = i + 1;
        for (;;) {
          const q = buf.indexOf('"', from);
          if (q === -1 || (q + 1 === n && !final)) {
            if (!final) return NEED_MORE;
            this.fail(line, fields.length, "CSV_QUOTE_NOT_CLOSED");
          }
          if (q + 1 < n && buf.charCodeAt(q + 1) === QUOTE) {
            value += buf.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          value += buf.slice(from, q);
          i = q + 1;
          break;
        }
        fields.push(value);
        if (i >= n) {
          if (!final) return NEED_MORE;
          return n;
        }
        const c = buf.charCodeAt(i);
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === LF) return i;
        if (c === CR) {
          if (i + 1 >= n && !final) return NEED_MORE;
          if (i + 1 >= n) return n;
          if (buf.charCodeAt(i + 1) === LF) return i + 1;
        }
        this.fail(line + countLines(buf, start, i), fields.length - 1, "CSV_INVALID_CLOSING_QUOTE");
      }
      // An unquoted field: up to the next comma or line feed; a quote inside it is an error.
      if (nextLf < i) {
        nextLf = buf.indexOf("\n", i);
        if (nextLf === -1) nextLf = n;
      }
      if (nextQuote < i) {
        nextQuote = buf.indexOf('"', i);
        if (nextQuote === -1) nextQuote = n;
      }
      let j = buf.indexOf(",", i);
      if (j === -1 || j > nextLf) j = nextLf;
      if (nextQuote < j) this.fail(line + countLines(buf, start, nextQuote), fields.length, "INVALID_OPENING_QUOTE");
      if (j >= n && !final) return NEED_MORE;
      if (j < n && buf.charCodeAt(j) === COMMA) {
        fields.push(buf.slice(i, j));
        i = j + 1;
        continue;
      }
      let end = j;
      if (end > i && buf.charCodeAt(end - 1) === CR) end--;
      fields.push(buf.slice(i, end));
      return j;
    }
  }

  private checkFields(fields: string[], line: number): void {
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (f.length > MAX_FIELD_LENGTH)
        throw new ImportError({ file: this.label, line, column: i + 1, expected: `a field of at most ${MAX_FIELD_LENGTH} characters`, got: f });
      if (f.includes("\uFFFD"))
        throw new ImportError({ file: this.label, line, column: i + 1, expected: "UTF-8 text (the file may be in another encoding)", got: f });
    }
  }

  private tooLong(line: number): never {
    throw new ImportError({ file: this.label, line, column: null, expected: csvProblem("CSV_MAX_RECORD_SIZE"), got: null });
  }

  private fail(line: number, fieldIndex: number, code: string): never {
    throw new ImportError({ file: this.label, line, column: fieldIndex + 1, expected: csvProblem(code), got: null });
  }
}

function countLines(buf: string, from: number, to: number): number {
  let lines = 0;
  for (let i = buf.indexOf("\n", from); i !== -1 && i < to; i = buf.indexOf("\n", i + 1)) lines++;
  return lines;
}

/**
 * The general path (csv-parse), for files the tokenizer does not take: lone-CR line ends. Exported for the
 * differential tests that hold the tokenizer to it.
 */
export async function* readWithCsvParse(source: AsyncIterable<Buffer | string>, label: string): AsyncGenerator<CsvRecord[]> {
  const input = Readable.from(source, { objectMode: false });
  const parser = input.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      info: true,
      skip_empty_lines: false,
      max_record_size: MAX_RECORD_LENGTH,
    }),
  );
  input.on("error", (e) => parser.destroy(e));
  let previousEnd = 0;
  let batch: CsvRecord[] = [];
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
      batch.push({ fields, line });
      if (batch.length >= 4096) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } catch (e) {
    if (e instanceof ImportError) throw e;
    const err = e as CsvError & { lines?: number; column?: number };
    if (e instanceof CsvError) {
      throw new ImportError({
        file: label,
        line: err.lines ?? previousEnd + 1,
        column: typeof err.column === "number" ? err.column + 1 : null,
        expected: csvProblem(err.code),
        got: null,
      });
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
    case "INVALID_OPENING_QUOTE":
      return "a quote only around a whole field (a field with a quote in it must be quoted, the quote doubled)";
    case "CSV_MAX_RECORD_SIZE":
      return `a record shorter than ${MAX_RECORD_LENGTH} characters`;
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
