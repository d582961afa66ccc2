/**
 * server.js with WEB_CONCURRENCY=2: a primary that migrates once and keeps two server processes on the one port.
 * A session made by one process works in the other (sessions live in the database), a server process that dies is
 * replaced while the other goes on answering, and SIGTERM stops them all.
 */
import { readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { copyTemplateDatabase } from "../support/db";
import { startServer, type RunningServer } from "../support/server";
import { seedSmallWorld } from "../support/small-world";

const MANAGER = "manager.dem001@demo.example";

let dir: string;
let server: RunningServer;

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One request on a connection of its own (no keep-alive), so that the cluster can hand each to either process. */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.baseUrl}${path}`, { method, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  const copy = copyTemplateDatabase();
  dir = copy.dir;
  const open = openDatabase(copy.path);
  await seedSmallWorld(open.db);
  await open.close();
  server = await startServer(copy.path, { WEB_CONCURRENCY: "2" });
  await until("the listening line", () => server.output().includes("(2 processes)"));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("WEB_CONCURRENCY=2", () => {
  it("serves from two processes, and a session signed in through one works in both", async () => {
    expect(server.output()).toMatch(/ICB Access Monitor listening on http:\/\/127\.0\.0\.1:\d+ \(2 processes\)/);
    expect(children(server.pid)).toHaveLength(2);

    const signIn = await send("POST", "/login", { "content-type": "application/x-www-form-urlencoded", origin: server.baseUrl }, new URLSearchParams({ email: MANAGER, password: DEMO_PASSWORD }).toString());
    expect(signIn.status).toBe(302);
    const cookie = String((signIn.headers["set-cookie"] as string[])[0]!.split(";")[0]);
    // Connections are handed round the two processes: a dozen fresh ones reach both, and every one knows the session.
    const pages = await Promise.all(Array.from({ length: 12 }, () => send("GET", "/practices/DEM001/compliance", { cookie })));
    expect(pages.map((p) => p.status)).toEqual(Array(12).fill(200));
    for (const page of pages) expect(page.body).toContain("DEM001");
    const refused = await send("GET", "/practices/DEM002/compliance", { cookie });
    expect(refused.status).toBe(404);
  });

  it("replaces a server process that dies, answering meanwhile; SIGTERM stops every process", async () => {
    // A process that dies within 10 s of starting stops the whole server (a fault that would only repeat): wait past that.
    await new Promise((r) => setTimeout(r, 10_500));
    const [victim, survivor] = children(server.pid);
    process.kill(victim!, "SIGKILL");
    await until("a replacement process", () => {
      const now = children(server.pid);
      return now.length === 2 && !now.includes(victim!);
    });
    expect(children(server.pid)).toContain(survivor);
    expect(server.output()).toContain(`server process ${victim} exited (SIGKILL)`);
    expect((await send("GET", "/login", {})).status).toBe(200);

    const processes = [server.pid, ...children(server.pid)];
    await server.stop();
    await until("every process to end", () => processes.every((pid) => !alive(pid)), 10_000);
  }, 40_000);
});
