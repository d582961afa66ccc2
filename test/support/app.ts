import type { ServerBuild } from "@remix-run/node";
import { createRequestHandler } from "@remix-run/node";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { ensureBuild } from "./build";
import { copyTemplateDatabase } from "./db";
import { openDatabase, type OpenDatabase } from "../../db/connection";

export interface TestApp {
  build: ServerBuild;
  /** A second connection to the same database, for arranging data and checking results. */
  open: OpenDatabase;
  dbPath: string;
  /**
   * Sends a request through the real, built request handler (as server.js does, without the network). `ip` is the
   * client address the app sees; `secure: true` hands it the load context of a request that came over HTTPS.
   */
  fetch(path: string, init?: RequestInit & { cookie?: string; ip?: string; secure?: boolean }): Promise<Response>;
  /** Signs in through the real /login action and returns the session cookie. */
  signIn(email: string, password: string): Promise<string>;
}

export const ORIGIN = "http://app.test";

/**
 * The built app (build/server/index.js, rebuilt first when stale) over a fresh copy of the template database.
 * Call once per test file: the bundle keeps one database connection per process.
 */
export async function startTestApp(): Promise<TestApp> {
  ensureBuild();
  const { path } = copyTemplateDatabase();
  process.env.DATABASE_PATH = path;
  process.env.NODE_ENV = "production";
  const build = (await import(pathToFileURL(resolve("build/server/index.js")).href)) as ServerBuild & {
    entry: { module: { prepare(): Promise<void> } };
  };
  await build.entry.module.prepare();
  const handler = createRequestHandler(build, "production");
  const open = openDatabase(path);
  const app: TestApp = {
    build,
    open,
    dbPath: path,
    fetch(p, init = {}) {
      const headers = new Headers(init.headers);
      if (init.cookie) headers.set("Cookie", init.cookie);
      const { cookie: _cookie, ip, secure, ...rest } = init;
      const request = new Request(new URL(p, ORIGIN), { ...rest, headers, redirect: "manual" });
      return handler(request, { cspNonce: "test-nonce", clientIp: ip ?? "192.0.2.1", secure: secure === true });
    },
    async signIn(email, password) {
      const body = new URLSearchParams({ email, password });
      const res = await app.fetch("/login", { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
      const setCookie = res.headers.get("set-cookie");
      if (res.status !== 302 || !setCookie) throw new Error(`Sign-in as ${email} failed with ${res.status}`);
      return setCookie.split(";")[0]!;
    },
  };
  return app;
}
