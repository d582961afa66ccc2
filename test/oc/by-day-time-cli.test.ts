/** `npm run cli -- import oc-by-day-time …` as a real subprocess, with the `--month` option. */
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection";
import { importers } from "../../importers/index";
import { ocByDayTimeImporter } from "../../importers/oc-by-day-time";
import { copyTemplateDatabase, dumpTables } from "../support/db";
import { TempDir, WEEKDAY_HEADER } from "./helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let dbPath: string;
let dbDir: string;
beforeEach(() => {
  ({ path: dbPath, dir: dbDir } = copyTemplateDatabase());
});
afterEach(() => {
  rmSync(dbDir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.DATABASE_PATH;
    execFile(process.execPath, ["--import", "tsx", "importers/cli.ts", ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

async function weekdayRows() {
  const open = openDatabase(dbPath);
  try {
    return dumpTables(open).oc_weekday_hourly as { practice_code: string; month: string; weekday: number; hour: number; total: number }[];
  } finally {
    await open.close();
  }
}

const TIMEOUT = 120_000;
const GEO = "U89141,STOCKTON PCN,16C,QHM,NHS North East and North Cumbria Integrated Care Board,Y63,North East and Yorkshire";

describe("cli import oc-by-day-time", () => {
  it("is registered under its name", () => {
    expect(importers["oc-by-day-time"]).toBe(ocByDayTimeImporter);
    expect(ocByDayTimeImporter.source).toBe("oc-by-day-time");
  });

  it(
    "imports a weekday edition with --month, and refuses it without one (exit 1, file:line in the message)",
    async () => {
      const file = tmp.write("by-day-time.csv", `${WEEKDAY_HEADER}\nMonday,08:00-08:59,A81001,SURGERY,S,${GEO},3,1,0,4\n`);
      const refused = await cli("import", "oc-by-day-time", file, "--db", dbPath);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("by-day-time.csv:1: expected the month of this weekday-aggregated edition");
      expect(await weekdayRows()).toEqual([]);

      const run = await cli("import", "oc-by-day-time", file, "--month", "2025-10", "--db", dbPath);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^by-day-time\.csv: imported as #1: 1 rows read, 1 inserted, 0 updated, 0 unchanged, 0 not loaded\n/);
      expect((await weekdayRows()).map((r) => [r.practice_code, r.month, r.weekday, r.hour, r.total])).toEqual([["A81001", "2025-10-01", 1, 8, 4]]);
    },
    TIMEOUT,
  );

  it(
    "exits 2 for a malformed --month, and for --month with a source that has no use for it",
    async () => {
      const file = tmp.write("x.csv", `${WEEKDAY_HEADER}\n`);
      const bad = await cli("import", "oc-by-day-time", file, "--month", "October", "--db", dbPath);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--month must be a month like 2025-10 (YYYY-MM), got "October"');
      const other = await cli("import", "list-sizes", file, "--month", "2025-10", "--db", dbPath);
      expect(other.code).toBe(2);
      expect(other.stderr).toContain("--month applies to");
    },
    TIMEOUT,
  );
});
