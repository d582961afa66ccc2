/**
 * The browser journeys' world, made once per `npm run test:e2e`:
 *
 *   1. checks that Chromium is there (Debian's package; CHROMIUM_PATH overrides the path),
 *   2. runs the production build of the app and the CLI (`npm run build`),
 *   3. seeds a fresh demo database in a temporary directory through the built CLI (`node build/cli/cli.js demo seed`),
 *   4. starts `node server.js` on a free port and waits until it answers,
 *   5. provides the base URL and the database path to the tests (`inject("e2eBaseUrl")`).
 *
 * Teardown stops the server and deletes the temporary directory. So does a failure half way through, and so
 * does the test process exiting without a teardown (the server is killed on `exit`).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the built app is served for the browser journeys, e.g. `http://127.0.0.1:41234`. */
    e2eBaseUrl: string;
    /** The served app's (seeded demo) database, for reading expected values. Never write to it. */
    e2eDatabasePath: string;
  }
}

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

const SERVER_READY_TIMEOUT_MS = 30_000;
const SERVER_STOP_TIMEOUT_MS = 8_000;

function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
}

/** Runs a command to completion; its output is shown only when it fails. */
function run(what: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const started = Date.now();
  const result = spawnSync(command, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`e2e setup: ${what} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `e2e setup: ${what} failed (${command} ${args.join(" ")} exited with ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  console.log(`e2e setup: ${what} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** A port nobody is listening on now (the kernel's choice), released for the server to take. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error("e2e setup: no free port"))));
    });
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Polls until the server answers the sign-in page, failing early (with its output) if it dies. */
async function waitUntilServing(baseUrl: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + SERVER_READY_TIMEOUT_MS;
  let last = "";
  while (Date.now() < deadline) {
    if (exited(server)) throw new Error(`e2e setup: node server.js exited with ${server.exitCode ?? server.signalCode}:\n${output()}`);
    try {
      const res = await fetch(`${baseUrl}/login`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`e2e setup: the server did not answer ${baseUrl}/login within ${SERVER_READY_TIMEOUT_MS / 1000}s (last: ${last}):\n${output()}`);
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (exited(server)) return;
  const done = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), SERVER_STOP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
}

export default async function setup(project: TestProject) {
  const chromium = chromiumPath();
  if (!existsSync(chromium)) {
    throw new Error(
      `e2e setup: Chromium not found at ${chromium}. The browser journeys drive Debian's Chromium: install Debian's chromium: apt-get install -y chromium (or set CHROMIUM_PATH to another Chromium binary).`,
    );
  }

  run("production build (npm run build: the app and the CLI)", "npm", ["run", "build"]);

  const dir = mkdtempSync(join(tmpdir(), "icb-e2e-"));
  let server: ChildProcess | undefined;
  const killOnExit = () => {
    if (server && !exited(server)) server.kill("SIGKILL");
  };
  const cleanUp = async () => {
    process.off("exit", killOnExit);
    if (server) await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const databasePath = join(dir, "e2e.db");
    run("demo database seeded by the built CLI", process.execPath, ["build/cli/cli.js", "--db", databasePath, "demo", "seed"]);

    const port = await freePort();
    const host = "127.0.0.1";
    const baseUrl = `http://${host}:${port}`;
    let output = "";
    server = spawn(process.execPath, ["server.js"], {
      env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: host, DATABASE_PATH: databasePath },
      stdio: ["ignore", "pipe", "pipe"],
    });
    process.on("exit", killOnExit);
    server.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      // The server's errors belong next to the failing journey.
      process.stderr.write(`[server] ${chunk.toString()}`);
    });
    await waitUntilServing(baseUrl, server, () => output);
    console.log(`e2e setup: serving ${baseUrl}`);

    project.provide("e2eBaseUrl", baseUrl);
    project.provide("e2eDatabasePath", databasePath);
  } catch (error) {
    await cleanUp();
    throw error;
  }

  return cleanUp;
}
