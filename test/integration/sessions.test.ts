/**
 * Sessions and sign-in, through the real built app: throttling per account and per address, absolute expiry and
 * idle timeout (from SESSION_MAX_AGE_HOURS and SESSION_IDLE_MINUTES), sign out everywhere, password change, a fresh
 * session id at every sign-in, and the cookie's flags.
 *
 * The built app reads its environment once per process, so the limits are set here before it starts: 2 hours and
 * 30 minutes (not the defaults, so that the test shows they are read). Times are moved in the database rather than
 * waited for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../app/utils/users.server";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { startTestApp, type TestApp } from "../support/app";
import { seedSmallWorld } from "../support/small-world";

process.env.SESSION_MAX_AGE_HOURS = "2";
process.env.SESSION_IDLE_MINUTES = "30";

const GENERIC_FAILURE = "Enter a correct email address and password";
const THROTTLED = "Too many attempts to sign in. Wait 15 minutes, then try again";
const NEW_PASSWORD = "a much longer new password 2027";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await seedSmallWorld(app.open.db);
});

afterAll(async () => {
  await app?.open.close();
});

let users = 0;
/** A user of its own for each test (throttling counts from the audit log, which no test can reset). */
async function freshUser(): Promise<{ id: number; email: string }> {
  users++;
  return createUser(app.open.db, { email: `user${users}@sessions.example`, role: "admin", password: DEMO_PASSWORD }, { actor: "test" });
}

interface Attempt {
  status: number;
  cookie: string | null;
  setCookie: string | null;
  location: string | null;
  message: string | null;
}

async function attempt(email: string, password: string, opts: { ip?: string; cookie?: string; userAgent?: string; secure?: boolean; redirectTo?: string } = {}): Promise<Attempt> {
  const body = new URLSearchParams({ email, password });
  if (opts.redirectTo !== undefined) body.set("redirectTo", opts.redirectTo);
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (opts.userAgent) headers["User-Agent"] = opts.userAgent;
  const res = await app.fetch("/login", { method: "POST", body, headers, ip: opts.ip, cookie: opts.cookie, secure: opts.secure });
  const html = await res.text();
  const setCookie = res.headers.get("set-cookie");
  const message = /id="email-error">[\s\S]*?Error:<\/span>\s*(?:<!-- -->)?([^<]*)<\/span>/.exec(html)?.[1] ?? null;
  return { status: res.status, setCookie, cookie: setCookie ? setCookie.split(";")[0]! : null, location: res.headers.get("location"), message };
}

async function signIn(email: string, password = DEMO_PASSWORD, opts: { ip?: string; userAgent?: string; cookie?: string } = {}): Promise<string> {
  const result = await attempt(email, password, opts);
  expect(result.status, `sign-in as ${email}`).toBe(302);
  return result.cookie!;
}

/** Whether a cookie still opens a page that needs a session. */
async function works(cookie: string): Promise<boolean> {
  const res = await app.fetch("/account", { cookie });
  if (res.status === 200) return true;
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("/login?redirectTo=%2Faccount");
  return false;
}

function sessionsOf(userId: number) {
  return app.open.db.selectFrom("sessions").selectAll().where("user_id", "=", userId).orderBy("created_at").execute();
}

function auditOf(action: string, entityId: string) {
  return app.open.db.selectFrom("audit_log").selectAll().where("action", "=", action).where("entity_id", "=", entityId).execute();
}

/** The session token inside a signed cookie (`icb_session=<base64 JSON>.<signature>`). */
function tokenOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1));
  return JSON.parse(Buffer.from(value.slice(0, value.lastIndexOf(".")), "base64").toString("utf8")) as string;
}

async function post(path: string, cookie: string, form: Record<string, string>, ip?: string): Promise<Response> {
  return app.fetch(path, {
    method: "POST",
    cookie,
    ip,
    body: new URLSearchParams(form),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
}

describe("sign-in throttling", { timeout: 120_000 }, () => {
  it("refuses an account after 5 failures, even with the right password, with one generic message and 429", async () => {
    const user = await freshUser();
    const ip = "198.51.100.1";
    for (let i = 0; i < 5; i++) {
      const failed = await attempt(user.email, "wrong password", { ip });
      expect(failed.status).toBe(401);
      expect(failed.message).toBe(GENERIC_FAILURE);
      expect(failed.setCookie).toBeNull();
    }
    const right = await attempt(user.email, DEMO_PASSWORD, { ip });
    expect(right.status).toBe(429);
    expect(right.message).toBe(THROTTLED);
    expect(right.setCookie).toBeNull();
    // The answer is the same whether the password was right or wrong, from another address too...
    const wrong = await attempt(user.email, "wrong again", { ip: "198.51.100.2" });
    expect([wrong.status, wrong.message]).toEqual([429, THROTTLED]);
    const elsewhere = await attempt(user.email, DEMO_PASSWORD, { ip: "198.51.100.3" });
    expect([elsewhere.status, elsewhere.message]).toEqual([429, THROTTLED]);
    expect(await sessionsOf(user.id)).toHaveLength(0);
    // ...and another account from the first address is not held up by this one's failures.
    const other = await freshUser();
    expect((await attempt(other.email, DEMO_PASSWORD, { ip })).status).toBe(302);
    const failures = await auditOf("auth.sign_in_failed", user.email);
    expect(failures.map((f) => JSON.parse(f.detail!).reason)).toEqual([...Array(5).fill("wrong password"), "throttled", "throttled", "throttled"]);
  });

  it("throttles an unknown account exactly like a real one, so the answer does not tell them apart", async () => {
    const ip = "198.51.100.10";
    const ghost = "nobody@sessions.example";
    for (let i = 0; i < 5; i++) expect((await attempt(ghost, "guess", { ip })).message).toBe(GENERIC_FAILURE);
    const sixth = await attempt(ghost, "guess", { ip });
    expect([sixth.status, sixth.message]).toEqual([429, THROTTLED]);
  });

  it("refuses an address after 20 failures across accounts, whichever account it then tries", async () => {
    const ip = "203.0.113.20";
    const targets = await Promise.all([1, 2, 3, 4, 5].map(() => freshUser()));
    // 4 failures on each of 5 accounts: no account reaches its own limit of 5, the address reaches 20.
    for (const t of targets) {
      for (let i = 0; i < 4; i++) expect((await attempt(t.email, "wrong password", { ip })).status).toBe(401);
    }
    const fresh = await freshUser();
    const right = await attempt(fresh.email, DEMO_PASSWORD, { ip });
    expect([right.status, right.message, right.setCookie]).toEqual([429, THROTTLED, null]);
    // From another address the same accounts sign in: it was the address that was held up, not them.
    expect((await attempt(fresh.email, DEMO_PASSWORD, { ip: "203.0.113.21" })).status).toBe(302);
    expect((await attempt(targets[0]!.email, DEMO_PASSWORD, { ip: "203.0.113.21" })).status).toBe(302);
  });
});

describe("session lifetime", { timeout: 120_000 }, () => {
  it("ends a session at its absolute expiry (SESSION_MAX_AGE_HOURS), however recently it was used", async () => {
    const user = await freshUser();
    const before = Date.now();
    const result = await attempt(user.email, DEMO_PASSWORD);
    const cookie = result.cookie!;
    const [session] = await sessionsOf(user.id);
    // 2 hours from sign-in, in the database and on the cookie.
    expect(Date.parse(session!.expires_at) - Date.parse(session!.created_at)).toBe(2 * 3600_000);
    const cookieExpires = Date.parse(/Expires=([^;]+)/i.exec(result.setCookie!)![1]!);
    expect(Math.abs(cookieExpires - (before + 2 * 3600_000))).toBeLessThan(5_000);
    expect(await works(cookie)).toBe(true);

    await app.open.db
      .updateTable("sessions")
      .set({ expires_at: new Date(Date.now() + 60_000).toISOString() })
      .where("user_id", "=", user.id)
      .execute();
    expect(await works(cookie)).toBe(true);
    await app.open.db
      .updateTable("sessions")
      .set({ expires_at: new Date(Date.now() - 1_000).toISOString(), last_seen_at: new Date().toISOString() })
      .where("user_id", "=", user.id)
      .execute();
    expect(await works(cookie)).toBe(false);
    expect(await sessionsOf(user.id)).toHaveLength(0);
  });

  it("ends a session after SESSION_IDLE_MINUTES without a request, and a request keeps it alive", async () => {
    const user = await freshUser();
    const cookie = await signIn(user.email);
    const idle = (minutes: number) =>
      app.open.db
        .updateTable("sessions")
        .set({ last_seen_at: new Date(Date.now() - minutes * 60_000).toISOString() })
        .where("user_id", "=", user.id)
        .execute();
    await idle(29);
    expect(await works(cookie)).toBe(true);
    // That request counted as use: last seen is now.
    const [seen] = await sessionsOf(user.id);
    expect(Date.now() - Date.parse(seen!.last_seen_at)).toBeLessThan(10_000);
    await idle(31);
    expect(await works(cookie)).toBe(false);
    expect(await sessionsOf(user.id)).toHaveLength(0);
  });

  it("starts a fresh session id at every sign-in, and the cookie from before no longer works", async () => {
    const user = await freshUser();
    const first = await signIn(user.email);
    expect(await works(first)).toBe(true);
    // Signing in again from the same browser (sending the old cookie) ends the old session.
    const second = await signIn(user.email, DEMO_PASSWORD, { cookie: first });
    expect(tokenOf(second)).not.toBe(tokenOf(first));
    expect(await works(first)).toBe(false);
    expect(await works(second)).toBe(true);
    expect(await sessionsOf(user.id)).toHaveLength(1);
  });

  it("sends the cookie HttpOnly and SameSite=Lax, and Secure only over HTTPS", async () => {
    const user = await freshUser();
    const plain = await attempt(user.email, DEMO_PASSWORD);
    const flags = (setCookie: string) => setCookie.split(/;\s*/).slice(1).map((f) => f.split("=")[0]!.toLowerCase());
    expect(plain.setCookie).toMatch(/^icb_session=[^;]+;/);
    expect(flags(plain.setCookie!)).toEqual(expect.arrayContaining(["path", "httponly", "samesite", "expires"]));
    expect(plain.setCookie).toMatch(/; SameSite=Lax(;|$)/);
    expect(flags(plain.setCookie!)).not.toContain("secure");

    const secure = await attempt(user.email, DEMO_PASSWORD, { secure: true });
    expect(secure.status).toBe(302);
    expect(flags(secure.setCookie!)).toEqual(expect.arrayContaining(["httponly", "samesite", "secure"]));
    expect(secure.setCookie).toMatch(/; SameSite=Lax(;|$)/);

    // Signing out clears the cookie with the same flags.
    const out = await app.fetch("/logout", { method: "POST", cookie: secure.cookie!, secure: true });
    expect(out.headers.get("set-cookie")).toMatch(/^icb_session=;.*Max-Age=0.*HttpOnly.*Secure.*SameSite=Lax/);
  });

  it("sends a signed-in user back only to this app's own paths", async () => {
    const user = await freshUser();
    const cases: [string, string][] = [
      ["/admin/imports", "/admin/imports"],
      ["//evil.example", "/admin"],
      ["/\\evil.example", "/admin"],
      ["https://evil.example/", "/admin"],
      ["javascript:alert(1)", "/admin"],
      ["/admin\r\nSet-Cookie: x=y", "/admin"],
    ];
    for (const [redirectTo, expected] of cases) {
      const result = await attempt(user.email, DEMO_PASSWORD, { redirectTo });
      expect(result.status).toBe(302);
      expect(result.location, redirectTo).toBe(expected);
    }
  });
});

describe("your account", { timeout: 120_000 }, () => {
  it("lists the user's live sessions with when, where from and which browser, but no token", async () => {
    const user = await freshUser();
    const other = await freshUser();
    const laptop = await signIn(user.email, DEMO_PASSWORD, { ip: "192.0.2.44", userAgent: "Laptop-Browser/1.0" });
    await signIn(user.email, DEMO_PASSWORD, { ip: "192.0.2.45", userAgent: "Phone-Browser/2.0" });
    await signIn(other.email, DEMO_PASSWORD, { ip: "192.0.2.99", userAgent: "Someone-Else/3.0" });
    // An expired session is not listed.
    const stale = await signIn(user.email, DEMO_PASSWORD, { ip: "192.0.2.46", userAgent: "Old-Browser/0.1" });
    const staleRows = await sessionsOf(user.id);
    await app.open.db.updateTable("sessions").set({ expires_at: "2020-01-01T00:00:00.000Z" }).where("id", "=", staleRows.at(-1)!.id).execute();

    const res = await app.fetch("/account", { cookie: laptop });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    const table = /<tbody class="nhsuk-table__body" data-testid="sessions">([\s\S]*?)<\/tbody>/.exec(html)![1]!;
    const rows = table.split("</tr>").filter((r) => r.includes("<td"));
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.includes("Laptop-Browser/1.0"))).toContain("192.0.2.44");
    expect(rows.find((r) => r.includes("Laptop-Browser/1.0"))).toContain("This session");
    expect(rows.find((r) => r.includes("Phone-Browser/2.0"))).toContain("192.0.2.45");
    expect(rows.find((r) => r.includes("Phone-Browser/2.0"))).not.toContain("This session");
    expect(html).not.toContain("Someone-Else/3.0");
    expect(html).not.toContain("Old-Browser/0.1");
    for (const s of await app.open.db.selectFrom("sessions").select("id").execute()) expect(html).not.toContain(s.id);
    for (const c of [laptop, stale]) expect(html).not.toContain(tokenOf(c));
  });

  it("signs out everywhere: every session of the user ends, this one included, and nobody else's", async () => {
    const user = await freshUser();
    const other = await freshUser();
    const browsers = [
      await signIn(user.email, DEMO_PASSWORD, { userAgent: "Browser-A" }),
      await signIn(user.email, DEMO_PASSWORD, { userAgent: "Browser-B" }),
      await signIn(user.email, DEMO_PASSWORD, { userAgent: "Browser-C" }),
    ];
    const bystander = await signIn(other.email);
    for (const b of browsers) expect(await works(b)).toBe(true);

    const res = await post("/account", browsers[1]!, { intent: "sign-out-everywhere" }, "192.0.2.77");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login");
    expect(res.headers.get("set-cookie")).toMatch(/^icb_session=;.*Max-Age=0/);
    for (const b of browsers) expect(await works(b)).toBe(false);
    expect(await sessionsOf(user.id)).toHaveLength(0);
    expect(await works(bystander)).toBe(true);
    const [entry] = await auditOf("auth.signed_out_everywhere", String(user.id));
    expect(entry).toMatchObject({ actor: user.email, user_id: user.id, ip: "192.0.2.77", entity_type: "user" });
    expect(JSON.parse(entry!.detail!)).toEqual({ sessionsEnded: 3 });
  });

  it("changes the password: other sessions end, this browser gets a fresh session id, and the change is audited", async () => {
    const user = await freshUser();
    const here = await signIn(user.email, DEMO_PASSWORD, { userAgent: "Here" });
    const there = await signIn(user.email, DEMO_PASSWORD, { userAgent: "There" });
    const res = await post(
      "/account",
      here,
      { intent: "change-password", currentPassword: DEMO_PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
      "192.0.2.88",
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/account?changed=password");
    const fresh = res.headers.get("set-cookie")!.split(";")[0]!;
    expect(tokenOf(fresh)).not.toBe(tokenOf(here));
    expect(await works(here)).toBe(false);
    expect(await works(there)).toBe(false);
    expect(await works(fresh)).toBe(true);
    expect(await sessionsOf(user.id)).toHaveLength(1);
    const page = await (await app.fetch("/account?changed=password", { cookie: fresh })).text();
    expect(page).toContain("Your password has been changed");

    expect((await attempt(user.email, DEMO_PASSWORD)).status).toBe(401);
    expect((await attempt(user.email, NEW_PASSWORD)).status).toBe(302);
    const [entry] = await auditOf("auth.password_changed", String(user.id));
    expect(entry).toMatchObject({ actor: user.email, user_id: user.id, ip: "192.0.2.88" });
    expect(JSON.parse(entry!.detail!)).toEqual({ sessionsEnded: 2 });
    // The audit entry holds no password, old or new.
    const everything = JSON.stringify(await app.open.db.selectFrom("audit_log").selectAll().where("user_id", "=", user.id).execute());
    expect(everything).not.toContain(NEW_PASSWORD);
    expect(everything).not.toContain(DEMO_PASSWORD);
  });

  it("refuses a password change with a wrong current password, a short or mismatched new one, and changes nothing", async () => {
    const user = await freshUser();
    const here = await signIn(user.email);
    const there = await signIn(user.email);
    const { password_hash: hashBefore } = await app.open.db.selectFrom("users").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow();
    const tries: [Record<string, string>, number, string][] = [
      [{ currentPassword: "not my password", newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }, 400, "Enter your current password correctly"],
      [{ currentPassword: DEMO_PASSWORD, newPassword: "short", confirmPassword: "short" }, 400, "at least 12 characters"],
      [{ currentPassword: DEMO_PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD + "x" }, 400, "Enter the same new password twice"],
      [{ currentPassword: DEMO_PASSWORD, newPassword: DEMO_PASSWORD, confirmPassword: DEMO_PASSWORD }, 400, "different from your current one"],
    ];
    for (const [form, status, message] of tries) {
      const res = await post("/account", here, { intent: "change-password", ...form });
      expect(res.status).toBe(status);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(await res.text()).toContain(message);
    }
    const { password_hash: hashAfter } = await app.open.db.selectFrom("users").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(hashAfter).toBe(hashBefore);
    expect(await works(here)).toBe(true);
    expect(await works(there)).toBe(true);
    expect(await auditOf("auth.password_changed", String(user.id))).toHaveLength(0);
    expect(await auditOf("auth.password_change_failed", String(user.id))).toHaveLength(1);
  });

  it("stops guessing the current password after 5 wrong tries, even with the right one", async () => {
    const user = await freshUser();
    const here = await signIn(user.email);
    for (let i = 0; i < 5; i++) {
      const res = await post("/account", here, { intent: "change-password", currentPassword: `guess ${i}`, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      expect(res.status).toBe(400);
    }
    const res = await post("/account", here, { intent: "change-password", currentPassword: DEMO_PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(res.status).toBe(429);
    expect((await attempt(user.email, NEW_PASSWORD, { ip: "192.0.2.200" })).status).toBe(401);
  });

  it("links to the account page from the header of every signed-in page", async () => {
    const cookie = await signIn("manager.dem001@demo.example");
    const html = await (await app.fetch("/practices/DEM001", { cookie })).text();
    expect(html).toMatch(/<a class="nhsuk-header__account-link"[^>]* href="\/account"[^>]*>Your account<\/a>/);
    const signedOut = await (await app.fetch("/login")).text();
    expect(signedOut).not.toContain('href="/account"');
  });
});
