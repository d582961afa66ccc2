/**
 * Expected values for the journeys, from outside the pages under test: the demo generator (which practices exist,
 * where, and their status) and the served database, opened read-only (the list sizes it actually holds).
 */
import BetterSqlite3 from "better-sqlite3";
import { inject } from "vitest";
import { demoPractices, type DemoPractice } from "../../../db/seed/demo-organisations";

export type { DemoPractice };

export function demoPractice(code: string): DemoPractice {
  const practice = demoPractices().find((p) => p.code === code);
  if (!practice) throw new Error(`No demo practice ${code}`);
  return practice;
}

/** The demo practices an ICB's lists show by default: current ones (the demo has one closed and one dormant). */
export function currentDemoPractices(filter: { icb: string; pcn?: string }): DemoPractice[] {
  return demoPractices().filter((p) => p.icb === filter.icb && (!filter.pcn || p.pcn === filter.pcn) && p.status === "ACTIVE");
}

export interface ListSize {
  month: string;
  patients: number;
}

/** Reads the served database without writing to it (the server holds the only writing connection). */
function withDatabase<T>(fn: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(inject("e2eDatabasePath"), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Every list size the database holds for a practice, oldest first. */
export function listSizeHistory(code: string): ListSize[] {
  return withDatabase((db) =>
    db.prepare("select month, patients from list_sizes where practice_code = ? order by month").all(code) as ListSize[],
  );
}

/** Each practice's registered patients in the given month. */
export function listSizesIn(month: string, codes: string[]): Map<string, number> {
  return withDatabase((db) => {
    const read = db.prepare("select patients from list_sizes where practice_code = ? and month = ?");
    return new Map(codes.map((code) => [code, (read.get(code, month) as { patients: number } | undefined)?.patients ?? NaN]));
  });
}

/** The minimal RFC 4180 reader the downloads need: quoted fields, doubled quotes, CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
