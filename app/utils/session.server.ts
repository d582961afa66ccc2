import { createCookie, type AppLoadContext, type Cookie } from "@remix-run/node";
import { createHash, randomBytes } from "node:crypto";
import type { Role } from "../../db/schema";
import { getDb, getSessionSecret } from "./db.server";
import { getEnv } from "./env.server";

export const SESSION_COOKIE_NAME = "icb_session";

export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  icbCode: string | null;
  practiceCode: string | null;
  sessionId: string;
}

let cookie: Cookie | undefined;
async function sessionCookie(): Promise<Cookie> {
  cookie ??= createCookie(SESSION_COOKIE_NAME, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secrets: [await getSessionSecret()],
  });
  return cookie;
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Starts a fresh session (a new random id, whatever the browser had before) and returns its Set-Cookie header.
 * The session the request carried, if any, ends: its cookie never works again, so an id known before sign-in
 * (planted, or left on a shared computer) is worth nothing after it.
 */
export async function createSession(userId: number, request: Request, context: AppLoadContext): Promise<string> {
  const env = getEnv();
  const token = randomBytes(32).toString("base64url");
  const now = new Date();
  const expires = new Date(now.getTime() + env.SESSION_MAX_AGE_HOURS * 3600_000);
  const previous = await readToken(request);
  if (previous) await getDb().deleteFrom("sessions").where("id", "=", hashToken(previous)).execute();
  await getDb()
    .insertInto("sessions")
    .values({
      id: hashToken(token),
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expires.toISOString(),
      ip: context.clientIp ?? null,
      user_agent: request.headers.get("user-agent")?.slice(0, 300) ?? null,
    })
    .execute();
  return (await sessionCookie()).serialize(token, { expires, secure: context.secure === true });
}

async function readToken(request: Request): Promise<string | null> {
  const value: unknown = await (await sessionCookie()).parse(request.headers.get("cookie"));
  return typeof value === "string" && value.length > 0 ? value : null;
}

const LAST_SEEN_RESOLUTION_MS = 30_000;

const touching = new Set<string>();

/**
 * Records a session's use without holding up the request: while an import holds the write lock the update waits
 * (asynchronously, db/waiting-driver.ts) and the page is answered meanwhile. One update per session at a time; one
 * that gives up is left, and the next request tries again (idle timeouts are counted in minutes, not seconds).
 */
function touchSession(id: string, now: number): void {
  if (touching.has(id)) return;
  touching.add(id);
  const at = new Date(now).toISOString();
  getDb()
    .updateTable("sessions")
    .set({ last_seen_at: at })
    .where("id", "=", id)
    .where("last_seen_at", "<", at)
    .execute()
    .catch((error: unknown) => console.error(`session last-seen update failed: ${error instanceof Error ? error.message : String(error)}`))
    .finally(() => touching.delete(id));
}

/** The signed-in user, or null when there is no live session (absent, expired, idle too long, or the user disabled). */
export async function readSessionUser(request: Request): Promise<SessionUser | null> {
  const token = await readToken(request);
  if (!token) return null;
  const id = hashToken(token);
  const db = getDb();
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select([
      "sessions.id as sessionId",
      "sessions.expires_at",
      "sessions.last_seen_at",
      "users.id",
      "users.email",
      "users.name",
      "users.role",
      "users.icb_code",
      "users.practice_code",
      "users.disabled_at",
    ])
    .where("sessions.id", "=", id)
    .executeTakeFirst();
  if (!row) return null;
  const now = Date.now();
  const idleLimit = getEnv().SESSION_IDLE_MINUTES * 60_000;
  const lastSeen = Date.parse(row.last_seen_at);
  if (row.disabled_at || Date.parse(row.expires_at) <= now || lastSeen + idleLimit <= now) {
    await db.deleteFrom("sessions").where("id", "=", id).execute();
    return null;
  }
  if (now - lastSeen > LAST_SEEN_RESOLUTION_MS) touchSession(id, now);
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    icbCode: row.icb_code,
    practiceCode: row.practice_code,
    sessionId: row.sessionId,
  };
}

/** Ends the session the request carries (if any) and returns the Set-Cookie header that clears it. */
export async function destroySession(request: Request, context: AppLoadContext): Promise<string> {
  const token = await readToken(request);
  if (token) await getDb().deleteFrom("sessions").where("id", "=", hashToken(token)).execute();
  return (await sessionCookie()).serialize("", { maxAge: 0, expires: new Date(0), secure: context.secure === true });
}

/** Ends every session of a user ("sign out everywhere", password change). */
export async function destroyAllSessions(userId: number): Promise<number> {
  const result = await getDb().deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface SessionListing {
  /** True for the session this request carries. */
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

/**
 * A user's live sessions (not expired, not idle too long), newest first, for "Your account". Neither the token
 * nor its hash leaves the server: the current one is marked by comparing on this side.
 */
export async function listSessions(userId: number, currentSessionId: string | null): Promise<SessionListing[]> {
  const now = Date.now();
  const idleSince = new Date(now - getEnv().SESSION_IDLE_MINUTES * 60_000).toISOString();
  const rows = await getDb()
    .selectFrom("sessions")
    .select(["id", "created_at", "last_seen_at", "expires_at", "ip", "user_agent"])
    .where("user_id", "=", userId)
    .where("expires_at", ">", new Date(now).toISOString())
    .where("last_seen_at", ">", idleSince)
    .orderBy("created_at", "desc")
    .execute();
  return rows.map((r) => ({
    current: r.id === currentSessionId,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    ip: r.ip,
    userAgent: r.user_agent,
  }));
}

/** The Set-Cookie header that clears the session cookie (after every session of the user was ended). */
export async function clearSessionCookie(context: AppLoadContext): Promise<string> {
  return (await sessionCookie()).serialize("", { maxAge: 0, expires: new Date(0), secure: context.secure === true });
}
