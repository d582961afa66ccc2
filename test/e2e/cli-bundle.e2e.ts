/**
 * The bundled CLI's own worker thread: `compliance rebuild` over the demo's whole range (more than 90 days) runs in
 * `build/cli/compliance-worker.js`, which only the production build has. On a copy of the served demo database, it
 * must store exactly the days and episodes the seed stored.
 */
import BetterSqlite3 from "better-sqlite3";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, inject, test } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "icb-cli-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stored(path: string) {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return {
      days: db.prepare("select * from compliance_days order by practice_code, date").all().map((r) => ({ ...(r as object), computed_at: null })),
      episodes: db.prepare("select practice_code, date, start_min, end_min, minutes, category, excepted, reasons, pause_ids from closure_episodes order by practice_code, date, start_min").all(),
    };
  } finally {
    db.close();
  }
}

test("compliance rebuild in the built CLI recomputes the demo's whole range on its worker threads, storing the same rows", async () => {
  expect(existsSync("build/cli/compliance-worker.js")).toBe(true);
  const copy = join(dir, "demo-copy.db");
  // SQLite's online backup: a consistent copy while the server holds the database open.
  const served = new BetterSqlite3(inject("e2eDatabasePath"), { readonly: true, fileMustExist: true });
  try {
    await served.backup(copy);
  } finally {
    served.close();
  }
  const before = stored(copy);
  expect(before.days.length).toBeGreaterThan(0);

  const out = execFileSync(process.execPath, ["build/cli/cli.js", "compliance", "rebuild", "--db", copy], { encoding: "utf8" });
  const m = /practice-days \((\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})\)/.exec(out);
  expect(m, out).not.toBeNull();
  // More than 90 days: the range the rebuild hands to its workers.
  expect((Date.parse(m![2]!) - Date.parse(m![1]!)) / 86_400_000).toBeGreaterThan(90);
  expect(stored(copy)).toEqual(before);
});
