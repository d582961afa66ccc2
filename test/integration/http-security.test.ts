/**
 * What the HTTP server itself promises, against the real `node server.js` on a loopback port serving the built app:
 * security headers on every response, HSTS only over HTTPS, cross-site state-changing requests refused (and
 * changing nothing), redirects only to this app's own paths, and request bodies limited in size.
 *
 * Two servers over the same database: one behind a "proxy" (TRUST_PROXY=1, the default 1 MiB body limit) and one
 * facing clients directly with MAX_BODY_BYTES=2000.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueSupplier } from "../../app/services/suppliers.server";
import { openDatabase, type OpenDatabase } from "../../db/connection";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { copyTemplateDatabase, dumpTables } from "../support/db";
import { startServer, type RunningServer } from "../support/server";
import { seedSmallWorld } from "../support/small-world";

const MIB = 1024 * 1024;
const ADMIN = "admin@demo.example";
const MANAGER = "manager.dem001@demo.example";

let dir: string;
let open: OpenDatabase;
let proxied: RunningServer;
let direct: RunningServer;
let supplierToken: string;

beforeAll(async () => {
  const copy = copyTemplateDatabase();
  dir = copy.dir;
  open = openDatabase(copy.path);
  await seedSmallWorld(open.db);
  supplierToken = (await issueSupplier(open.db, { name: "Header test supplier", icbCodes: ["DEMO1"] }, { actor: "test", userId: null, ip: null })).token;
  [proxied, direct] = await Promise.all([
    startServer(copy.path, { TRUST_PROXY: "1" }),
    startServer(copy.path, { MAX_BODY_BYTES: "2000" }),
  ]);
});

afterAll(async () => {
  await Promise.all([proxied?.stop(), direct?.stop()]);
  await open?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request with exactly these headers (no Origin or Sec-Fetch-* unless given). `body` may be a list of chunks,
 * sent chunked without a Content-Length.
 */
type SendOptions = { headers?: Record<string, string>; body?: string | Buffer | Buffer[] };

/**
 * A request with a large body (chunked, or over 1 MiB with its Content-Length) may lose the race with a server that
 * answers 413 and closes: the client's next write fails (EPIPE, ECONNRESET) before it has read the answer. That is a
 * client-side race, not the server failing, so such a request is sent again (up to 3 times); the test still needs
 * the 413 itself.
 */
async function send(server: RunningServer, method: string, path: string, opts: SendOptions = {}): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendOnce(server, method, path, opts);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (opts.body === undefined || attempt >= 3 || (code !== "EPIPE" && code !== "ECONNRESET")) throw e;
    }
  }
}

function sendOnce(server: RunningServer, method: string, path: string, opts: SendOptions): Promise<Answer> {
  const url = new URL(path, server.baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    const chunked = Array.isArray(opts.body);
    if (opts.body !== undefined && !chunked) headers["Content-Length"] = Buffer.byteLength(opts.body as string | Buffer);
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    // The server may answer (413) and close before the whole body is sent: that is the point, not an error.
    req.on("error", (e) => reject(e));
    if (chunked) {
      const list = opts.body as Buffer[];
      let i = 0;
      const writeNext = () => {
        while (i < list.length) {
          if (req.destroyed) return;
          const ok = req.write(list[i++]!);
          if (!ok) return void req.once("drain", writeNext);
        }
        req.end();
      };
      req.on("socket", (s) => s.on("error", () => {}));
      writeNext();
    } else {
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    }
  });
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

async function signIn(server: RunningServer, email: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await send(server, "POST", "/login", { headers: { ...FORM, Origin: server.baseUrl, ...extra }, body: form({ email, password: DEMO_PASSWORD }) });
  expect(res.status, `sign-in as ${email}: ${res.body.slice(0, 200)}`).toBe(302);
  return String(res.headers["set-cookie"]![0]!.split(";")[0]);
}

function expectSecurityHeaders(res: Answer, what: string) {
  const csp = res.headers["content-security-policy"];
  expect(csp, `${what}: Content-Security-Policy`).toBeTypeOf("string");
  const directives = new Map(
    String(csp)
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values] as const),
  );
  const scripts = directives.get("script-src")!;
  expect(scripts, `${what}: script-src`).toBeDefined();
  expect(scripts.some((v) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(v)), `${what}: a nonce in script-src`).toBe(true);
  expect(scripts, `${what}: script-src`).not.toContain("'unsafe-inline'");
  expect(scripts).not.toContain("'unsafe-eval'");
  expect(directives.get("default-src")).toEqual(["'self'"]);
  expect(directives.get("frame-ancestors"), `${what}: frame-ancestors`).toEqual(["'none'"]);
  expect(directives.get("object-src")).toEqual(["'none'"]);
  expect(res.headers["x-content-type-options"], `${what}: nosniff`).toBe("nosniff");
  expect(res.headers["referrer-policy"], `${what}: Referrer-Policy`).toBe("same-origin");
  expect(res.headers["x-frame-options"], `${what}: X-Frame-Options`).toBe("DENY");
  expect(res.headers["x-powered-by"], `${what}: no X-Powered-By`).toBeUndefined();
}

describe("security headers", () => {
  it("are on every kind of response: pages, redirects, errors, assets, downloads, refusals and the API", async () => {
    const cookie = await signIn(proxied, ADMIN);
    const page = await send(proxied, "GET", "/login");
    const asset = /<link rel="stylesheet" href="(\/assets\/[^"]+\.css)"/.exec(page.body)![1]!;
    const cases: [string, Promise<Answer>, number][] = [
      ["sign-in page", Promise.resolve(page), 200],
      ["signed-in page", send(proxied, "GET", "/admin", { headers: { Cookie: cookie } }), 200],
      ["redirect", send(proxied, "GET", "/admin"), 302],
      ["not found", send(proxied, "GET", "/no/such/page", { headers: { Cookie: cookie } }), 404],
      ["forbidden", send(proxied, "GET", "/admin", { headers: { Cookie: await signIn(proxied, MANAGER) } }), 403],
      ["static asset", send(proxied, "GET", asset), 200],
      ["public file", send(proxied, "GET", "/favicon.ico"), 200],
      ["CSV download", send(proxied, "GET", "/admin/imports?format=csv", { headers: { Cookie: cookie } }), 200],
      ["API", send(proxied, "GET", "/api/v1/availability"), 405],
      ["cross-site refusal", send(proxied, "POST", "/login", { headers: { ...FORM, Origin: "https://evil.example" }, body: "email=x" }), 403],
      ["too large", send(direct, "POST", "/login", { headers: { ...FORM, Origin: direct.baseUrl }, body: "x".repeat(3000) }), 413],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expectSecurityHeaders(res, what);
      expect(res.headers["strict-transport-security"], `${what}: no HSTS over plain HTTP`).toBeUndefined();
    }
  });

  it("gives every page a fresh nonce, and only scripts carrying it", async () => {
    const [a, b] = await Promise.all([send(proxied, "GET", "/login"), send(proxied, "GET", "/login")]);
    const nonceOf = (res: Answer) => /'nonce-([^']+)'/.exec(String(res.headers["content-security-policy"]))![1]!;
    expect(nonceOf(a)).not.toBe(nonceOf(b));
    for (const res of [a, b]) {
      const scripts = [...res.body.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
      expect(scripts.length).toBeGreaterThan(0);
      for (const attributes of scripts) {
        // Inline scripts need the nonce; module scripts from /assets are 'self' ('strict-dynamic' trusts what they load).
        if (!/\ssrc=/.test(attributes)) expect(attributes).toContain(`nonce="${nonceOf(res)}"`);
      }
    }
  });

  it("sends HSTS when the request came over HTTPS through a trusted proxy, and only then", async () => {
    const overHttps = await send(proxied, "GET", "/login", { headers: { "X-Forwarded-Proto": "https" } });
    expect(overHttps.status).toBe(200);
    expect(overHttps.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    expectSecurityHeaders(overHttps, "over HTTPS");
    expect((await send(proxied, "GET", "/login", { headers: { "X-Forwarded-Proto": "http" } })).headers["strict-transport-security"]).toBeUndefined();
    // Without TRUST_PROXY the header is anyone's to send, so it means nothing.
    expect((await send(direct, "GET", "/login", { headers: { "X-Forwarded-Proto": "https" } })).headers["strict-transport-security"]).toBeUndefined();
  });

  it("marks the session cookie Secure over HTTPS, and not over plain HTTP", async () => {
    const https = await send(proxied, "POST", "/login", {
      headers: { ...FORM, "X-Forwarded-Proto": "https", Origin: proxied.baseUrl.replace("http:", "https:") },
      body: form({ email: ADMIN, password: DEMO_PASSWORD }),
    });
    expect(https.status).toBe(302);
    expect(https.headers["set-cookie"]![0]).toMatch(/; Secure/);
    expect(https.headers["set-cookie"]![0]).toMatch(/; HttpOnly/);
    const http = await send(proxied, "POST", "/login", { headers: { ...FORM, Origin: proxied.baseUrl }, body: form({ email: ADMIN, password: DEMO_PASSWORD }) });
    expect(http.headers["set-cookie"]![0]).not.toMatch(/; Secure/);
  });
});

describe("cross-site requests", () => {
  it("refuses a POST from another site's page, with or without a session, and changes nothing", async () => {
    const cookie = await signIn(proxied, MANAGER);
    const hashBefore = (await open.db.selectFrom("users").select("password_hash").where("email", "=", MANAGER).executeTakeFirstOrThrow()).password_hash;
    const attempts: [string, string, Record<string, string>, string][] = [
      ["/login", "another site's Origin", { Origin: "https://evil.example" }, form({ email: ADMIN, password: DEMO_PASSWORD })],
      ["/login", "an opaque Origin", { Origin: "null" }, form({ email: ADMIN, password: DEMO_PASSWORD })],
      ["/login", "Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }, form({ email: ADMIN, password: DEMO_PASSWORD })],
      ["/login", "Sec-Fetch-Site: same-site (a sibling subdomain)", { "Sec-Fetch-Site": "same-site" }, form({ email: ADMIN, password: DEMO_PASSWORD })],
      ["/login", "this host on another scheme", { Origin: proxied.baseUrl.replace("http:", "https:") }, form({ email: ADMIN, password: DEMO_PASSWORD })],
      ["/logout", "another site's Origin", { Origin: "https://evil.example", Cookie: cookie }, ""],
      ["/account", "another site's Origin", { Origin: "https://evil.example", Cookie: cookie }, form({ intent: "sign-out-everywhere" })],
      [
        "/account",
        "Sec-Fetch-Site: cross-site",
        { "Sec-Fetch-Site": "cross-site", Cookie: cookie },
        form({ intent: "change-password", currentPassword: DEMO_PASSWORD, newPassword: "pwned by a cross-site form", confirmPassword: "pwned by a cross-site form" }),
      ],
      ["/api/v1/availability", "a session cookie with the token", { Origin: "https://evil.example", Cookie: cookie, Authorization: `Bearer ${supplierToken}` }, "{}"],
    ];
    for (const [path, what, headers, body] of attempts) {
      const before = dumpTables(open);
      const res = await send(proxied, "POST", path, { headers: { ...FORM, ...headers }, body });
      expect(res.status, `${path} with ${what}`).toBe(403);
      expect(res.body).toBe("Cross-site request refused");
      expect(res.headers["set-cookie"]).toBeUndefined();
      expect(dumpTables(open), `${path} with ${what} changed the database`).toEqual(before);
    }
    const hashAfter = (await open.db.selectFrom("users").select("password_hash").where("email", "=", MANAGER).executeTakeFirstOrThrow()).password_hash;
    expect(hashAfter).toBe(hashBefore);
    expect((await send(proxied, "GET", "/account", { headers: { Cookie: cookie } })).status).toBe(200);
  });

  it("takes a POST from this site's own pages (Origin, or Sec-Fetch-Site same-origin), and a token call without a cookie", async () => {
    expect((await signIn(proxied, ADMIN)).startsWith("icb_session=")).toBe(true);
    const bySite = await send(proxied, "POST", "/login", { headers: { ...FORM, "Sec-Fetch-Site": "same-origin" }, body: form({ email: ADMIN, password: DEMO_PASSWORD }) });
    expect(bySite.status).toBe(302);
    // Behind the proxy the page's Origin is https, as the browser saw it.
    const https = await send(proxied, "POST", "/login", {
      headers: { ...FORM, "X-Forwarded-Proto": "https", Origin: proxied.baseUrl.replace("http:", "https:") },
      body: form({ email: ADMIN, password: DEMO_PASSWORD }),
    });
    expect(https.status).toBe(302);
    const cookie = await signIn(proxied, MANAGER);
    const out = await send(proxied, "POST", "/logout", { headers: { ...FORM, Origin: proxied.baseUrl, Cookie: cookie }, body: "" });
    expect(out.status).toBe(302);
    expect((await send(proxied, "GET", "/account", { headers: { Cookie: cookie } })).status).toBe(302);
    // A supplier's server is not a browser: a bearer token without a cookie is not a cross-site form.
    const push = await send(proxied, "POST", "/api/v1/availability", {
      headers: { "Content-Type": "application/json", Origin: "https://supplier.example", Authorization: `Bearer ${supplierToken}` },
      body: JSON.stringify({ event_id: "header-test-1", practice_code: "DEM001", start: "2026-03-02T09:00:00Z", end: "2026-03-02T09:30:00Z", status: "closed" }),
    });
    expect(push.status).toBe(201);
  });

  it("sends a user who signs in only to this app's own paths", async () => {
    const cases: [string, string][] = [
      ["/admin/imports", "/admin/imports"],
      ["//evil.example", "/admin"],
      ["//evil.example/admin", "/admin"],
      ["/\\evil.example", "/admin"],
      ["https://evil.example", "/admin"],
    ];
    for (const [redirectTo, expected] of cases) {
      const res = await send(proxied, "POST", "/login", { headers: { ...FORM, Origin: proxied.baseUrl }, body: form({ email: ADMIN, password: DEMO_PASSWORD, redirectTo }) });
      expect(res.status).toBe(302);
      expect(res.headers.location, redirectTo).toBe(expected);
    }
  });
});

describe("request body limits", () => {
  it("refuses a body over 1 MiB by its Content-Length with 413, and changes nothing", async () => {
    const before = dumpTables(open);
    const big = form({ email: ADMIN, password: DEMO_PASSWORD, padding: "x".repeat(MIB) });
    const res = await send(proxied, "POST", "/login", { headers: { ...FORM, Origin: proxied.baseUrl }, body: big });
    expect(res.status).toBe(413);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(dumpTables(open)).toEqual(before);
  });

  it("refuses a chunked body (no Content-Length) once it passes 1 MiB, and changes nothing", async () => {
    const before = dumpTables(open);
    const head = Buffer.from(form({ email: ADMIN, password: DEMO_PASSWORD }) + "&padding=");
    const chunks = [head, ...Array.from({ length: 40 }, () => Buffer.alloc(64 * 1024, "x"))];
    const res = await send(proxied, "POST", "/login", { headers: { ...FORM, Origin: proxied.baseUrl }, body: chunks });
    expect(res.status).toBe(413);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(dumpTables(open)).toEqual(before);
  });

  it("answers an oversized push with 413 JSON, and stores nothing of it", async () => {
    const before = dumpTables(open);
    const events = Array.from({ length: 9000 }, (_, i) => ({
      event_id: `too-big-${i}`,
      practice_code: "DEM001",
      start: "2026-03-03T09:00:00Z",
      end: "2026-03-03T09:30:00Z",
      status: "closed",
      reason: "padding padding padding",
    }));
    const body = JSON.stringify({ events });
    expect(body.length).toBeGreaterThan(MIB);
    for (const chunked of [false, true]) {
      const res = await send(proxied, "POST", "/api/v1/availability", {
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${supplierToken}` },
        body: chunked ? [Buffer.from(body.slice(0, MIB / 2)), Buffer.from(body.slice(MIB / 2))] : body,
      });
      expect(res.status).toBe(413);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toMatchObject({ error: expect.stringContaining("larger than") });
    }
    expect(dumpTables(open)).toEqual(before);
  });

  it("takes bodies up to the limit, and the limit is MAX_BODY_BYTES", async () => {
    // Just under 1 MiB reaches the app (which refuses the over-long email itself: 400, not 413).
    const underLimit = form({ email: "x".repeat(MIB - 100), password: "p" });
    expect(Buffer.byteLength(underLimit)).toBeLessThanOrEqual(MIB);
    expect((await send(proxied, "POST", "/login", { headers: { ...FORM, Origin: proxied.baseUrl }, body: underLimit })).status).toBe(400);
    // The directly facing server takes 2000 bytes at most: a normal sign-in fits, padding beyond the limit does not.
    expect((await signIn(direct, ADMIN)).startsWith("icb_session=")).toBe(true);
    const padded = (n: number) => form({ email: ADMIN, password: DEMO_PASSWORD, padding: "x".repeat(n) });
    const fits = padded(2000 - Buffer.byteLength(padded(0)));
    expect(Buffer.byteLength(fits)).toBe(2000);
    expect((await send(direct, "POST", "/login", { headers: { ...FORM, Origin: direct.baseUrl }, body: fits })).status).toBe(302);
    expect((await send(direct, "POST", "/login", { headers: { ...FORM, Origin: direct.baseUrl }, body: fits + "x" })).status).toBe(413);
    expect((await send(direct, "POST", "/login", { headers: { ...FORM, Origin: direct.baseUrl }, body: [Buffer.from(fits), Buffer.from("x")] })).status).toBe(413);
  });
});
