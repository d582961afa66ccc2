/**
 * The real HTTP server (`node server.js`, Express in front of the built app) as a child process on a free loopback
 * port, for tests of what only the server does: security headers, the Origin check, body limits, HTTPS behind a
 * proxy. Start it over a database the test prepared (closed first, or at least not in a write transaction).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { ensureBuild } from "./build";

export interface RunningServer {
  baseUrl: string;
  /** The `node server.js` process (a cluster's primary with WEB_CONCURRENCY > 1). */
  pid: number;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** A port nobody listens on now (the kernel's choice), released for the server to take. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export async function startServer(databasePath: string, env: Record<string, string> = {}): Promise<RunningServer> {
  ensureBuild();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(process.execPath, ["server.js"], {
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", DATABASE_PATH: databasePath, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const killOnExit = () => {
    if (!exited(child)) child.kill("SIGKILL");
  };
  process.on("exit", killOnExit);
  const stop = async () => {
    process.off("exit", killOnExit);
    if (exited(child)) return;
    const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 8_000);
    await done;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited(child)) throw new Error(`node server.js exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/login`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`node server.js did not answer ${baseUrl}/login within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { baseUrl, pid: child.pid!, output: () => output, stop };
}
