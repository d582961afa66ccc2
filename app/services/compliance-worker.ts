/**
 * The worker thread of a wide compliance rebuild (ADR 17): reads the practices' intervals and pauses on its own
 * read-only connection and computes their core days, group by group, while the main thread writes the previous
 * groups inside its transaction. The main thread holds the write lock throughout, so the committed intervals this
 * connection reads are the ones the transaction sees. Days go back as flat arrays (`packDays`), at most `AHEAD`
 * groups before the main thread has taken them, so memory stays flat.
 */
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { parentPort, workerData } from "node:worker_threads";
import type { Database } from "../../db/schema";
import { GroupComputer, loadCalendar, packDays, type PackedDays, type PracticeSpan } from "./compliance.server";

export interface RebuildWorkerInput {
  path: string;
  groups: PracticeSpan[][];
}

export type RebuildWorkerMessage = { kind: "group"; packed: PackedDays } | { kind: "failed"; message: string; stack?: string };

/** Groups computed ahead of the main thread. */
export const AHEAD = 2;

async function main(): Promise<void> {
  const port = parentPort!;
  const { path, groups } = workerData as RebuildWorkerInput;
  let credits = AHEAD;
  let wake: (() => void) | null = null;
  port.on("message", () => {
    credits++;
    wake?.();
    wake = null;
  });
  let db: Kysely<Database> | null = null;
  try {
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path, { readonly: true, fileMustExist: true }) }) });
    const computer = new GroupComputer(db, await loadCalendar(db));
    for (const group of groups) {
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      const packed = packDays(await computer.group(group));
      port.postMessage({ kind: "group", packed } satisfies RebuildWorkerMessage, [packed.days.buffer as ArrayBuffer, packed.episodes.buffer as ArrayBuffer]);
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const code = (e as { code?: unknown }).code;
    const message = `${typeof code === "string" ? `${code}: ` : ""}${e.message || "no message"}${typeof code === "string" && code.includes("CANTOPEN") ? ` (${path})` : ""}`;
    port.postMessage({ kind: "failed", message, stack: e.stack } satisfies RebuildWorkerMessage);
  } finally {
    await db?.destroy();
    port.close();
  }
}

void main();
