/** `npm run cli -- import …` as a real subprocess, against a temporary copy of the database. */
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection";
import { copyTemplateDatabase, dumpTables } from "../support/db";
import { fixturePath, fixtureText, LIST_SIZES_HEADER, TempDir } from "./helpers";

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

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.DATABASE_PATH;
    execFile(process.execPath, ["--import", "tsx", "importers/cli.ts", ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function dump(): Promise<Record<string, unknown[]>> {
  const open = openDatabase(dbPath);
  try {
    return dumpTables(open);
  } finally {
    await open.close();
  }
}

const TIMEOUT = 120_000;

describe("cli import", () => {
  it(
    "imports a good file, printing the counts, and exits 0; a re-import prints 'already imported'",
    async () => {
      const first = await cli("import", "epraccur", fixturePath("epraccur-current.csv"), "--db", dbPath);
      expect(first.stderr).toBe("");
      expect(first.stdout).toBe("epraccur-current.csv: imported as #1: 3 rows read, 3 inserted, 0 updated, 0 unchanged, 0 not loaded\n");
      expect(first.code).toBe(0);

      const tables = await dump();
      expect((tables.practices as { ods_code: string; status: string }[]).map((p) => [p.ods_code, p.status])).toEqual([
        ["A81001", "active"],
        ["A81003", "closed"],
        ["A81065", "dormant"],
      ]);
      expect(tables.import_log).toMatchObject([{ id: 1, source: "epraccur", actor: "cli", rows_inserted: 3 }]);
      expect(tables.audit_log).toMatchObject([{ actor: "cli", ip: "cli", action: "import.completed", entity_id: "1" }]);

      const again = await cli("import", "epraccur", fixturePath("epraccur-current.csv"), "--db", dbPath);
      expect(again.code).toBe(0);
      expect(again.stderr).toBe("");
      expect(again.stdout).toMatch(/^epraccur-current\.csv: already imported \(import #1, \d{4}-\d\d-\d\dT[\d:.]+Z\); nothing changed\n$/);
      expect(await dump()).toEqual(tables);
    },
    TIMEOUT,
  );

  it(
    "imports several files in one run, printing each file's counts and notes",
    async () => {
      const run = await cli(
        "import",
        "list-sizes",
        fixturePath("gp-reg-pat-prac-all-2021-01.csv"),
        fixturePath("gp-reg-pat-prac-all-2026-04.csv"),
        "--db",
        dbPath,
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(
        [
          "gp-reg-pat-prac-all-2021-01.csv: imported as #1: 1 rows read, 1 inserted, 0 updated, 0 unchanged, 0 not loaded",
          "  note: List sizes kept for practices not yet in the practice data (import epraccur to name them) (1)",
          "gp-reg-pat-prac-all-2026-04.csv: imported as #2: 3 rows read, 3 inserted, 0 updated, 0 unchanged, 0 not loaded",
          "  note: List sizes kept for practices not yet in the practice data (import epraccur to name them) (3)",
          "",
        ].join("\n"),
      );
      const sizes = (await dump()).list_sizes as { practice_code: string; month: string; patients: number }[];
      expect(sizes.map((r) => [r.practice_code, r.month, r.patients])).toEqual([
        ["A84002", "2021-01-01", 5903],
        ["A81001", "2026-04-01", 3747],
        ["A81002", "2026-04-01", 18654],
        ["A82003", "2026-04-01", 11913],
      ]);
    },
    TIMEOUT,
  );

  it(
    "imports a zip, the practice map from the appointments zip",
    async () => {
      const zip = await tmp.zip("Practice_Level_Crosstab_Aug_25.zip", [{ name: "Mapping.csv", data: fixtureText("gpad-Mapping.csv") }]);
      const run = await cli("import", "practice-map", zip, "--db", dbPath);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe("Practice_Level_Crosstab_Aug_25.zip: imported as #1: 3 rows read, 3 inserted, 0 updated, 0 unchanged, 0 not loaded\n");
      const tables = await dump();
      expect((tables.pcns as { code: string }[]).map((p) => p.code)).toEqual(["U89141", "U02671", "U25520"]);
    },
    TIMEOUT,
  );

  it(
    "refuses a bad file with exit 1, naming file:line:col, and changes nothing",
    async () => {
      await cli("import", "epraccur", fixturePath("epraccur-current.csv"), "--db", dbPath);
      const before = await dump();
      const bad = tmp.write("gp-bad.csv", `${LIST_SIZES_HEADER}\nGP_PRAC_PAT_LIST,2026-04-01,GP,16C,E38000247,A81001,TS18 1HU,ALL,ALL,3747\nGP_PRAC_PAT_LIST,2026-04-01,GP,16C,E38000247,A81002,TS18 2AW,ALL,ALL,many\n`);
      const run = await cli("import", "list-sizes", bad, "--db", dbPath);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toBe(
        'Import refused; nothing was changed.\ngp-bad.csv:3:10 (NUMBER_OF_PATIENTS): expected a whole number of 0 or more, got "many"\n',
      );
      expect(await dump()).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    "keeps the files before a refused one: each file is its own transaction",
    async () => {
      const bad = tmp.write("epraccur-bad.csv", fixtureText("epraccur-current.csv").replace('"DORMANT"', '"SLEEPING"'));
      const run = await cli("import", "epraccur", fixturePath("epraccur-legacy.csv"), bad, "--db", dbPath);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("epraccur-legacy.csv: imported as #1: 1 rows read, 1 inserted, 0 updated, 0 unchanged, 0 not loaded\n");
      expect(run.stderr).toContain("epraccur-bad.csv:3:13 (Status Code): expected a status of ACTIVE, INACTIVE or DORMANT");
      const tables = await dump();
      expect((tables.practices as { ods_code: string }[]).map((p) => p.ods_code)).toEqual(["A81001"]);
      expect(tables.import_log).toHaveLength(1);
    },
    TIMEOUT,
  );

  it(
    "refuses a missing file and a corrupt zip with exit 1",
    async () => {
      const missing = await cli("import", "epraccur", tmp.path("no-such-file.csv"), "--db", dbPath);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("no-such-file.csv: expected a readable file");

      const corrupt = tmp.write("corrupt.zip", Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40, 7)]));
      const run = await cli("import", "list-sizes", corrupt, "--db", dbPath);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("Import refused; nothing was changed.\ncorrupt.zip: expected a readable zip archive");
    },
    TIMEOUT,
  );

  it(
    "exits 2 for an unknown source, naming the sources, and touches no database",
    async () => {
      const before = await dump();
      const run = await cli("import", "nope", fixturePath("epraccur-current.csv"), "--db", dbPath);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^Unknown source "nope"\. Choose one of: epraccur, practice-map, list-sizes\b/);
      expect(await dump()).toEqual(before);
    },
    TIMEOUT,
  );

  it(
    "exits 2 for other usage errors (no files, unknown command)",
    async () => {
      const noFiles = await cli("import", "epraccur", "--db", dbPath);
      expect(noFiles.code).toBe(2);
      expect(noFiles.stderr).toContain("error: missing required argument 'files'");
      const unknown = await cli("frobnicate");
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("error: unknown command 'frobnicate'");
    },
    TIMEOUT,
  );

  it(
    "--help exits 0; the import command's help lists every source with what it reads",
    async () => {
      const top = await cli("--help");
      expect(top.code).toBe(0);
      expect(top.stdout).toContain("Usage: npm run cli -- [options] [command]");
      expect(top.stdout).toMatch(/^\s+import \[options\] <source> <files\.\.\.>/m);

      const help = await cli("import", "--help");
      expect(help.code).toBe(0);
      expect(help.stderr).toBe("");
      expect(help.stdout).toContain("Usage: npm run cli -- import [options] <source> <files...>");
      expect(help.stdout).toContain("epraccur       ODS epraccur: GP practices (current RO76 or legacy setting-4 format; .csv or .zip)");
      expect(help.stdout).toContain("practice-map   Practice memberships: gp-reg-pat-prac-map.csv or the appointments Mapping.csv (.csv or .zip)");
      expect(help.stdout).toContain("list-sizes     Registered patients per practice: gp-reg-pat-prac-all.csv (either header vintage; .csv or .zip)");
      expect(help.stdout).toContain("A bad file is refused with its file, line and column, and changes nothing.");
    },
    TIMEOUT,
  );
});
