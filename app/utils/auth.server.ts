import { redirect, type AppLoadContext } from "@remix-run/node";
import { recordAudit } from "../../db/audit";
import type { Practice } from "../../db/schema";
import { canViewIcb, canViewPractice, hasPermission, type Permission } from "~/domain/access";
import { getDb } from "./db.server";
import { forbidden, notFound } from "./http.server";
import { readSessionUser, type SessionUser } from "./session.server";

export type { SessionUser } from "./session.server";

// A request's user is read once, however many loaders ask.
const perRequest = new WeakMap<Request, Promise<SessionUser | null>>();

export function getUser(request: Request): Promise<SessionUser | null> {
  let found = perRequest.get(request);
  if (!found) {
    found = readSessionUser(request);
    perRequest.set(request, found);
  }
  return found;
}

/** Signed in, or sent to the sign-in page (coming back here afterwards). */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getUser(request);
  if (user) return user;
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
}

/** Signed in with a permission that needs no particular organisation; 403 otherwise. */
export async function requirePermission(request: Request, permission: Permission): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!hasPermission(user, permission)) throw forbidden();
  return user;
}

/**
 * The ICB, if this user may see it. Another ICB and one that does not exist get the same 404, so the answer
 * says nothing about what exists elsewhere.
 */
export async function requireIcbAccess(request: Request, icbCode: string | undefined) {
  const user = await requireUser(request);
  const code = (icbCode ?? "").toUpperCase();
  if (!code || !canViewIcb(user, code)) throw notFound();
  const icb = await getDb()
    .selectFrom("icbs")
    .leftJoin("regions", "regions.code", "icbs.region_code")
    .select(["icbs.code", "icbs.name", "icbs.ons_code", "icbs.region_code", "icbs.is_demo", "regions.name as region_name"])
    .where("icbs.code", "=", code)
    .executeTakeFirst();
  if (!icb) throw notFound();
  return { user, icb };
}

/** The practice, if this user may see it; otherwise the same 404 whether or not it exists. */
export async function requirePracticeAccess(request: Request, odsCode: string | undefined): Promise<{ user: SessionUser; practice: Practice }> {
  const user = await requireUser(request);
  const code = (odsCode ?? "").toUpperCase();
  if (!code) throw notFound();
  const practice = await getDb().selectFrom("practices").selectAll().where("ods_code", "=", code).executeTakeFirst();
  if (!practice || !canViewPractice(user, practice)) throw notFound();
  return { user, practice };
}

/** Records an audited event for the signed-in user, with the request's address. */
export function audit(
  user: SessionUser | null,
  context: AppLoadContext,
  event: { action: string; entityType?: string; entityId?: string; detail?: Record<string, unknown> },
): Promise<void> {
  return recordAudit(getDb(), {
    actor: user?.email ?? "anonymous",
    userId: user?.id ?? null,
    ip: context.clientIp ?? null,
    ...event,
  });
}

/**
 * Records that a signed-in user viewed a protected record (a notice, a case): who, which record, when and from
 * where, as `<entityType>.viewed`. Call it in the loader after the guards, so that only views that happened are
 * recorded.
 */
export function auditView(user: SessionUser, context: AppLoadContext, entityType: string, entityId: string): Promise<void> {
  return audit(user, context, { action: `${entityType}.viewed`, entityType, entityId });
}
