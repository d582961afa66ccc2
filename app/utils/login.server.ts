import type { AppLoadContext } from "@remix-run/node";
import { recordAudit } from "../../db/audit";
import { getDb } from "./db.server";
import { dummyPasswordHash, verifyPassword } from "./password.server";

/** Failed sign-ins allowed per account, and per address, in the window before further attempts are refused. */
export const THROTTLE = { perAccount: 5, perAddress: 20, windowMinutes: 15 } as const;

export type SignInResult = { ok: true; userId: number; email: string } | { ok: false; reason: "invalid" | "throttled" };

/**
 * Checks an email and password. Failures (wrong password, unknown or disabled account, throttled) all look
 * the same to the caller's user and take about as long, and all are recorded in the audit log.
 */
export async function attemptSignIn(email: string, password: string, context: AppLoadContext): Promise<SignInResult> {
  const db = getDb();
  const ip = context.clientIp ?? null;
  const since = new Date(Date.now() - THROTTLE.windowMinutes * 60_000).toISOString();
  const [byAccount, byAddress] = await Promise.all([
    db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("action", "=", "auth.sign_in_failed")
      .where("entity_type", "=", "email")
      .where("entity_id", "=", email)
      .where("at", ">", since)
      .executeTakeFirstOrThrow(),
    ip
      ? db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("action", "=", "auth.sign_in_failed")
          .where("ip", "=", ip)
          .where("at", ">", since)
          .executeTakeFirstOrThrow()
      : Promise.resolve({ n: 0 }),
  ]);
  const throttled = Number(byAccount.n) >= THROTTLE.perAccount || Number(byAddress.n) >= THROTTLE.perAddress;

  const user = await db
    .selectFrom("users")
    .select(["id", "email", "password_hash", "disabled_at"])
    .where("email", "=", email)
    .executeTakeFirst();
  const passwordOk = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));

  if (!throttled && user && !user.disabled_at && passwordOk) {
    await recordAudit(db, { actor: user.email, userId: user.id, ip, action: "auth.signed_in", entityType: "user", entityId: String(user.id) });
    return { ok: true, userId: user.id, email: user.email };
  }
  await recordAudit(db, {
    actor: email,
    userId: user?.id ?? null,
    ip,
    action: "auth.sign_in_failed",
    entityType: "email",
    entityId: email,
    detail: { reason: throttled ? "throttled" : !user ? "unknown account" : user.disabled_at ? "disabled" : "wrong password" },
  });
  return { ok: false, reason: throttled ? "throttled" : "invalid" };
}
