import type { Kysely } from "kysely";
import type { Database } from "./schema";

export interface AuditEvent {
  /** Who: a user's email, or `cli`, `system`, `anonymous`. */
  actor: string;
  userId?: number | null;
  /** What, as `area.verb`: `auth.sign_in`, `import.completed`, `user.created`, … */
  action: string;
  entityType?: string | null;
  entityId?: string | null;
  /** Where from: the client address for web requests, `cli` for the command line. */
  ip?: string | null;
  detail?: Record<string, unknown> | null;
}

/** Appends one row to the audit log (which the database keeps append-only). */
export async function recordAudit(db: Kysely<Database>, event: AuditEvent): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      at: new Date().toISOString(),
      user_id: event.userId ?? null,
      actor: event.actor,
      action: event.action,
      entity_type: event.entityType ?? null,
      entity_id: event.entityId ?? null,
      ip: event.ip ?? null,
      detail: event.detail ? JSON.stringify(event.detail) : null,
    })
    .execute();
}
