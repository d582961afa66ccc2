/**
 * `npm run load [-- --quick] [-- --duration 60]`: the load test (issue 6 item 7, ADR 13). Serves the built app on
 * loopback over a copy of the bench national database, signs in 50 distinct users (commissioners of the largest ICB
 * and practice managers), and runs autocannon with 50 connections over a mix of the ICB compliance overview, practice
 * pages and CSV downloads while an import runs in a child process. Reports client-side p50/p95/p99, rps, errors,
 * timeouts and non-2xx answers, writes bench/load-results.json, and exits non-zero if any request failed.
 */
import { once } from "node:events";
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PassThrough, type Readable } from "node:stream";
import yauzl from "yauzl";
import yazl from "yazl";
import { openDatabase } from "../db/connection";
import { createUser } from "../app/utils/users.server";
import { hash32, organisations } from "./generate";
import {
  buildIfStale,
  cannon,
  checkPage,
  cli,
  copyDatabase,
  DATA,
  dataset,
  importAll,
  isImported,
  log,
  machine,
  markImported,
  mb,
  PASSWORD,
  removeDatabase,
  ROOT,
  scaleOf,
  signIn,
  startServer,
  type Client,
  type Measured,
} from "./lib";

const HELP = `Usage: npm run load [-- --quick] [-- --duration SECONDS] [-- --connections N]

Load test of ICB Access Monitor (docs/decisions/0013-benchmark.md). Uses the bench national dataset and database
(bench/data/<scale>.db, generated and imported first when missing or out of date), copies the database, adds 50 users
(half commissioners of the largest ICB, half practice managers of its practices), builds the app if stale and serves it
on loopback with one server process per core (WEB_CONCURRENCY), signs every user in, then runs autocannon with one connection per user for the duration over a mix of:
  commissioners: /icb/<icb>/compliance, /icb/<icb>/practices, /icb/<icb>/compliance?format=csv,
                 /icb/<icb>/practices?format=csv, /icb/<icb>/demand?format=csv, /practices/<p>/compliance,
                 /practices/<p>/demand
  managers:      /practices/<own>/compliance, /practices/<own>/demand, /practices/<own>/compliance?format=csv,
                 /practices/<own>
while a revised By Day and Time edition of the latest month (one row in ten with one more submission) is imported
through the CLI in a child process.
Latencies are client-side (autocannon on the same machine). Writes bench/load-results.json.
Exits 1 if any request errored, timed out or answered other than 2xx, or the import failed.

Options:
  --quick            the quick scale (300 practices; default duration 20 s)
  --scale=NAME       full, quick or tiny (default full)
  --duration N       seconds of load (default 60; 20 with --quick)
  --connections N    connections and users (default 50)
  -h, --help         this text
`;

function option(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const a = argv[i]!;
  if (a.includes("=")) {
    argv.splice(i, 1);
    return a.slice(name.length + 1);
  }
  const v = argv[i + 1];
  if (v === undefined) throw new Error(`${name} needs a value`);
  argv.splice(i, 2);
  return v;
}

/**
 * A revised edition of a By Day and Time zip, as NHS England re-issues a month with corrections: the same members,
 * with one row in ten (chosen by a hash of the row, so the same rows each time) carrying one more clinical
 * submission (CLINICAL and TOTAL, the last but three and the last fields, both + 1). The import has real work to
 * do: those rows are updated, and the practice-day and ICB-hour aggregates of their dates rewritten (ADR 17).
 */
async function revise(zipPath: string, outPath: string): Promise<{ rows: number; revised: number }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const out = new yazl.ZipFile();
  const written = once(out.outputStream.pipe(createWriteStream(outPath)), "close");
  let rows = 0;
  let revised = 0;
  try {
    const entries: yauzl.Entry[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on("entry", (e: yauzl.Entry) => (entries.push(e), zip.readEntry()));
      zip.on("end", resolve);
      zip.on("error", reject);
      zip.readEntry();
    });
    for (const entry of entries) {
      const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, r) => (err ? reject(err) : resolve(r))));
      const options = { mtime: entry.getLastModDate(), mode: 0o100644 };
      if (!/\.csv$/i.test(entry.fileName)) {
        out.addReadStream(stream, entry.fileName, options);
        await once(stream, "end");
        continue;
      }
      const member = new PassThrough();
      out.addReadStream(member, entry.fileName, options);
      let header = true;
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        let text = line;
        if (!header && line !== "") {
          rows++;
          if (hash32(line) % 10 === 0) {
            // CLINICAL,ADMIN,UNKNOWN_OTHER,TOTAL end the row and are plain numbers.
            const fields = line.split(",");
            const n = fields.length;
            fields[n - 4] = String(Number(fields[n - 4]) + 1);
            fields[n - 1] = String(Number(fields[n - 1]) + 1);
            text = fields.join(",");
            revised++;
          }
        }
        header = false;
        if (!member.write(text + "\r\n")) await once(member, "drain");
      }
      member.end();
    }
  } finally {
    zip.close();
  }
  out.end();
  await written;
  return { rows, revised };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(HELP);
    return 0;
  }
  const durationText = option(argv, "--duration");
  const connectionsText = option(argv, "--connections");
  const unknown = argv.filter((a) => a !== "--quick" && !a.startsWith("--scale="));
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(" ")}; see --help`);
  const scale = scaleOf(argv);
  const duration = Number(durationText ?? (scale.name === "full" ? 60 : 20));
  const connections = Number(connectionsText ?? 50);
  if (!Number.isInteger(duration) || duration < 1) throw new Error("--duration must be a whole number of seconds");
  if (!Number.isInteger(connections) || connections < 2) throw new Error("--connections must be a whole number, 2 or more");
  log(`load: ${scale.name} scale, ${connections} connections for ${duration} s on ${JSON.stringify(machine())}`);

  // The app and the CLI, built as production runs them.
  await buildIfStale();
  // The bench database, imported once and reused; the test runs on a copy.
  const { dir, manifest } = await dataset(scale);
  const benchDb = join(DATA, `${scale.name}.db`);
  if (!isImported(benchDb, manifest)) {
    log(`import: ${benchDb} is missing or out of date; importing the dataset`);
    await importAll(dir, manifest, benchDb);
    markImported(benchDb, manifest);
  }
  const dbPath = join(DATA, `${scale.name}-load.db`);
  copyDatabase(benchDb, dbPath);

  // 50 distinct users: commissioners of the largest ICB and managers of its practices.
  const icb = manifest.largestIcb;
  const practices = organisations(scale)
    .practices.filter((p) => p.pcn.sub.icb.code === icb)
    .map((p) => p.code);
  const users: { email: string; role: "icb" | "practice"; practice: string }[] = [];
  for (let i = 0; i < connections; i++) {
    const practice = practices[i % practices.length]!;
    if (i % 2 === 0) users.push({ email: `load.commissioner${i}@bench.example`, role: "icb", practice });
    else users.push({ email: `load.manager${i}.${practice.toLowerCase()}@bench.example`, role: "practice", practice });
  }
  const opened = openDatabase(dbPath);
  try {
    for (const u of users) {
      await createUser(
        opened.db,
        { email: u.email, role: u.role, icbCode: u.role === "icb" ? icb : undefined, practiceCode: u.role === "practice" ? u.practice : undefined, password: PASSWORD },
        { actor: "bench-load", ip: "cli" },
      );
    }
  } finally {
    await opened.close();
  }
  log(`users: ${users.length} added (${users.filter((u) => u.role === "icb").length} commissioners of ${icb}, ${users.filter((u) => u.role === "practice").length} practice managers)`);

  // The concurrent import: a revised edition of the latest month's By Day and Time file.
  const latest = manifest.hourlyMonths.at(-1)!;
  const bdt = manifest.steps.find((s) => s.importer === "oc-by-day-time")!.files.find((f) => {
    const label = new Date(`${latest}T00:00:00Z`).toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
    return f.includes(label);
  });
  if (!bdt) throw new Error(`no By Day and Time file for ${latest} in the manifest`);
  const revisedZip = join(DATA, `${scale.name}-load-revised`, bdt.split("/").at(-1)!);
  rmSync(join(DATA, `${scale.name}-load-revised`), { recursive: true, force: true });
  mkdirSync(join(DATA, `${scale.name}-load-revised`), { recursive: true });
  const revision = await revise(join(dir, bdt), revisedZip);
  log(`revised edition: ${revision.revised} of ${revision.rows} rows of ${bdt} with one more clinical submission`);

  const server = await startServer(dbPath);
  let exit = 0;
  try {
    const clients: Client[] = [];
    log(`sign-in: ${users.length} users`);
    for (const u of users) {
      const cookie = await signIn(server.base, u.email);
      const p = u.practice;
      const paths =
        u.role === "icb"
          ? [
              `/icb/${icb}/compliance`,
              `/icb/${icb}/practices`,
              `/practices/${p}/compliance`,
              `/icb/${icb}/compliance?format=csv`,
              `/practices/${p}/demand`,
              `/icb/${icb}/practices?format=csv`,
              `/icb/${icb}/demand?format=csv`,
            ]
          : [`/practices/${p}/compliance`, `/practices/${p}/demand`, `/practices/${p}/compliance?format=csv`, `/practices/${p}`];
      clients.push({ headers: { cookie }, paths });
    }
    // Every path answers 200 before the load starts (and the first requests do not time a cold start).
    for (const c of [clients[0]!, clients[1]!]) for (const path of c.paths) await checkPage(server.base, path, c.headers.cookie!);

    log(`load: autocannon, ${connections} connections, ${duration} s, with an import of ${bdt} running`);
    const importRun: Promise<Measured> = cli(["import", "oc-by-day-time", revisedZip, "--db", dbPath], { allowFail: true });
    const [result, imported] = await Promise.all([cannon(server.base, clients, { connections, duration }), importRun]);
    const importOk = imported.code === 0 && / rows read/.test(imported.stdout);
    const serverPeak = server.peakRssMb();
    // autocannon's errors include its timeouts.
    const failed = result.errors + result.non2xx;
    const results = {
      scale: scale.name,
      machine: machine(),
      connections,
      users: { commissioners: users.filter((u) => u.role === "icb").length, practice_managers: users.filter((u) => u.role === "practice").length, icb },
      duration_s: result.seconds,
      requests: result.requests,
      rps: result.rps,
      p50_ms: result.p50_ms,
      p95_ms: result.p95_ms,
      p99_ms: result.p99_ms,
      max_ms: result.max_ms,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      status: result.status,
      server_peak_rss_mb: mb(serverPeak),
      server_processes: server.processes,
      latency: "client-side: autocannon on the same machine as the server",
      concurrent_import: {
        command: `cli import oc-by-day-time ${bdt.split("/").at(-1)} (revised edition)`,
        exit_code: imported.code,
        seconds: Math.round(imported.seconds * 10) / 10,
        peak_rss_mb: mb(imported.peakRssMb),
        output: imported.stdout.trim().split("\n").slice(-3).join("\n"),
        error: importOk ? null : imported.stderr.trim().slice(-2000),
      },
      pass: failed === 0 && importOk,
      finished_at: new Date().toISOString(),
    };
    writeFileSync(join(ROOT, "bench", "load-results.json"), JSON.stringify(results, null, 2) + "\n");
    log(
      `\nrequests ${result.requests} in ${result.seconds} s: ${result.rps} rps; client-side p50 ${result.p50_ms} ms, p95 ${result.p95_ms} ms, p99 ${result.p99_ms} ms, max ${result.max_ms} ms`,
    );
    log(`errors ${result.errors} (timeouts ${result.timeouts} of them), non-2xx ${result.non2xx}; statuses ${JSON.stringify(result.status)}; server peak RSS ${mb(serverPeak)} MB`);
    log(`concurrent import: exit ${imported.code} in ${imported.seconds.toFixed(1)} s (${mb(imported.peakRssMb)} MB): ${results.concurrent_import.output}`);
    if (!importOk) log(`import failed: ${results.concurrent_import.error}`);
    log(`bench/load-results.json written; ${results.pass ? "PASS" : "FAIL"}`);
    exit = results.pass ? 0 : 1;
  } finally {
    await server.stop();
    removeDatabase(dbPath);
    rmSync(join(DATA, `${scale.name}-load-revised`), { recursive: true, force: true });
  }
  return exit;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`load: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
