/**
 * A crash in the middle of a large import: the importer (the real CLI, `node --import tsx importers/cli.ts`, one
 * process, so that the signal reaches the process that writes) is killed with SIGKILL while its transaction is
 * writing. Opening the database afterwards finds it intact (integrity_check ok), holding exactly what it held before
 * (no interval, compliance row, import log or audit entry of the half-import), and the same import then succeeds.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection";
import { importFile } from "../../importers/core/run";
import { availabilityImporter } from "../../importers/availability";
import { writeAvailabilityLog } from "../support/availability-log";
import { copyTemplateDatabase, dumpTables } from "../support/db";
import { seedSmallWorld } from "../support/small-world";

const ROWS = 300_000;
/** Kill once the import's uncommitted pages have spilled this far into the WAL: well inside its transaction. */
const KILL_AT_WAL_BYTES = 3 * 1024 * 1024;

const { path, dir } = copyTemplateDatabase();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_PATH;
  return env;
}

describe("an importer killed mid-import", () => {
  it(
    "leaves the database intact and as it was, and the same import then succeeds",
    async () => {
      // What was there before: the small world, and one small import with its compliance rows and audit entry.
      const setup = openDatabase(path);
      await seedSmallWorld(setup.db);
      const small = join(dir, "small.csv");
      await writeAvailabilityLog(small, { practices: 2, days: 5, codes: ["DEM001", "DEM002"], source: "small" });
      await importFile(setup.db, availabilityImporter, small, { actor: "test", ip: "cli" });
      const before = dumpTables(setup);
      for (const t of ["availability_intervals", "compliance_days", "import_log", "audit_log", "users", "practices"]) {
        expect(before[t]!.length, `${t} has rows before the crash`).toBeGreaterThan(0);
      }
      setup.sqlite.pragma("wal_checkpoint(TRUNCATE)");
      await setup.close();

      const big = join(dir, "availability-large.csv");
      expect(await writeAvailabilityLog(big, { practices: 500, days: 60, source: "bulk" })).toBe(ROWS);

      const child = spawn(process.execPath, ["--import", "tsx", "importers/cli.ts", "--db", path, "import", "availability", big], {
        env: cliEnv(),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
      child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));

      const wal = `${path}-wal`;
      const deadline = Date.now() + 180_000;
      while (!(existsSync(wal) && statSync(wal).size >= KILL_AT_WAL_BYTES)) {
        if (child.exitCode !== null) throw new Error(`the import ended before it could be killed:\n${output}`);
        if (Date.now() > deadline) throw new Error(`the import was not seen writing within 180 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");
      expect(output).not.toContain("imported as");
      // The crash left its uncommitted pages behind in the WAL, for the next opening to discard.
      expect(statSync(wal).size).toBeGreaterThanOrEqual(KILL_AT_WAL_BYTES);

      const reopened = openDatabase(path);
      try {
        expect(reopened.sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
        expect(reopened.sqlite.pragma("foreign_key_check")).toEqual([]);
        const { db } = reopened;
        expect(await db.selectFrom("availability_intervals").select("id").where("source", "=", "bulk").execute()).toEqual([]);
        expect(await db.selectFrom("compliance_days").select("practice_code").where("practice_code", "like", "Q%").execute()).toEqual([]);
        expect(await db.selectFrom("import_log").select("id").where("file_name", "=", "availability-large.csv").execute()).toEqual([]);
        expect(await db.selectFrom("audit_log").select("id").where("detail", "like", "%availability-large.csv%").execute()).toEqual([]);
        expect(dumpTables(reopened)).toEqual(before);
      } finally {
        await reopened.close();
      }

      // The same import, run again, is not skipped (it was never recorded) and succeeds.
      const again = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          ["--import", "tsx", "importers/cli.ts", "--db", path, "import", "availability", big],
          { env: cliEnv(), timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
        ),
      );
      expect(again.stderr).toBe("");
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`availability-large.csv: imported as #${before.import_log!.length + 1}: ${ROWS} rows read, ${ROWS} inserted`);

      const done = openDatabase(path);
      try {
        expect(done.sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
        const after = dumpTables(done);
        expect(after.availability_intervals!.length).toBe(before.availability_intervals!.length + ROWS);
        expect(after.import_log!.length).toBe(before.import_log!.length + 1);
        expect((after.audit_log as { action: string }[]).slice(before.audit_log!.length).map((a) => a.action)).toEqual(["import.completed"]);
        // Everything stored before is still there, unchanged.
        for (const [table, rows] of Object.entries(before)) {
          if (rows.length === after[table]!.length) expect(after[table], table).toEqual(rows);
          else expect(after[table], table).toEqual(expect.arrayContaining(rows));
        }
      } finally {
        await done.close();
      }
    },
    480_000,
  );
});
