/**
 * `npm run cli -- notice draft` end to end, as a real subprocess, on crafted availability imported through the real
 * importer (across the end of British Summer Time, with an approved pause): the one-line summary, the DOCX it writes,
 * and its total closed minutes against `npm run cli -- compliance` for the same practice and period.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DUTY_WORDING } from "~/domain/notice-document";
import { openDatabase } from "../../db/connection";
import { copyTemplateDatabase } from "../support/db";
import { CASE_PERIOD, docxText, EXPECTED, seedCraftedAvailability } from "../support/case-world";
import { seedSmallWorld } from "../support/small-world";

let dbPath: string;
let dbDir: string;
let outDir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.DATABASE_PATH;
    execFile(process.execPath, ["--import", "tsx", "importers/cli.ts", ...args, "--db", dbPath], { env, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const TIMEOUT = 120_000;

beforeAll(async () => {
  ({ path: dbPath, dir: dbDir } = copyTemplateDatabase());
  outDir = mkdtempSync(join(tmpdir(), "icb-notice-cli-"));
  const open = openDatabase(dbPath);
  try {
    await seedSmallWorld(open.db);
    await open.db.updateTable("practices").set({ contract_type: "APMS", address_line1: "1 NORTHGATE", address_line2: "DEMOTON" }).where("ods_code", "=", "DEM001").execute();
    await seedCraftedAvailability(open.db);
  } finally {
    await open.close();
  }
});

afterAll(() => {
  rmSync(dbDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

const draft = (...extra: string[]) =>
  cli("notice", "draft", "--practice", "dem001", "--from", CASE_PERIOD.from, "--to", CASE_PERIOD.to, ...extra);

describe("cli notice draft", () => {
  it(
    "writes a remedial notice DOCX and prints one line whose closed minutes are the compliance CLI's",
    async () => {
      const out = join(outDir, "remedial.docx");
      const run = await draft("--type", "remedial", "--out", out, "--issue-date", "2026-12-01");
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(
        `DEM001 NORTHGATE HEALTH CENTRE: remedial notice draft, 2026-10-19 to 2026-11-06, ${EXPECTED.closed} closed minutes, remedy by 2026-12-29 (28 days from issue on 2026-12-01); written to ${out}\n`,
      );

      const compliance = await cli("compliance", "--practice", "DEM001", "--from", CASE_PERIOD.from, "--to", CASE_PERIOD.to);
      expect(compliance.code).toBe(0);
      const [header, ...rows] = compliance.stdout.trim().split("\n");
      const closedAt = header!.split(",").indexOf("closed_minutes");
      expect(rows).toHaveLength(EXPECTED.coreDays);
      const cliClosed = rows.reduce((s, r) => s + Number(r.split(",")[closedAt]), 0);
      expect(cliClosed).toBe(EXPECTED.closed);

      const text = await docxText(readFileSync(out));
      expect(text).toContain("Remedial notice");
      expect(text).toContain("NORTHGATE HEALTH CENTRE (practice code DEM001)");
      expect(text).toContain("APMS");
      expect(text).toContain(DUTY_WORDING);
      expect(text).toContain("19 October 2026 to 6 November 2026");
      expect(text).toContain(`Total closed minutes in core hours: ${cliClosed}.`);
      const lines = text.split("\n");
      expect(lines[lines.indexOf("Total") + 1]).toBe(String(cliClosed));
      expect(text).toContain("that is by 29 December 2026 (date of issue: 1 December 2026)");
      expect(text).toContain("1 December 2026 (planned; not yet issued)");
      expect(text).toContain("DRAFT – NOT ISSUED");
      expect(text).toContain("This draft was prepared without a case");
      expect(text).not.toMatch(/warning\s+notice/i);

      // Drafting stored nothing but an audit entry.
      const open = openDatabase(dbPath);
      try {
        expect(await open.db.selectFrom("cases").selectAll().execute()).toEqual([]);
        expect(await open.db.selectFrom("notices").selectAll().execute()).toEqual([]);
        const audit = await open.db.selectFrom("audit_log").selectAll().where("action", "=", "notice.drafted_without_case").execute();
        expect(audit).toMatchObject([{ actor: "cli", ip: "cli", entity_id: "DEM001" }]);
        expect(JSON.parse(audit[0]!.detail!)).toMatchObject({ type: "remedial", closedMinutes: EXPECTED.closed, remedyBy: "2026-12-29" });
      } finally {
        await open.close();
      }
    },
    TIMEOUT,
  );

  it(
    "writes a breach notice and the print page, with no remedy period",
    async () => {
      const out = join(outDir, "breach.html");
      const run = await draft("--type", "breach", "--out", out);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`DEM001 NORTHGATE HEALTH CENTRE: breach notice draft, 2026-10-19 to 2026-11-06, ${EXPECTED.closed} closed minutes; written to ${out}\n`);
      const html = readFileSync(out, "utf8");
      expect(html).toContain("<h1>Breach notice</h1>");
      expect(html).toContain("Requirement not to repeat the breach");
      expect(html).toContain(`Total closed minutes in core hours: ${EXPECTED.closed}.`);
      expect(html).not.toMatch(/warning\s+notice/i);
    },
    TIMEOUT,
  );

  it(
    "refuses a remedy period under 28 days without a recorded reason, and accepts it with one",
    async () => {
      const out = join(outDir, "short.docx");
      const refused = await draft("--type", "remedial", "--out", out, "--issue-date", "2026-12-01", "--period-days", "27");
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toMatch(/The period must be at least 28 days from the date of issue/);
      expect(existsSync(out)).toBe(false);

      const accepted = await draft(
        "--type",
        "remedial",
        "--out",
        out,
        "--issue-date",
        "2026-12-01",
        "--period-days",
        "27",
        "--shorter-reason",
        "patient_safety",
        "--shorter-explanation",
        "Urgent requests were not seen.",
      );
      expect(accepted.stderr).toBe("");
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toMatch(/, remedy by 2026-12-28 \(27 days from issue on 2026-12-01\); written to /);
      expect(await docxText(readFileSync(out))).toContain("needed to protect patient safety: Urgent requests were not seen.");
    },
    TIMEOUT,
  );

  it(
    "refuses usage errors with exit code 2 and an unknown practice with exit code 1",
    async () => {
      const breachDays = await draft("--type", "breach", "--out", join(outDir, "x.docx"), "--period-days", "28");
      expect(breachDays.code).toBe(2);
      expect(breachDays.stderr).toMatch(/apply to remedial notices only/);
      const badType = await draft("--type", "warning", "--out", join(outDir, "x.docx"));
      expect(badType.code).toBe(2);
      const unknown = await cli("notice", "draft", "--practice", "Z99999", "--from", CASE_PERIOD.from, "--to", CASE_PERIOD.to, "--type", "remedial", "--out", join(outDir, "x.docx"));
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe("No practice Z99999\n");
      expect(existsSync(join(outDir, "x.docx"))).toBe(false);
    },
    TIMEOUT,
  );
});
