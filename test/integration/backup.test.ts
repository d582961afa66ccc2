/**
 * `npm run cli -- backup` and `restore` (docs/operations.md): a backup taken while another process imports holds the
 * database exactly as it was at one commit (before the import, for an import still running), one taken after holds
 * exactly what the source holds, and both restore to that; backups taken while small transactions commit are each one
 * of the committed states; and the commands refuse to overwrite or to restore what is not a database.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { backupDatabase } from "../../db/backup";
import { openDatabase, type OpenDatabase } from "../../db/connection";
import { importFile } from "../../importers/core/run";
import { availabilityImporter } from "../../importers/availability";
import { main } from "../../importers/cli";
import { writeAvailabilityLog } from "../support/availability-log";
import { copyTemplateDatabase, dumpTables } from "../support/db";
import { seedSmallWorld } from "../support/small-world";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.DATABASE_PATH;
    execFile(process.execPath, ["--import", "tsx", "importers/cli.ts", ...args], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The CLI in this process (for the quick refusals), with what it printed. */
async function cliHere(...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void (stdout += a.join(" ") + "\n"));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void (stderr += a.join(" ") + "\n"));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

async function dumpOf(path: string): Promise<Record<string, unknown[]>> {
  const open = openDatabase(path);
  try {
    expect(open.sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    return dumpTables(open);
  } finally {
    await open.close();
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh database with the small world and one small availability import (so that most kinds of table have rows). */
async function prepare(): Promise<{ path: string; dir: string; open: OpenDatabase }> {
  const { path, dir } = copyTemplateDatabase();
  dirs.push(dir);
  const open = openDatabase(path);
  await seedSmallWorld(open.db);
  const small = join(dir, "small.csv");
  await writeAvailabilityLog(small, { practices: 2, days: 5, codes: ["DEM001", "DEM002"], source: "small" });
  await importFile(open.db, availabilityImporter, small, { actor: "test", ip: "cli" });
  open.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  return { path, dir, open };
}

describe("backup during a long import in another process", () => {
  let world: Awaited<ReturnType<typeof prepare>>;
  beforeAll(async () => {
    world = await prepare();
  });
  afterAll(async () => {
    await world?.open.close();
  });

  it(
    "holds the database as it was before the import while the import runs, exactly the source after it, and restores to both",
    async () => {
      const { path, dir, open } = world;
      const before = dumpTables(open);
      const big = join(dir, "big.csv");
      const rows = await writeAvailabilityLog(big, { practices: 200, days: 60, source: "bulk" });
      expect(rows).toBe(120_000);

      const env = { ...process.env };
      delete env.DATABASE_PATH;
      const importer = spawn(process.execPath, ["--import", "tsx", "importers/cli.ts", "--db", path, "import", "availability", big], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let importOutput = "";
      importer.stdout!.on("data", (c: Buffer) => (importOutput += c.toString()));
      importer.stderr!.on("data", (c: Buffer) => (importOutput += c.toString()));
      const importExit = new Promise<number | null>((resolve) => importer.once("exit", (code) => resolve(code)));

      // Wait until the import's transaction is writing (its pages spill into the WAL).
      const wal = `${path}-wal`;
      const deadline = Date.now() + 90_000;
      while (!(existsSync(wal) && statSync(wal).size > 1024 * 1024)) {
        if (importer.exitCode !== null) throw new Error(`the import ended before it was seen writing:\n${importOutput}`);
        if (Date.now() > deadline) throw new Error("the import was not seen writing within 90 s");
        await new Promise((r) => setTimeout(r, 50));
      }

      const imported = () => open.db.selectFrom("import_log").select("id").where("source", "=", "availability").execute();
      const importsBefore = (await imported()).length;
      let during = 0;
      for (let i = 0; i < 3; i++) {
        const out = join(dir, `during-${i}.db`);
        await backupDatabase(path, out);
        // Still not committed when the backup was complete: the backup must hold the database exactly as before.
        if ((await imported()).length !== importsBefore) break;
        expect(await dumpOf(out)).toEqual(before);
        during++;
      }
      expect(during, "backups completed while the import was still running").toBeGreaterThan(0);

      expect(await importExit, importOutput).toBe(0);
      const after = dumpTables(open);
      expect((after.availability_intervals as unknown[]).length).toBe((before.availability_intervals as unknown[]).length + rows);

      // The real commands, as documented.
      const backup = await cli("--db", path, "backup", "--out", join(dir, "after.db"));
      expect(backup.stderr).toBe("");
      expect(backup.code).toBe(0);
      expect(backup.stdout).toContain(`Backed up ${path} to ${join(dir, "after.db")}:`);
      expect(backup.stdout).toMatch(new RegExp(`\\n  availability_intervals +${after.availability_intervals!.length}\\n`));
      expect(backup.stdout).toMatch(new RegExp(`\\n  import_log +${after.import_log!.length}\\n`));
      expect(existsSync(join(dir, "after.db-wal"))).toBe(false);

      const restoredAfter = join(dir, "restored-after.db");
      const restore = await cli("restore", "--from", join(dir, "after.db"), "--db", restoredAfter);
      expect([restore.code, restore.stderr]).toEqual([0, ""]);
      expect(restore.stdout).toMatch(new RegExp(`\\n  availability_intervals +${after.availability_intervals!.length}\\n`));
      expect(await dumpOf(restoredAfter)).toEqual(after);

      const restoredDuring = join(dir, "restored-during.db");
      expect((await cliHere("restore", "--from", join(dir, "during-0.db"), "--db", restoredDuring)).code).toBe(0);
      expect(await dumpOf(restoredDuring)).toEqual(before);
    },
    300_000,
  );
});

describe("backups while other transactions commit", () => {
  it("is each exactly one of the states the database was in after a commit", async () => {
    const { path, dir, open } = await prepare();
    const writer = openDatabase(path);
    try {
      const states = new Set<string>([JSON.stringify(dumpTables(open))]);
      const files: string[] = [];
      for (let i = 0; i < 12; i++) {
        const file = join(dir, `step-${i}.csv`);
        await writeAvailabilityLog(file, { practices: 3, days: 2, codes: [1, 2, 3].map((j) => `R${String(i * 10 + j).padStart(5, "0")}`), source: `step-${i}` });
        files.push(file);
      }
      let writing = true;
      const written = (async () => {
        try {
          for (const file of files) {
            await importFile(writer.db, availabilityImporter, file, { actor: "writer" });
            states.add(JSON.stringify(dumpTables(open)));
          }
        } finally {
          writing = false;
        }
      })();
      written.catch(() => {}); // awaited below; this only keeps a failure from being reported as unhandled first
      const backups: string[] = [];
      while (writing) {
        const out = join(dir, `concurrent-${backups.length}.db`);
        await backupDatabase(path, out);
        backups.push(out);
      }
      await written;
      expect(states.size).toBe(files.length + 1);
      expect(backups.length).toBeGreaterThan(1);
      const seen = new Set<number>();
      const ordered = [...states];
      for (const b of backups) {
        const state = JSON.stringify(await dumpOf(b));
        expect(states.has(state), `${b} is not a committed state`).toBe(true);
        seen.add(ordered.indexOf(state));
      }
      // The backups saw the database at more than one point: they really ran among the commits.
      expect(seen.size).toBeGreaterThan(1);
    } finally {
      await writer.close();
      await open.close();
    }
  }, 180_000);
});

describe("the backup and restore commands refuse", () => {
  it("to overwrite a file without --force, and replace it with --force", async () => {
    const { path, dir, open } = await prepare();
    await open.close();
    const out = join(dir, "existing.db");
    writeFileSync(out, "precious");
    const refused = await cliHere("--db", path, "backup", "--out", out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`${out} already exists; give --force to replace it\n`);
    expect(readFileSync(out, "utf8")).toBe("precious");
    const forced = await cliHere("--db", path, "backup", "--out", out, "--force");
    expect(forced.code).toBe(0);
    expect(await dumpOf(out)).toEqual(await dumpOf(path));
  });

  it("to back up a database that does not exist (and do not create it)", async () => {
    const { dir } = await prepare();
    const missing = join(dir, "missing.db");
    const run = await cliHere("--db", missing, "backup", "--out", join(dir, "never.db"));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("does not exist");
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(dir, "never.db"))).toBe(false);
  });

  it("to restore what is not a sound database, or over a database without --force, changing nothing", async () => {
    const { path, dir, open } = await prepare();
    const before = dumpTables(open);
    await open.close();
    const text = join(dir, "not-a-db.db");
    writeFileSync(text, "practice_code,start\n".repeat(1000));
    const bad = await cliHere("restore", "--from", text, "--db", path, "--force");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("is not a readable SQLite database");
    expect(await dumpOf(path)).toEqual(before);

    // A database that is not this app's.
    const other = join(dir, "other.db");
    const foreign = openDatabase(other);
    foreign.sqlite.exec("create table t (x); insert into t values (1)");
    await foreign.close();
    const notOurs = await cliHere("restore", "--from", other, "--db", path, "--force");
    expect(notOurs.code).toBe(1);
    expect(notOurs.stderr).toContain("is not an ICB Access Monitor database");

    // A backup damaged on disk.
    const good = join(dir, "good.db");
    expect((await cliHere("--db", path, "backup", "--out", good)).code).toBe(0);
    const bytes = readFileSync(good);
    for (let i = 4096 * 3; i < bytes.length; i += 4096) bytes.fill(0x5a, i + 100, i + 400);
    const damaged = join(dir, "damaged.db");
    writeFileSync(damaged, bytes);
    const corrupt = await cliHere("restore", "--from", damaged, "--db", path, "--force");
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/integrity check|not a readable SQLite database|malformed/);

    const noForce = await cliHere("restore", "--from", good, "--db", path);
    expect(noForce.code).toBe(1);
    expect(noForce.stderr).toContain("already exists; stop the server and give --force to replace it");
    expect(await dumpOf(path)).toEqual(before);
    // No half-written copy left behind by any of the refusals.
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });
});
