#!/usr/bin/env node
/**
 * The command line: `npm run cli -- <command>`. Every command takes `--db PATH` (else DATABASE_PATH, else data/app.db).
 * Exit codes: 0 success, 1 a refused input or failed operation, 2 a usage error.
 */
import { Command, CommanderError, Option } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { migrateToLatest, openDatabase, resolveDatabasePath, type OpenDatabase } from "../db/connection";
import { BackupError, backupDatabase, describeCounts, restoreDatabase } from "../db/backup";
import { createUser, ROLES, UserInputError } from "../app/utils/users.server";
import { ImportError, ImportErrors } from "./core/errors";
import { terminalProgress } from "./core/progress";
import { importFile, type Importer, type ImportResult } from "./core/run";
import { isDate } from "../app/domain/calendar";
import { complianceRows, loadCalendar, type ComplianceRow } from "../app/services/compliance.server";
import { practicesInScope } from "../app/services/scope.server";
import { rebuildCompliance } from "../app/services/compliance-rebuild.server";
import { measureTable } from "../app/services/benchmarks.server";
import { MEASURES } from "../app/domain/measures";
import { importers, isImporterName } from "./index";
import { issueSupplier, listSuppliers, revokeSupplier, SupplierError } from "../app/services/suppliers.server";

const CLI_ACTOR = "cli";

class CliFailure extends Error {}

const COMPLIANCE_HEADER: (keyof ComplianceRow)[] = [
  "practice_code",
  "date",
  "core_minutes",
  "open_minutes",
  "closed_minutes",
  "excepted_minutes",
  "unknown_minutes",
];

const MEASURES_HEADER = ["practice_code", "measure_id", "numerator", "denominator", "value", "decile"] as const;

function parseCovers(text: string): { from: string; to: string } {
  const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(text.trim());
  if (!m || !isDate(m[1]!) || !isDate(m[2]!) || m[1]! > m[2]!) {
    throw new CommanderError(2, "cli.badCovers", `--covers must be FROM..TO with dates like 2026-04-01..2026-04-30 (FROM not after TO), got "${text}"`);
  }
  return { from: m[1]!, to: m[2]! };
}

function dbOption() {
  return new Option("--db <path>", "database file (default: DATABASE_PATH, else data/app.db)");
}

async function withDatabase<T>(dbFlag: string | undefined, fn: (open: OpenDatabase) => Promise<T>): Promise<T> {
  const open = openDatabase(resolveDatabasePath(dbFlag));
  try {
    await migrateToLatest(open.db);
    return await fn(open);
  } finally {
    await open.close();
  }
}

function describeResult(r: ImportResult): string {
  if (r.status === "unchanged") {
    return `${r.fileName}: already imported (import #${r.importId}, ${r.importedAt}); nothing changed`;
  }
  const c = r.counts;
  const lines = [
    `${r.fileName}: imported as #${r.importId}: ${c.read} rows read, ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} not loaded`,
  ];
  for (const w of r.warnings) lines.push(`  note: ${w.message} (${w.count})`);
  return lines.join("\n");
}

function readStdin(): string {
  try {
    return readFileSync(0, "utf8");
  } catch {
    return "";
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("npm run cli --")
    .description("ICB Access Monitor command line: database, imports, users and demo data.")
    .addOption(dbOption())
    .showHelpAfterError()
    .exitOverride();

  const db = program.command("db").description("database maintenance");
  db.command("migrate")
    .description("bring the database schema up to date")
    .addOption(dbOption())
    .action(async (_opts, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      const open = openDatabase(resolveDatabasePath(dbFlag));
      try {
        const results = await migrateToLatest(open.db);
        if (results.length === 0) console.log(`${open.path}: schema already up to date`);
        for (const r of results) console.log(`${open.path}: ${r.migrationName} ${r.status === "Success" ? "applied" : r.status}`);
      } finally {
        await open.close();
      }
    });

  const sourceList = Object.entries(importers)
    .map(([name, i]) => `  ${name.padEnd(14)} ${i.title}`)
    .join("\n");
  program
    .command("import")
    .description("import published files; each file is one transaction, and a file already imported is skipped")
    .argument("<source>", `what the files are:\n${sourceList}`)
    .argument("<files...>", "the .csv or .zip files, as published")
    .option("--covers <from..to>", "availability only: a closures-only log covering these London dates (YYYY-MM-DD..YYYY-MM-DD, inclusive)")
    .option("--source <name>", "availability only: the source for rows with an empty source column (default: unspecified)")
    .option("--month <YYYY-MM>", "oc-by-day-time and workforce only: the month of a file whose name does not say it")
    .option("--publication <YYYY-MM>", "oc-submissions only: the release a file is, when its name does not say it (default: its latest MONTH)")
    .addOption(dbOption())
    .addHelpText("after", `\nSources:\n${sourceList}\n\nA bad file is refused with its file, line and column, and changes nothing.`)
    .action(async (source: string, files: string[], opts: { covers?: string; source?: string; month?: string; publication?: string }, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      if (!isImporterName(source)) {
        throw new CommanderError(2, "cli.unknownSource", `Unknown source "${source}". Choose one of: ${Object.keys(importers).join(", ")}`);
      }
      if ((opts.covers || opts.source) && source !== "availability") {
        throw new CommanderError(2, "cli.availabilityOnly", "--covers and --source apply to availability logs only");
      }
      const options: Record<string, unknown> = {};
      if (opts.covers) options.covers = parseCovers(opts.covers);
      if (opts.source) options.source = opts.source;
      if (opts.month !== undefined) {
        if (source !== "oc-by-day-time" && source !== "workforce")
          throw new CommanderError(2, "cli.ocOnly", "--month applies to oc-by-day-time and workforce files only");
        if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.month.trim()))
          throw new CommanderError(2, "cli.badMonth", `--month must be a month like 2025-10 (YYYY-MM), got "${opts.month}"`);
        options.month = opts.month.trim();
      }
      if (opts.publication !== undefined) {
        if (source !== "oc-submissions") throw new CommanderError(2, "cli.publicationOnly", "--publication applies to oc-submissions files only");
        if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.publication.trim()))
          throw new CommanderError(2, "cli.badPublication", `--publication must be a month like 2026-05 (YYYY-MM), got "${opts.publication}"`);
        options.publication = opts.publication.trim();
      }
      const importer = importers[source] as Importer<Record<string, unknown>>;
      await withDatabase(dbFlag, async ({ db }) => {
        for (const file of files) {
          const result = await importFile(db, importer, file, { actor: CLI_ACTOR, ip: "cli", progress: terminalProgress(), options });
          console.log(describeResult(result));
        }
      });
    });

  const compliance = program
    .command("compliance")
    .description("minutes open, closed, excepted and unknown per practice per core day, from the stored availability")
    .option("--from <date>", "first London date, YYYY-MM-DD (required)")
    .option("--to <date>", "last London date, YYYY-MM-DD (inclusive; required)")
    .option("--icb <code>", "only this ICB's practices")
    .option("--practice <code>", "only this practice")
    .addOption(new Option("--format <format>", "output format").choices(["csv", "json"]).default("csv"))
    .addOption(dbOption())
    .addHelpText(
      "after",
      `\nPrints the header ${COMPLIANCE_HEADER.join(",")} and one row per practice per core day (weekdays that are not bank holidays).\n` +
        "Without --icb or --practice: every current practice, and any other practice with availability data in the range.",
    )
    .action(async (opts: { from?: string; to?: string; icb?: string; practice?: string; format: "csv" | "json" }, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      if (opts.from === undefined || opts.to === undefined) {
        throw new CommanderError(2, "cli.complianceRange", `error: required option '${opts.from === undefined ? "--from <date>" : "--to <date>"}' not specified`);
      }
      const range = { from: opts.from, to: opts.to };
      for (const [flag, value] of [["--from", range.from], ["--to", range.to]] as const) {
        if (!isDate(value)) throw new CommanderError(2, "cli.badDate", `${flag} must be a date like 2026-04-01, got "${value}"`);
      }
      if (range.from > range.to) throw new CommanderError(2, "cli.badRange", "--from must not be after --to");
      await withDatabase(dbFlag, async ({ db }) => {
        const calendar = await loadCalendar(db);
        const practices = await practicesInScope(db, { from: range.from, to: range.to, icb: opts.icb?.toUpperCase(), practice: opts.practice?.toUpperCase() });
        const rows = await complianceRows(db, calendar, practices, range.from, range.to);
        if (opts.format === "json") {
          process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
        } else {
          const lines = [COMPLIANCE_HEADER.join(",")];
          for (const r of rows) lines.push(COMPLIANCE_HEADER.map((k) => r[k]).join(","));
          process.stdout.write(lines.join("\n") + "\n");
        }
      });
    });

  compliance
    .command("rebuild")
    .description("recompute every practice's core days from the stored intervals and approved pauses (from scratch), and time it")
    .option("--from <date>", "first London date, YYYY-MM-DD (default: each practice's first interval)")
    .option("--to <date>", "last London date, YYYY-MM-DD, inclusive (default: each practice's last interval)")
    .addOption(dbOption())
    .addHelpText(
      "after",
      "\nDeletes the stored days in the range and recomputes them in one transaction; prints the practices, days and seconds.\n" +
        "A range over 90 days is written without the secondary indexes (built again at the end), and its intervals are read\n" +
        "and computed on a worker thread while this one writes.",
    )
    .action(async (_opts, cmd: Command) => {
      // --from/--to may be taken by the parent `compliance` command; read them from either.
      const { db: dbFlag, from, to } = cmd.optsWithGlobals<{ db?: string; from?: string; to?: string }>();
      for (const [flag, value] of [["--from", from], ["--to", to]] as const) {
        if (value !== undefined && !isDate(value)) throw new CommanderError(2, "cli.badDate", `${flag} must be a date like 2026-04-01, got "${value}"`);
      }
      if (from && to && from > to) throw new CommanderError(2, "cli.badRange", "--from must not be after --to");
      await withDatabase(dbFlag, async ({ db, path }) => {
        const r = await rebuildCompliance(db, { from, to, actor: CLI_ACTOR, ip: "cli", databasePath: path });
        const span = r.from === null ? "nothing to recompute" : `${r.from} to ${r.to}`;
        console.log(`Compliance rebuilt: ${r.practices} practices, ${r.days} practice-days (${span}) in ${r.seconds.toFixed(3)} s`);
      });
    });

  program
    .command("measures")
    .description("every measure for every practice in scope for a month, with its decile among the practices in scope")
    .requiredOption("--month <month>", "the month, YYYY-MM")
    .option("--icb <code>", "only this ICB's practices (deciles among them)")
    .option("--practice <code>", "only this practice (its decile is then among itself: 1)")
    .addOption(new Option("--format <format>", "output format").choices(["csv", "json"]).default("csv"))
    .addOption(dbOption())
    .addHelpText(
      "after",
      `\nPrints the header ${MEASURES_HEADER.join(",")}, one row per practice per measure with data that month.\n` +
        "value = numerator ÷ denominator × the measure's multiplier (per 1,000, %, …). decile = 1 + floor(10 × (number of\n" +
        "practices in scope with a strictly lower value) ÷ (number ranked)): 1 lowest, 10 highest; ties share a decile.\n" +
        "decile is empty where the value is missing or its denominator is below the measure's minimum (suppressed).\n" +
        `Measures: ${MEASURES.map((m) => m.id).join(", ")}.`,
    )
    .action(async (opts: { month: string; icb?: string; practice?: string; format: "csv" | "json" }, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      if (!/^\d{4}-\d{2}$/.test(opts.month) || !isDate(`${opts.month}-01`)) {
        throw new CommanderError(2, "cli.badMonth", `--month must be a month like 2026-04, got "${opts.month}"`);
      }
      await withDatabase(dbFlag, async ({ db }) => {
        const rows = await measureTable(db, { month: `${opts.month}-01`, icb: opts.icb?.toUpperCase(), practice: opts.practice?.toUpperCase() });
        const clean = (n: number | null) => (n === null ? null : Number(n.toFixed(6)));
        const out = rows.map((r) => ({
          practice_code: r.practice_code,
          measure_id: r.measure_id,
          numerator: clean(r.numerator),
          denominator: clean(r.denominator),
          value: clean(r.value),
          decile: r.decile,
        }));
        if (opts.format === "json") {
          process.stdout.write(JSON.stringify(out, null, 2) + "\n");
        } else {
          const lines = [MEASURES_HEADER.join(",")];
          for (const r of out) lines.push(MEASURES_HEADER.map((k) => (r[k] === null ? "" : String(r[k]))).join(","));
          process.stdout.write(lines.join("\n") + "\n");
        }
      });
    });

  const user = program.command("user").description("manage users");
  user
    .command("add")
    .description("add a user; the password is read from standard input")
    .requiredOption("--email <email>", "sign-in email address")
    .addOption(new Option("--role <role>", "what the user may see").choices(ROLES).makeOptionMandatory())
    .option("--icb <code>", "the ICB an icb user commissions for")
    .option("--practice <code>", "the practice a practice user manages")
    .option("--name <name>", "display name (default: the email)")
    .option("--password-stdin", "read the password from standard input (required)")
    .addOption(dbOption())
    .action(async (opts: { email: string; role: (typeof ROLES)[number]; icb?: string; practice?: string; name?: string; passwordStdin?: boolean }, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      if (!opts.passwordStdin) throw new CommanderError(2, "cli.passwordStdin", "Give --password-stdin and pipe the password in, e.g. printf %s \"$PW\" | npm run cli -- user add …");
      const password = readStdin().replace(/\r?\n$/, "");
      await withDatabase(dbFlag, async ({ db }) => {
        const created = await createUser(
          db,
          { email: opts.email, role: opts.role, icbCode: opts.icb, practiceCode: opts.practice, name: opts.name, password },
          { actor: CLI_ACTOR, ip: "cli" },
        );
        console.log(`Added user #${created.id} ${created.email} (${opts.role})`);
      });
    });

  const supplier = program.command("supplier").description("suppliers that push availability to POST /api/v1/availability, and their tokens");
  supplier
    .command("add")
    .description("add a supplier and print its bearer token (shown this once only)")
    .requiredOption("--name <name>", "the supplier's name; the source of the availability it pushes")
    .option("--icb <code>", "an ICB whose practices it may report for (repeat for several)", (v: string, all: string[]) => [...all, v], [] as string[])
    .addOption(dbOption())
    .action(async (opts: { name: string; icb: string[] }, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      if (opts.icb.length === 0) throw new CommanderError(2, "cli.supplierIcb", "Give at least one --icb CODE");
      await withDatabase(dbFlag, async ({ db }) => {
        const issued = await issueSupplier(db, { name: opts.name, icbCodes: opts.icb }, { actor: CLI_ACTOR, userId: null, ip: "cli" });
        console.log(`Added supplier #${issued.id} "${issued.name}", reporting for ${issued.icbCodes.join(", ")}. Its token:`);
        console.log(issued.token);
        console.log("Store it now (for example in the supplier's secret store): it is not kept and cannot be shown again.");
      });
    });
  supplier
    .command("revoke")
    .description("revoke a supplier's token; its pushes are refused from then on")
    .requiredOption("--name <name>", "the supplier's name")
    .addOption(dbOption())
    .action(async (opts: { name: string }, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      await withDatabase(dbFlag, async ({ db }) => {
        const revoked = await revokeSupplier(db, { name: opts.name }, { actor: CLI_ACTOR, userId: null, ip: "cli" });
        console.log(`Revoked the token of supplier #${revoked.id} "${revoked.name}"`);
      });
    });
  supplier
    .command("list")
    .description("list suppliers: name, ICBs, token hint, issued, revoked")
    .addOption(dbOption())
    .action(async (_opts, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      await withDatabase(dbFlag, async ({ db }) => {
        const list = await listSuppliers(db);
        if (list.length === 0) console.log("No suppliers.");
        for (const s of list) {
          console.log(`${s.name}\t${s.icbCodes.join(",")}\t${s.tokenHint}\tissued ${s.createdAt} by ${s.createdBy}\t${s.revokedAt ? `revoked ${s.revokedAt}` : "active"}`);
        }
      });
    });

  const notice = program.command("notice").description("remedial and breach notices");
  notice
    .command("draft")
    .description("draft a notice from the stored evidence without opening a case (for bulk preparation and checks)")
    .requiredOption("--practice <code>", "the practice's ODS code")
    .requiredOption("--from <date>", "first London date of the period, YYYY-MM-DD")
    .requiredOption("--to <date>", "last London date of the period, YYYY-MM-DD (inclusive)")
    .addOption(new Option("--type <type>", "remedial notice (a breach capable of remedy) or breach notice").choices(["remedial", "breach"]).makeOptionMandatory())
    .requiredOption("--out <file>", "where to write it: a .docx file (editable in Word), or .html for the print-ready page")
    .option("--issue-date <date>", "the planned date of issue, YYYY-MM-DD (a remedial notice then gets its remedy-by date)")
    .option("--period-days <n>", "remedial only: days from the date of issue to remedy the breach (default 28; fewer only with --shorter-reason)")
    .addOption(new Option("--shorter-reason <reason>", "remedial only: why the period is shorter than 28 days").choices(["patient_safety", "material_financial_loss"]))
    .option("--shorter-explanation <text>", "remedial only: the recorded explanation for a shorter period")
    .addOption(dbOption())
    .addHelpText(
      "after",
      "\nPrints one line: the practice, the period, the closed minutes in core hours (as `compliance` gives them), and the\n" +
        "remedy-by date where there is one. Nothing is stored but an audit entry; a case is not opened.",
    )
    .action(
      async (
        opts: { practice: string; from: string; to: string; type: "remedial" | "breach"; out: string; issueDate?: string; periodDays?: string; shorterReason?: "patient_safety" | "material_financial_loss"; shorterExplanation?: string },
        cmd: Command,
      ) => {
        const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
        for (const [flag, value] of [["--from", opts.from], ["--to", opts.to], ["--issue-date", opts.issueDate]] as const) {
          if (value !== undefined && !isDate(value)) throw new CommanderError(2, "cli.badDate", `${flag} must be a date like 2026-04-01, got "${value}"`);
        }
        if (opts.from > opts.to) throw new CommanderError(2, "cli.badRange", "--from must not be after --to");
        if (!/\.(docx|html?)$/i.test(opts.out)) throw new CommanderError(2, "cli.badOut", `--out must end in .docx or .html, got "${opts.out}"`);
        let periodDays: number | undefined;
        if (opts.periodDays !== undefined) {
          if (!/^\d+$/.test(opts.periodDays.trim())) throw new CommanderError(2, "cli.badPeriod", `--period-days must be a whole number of days, got "${opts.periodDays}"`);
          periodDays = Number(opts.periodDays.trim());
        }
        if (opts.type === "breach" && (periodDays !== undefined || opts.shorterReason || opts.shorterExplanation)) {
          throw new CommanderError(2, "cli.breachPeriod", "--period-days and --shorter-reason apply to remedial notices only: a breach notice requires the breach not to be repeated");
        }
        if (opts.shorterExplanation && !opts.shorterReason) throw new CommanderError(2, "cli.shorterReason", "Give --shorter-reason with --shorter-explanation");
        // Loaded here, not at start-up: an import does not carry the notice code's memory (nor the demo seed's).
        const [{ CaseError }, { draftNoticeWithoutCase }, { renderNoticeHtml }, { renderNoticeDocx }] = await Promise.all([
          import("../app/services/cases.server"),
          import("../app/services/notices.server"),
          import("../app/domain/notice-document"),
          import("../app/domain/notice-docx"),
        ]);
        await withDatabase(dbFlag, async ({ db }) => {
          const draft = await draftNoticeWithoutCase(db, {
            practiceCode: opts.practice,
            type: opts.type,
            from: opts.from,
            to: opts.to,
            issueDate: opts.issueDate ?? null,
            periodDays,
            shorter: opts.shorterReason ? { reason: opts.shorterReason, explanation: opts.shorterExplanation ?? "" } : null,
            by: { actor: CLI_ACTOR, ip: "cli" },
          }).catch((e: unknown) => {
            throw e instanceof CaseError ? new CliFailure(e.message) : e;
          });
          const doc = draft.document;
          if (/\.html?$/i.test(opts.out)) writeFileSync(opts.out, renderNoticeHtml(doc));
          else writeFileSync(opts.out, await renderNoticeDocx(doc));
          const remedy =
            doc.remedy === null
              ? ""
              : draft.remedyBy
                ? `, remedy by ${draft.remedyBy} (${doc.remedy.periodDays} days from issue on ${doc.issueDate})`
                : `, remedy by: ${doc.remedy.periodDays} days from the date of issue`;
          console.log(
            `${draft.practice.ods_code} ${draft.practice.name}: ${opts.type} notice draft, ${opts.from} to ${opts.to}, ${doc.evidence.totals.closed} closed minutes${remedy}; written to ${opts.out}`,
          );
        });
      },
    );

  program
    .command("backup")
    .description("copy the database to FILE while the app may be serving (SQLite online backup); prints the rows per table")
    .requiredOption("--out <file>", "where to write the backup")
    .option("--force", "replace FILE if it exists")
    .addOption(dbOption())
    .addHelpText("after", "\nRestore with: npm run cli -- restore --from FILE --db PATH --force (stop the server first; see docs/operations.md).")
    .action(async (opts: { out: string; force?: boolean }, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      const source = resolveDatabasePath(dbFlag);
      const counts = await backupDatabase(source, opts.out, { force: opts.force === true });
      console.log(`Backed up ${source} to ${resolvePath(opts.out)}:\n${describeCounts(counts)}`);
    });

  program
    .command("restore")
    .description("replace the database with a backup (stop the server first); prints the rows per table")
    .requiredOption("--from <file>", "the backup to restore")
    .option("--force", "replace the database if it exists")
    .addOption(dbOption())
    .action(async (opts: { from: string; force?: boolean }, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      const target = resolveDatabasePath(dbFlag);
      const counts = await restoreDatabase(opts.from, target, { force: opts.force === true });
      console.log(`Restored ${resolvePath(opts.from)} to ${target}:\n${describeCounts(counts)}`);
    });

  const demo = program.command("demo").description("demo data");
  demo
    .command("seed")
    .description("generate the demo ICBs, their practices and data, and the demo users")
    .option("--if-empty", "do nothing when the database already holds practices")
    .addOption(dbOption())
    .action(async (opts: { ifEmpty?: boolean }, cmd: Command) => {
      const { db: dbFlag } = cmd.optsWithGlobals<{ db?: string }>();
      const { seedDemo } = await import("../db/seed/demo");
      await withDatabase(dbFlag, async ({ db }) => {
        const result = await seedDemo(db, { ifEmpty: opts.ifEmpty === true, log: (m) => console.log(m) });
        if (result.skipped) console.log("The database already holds practices; demo data not added.");
      });
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      if (e.code.startsWith("cli.")) console.error(e.message);
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof ImportError || e instanceof ImportErrors) {
      console.error(`Import refused; nothing was changed.\n${e.message}`);
      return 1;
    }
    if (e instanceof UserInputError || e instanceof CliFailure || e instanceof SupplierError || e instanceof BackupError) {
      console.error(e.message);
      return 1;
    }
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return 1;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
