import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "./schema";

export async function getSetting(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom("app_settings").select("value").where("key", "=", key).executeTakeFirst();
  return row?.value;
}

export async function setSetting(db: Kysely<Database>, key: string, value: string): Promise<void> {
  const updated_at = new Date().toISOString();
  await db
    .insertInto("app_settings")
    .values({ key, value, updated_at })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at }))
    .execute();
}

/**
 * The secret that signs session cookies: `SESSION_SECRET` when given, otherwise one generated on first start
 * and kept in the database, so that `npm run serve` needs no setting and sessions survive restarts.
 */
export async function ensureSessionSecret(db: Kysely<Database>, fromEnv?: string): Promise<string> {
  if (fromEnv) return fromEnv;
  const existing = await getSetting(db, "session_secret");
  if (existing) return existing;
  const generated = randomBytes(32).toString("base64url");
  await db
    .insertInto("app_settings")
    .values({ key: "session_secret", value: generated, updated_at: new Date().toISOString() })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  return (await getSetting(db, "session_secret")) ?? generated;
}
