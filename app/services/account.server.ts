import type { Kysely } from "kysely";
import { recordAudit } from "../../db/audit";
import type { Database } from "../../db/schema";
import { THROTTLE } from "~/utils/login.server";
import { hashPassword, verifyPassword } from "~/utils/password.server";

/**
 * A signed-in user's own account: changing the password. The current password is checked (so a session left open
 * on a shared computer cannot be used to take the account over), wrong attempts are audited and throttled like
 * sign-ins, and a change ends every session of the user in the same transaction; the caller then starts a fresh one.
 */
export type PasswordChange = { ok: true; sessionsEnded: number } | { ok: false; reason: "wrong" | "throttled" };

export async function changePassword(
  db: Kysely<Database>,
  user: { id: number; email: string },
  input: { currentPassword: string; newPassword: string },
  meta: { ip: string | null },
): Promise<PasswordChange> {
  const since = new Date(Date.now() - THROTTLE.windowMinutes * 60_000).toISOString();
  const failures = await db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("action", "=", "auth.password_change_failed")
    .where("entity_type", "=", "user")
    .where("entity_id", "=", String(user.id))
    .where("at", ">", since)
    .executeTakeFirstOrThrow();
  const throttled = Number(failures.n) >= THROTTLE.perAccount;
  const row = await db.selectFrom("users").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow();
  const ok = await verifyPassword(input.currentPassword, row.password_hash);
  if (throttled || !ok) {
    await recordAudit(db, {
      actor: user.email,
      userId: user.id,
      ip: meta.ip,
      action: "auth.password_change_failed",
      entityType: "user",
      entityId: String(user.id),
      detail: { reason: throttled ? "throttled" : "wrong current password" },
    });
    return { ok: false, reason: throttled ? "throttled" : "wrong" };
  }
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction().execute(async (trx) => {
    await trx.updateTable("users").set({ password_hash: passwordHash, password_changed_at: new Date().toISOString() }).where("id", "=", user.id).execute();
    const ended = await trx.deleteFrom("sessions").where("user_id", "=", user.id).executeTakeFirst();
    const sessionsEnded = Number(ended.numDeletedRows);
    await recordAudit(trx, {
      actor: user.email,
      userId: user.id,
      ip: meta.ip,
      action: "auth.password_changed",
      entityType: "user",
      entityId: String(user.id),
      detail: { sessionsEnded },
    });
    return { ok: true as const, sessionsEnded };
  });
}
