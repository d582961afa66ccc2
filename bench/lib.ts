/**
 * What `bench/run.ts` and `bench/load.ts` share: the dataset and its database, child processes measured for time and
 * peak memory, the built app on loopback, sign-in, and autocannon runs with exact client-side percentiles.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { datasetIsCurrent, generateDataset, readManifest, SCALES, type BenchScale, type Manifest, type ScaleName } from "./generate";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DATA = join(ROOT, "bench", "data");
export const PASSWORD = "bench-password-2026";

export const log = (m: string) => process.stdout.write(`${m}\n`);

export function machine() {
  return { cores: cpus().length, memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version };
}

export function scaleOf(argv: string[]): BenchScale {
  const named = argv.find((a) => a.startsWith("--scale="))?.slice("--scale=".length);
  const name: ScaleName = argv.includes("--quick") ? "quick" : ((named ?? "full") as ScaleName);
  const scale = SCALES[name];
  if (!scale) throw new Error(`unknown scale ${named}; one of ${Object.keys(SCALES).join(", ")}`);
  return scale;
}

/** The dataset of a scale in bench/data/<scale>, generated unless the one there is current. */
export async function dataset(scale: BenchScale): Promise<{ dir: string; manifest: Manifest; generated: boolean; seconds: number }> {
  const dir = join(DATA, scale.name);
  const t0 = performance.now();
  if (datasetIsCurrent(dir, scale)) {
    log(`dataset: reusing ${dir}`);
    return { dir, manifest: readManifest(dir)!, generated: false, seconds: 0 };
  }
  log(`dataset: generating the ${scale.name} scale in ${dir}`);
  const manifest = await generateDataset(scale, dir, log);
  return { dir, manifest, generated: true, seconds: (performance.now() - t0) / 1000 };
}

export function removeDatabase(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes

export interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Peak resident set size of the process (VmHWM), MB. */
  peakRssMb: number;
}

const TIME = "/usr/bin/time";
const hasTime = existsSync(TIME);

/** VmHWM of a live process, kB (0 when it is gone). */
export function vmHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs a command from the repository root and measures its wall time and peak RSS: with GNU time's `%M` (from the
 * kernel's rusage at exit) when installed, else by polling /proc/<pid>/status VmHWM every 20 ms.
 */
export function runMeasured(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; echo?: boolean } = {}): Promise<Measured> {
  const marker = "BENCH_MAXRSS_KB=";
  const [file, argv] = hasTime ? [TIME, ["-f", `${marker}%M`, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, argv, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let polled = 0;
    const poll = hasTime ? null : setInterval(() => (polled = Math.max(polled, vmHwmKb(child.pid!))), 20);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (opts.echo) process.stdout.write(d);
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (poll) clearInterval(poll);
      const seconds = (performance.now() - t0) / 1000;
      let kb = polled;
      if (hasTime) {
        const at = stderr.lastIndexOf(marker);
        if (at >= 0) {
          kb = Number(stderr.slice(at + marker.length).trim().split(/\s/)[0]);
          stderr = stderr.slice(0, at);
        }
      }
      resolve({ code: code ?? 1, stdout, stderr, seconds, peakRssMb: kb / 1024 });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** The built CLI (`node build/cli/cli.js`, as production runs it; see buildIfStale), run by node directly so the measured process is the CLI itself. */
export const BUILT_CLI = join(ROOT, "build", "cli", "cli.js");

export async function cli(args: string[], opts: { input?: string; allowFail?: boolean } = {}): Promise<Measured> {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run buildIfStale() first`);
  const r = await runMeasured(process.execPath, [BUILT_CLI, ...args], { input: opts.input });
  if (r.code !== 0 && !opts.allowFail) {
    throw new Error(`cli ${args.slice(0, 3).join(" ")} … failed (exit ${r.code}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  }
  return r;
}

/** Rows read, summed over the files of one `import` run (from the CLI's "N rows read" lines). */
export function rowsRead(stdout: string): number {
  let rows = 0;
  for (const m of stdout.matchAll(/: imported as #\d+: (\d+) rows read/g)) rows += Number(m[1]);
  return rows;
}

export interface ImportTiming {
  importer: string;
  files: number;
  rows: number;
  seconds: number;
  peakRssMb: number;
}

/** Imports every step of the manifest into a fresh database through the CLI; times each step. */
export async function importAll(dir: string, manifest: Manifest, dbPath: string): Promise<ImportTiming[]> {
  removeDatabase(dbPath);
  mkdirSync(DATA, { recursive: true });
  const timings: ImportTiming[] = [];
  for (const step of manifest.steps) {
    const r = await cli(["import", step.importer, ...step.files.map((f) => join(dir, f)), ...step.args, "--db", dbPath]);
    const rows = rowsRead(r.stdout);
    if (rows === 0) throw new Error(`import ${step.importer} read no rows (already imported?):\n${r.stdout}`);
    timings.push({ importer: step.importer, files: step.files.length, rows, seconds: r.seconds, peakRssMb: r.peakRssMb });
    log(`  import ${step.importer.padEnd(15)} ${String(step.files.length).padStart(3)} file(s) ${String(rows).padStart(10)} rows ${r.seconds.toFixed(1).padStart(7)} s ${Math.round(r.peakRssMb).toString().padStart(5)} MB`);
  }
  return timings;
}

/** Marks a database as holding every import of a dataset, so `bench/load.ts` can start from a copy of it. */
export function markImported(dbPath: string, manifest: Manifest): void {
  writeFileSync(`${dbPath}.json`, JSON.stringify({ inputsHash: manifest.inputsHash, importedAt: new Date().toISOString() }) + "\n");
}

export function isImported(dbPath: string, manifest: Manifest): boolean {
  if (!existsSync(dbPath) || !existsSync(`${dbPath}.json`)) return false;
  try {
    return (JSON.parse(readFileSync(`${dbPath}.json`, "utf8")) as { inputsHash?: string }).inputsHash === manifest.inputsHash;
  } catch {
    return false;
  }
}

export function copyDatabase(from: string, to: string): void {
  removeDatabase(to);
  copyFileSync(from, to);
  for (const suffix of ["-wal", "-shm"]) if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
}

// ---------------------------------------------------------------------------------------------------------------
// The app

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Builds the app and the CLI (`npm run build`) when build/server/index.js or build/cli/cli.js is missing or older
 * than their sources.
 */
export async function buildIfStale(): Promise<{ built: boolean; seconds: number }> {
  const outs = [join(ROOT, "build", "server", "index.js"), BUILT_CLI];
  const sources = ["app", "db", "importers", "vite.config.ts", "package.json", "package-lock.json"].map((p) => join(ROOT, p)).filter(existsSync);
  const newest = Math.max(...sources.map(newestMtime));
  if (outs.every((out) => existsSync(out) && statSync(out).mtimeMs >= newest) && existsSync(join(ROOT, "build", "client"))) {
    log("build: up to date");
    return { built: false, seconds: 0 };
  }
  log("build: npm run build");
  const r = await runMeasured("npm", ["run", "build"]);
  if (r.code !== 0) throw new Error(`npm run build failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  log(`build: done in ${r.seconds.toFixed(1)} s`);
  return { built: true, seconds: r.seconds };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Server {
  base: string;
  pid: number;
  /** Server processes (WEB_CONCURRENCY). */
  processes: number;
  /** Peak RSS so far, MB: the sum of each process's VmHWM (the primary's and its server processes'), an upper bound. */
  peakRssMb(): number;
  stop(): Promise<void>;
  output(): string;
}

/** The pids of a process's children (Linux), for a cluster's server processes. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Starts `node server.js` on loopback with the database, one server process per core (WEB_CONCURRENCY, as
 * docs/operations.md advises for a deployment), and waits until it answers.
 */
export async function startServer(dbPath: string, processes = Math.max(1, availableParallelism())): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ["server.js"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: dbPath, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production", WEB_CONCURRENCY: String(processes) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  let exited = false;
  const closed = new Promise<void>((resolve) => child.on("close", () => ((exited = true), resolve())));
  // Each process's own peak, kept past its exit.
  const peaks = new Map<number, number>();
  const server: Server = {
    base,
    pid: child.pid!,
    processes,
    peakRssMb: () => {
      for (const pid of [child.pid!, ...childPids(child.pid!)]) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, vmHwmKb(pid)));
      return [...peaks.values()].reduce((a, b) => a + b, 0) / 1024;
    },
    output: () => output,
    stop: async () => {
      server.peakRssMb();
      if (!exited) child.kill("SIGTERM");
      await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
      if (!exited) child.kill("SIGKILL");
    },
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`the server exited at start:\n${output}`);
    try {
      const res = await fetch(`${base}/login`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`the server did not answer within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`server: ${processes} process(es) (WEB_CONCURRENCY) on ${base}`);
  return server;
}

/** Signs in through the login form (with the Origin header the server checks) and returns the Cookie header. */
export async function signIn(base: string, email: string, password = PASSWORD): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
    body: new URLSearchParams({ email, password, redirectTo: "" }).toString(),
  });
  const cookies = res.headers.getSetCookie().map((c) => c.split(";")[0]!);
  if (res.status !== 302 && res.status !== 303) throw new Error(`sign-in as ${email} answered ${res.status}, not a redirect`);
  if (cookies.length === 0) throw new Error(`sign-in as ${email} set no cookie`);
  return cookies.join("; ");
}

/** GETs a page once (warms caches) and checks it answers 200. */
export async function checkPage(base: string, path: string, cookie: string): Promise<number> {
  const res = await fetch(base + path, { headers: { cookie }, redirect: "manual" });
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  return body.byteLength;
}

// ---------------------------------------------------------------------------------------------------------------
// autocannon

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Connection errors, timeouts included (autocannon's count). */
  errors: number;
  timeouts: number;
  non2xx: number;
  status: Record<string, number>;
}

/** Exact percentile of sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Client {
  /** Headers every request of this connection sends (its session cookie). */
  headers: Record<string, string>;
  /** The paths this connection cycles through. */
  paths: string[];
}

/**
 * One autocannon run. Each connection takes the next of `clients` (round robin) and cycles through its paths with its
 * cookie. Latencies are taken from every response as autocannon's client sees it (client-side, on this machine).
 */
export async function cannon(base: string, clients: Client[], opts: { connections: number; duration: number; timeout?: number }): Promise<LoadResult> {
  const times: number[] = [];
  const status: Record<string, number> = {};
  let next = 0;
  let done: (r: autocannon.Result) => void = () => {};
  let failed: (e: unknown) => void = () => {};
  const finished = new Promise<autocannon.Result>((resolve, reject) => ((done = resolve), (failed = reject)));
  const instance = autocannon({
    url: base,
    connections: opts.connections,
    duration: opts.duration,
    timeout: opts.timeout ?? 10,
    setupClient: (client) => {
      const c = clients[next++ % clients.length]!;
      client.setRequests(c.paths.map((path) => ({ method: "GET", path, headers: c.headers })));
    },
  }, (err: Error | null, result: autocannon.Result) => (err ? failed(err) : done(result)));
  instance.on("response", (_client, statusCode, _bytes, responseTime) => {
    times.push(responseTime);
    status[statusCode] = (status[statusCode] ?? 0) + 1;
  });
  const result = await finished;
  times.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    requests: times.length,
    seconds: result.duration,
    rps: round(times.length / result.duration),
    p50_ms: round(percentile(times, 50)),
    p95_ms: round(percentile(times, 95)),
    p99_ms: round(percentile(times, 99)),
    max_ms: round(times.at(-1) ?? NaN),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    status,
  };
}

export const mb = (x: number) => Math.round(x * 10) / 10;
