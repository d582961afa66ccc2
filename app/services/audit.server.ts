import { sql, type Kysely, type SelectQueryBuilder, type SqlBool } from "kysely";
import { DateTime } from "luxon";
import type { Database } from "../../db/schema";

/**
 * Searching the audit log (admins, `/admin/audit`). Every filter is optional and they combine:
 * - `actor`: part of who did it (an email, `cli`, `supplier:<name>`), any case;
 * - `action`: an action (`auth.signed_in`), or an area without a dot (`auth`) for all of its actions;
 * - `entityType`, `entityId`: what it was done to, exactly;
 * - `from`, `to`: London dates, inclusive.
 * Newest first.
 */
export interface AuditFilters {
  actor?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  from?: string;
  to?: string;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  user_id: number | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  ip: string | null;
  detail: string | null;
}

/** The instant a London date begins, as stored (`toISOString`). */
export function londonDayStart(date: string): string {
  return DateTime.fromISO(date, { zone: "Europe/London" }).startOf("day").toJSDate().toISOString();
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `column LIKE pattern`, any case, with `\` escaping `%` and `_` in the pattern (the same on SQLite and Postgres). */
function like(column: "actor" | "action", pattern: string) {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern.toLowerCase()} escape '\\'`;
}

function applyFilters<O>(query: SelectQueryBuilder<Database, "audit_log", O>, f: AuditFilters): SelectQueryBuilder<Database, "audit_log", O> {
  let q = query;
  if (f.actor) q = q.where(like("actor", `%${escapeLike(f.actor)}%`));
  if (f.action) {
    const action = f.action;
    q = action.includes(".")
      ? q.where("action", "=", action)
      : q.where((eb) => eb.or([eb("action", "=", action), like("action", `${escapeLike(action)}.%`)]));
  }
  if (f.entityType) q = q.where("entity_type", "=", f.entityType);
  if (f.entityId) q = q.where("entity_id", "=", f.entityId);
  if (f.from) q = q.where("at", ">=", londonDayStart(f.from));
  if (f.to) q = q.where("at", "<", londonDayStart(DateTime.fromISO(f.to).plus({ days: 1 }).toISODate()!));
  return q;
}

export async function searchAudit(
  db: Kysely<Database>,
  filters: AuditFilters,
  page?: { limit: number; offset: number },
): Promise<{ rows: AuditRow[]; total: number }> {
  let query = applyFilters(db.selectFrom("audit_log").selectAll(), filters).orderBy("id", "desc");
  if (page) query = query.limit(page.limit).offset(page.offset);
  const [rows, total] = await Promise.all([
    query.execute(),
    applyFilters(db.selectFrom("audit_log").select((eb) => eb.fn.countAll<number>().as("n")), filters).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** What the search form offers: the actions and entity types in the log. */
export async function auditVocabulary(db: Kysely<Database>): Promise<{ actions: string[]; entityTypes: string[] }> {
  const [actions, types] = await Promise.all([
    db.selectFrom("audit_log").select("action").distinct().orderBy("action").execute(),
    db.selectFrom("audit_log").select("entity_type").distinct().where("entity_type", "is not", null).orderBy("entity_type").execute(),
  ]);
  return { actions: actions.map((a) => a.action), entityTypes: types.map((t) => t.entity_type!) };
}
