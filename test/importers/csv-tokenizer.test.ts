/**
 * The fast CSV tokenizer (importers/core/csv.ts, ADR 14) against csv-parse, which the importers used before it:
 * thousands of random small files, split into chunks at random places, must give the same records on the same
 * lines, or both be refused.
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ownText, readCsvBatches, readWithCsvParse, type CsvRecord } from "../../importers/core/csv";
import { ImportError } from "../../importers/core/errors";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s + Math.imul(s ^ (s >>> 7), 61 | s);
    return ((s ^ (s >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = { records: CsvRecord[] } | { error: string };

async function collect(gen: AsyncGenerator<CsvRecord[]>): Promise<Outcome> {
  const records: CsvRecord[] = [];
  try {
    for await (const batch of gen) records.push(...batch);
    return { records };
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    return { error: e.expected };
  }
}

function chunked(bytes: Buffer, random: () => number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = 1 + Math.floor(random() * 12);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

const PIECES = ["a", "bc", "É", ",", ",", '"', '""', " ", "x y", "1"];

function randomCsv(random: () => number, eol: string): string {
  let text = "";
  const length = Math.floor(random() * 60);
  for (let i = 0; i < length; i++) text += random() < 0.15 ? eol : PIECES[Math.floor(random() * PIECES.length)];
  return text;
}

describe("the CSV tokenizer against csv-parse", () => {
  for (const [name, eol] of [
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ] as const) {
    it(`gives the same records and lines, or refuses the same files (${name} line ends)`, async () => {
      const random = rng(name === "LF" ? 1 : 2);
      let refused = 0;
      for (let i = 0; i < 3000; i++) {
        const text = (random() < 0.1 ? "\uFEFF" : "") + randomCsv(random, eol);
        const bytes = Buffer.from(text, "utf8");
        const fast = await collect(readCsvBatches(Readable.from(chunked(bytes, random)), "t.csv"));
        const general = await collect(readWithCsvParse(Readable.from([bytes]), "t.csv"));
        const context = JSON.stringify(text);
        if ("error" in general) {
          expect("error" in fast, context).toBe(true);
          refused++;
          continue;
        }
        expect(fast, context).not.toHaveProperty("error");
        const records = (fast as { records: CsvRecord[] }).records;
        if (eol === "\r\n" && /"[^"]*\r\n/.test(text)) {
          // csv-parse counts a CRLF inside quotes as two lines; the tokenizer counts one. The fields agree.
          expect(records.map((r) => r.fields), context).toEqual(general.records.map((r) => r.fields));
        } else {
          expect(records, context).toEqual(general.records);
        }
      }
      expect(refused).toBeGreaterThan(100);
    });
  }

  it("reads a record split across chunks anywhere, including inside quotes and between CR and LF", async () => {
    const text = 'h1,h2\r\n"a ""quoted""\r\nvalue",2\r\nplain,3\r\n';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const got = await collect(readCsvBatches(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]), "t.csv"));
      expect(got).toEqual({
        records: [
          { fields: ["h1", "h2"], line: 1 },
          { fields: ['a "quoted"\r\nvalue', "2"], line: 2 },
          { fields: ["plain", "3"], line: 4 },
        ],
      });
    }
  });

  it("hands a file with classic Mac (CR) line ends to csv-parse", async () => {
    const got = await collect(readCsvBatches(Readable.from([Buffer.from("a,b\r1,2\r")]), "t.csv"));
    expect(got).toEqual({ records: [{ fields: ["a", "b"], line: 1 }, { fields: ["1", "2"], line: 2 }] });
  });
});

describe("ownText", () => {
  it("gives one equal copy per distinct value, the same copy each time, with multi-byte text intact", () => {
    const seen = new Map<string, string>();
    const line = "2026-10-01,A81001,Accurx Limited — Ty Cymru,OC_TOTAL_SUBMISSIONS,12";
    const first = ownText(line.split(",")[2]!, seen);
    const again = ownText(line.split(",")[2]!, seen);
    const other = ownText("eConsult Health Ltd", seen);
    expect(first).toBe("Accurx Limited — Ty Cymru");
    expect(again).toBe(first);
    expect(other).toBe("eConsult Health Ltd");
    expect([...seen.entries()]).toEqual([
      ["Accurx Limited — Ty Cymru", "Accurx Limited — Ty Cymru"],
      ["eConsult Health Ltd", "eConsult Health Ltd"],
    ]);
  });
});
