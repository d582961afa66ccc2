import type { Kysely } from "kysely";
import { recordAudit } from "../../db/audit";
import type { Database } from "../../db/schema";
import { DEFAULT_POLICY, type Policy } from "~/domain/policy";

/** The ICB's policy, or the defaults when it has not set one. */
export async function getPolicy(db: Kysely<Database>, icbCode: string): Promise<Policy & { isDefault: boolean; updatedAt: string | null; updatedBy: string | null }> {
  const row = await db.selectFrom("icb_policies").selectAll().where("icb_code", "=", icbCode).executeTakeFirst();
  if (!row) return { ...DEFAULT_POLICY, isDefault: true, updatedAt: null, updatedBy: null };
  return {
    closedMinutesPerDay: row.closed_minutes_per_day,
    flaggedDays: row.flagged_days,
    windowDays: row.window_days,
    isDefault: false,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export async function savePolicy(
  db: Kysely<Database>,
  icbCode: string,
  policy: Policy,
  by: { actor: string; userId: number | null; ip: string | null },
): Promise<void> {
  const before = await getPolicy(db, icbCode);
  const updated_at = new Date().toISOString();
  const values = {
    closed_minutes_per_day: policy.closedMinutesPerDay,
    flagged_days: policy.flaggedDays,
    window_days: policy.windowDays,
    updated_at,
    updated_by: by.actor,
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("icb_policies")
      .values({ icb_code: icbCode, ...values })
      .onConflict((oc) => oc.column("icb_code").doUpdateSet(values))
      .execute();
    await recordAudit(trx, {
      ...by,
      action: "policy.updated",
      entityType: "icb",
      entityId: icbCode,
      detail: {
        before: { closedMinutesPerDay: before.closedMinutesPerDay, flaggedDays: before.flaggedDays, windowDays: before.windowDays },
        after: policy,
      },
    });
  });
}
