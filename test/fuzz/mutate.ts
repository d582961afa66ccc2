/**
 * Deterministic mutations of files and JSON bodies for the fuzz tests. Every choice comes from a seeded PRNG, so a
 * failure names its seed and iteration and replays exactly.
 */

/** mulberry32: small, fast, good enough for choosing mutations. */
export function prng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)]!,
    chance: (p) => next() < p,
  };
  return rng;
}

export interface Rng {
  next(): number;
  /** 0 ≤ result < n */
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}

/** What attackers and broken exports put in fields. */
export const INJECTIONS = [
  "'; DROP TABLE practices; --",
  "\" OR 1=1 --",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '=HYPERLINK("http://evil.example","click")',
  "=cmd|' /C calc'!A0",
  "+SUM(1,1)",
  "@SUM(1)",
  "-2+3",
  "${7*7}",
  "{{constructor.constructor('alert(1)')()}}",
  "__proto__",
  "../../../../etc/passwd",
  "\u202eevil\u202c",
  "\u0000",
  "NUL\u0000BYTE",
  "😀👍🏽",
  "ﬁ Ǆ ß İ",
  "\t",
  " ",
];

/** Values of the wrong type for any field. */
export const WRONG_TYPES = [
  "",
  "abc",
  "-1",
  "-0",
  "1e309",
  "NaN",
  "Infinity",
  "0x1F",
  "1,000",
  "12.5.6",
  "999999999999999999999",
  "2026-02-30",
  "2026-13-01",
  "31/02/2026",
  "99:99",
  "25:00-26:00",
  "null",
  "true",
  "[]",
  "{}",
  " 12 ",
  "١٢٣",
  "A8100",
  "A810011",
  "a81001",
  "ZZZZZZZZZZZZZZZZZZZZ",
];

/** Splits CSV text into rows of fields (quotes respected), for structural mutations. */
export function splitCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '""';
        i++;
      } else if (ch === '"') {
        quoted = false;
        cell += ch;
      } else cell += ch;
    } else if (ch === '"') {
      quoted = true;
      cell += ch;
    } else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

export function joinCsv(rows: string[][], eol = "\r\n"): string {
  return rows.map((r) => r.join(",")).join(eol) + eol;
}

function quoteIfNeeded(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export interface Mutation {
  name: string;
  apply(content: Buffer, rng: Rng): Buffer;
}

const text = (b: Buffer) => b.toString("utf8");
const buf = (s: string) => Buffer.from(s, "utf8");

function mapRows(content: Buffer, fn: (rows: string[][]) => string[][]): Buffer {
  const rows = splitCsv(text(content));
  return buf(joinCsv(fn(rows)));
}

function randomCell(rows: string[][], rng: Rng, includeHeader = false): [number, number] | null {
  const first = includeHeader ? 0 : Math.min(1, rows.length - 1);
  if (rows.length === 0) return null;
  const r = first + rng.int(rows.length - first);
  const row = rows[r]!;
  if (row.length === 0) return null;
  return [r, rng.int(row.length)];
}

/** Mutations of CSV (and other text) files. */
export const FILE_MUTATIONS: Mutation[] = [
  { name: "truncate", apply: (c, rng) => c.subarray(0, rng.int(c.length + 1)) },
  {
    name: "flip bytes",
    apply: (c, rng) => {
      const out = Buffer.from(c);
      const n = 1 + rng.int(6);
      for (let i = 0; i < n && out.length > 0; i++) out[rng.int(out.length)] = rng.int(256);
      return out;
    },
  },
  {
    name: "flip bits",
    apply: (c, rng) => {
      const out = Buffer.from(c);
      if (out.length > 0) {
        const i = rng.int(out.length);
        out[i] = out[i]! ^ (1 << rng.int(8));
      }
      return out;
    },
  },
  {
    name: "insert bytes",
    apply: (c, rng) => {
      const at = rng.int(c.length + 1);
      const junk = Buffer.from(Array.from({ length: 1 + rng.int(8) }, () => rng.pick([0x00, 0x22, 0x2c, 0x0a, 0x0d, 0xff, 0xfe, 0xc3, 0x92, 0xe9, rng.int(256)])));
      return Buffer.concat([c.subarray(0, at), junk, c.subarray(at)]);
    },
  },
  { name: "UTF-16LE with BOM", apply: (c) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text(c), "utf16le")]) },
  {
    name: "UTF-16BE with BOM",
    apply: (c) => {
      const le = Buffer.from(text(c), "utf16le");
      for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
      return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
    },
  },
  { name: "UTF-16LE without BOM", apply: (c) => Buffer.from(text(c), "utf16le") },
  {
    // The text written as ISO-8859-1: accented letters become single bytes that are not UTF-8.
    name: "Latin-1 accents",
    apply: (c, rng) =>
      Buffer.from(
        text(
          mapRows(c, (rows) => {
            const at = randomCell(rows, rng);
            if (at) rows[at[0]]![at[1]] = "Caf\u00e9 \u00a3 na\u00efve";
            return rows;
          }),
        ),
        "latin1",
      ),
  },
  {
    name: "Windows-1252 bytes",
    apply: (c, rng) => {
      const at = rng.int(c.length + 1);
      return Buffer.concat([c.subarray(0, at), Buffer.from([0x92, 0x93, 0x94, 0x96, 0xa3]), c.subarray(at)]);
    },
  },
  {
    name: "huge field",
    apply: (c, rng) =>
      mapRows(c, (rows) => {
        const at = randomCell(rows, rng, rng.chance(0.2));
        const huge = rng.chance(0.5) ? "x".repeat(1024 * 1024) : `"${"a,b\n".repeat(256 * 1024)}"`;
        if (at) rows[at[0]]![at[1]] = huge;
        return rows;
      }),
  },
  {
    name: "long field under the limit",
    apply: (c, rng) =>
      mapRows(c, (rows) => {
        const at = randomCell(rows, rng);
        if (at) rows[at[0]]![at[1]] = "y".repeat(60 * 1024);
        return rows;
      }),
  },
  {
    name: "extra column",
    apply: (c, rng) =>
      mapRows(c, (rows) => {
        const where = rng.int(3);
        return rows.map((r, i) => (where === 0 || (where === 1 && i === 0) || (where === 2 && i > 0) ? [...r, i === 0 ? "EXTRA_COLUMN" : "extra"] : r));
      }),
  },
  {
    name: "missing column",
    apply: (c, rng) =>
      mapRows(c, (rows) => {
        const width = rows[0]?.length ?? 0;
        if (width === 0) return rows;
        const col = rng.int(width);
        const scope = rng.int(3);
        return rows.map((r, i) => (scope === 0 || (scope === 1 && i === 0) || (scope === 2 && i === 1) ? r.filter((_, j) => j !== col) : r));
      }),
  },
  {
    name: "shuffle columns",
    apply: (c, rng) =>
      mapRows(c, (rows) => {
        const width = rows[0]?.length ?? 0;
        const order = Array.from({ length: width }, (_, i) => i);
        for (let i = order.length - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        return rows.map((r) => (r.length === width ? order.map((j) => r[j]!) : r));
      }),
  },
  {
    name: "shuffle rows",
    apply: (c, rng) =>
      mapRows(c, (rows) => {
        const body = rows.slice(1);
        for (let i = body.length - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [body[i], body[j]] = [body[j]!, body[i]!];
        }
        return rng.chance(0.3) ? body : [rows[0]!, ...body].filter(Boolean);
      }),
  },
  {
    name: "duplicate a row",
    apply: (c, rng) =>
      mapRows(c, (rows) => {
        if (rows.length < 2) return rows;
        const r = 1 + rng.int(rows.length - 1);
        const copy = [...rows[r]!];
        if (rng.chance(0.5) && copy.length > 0) copy[rng.int(copy.length)] = rng.pick(WRONG_TYPES);
        return [...rows.slice(0, r + 1), copy, ...rows.slice(r + 1)];
      }),
  },
  {
    name: "wrong type",
    apply: (c, rng) =>
      mapRows(c, (rows) => {
        const at = randomCell(rows, rng);
        if (at) rows[at[0]]![at[1]] = quoteIfNeeded(rng.pick(WRONG_TYPES));
        return rows;
      }),
  },
  {
    name: "injection",
    apply: (c, rng) =>
      mapRows(c, (rows) => {
        const at = randomCell(rows, rng, rng.chance(0.15));
        if (at) rows[at[0]]![at[1]] = quoteIfNeeded(rng.pick(INJECTIONS));
        return rows;
      }),
  },
  {
    name: "unbalanced quote",
    apply: (c, rng) => {
      const s = text(c);
      const at = rng.int(s.length + 1);
      return buf(s.slice(0, at) + '"' + s.slice(at));
    },
  },
  { name: "CR line endings", apply: (c) => buf(text(c).replace(/\r?\n/g, "\r")) },
  { name: "LF line endings", apply: (c) => buf(text(c).replace(/\r\n/g, "\n")) },
  { name: "semicolons", apply: (c) => buf(text(c).replace(/,/g, ";")) },
  { name: "tabs", apply: (c) => buf(text(c).replace(/,/g, "\t")) },
  { name: "blank lines", apply: (c) => buf(text(c).replace(/\r?\n/g, (m) => m + m + "   " + m)) },
  { name: "header only", apply: (c) => buf(text(c).split(/\r?\n/)[0]! + "\r\n") },
  { name: "header twice", apply: (c) => buf(text(c) + text(c)) },
  { name: "lower-case everything", apply: (c) => buf(text(c).toLowerCase()) },
  { name: "BOM twice", apply: (c) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), c]) },
];

/** Files that are nothing: each imported on its own, not combined. */
export const DEGENERATE_FILES: { name: string; content: Buffer }[] = [
  { name: "empty", content: Buffer.alloc(0) },
  { name: "BOM only", content: Buffer.from([0xef, 0xbb, 0xbf]) },
  { name: "UTF-16 BOM only", content: Buffer.from([0xff, 0xfe]) },
  { name: "newlines only", content: Buffer.from("\r\n\n\r\n") },
  { name: "spaces only", content: Buffer.from("   \t  ") },
  { name: "one comma", content: Buffer.from(",") },
  { name: "one quote", content: Buffer.from('"') },
  { name: "NUL bytes", content: Buffer.alloc(64) },
  { name: "binary noise", content: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256)) },
  { name: "zip magic and nothing else", content: Buffer.from([0x50, 0x4b, 0x03, 0x04]) },
  { name: "empty JSON object", content: Buffer.from("{}") },
  { name: "JSON null", content: Buffer.from("null") },
  { name: "an HTML page", content: Buffer.from("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>") },
];

/** Mutations of JSON values (for bodies and JSON files): structure and types, not bytes. */
export function mutateJson(value: unknown, rng: Rng, depth = 0): unknown {
  const replacements: (() => unknown)[] = [
    () => null,
    () => undefined,
    () => rng.int(1e6) - 5e5,
    () => rng.next() * 1e20,
    () => -0,
    () => 1e308 * 10,
    () => true,
    () => rng.pick(WRONG_TYPES),
    () => rng.pick(INJECTIONS),
    () => "x".repeat(rng.chance(0.5) ? 300 : 70_000),
    () => [],
    () => ({}),
    () => [value],
    () => ({ value }),
    () => String(value),
  ];
  if (Array.isArray(value)) {
    const out = [...value];
    const op = rng.int(6);
    if (op === 0 && out.length > 0) out.splice(rng.int(out.length), 1);
    else if (op === 1 && out.length > 0) out.push(structuredClone(out[rng.int(out.length)]));
    else if (op === 2 && out.length > 0) {
      const i = rng.int(out.length);
      out[i] = mutateJson(out[i], rng, depth + 1);
    } else if (op === 3) out.push(rng.pick(replacements)());
    else if (op === 4 && out.length > 1) out.reverse();
    else return rng.pick(replacements)();
    return out;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(out);
    const op = rng.int(6);
    if (op === 0 && keys.length > 0) delete out[rng.pick(keys)];
    else if (op === 1) out[rng.pick(["extra", "__proto__", "constructor", "prototype", "events", "EVENT_ID", "", "practice_code "])] = rng.pick(replacements)();
    else if ((op === 2 || op === 3) && keys.length > 0) {
      const k = rng.pick(keys);
      out[k] = depth < 4 && rng.chance(0.7) ? mutateJson(out[k], rng, depth + 1) : rng.pick(replacements)();
    } else if (op === 4 && keys.length > 0) {
      const k = rng.pick(keys);
      out[k.toUpperCase() === k ? k.toLowerCase() : k.toUpperCase()] = out[k];
      delete out[k];
    } else return rng.pick(replacements)();
    return out;
  }
  return rng.pick(replacements)();
}

/** Deeply nested JSON text (arrays), which some parsers and validators recurse into. */
export function deepJson(levels: number): string {
  return "[".repeat(levels) + "]".repeat(levels);
}
