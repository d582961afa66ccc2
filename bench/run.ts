/**
 * `npm run bench [-- --quick]`: the benchmark harness (ADR 13). Generates (or reuses) the synthetic national dataset,
 * imports every file into a fresh database through the real CLI, compares each importer with the sqlite3 shell's
 * `.import`, times the compliance rebuild for all of England and for one new day, then serves the built app on loopback
 * and measures pages with autocannon. Prints a table and writes bench/results.json. Exits 0 whether or not the targets
 * are met; non-zero only when something fails.
 */
import { execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { basename, join } from "node:path";
import { parse } from "csv-parse/sync";
import yauzl from "yauzl";
import { buildIfStale, cannon, checkPage, cli, DATA, dataset, importAll, log, machine, markImported, mb, PASSWORD, ROOT, scaleOf, signIn, startServer, type ImportTiming, type LoadResult } from "./lib";

const HELP = `Usage: npm run bench [-- --quick] [-- --scale=full|quick|tiny]

Benchmarks ICB Access Monitor on a synthetic national dataset (docs/decisions/0013-benchmark.md):
  1. generates the dataset in bench/data/<scale> (reused while the generator and scale are unchanged)
  2. builds the app and the CLI if stale (npm run build), then imports every file into a fresh
     bench/data/<scale>.db through the built CLI (node build/cli/cli.js): rows/s and peak RSS per importer
  3. loads the same files with the sqlite3 shell's .import into bare tables: the importer's time ratio to it
  4. compliance rebuild for all of England, then one new day of availability and its recompute
  5. serves the built app on loopback, signs in a commissioner of the largest ICB and measures with
     autocannon (client-side latency): the ICB compliance overview, a practice's compliance and demand pages at
     concurrency 1 (p50, p95) and the overview at concurrency 50 (rps, errors, non-2xx), with one server process per
     core (WEB_CONCURRENCY); the server's peak RSS (all its processes' peaks summed)

Scales: full (about 6,300 practices in 42 ICBs, 12 months; long), quick (300 practices, 2 months; under 2 minutes),
tiny (24 practices; a smoke test).
Writes bench/results.json and prints a table. Exits 0 when targets are missed; non-zero only on an error.

Options:
  --quick         the quick scale
  --scale=NAME    full, quick or tiny (default full)
  -h, --help      this text
`;

/** The long-format CSV importers the rows/s and sqlite3-ratio targets apply to. */
const LONG_FORMAT = ["availability", "oc-by-day-time", "oc-submissions", "gpad-practice"];

interface Target {
  name: string;
  target: string;
  measured: number | null;
  pass: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// sqlite3 .import of the same files

async function extractZip(path: string, outDir: string): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const files: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", resolve);
    zip.on("entry", (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith("/") || !/\.csv$/i.test(entry.fileName)) return zip.readEntry();
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const out = join(outDir, `${files.length}-${basename(entry.fileName)}`);
        files.push(out);
        const w = createWriteStream(out);
        stream.pipe(w);
        w.on("close", () => zip.readEntry());
        w.on("error", reject);
      });
    });
    zip.readEntry();
  });
  return files;
}

function columnsOf(csvPath: string): number {
  const head = readFileSync(csvPath, { encoding: "utf8" }).slice(0, 64 * 1024);
  const first = head.split(/\r?\n/)[0]!.replace(/^\uFEFF/, "");
  const [fields] = parse(first, { relax_quotes: true }) as string[][];
  return fields!.length;
}

const sqlQuote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Seconds for the sqlite3 shell to `.import --csv` every CSV of an importer into bare tables of a fresh database. */
async function sqlite3Seconds(dir: string, importer: string, files: string[], work: string): Promise<number> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const csvs: string[] = [];
  for (const f of files) {
    const path = join(dir, f);
    if (/\.zip$/i.test(f)) csvs.push(...(await extractZip(path, work)));
    else csvs.push(path);
  }
  const skip = importer === "epraccur" ? 0 : 1; // epraccur has no header row
  const script = csvs
    .map((csv, i) => {
      const cols = Array.from({ length: columnsOf(csv) }, (_, c) => `c${c} TEXT`).join(", ");
      return `CREATE TABLE t${i} (${cols});\n.import --csv --skip ${skip} ${sqlQuote(csv)} t${i}\n`;
    })
    .join("");
  const db = join(work, "bare.db");
  const t0 = performance.now();
  const child = spawn("sqlite3", ["-bail", db], { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(script);
  const [code] = (await once(child, "close")) as [number];
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0 || /error/i.test(stderr)) throw new Error(`sqlite3 .import for ${importer} failed (exit ${code}): ${stderr.slice(0, 2000)}`);
  rmSync(work, { recursive: true, force: true });
  return seconds;
}

// ---------------------------------------------------------------------------------------------------------------

function aggregate(timings: ImportTiming[]): Map<string, { files: number; rows: number; seconds: number; peakRssMb: number }> {
  const by = new Map<string, { files: number; rows: number; seconds: number; peakRssMb: number }>();
  for (const t of timings) {
    const a = by.get(t.importer) ?? { files: 0, rows: 0, seconds: 0, peakRssMb: 0 };
    a.files += t.files;
    a.rows += t.rows;
    a.seconds += t.seconds;
    a.peakRssMb = Math.max(a.peakRssMb, t.peakRssMb);
    by.set(t.importer, a);
  }
  return by;
}

const rebuildSeconds = (stdout: string): number => {
  const m = / in ([\d.]+) s\s*$/m.exec(stdout);
  if (!m) throw new Error(`no time in the compliance rebuild output: ${stdout}`);
  return Number(m[1]);
};

function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((v, c) => (c === 0 ? String(v).padEnd(widths[c]!) : String(v).padStart(widths[c]!))).join("  ")).join("\n");
}

function gitCommit(): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    // Not a git checkout (e.g. a `git archive` snapshot): BENCH_COMMIT says what it is.
    return process.env.BENCH_COMMIT ?? null;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  const known = (a: string) => a === "--quick" || a.startsWith("--scale=");
  const unknown = argv.filter((a) => !known(a));
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(" ")}; see --help`);
  const scale = scaleOf(argv);
  const began = performance.now();
  const commitAtStart = gitCommit();
  const fast = scale.name !== "full";
  log(`bench: ${scale.name} scale on ${JSON.stringify(machine())}`);

  // 1. The dataset
  const { dir, manifest, seconds: generateSeconds } = await dataset(scale);
  log(`dataset: ${manifest.practices} practices in ${manifest.icbs.length} ICBs, largest ${manifest.largestIcb} (${manifest.icbs.find((i) => i.code === manifest.largestIcb)!.practices}), ${(manifest.bytes / 1e6).toFixed(0)} MB`);

  // 2. Imports through the CLI, built as production runs it
  const build = await buildIfStale();
  const dbPath = join(DATA, `${scale.name}.db`);
  log(`import: into a fresh ${dbPath}`);
  // The CLI's own start-up (Node and its modules), included in every import's time; measured at full scale only.
  const startup = fast ? null : await cli(["--help"]);
  const timings = await importAll(dir, manifest, dbPath);
  const byImporter = aggregate(timings);
  for (const [importer, a] of byImporter) {
    if (a.rows !== manifest.rows[importer]) throw new Error(`${importer}: the CLI read ${a.rows} rows, the generator wrote ${manifest.rows[importer]}`);
  }

  // 3. sqlite3 .import of the same files
  log("sqlite3: .import --csv of the same files into bare tables");
  const sqlite3: Record<string, number> = {};
  for (const importer of byImporter.keys()) {
    const files = manifest.steps.filter((s) => s.importer === importer).flatMap((s) => s.files);
    sqlite3[importer] = await sqlite3Seconds(dir, importer, files, join(DATA, `${scale.name}-sqlite3`));
    log(`  sqlite3 ${importer.padEnd(15)} ${sqlite3[importer]!.toFixed(2)} s`);
  }

  // 4. Compliance: all of England, then one new day
  log("compliance: rebuild for all of England");
  const all = await cli(["compliance", "rebuild", "--db", dbPath]);
  log(`  ${all.stdout.trim()}`);
  const newDayImport = await cli(["import", "availability", join(dir, manifest.newDay.file), "--db", dbPath]);
  log(`  new day ${manifest.newDay.date}: ${newDayImport.stdout.trim()} (${newDayImport.seconds.toFixed(1)} s with its recompute, CLI start included)`);
  const oneDay = await cli(["compliance", "rebuild", "--from", manifest.newDay.date, "--to", manifest.newDay.date, "--db", dbPath]);
  log(`  ${oneDay.stdout.trim()}`);
  markImported(dbPath, manifest);

  // 5. The app
  const email = `bench.commissioner.${manifest.largestIcb.toLowerCase()}@bench.example`;
  await cli(["user", "add", "--email", email, "--role", "icb", "--icb", manifest.largestIcb, "--password-stdin", "--db", dbPath], { input: PASSWORD });
  const server = await startServer(dbPath);
  const pages: Record<string, { c1: LoadResult; c50?: LoadResult; bytes: number }> = {};
  try {
    const cookie = await signIn(server.base, email);
    const paths = {
      icb_overview: `/icb/${manifest.largestIcb}/compliance`,
      practice_compliance: `/practices/${manifest.samplePractice}/compliance`,
      practice_demand: `/practices/${manifest.samplePractice}/demand`,
    };
    const c1Seconds = fast ? 3 : 15;
    const c50Seconds = fast ? 6 : 20;
    for (const [name, path] of Object.entries(paths)) {
      const bytes = await checkPage(server.base, path, cookie);
      log(`pages: ${path} (${(bytes / 1024).toFixed(0)} kB) at concurrency 1 for ${c1Seconds} s`);
      const c1 = await cannon(server.base, [{ headers: { cookie }, paths: [path] }], { connections: 1, duration: c1Seconds });
      pages[name] = { c1, bytes };
    }
    log(`pages: ${paths.icb_overview} at concurrency 50 for ${c50Seconds} s`);
    pages.icb_overview!.c50 = await cannon(server.base, [{ headers: { cookie }, paths: [paths.icb_overview] }], { connections: 50, duration: c50Seconds });
  } finally {
    await server.stop();
  }
  const serverPeak = server.peakRssMb();

  // Results
  const perImporter = <T>(f: (importer: string, a: { files: number; rows: number; seconds: number; peakRssMb: number }) => T): Record<string, T> =>
    Object.fromEntries([...byImporter].map(([k, a]) => [k, f(k, a)]));
  const import_rows_per_s = perImporter((_, a) => Math.round(a.rows / a.seconds));
  const import_vs_sqlite3_ratio = perImporter((k, a) => Math.round((a.seconds / sqlite3[k]!) * 10) / 10);
  const import_peak_rss_mb = perImporter((_, a) => mb(a.peakRssMb));
  const overview = pages.icb_overview!;
  const c50 = overview.c50!;
  const results = {
    import_rows_per_s,
    import_vs_sqlite3_ratio,
    import_peak_rss_mb,
    compliance_all_s: rebuildSeconds(all.stdout),
    compliance_one_day_s: rebuildSeconds(oneDay.stdout),
    icb_overview_p50_ms_c1: overview.c1.p50_ms,
    icb_overview_p95_ms_c1: overview.c1.p95_ms,
    icb_overview_rps_c50: c50.rps,
    // Errors (autocannon's count includes timeouts) and non-2xx answers; null when no request completed (nothing to judge).
    icb_overview_errors_c50: c50.requests === 0 && c50.errors === 0 ? null : c50.errors + c50.non2xx,
    practice_page_p95_ms_c1: pages.practice_compliance!.c1.p95_ms,
    practice_demand_p95_ms_c1: pages.practice_demand!.c1.p95_ms,
    server_peak_rss_mb: mb(serverPeak),
    machine: machine(),
    scale: scale.name,
    targets: [] as Target[],
    details: {
      commit_at_start: commitAtStart,
      commit: gitCommit(),
      finished_at: new Date().toISOString(),
      total_s: 0,
      latency: "client-side: autocannon on the same machine as the server, so it includes the loopback and the client's own CPU time",
      server_processes: server.processes,
      dataset: { practices: manifest.practices, icbs: manifest.icbs.length, largest_icb: manifest.largestIcb, largest_icb_practices: manifest.icbs.find((i) => i.code === manifest.largestIcb)!.practices, months: manifest.months.length, sample_practice: manifest.samplePractice, rows: manifest.rows, mb: Math.round(manifest.bytes / 1e6), generate_s: Math.round(generateSeconds * 10) / 10 },
      imports: perImporter((k, a) => ({ files: a.files, rows: a.rows, seconds: Math.round(a.seconds * 100) / 100, sqlite3_seconds: Math.round(sqlite3[k]! * 100) / 100 })),
      import_note: "seconds are the wall time of each `cli import` process, Node start-up included (the built CLI, build/cli/cli.js)",
      cli_startup_s: startup ? Math.round(startup.seconds * 100) / 100 : null,
      compliance_all_wall_s: Math.round(all.seconds * 100) / 100,
      compliance_rebuild: all.stdout.trim(),
      new_day: { date: manifest.newDay.date, import_wall_s: Math.round(newDayImport.seconds * 100) / 100, rebuild: oneDay.stdout.trim() },
      build_s: Math.round(build.seconds * 10) / 10,
      pages,
    },
  };

  const t = (name: string, target: string, measured: number | null, pass: boolean) => results.targets.push({ name, target, measured, pass });
  for (const k of LONG_FORMAT.filter((x) => byImporter.has(x))) {
    t(`import_rows_per_s.${k}`, ">= 250000", import_rows_per_s[k]!, import_rows_per_s[k]! >= 250_000);
    t(`import_vs_sqlite3_ratio.${k}`, "<= 3", import_vs_sqlite3_ratio[k]!, import_vs_sqlite3_ratio[k]! <= 3);
  }
  for (const k of byImporter.keys()) t(`import_peak_rss_mb.${k}`, "< 300", import_peak_rss_mb[k]!, import_peak_rss_mb[k]! < 300);
  t("compliance_all_s", "<= 10", results.compliance_all_s, results.compliance_all_s <= 10);
  t("compliance_one_day_s", "<= 1", results.compliance_one_day_s, results.compliance_one_day_s <= 1);
  t("icb_overview_p95_ms_c1", "<= 150", results.icb_overview_p95_ms_c1, results.icb_overview_p95_ms_c1 <= 150);
  t("icb_overview_rps_c50", ">= 200", results.icb_overview_rps_c50, results.icb_overview_rps_c50 >= 200);
  t("icb_overview_errors_c50", "= 0 (errors incl. timeouts, non-2xx)", results.icb_overview_errors_c50, results.icb_overview_errors_c50 === 0);
  for (const x of results.targets) if (x.measured !== null && Number.isNaN(x.measured)) x.measured = null;
  t("practice_page_p95_ms_c1", "<= 80", results.practice_page_p95_ms_c1, results.practice_page_p95_ms_c1 <= 80);
  results.details.total_s = Math.round((performance.now() - began) / 100) / 10;

  writeFileSync(join(ROOT, "bench", "results.json"), JSON.stringify(results, null, 2) + "\n");

  const rows: (string | number)[][] = [["importer", "files", "rows", "seconds", "rows/s", "sqlite3 s", "ratio", "peak MB"]];
  for (const [k, a] of byImporter) {
    rows.push([k, a.files, a.rows, a.seconds.toFixed(1), import_rows_per_s[k]!, sqlite3[k]!.toFixed(2), import_vs_sqlite3_ratio[k]!, import_peak_rss_mb[k]!]);
  }
  log(`\n${table(rows)}\n`);
  const page = (name: string, c: { c1: { p50_ms: number; p95_ms: number; rps: number } }) => [name, c.c1.p50_ms, c.c1.p95_ms, c.c1.rps];
  log(
    table([
      ["page (client-side latency)", "c1 p50 ms", "c1 p95 ms", "c1 rps"],
      page(`ICB overview /icb/${manifest.largestIcb}/compliance`, overview),
      page(`practice /practices/${manifest.samplePractice}/compliance`, pages.practice_compliance!),
      page(`practice /practices/${manifest.samplePractice}/demand`, pages.practice_demand!),
    ]),
  );
  log(`ICB overview at c50: ${c50.rps} rps, p50 ${c50.p50_ms} ms, p95 ${c50.p95_ms} ms, ${c50.errors} errors (${c50.timeouts} of them timeouts), ${c50.non2xx} non-2xx`);
  log(`compliance: all of England ${results.compliance_all_s} s; one new day ${results.compliance_one_day_s} s; server peak RSS ${results.server_peak_rss_mb} MB\n`);
  log(table([["target", "wanted", "measured", ""], ...results.targets.map((x) => [x.name, x.target, x.measured ?? "-", x.pass ? "pass" : "MISS"])]));
  const missed = results.targets.filter((x) => !x.pass).length;
  log(`\n${results.targets.length - missed} of ${results.targets.length} targets met (${scale.name} scale; targets are set for the full scale). bench/results.json written in ${results.details.total_s} s.`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
