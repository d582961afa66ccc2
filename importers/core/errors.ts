/**
 * A problem with an input file, located as precisely as we can: file (and zip member), line, column.
 * The message reads like a compiler's: `gp-reg-pat-prac-all.csv:3:10 (NUMBER_OF_PATIENTS): expected a whole number ≥ 0, got "abc"`.
 */
export class ImportError extends Error {
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly columnName: string | null;
  readonly expected: string;
  readonly got: string | null;

  constructor(args: {
    file: string;
    line?: number | null;
    column?: number | null;
    columnName?: string | null;
    expected: string;
    got?: string | null;
  }) {
    const where = [args.file, args.line ?? null, args.line != null ? (args.column ?? null) : null].filter((x) => x !== null).join(":");
    const col = args.columnName ? ` (${args.columnName})` : "";
    const got = args.got === undefined || args.got === null ? "" : `, got ${describeValue(args.got)}`;
    super(`${where}${col}: expected ${args.expected}${got}`);
    this.name = "ImportError";
    this.file = args.file;
    this.line = args.line ?? null;
    this.column = args.column ?? null;
    this.columnName = args.columnName ?? null;
    this.expected = args.expected;
    this.got = args.got ?? null;
  }
}

/** Quotes a value for an error message, shortened so that a huge field can't flood the terminal. */
export function describeValue(value: string): string {
  if (value === "") return "an empty value";
  const shown = value.length > 60 ? `${value.slice(0, 57)}…` : value;
  return JSON.stringify(shown);
}

/** Several problems found in one file (up to a limit), reported together. */
export class ImportErrors extends Error {
  readonly errors: ImportError[];
  readonly truncated: boolean;
  constructor(errors: ImportError[], truncated: boolean) {
    const more = truncated ? "\n(stopped after the first " + errors.length + " problems)" : "";
    super(errors.map((e) => e.message).join("\n") + more);
    this.name = "ImportErrors";
    this.errors = errors;
    this.truncated = truncated;
  }
}
