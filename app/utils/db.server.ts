import type { Kysely } from "kysely";
import { migrateToLatest, openDatabase, resolveDatabasePath, type OpenDatabase } from "../../db/connection";
import type { Database } from "../../db/schema";
import { ensureSessionSecret } from "../../db/settings";
import { getEnv } from "./env.server";

// One connection per process; kept on globalThis so that dev-server reloads don't open another.
const holder = globalThis as unknown as { __icbDb?: OpenDatabase; __icbReady?: Promise<void>; __icbSecret?: string };

function instance(): OpenDatabase {
  if (!holder.__icbDb) holder.__icbDb = openDatabase(resolveDatabasePath(getEnv().DATABASE_PATH), {
      slowQueryMs: getEnv().SLOW_QUERY_MS,
      busyWaitMs: getEnv().DB_BUSY_WAIT_MS,
    });
  return holder.__icbDb;
}

export function getDb(): Kysely<Database> {
  return instance().db;
}

/** Migrates the database and settles the session secret. Run once before serving. */
export function prepareDatabase(): Promise<void> {
  holder.__icbReady ??= (async () => {
    const { db } = instance();
    await migrateToLatest(db);
    holder.__icbSecret = await ensureSessionSecret(db, getEnv().SESSION_SECRET);
  })();
  return holder.__icbReady;
}

export async function getSessionSecret(): Promise<string> {
  await prepareDatabase();
  return holder.__icbSecret!;
}
