import type { Kysely } from "kysely";
import { recordAudit } from "../../db/audit";
import type { Database, IntervalCategory, PauseKind, PauseStatus } from "../../db/schema";
import { londonDate } from "~/domain/calendar";
import { loadCalendar, RecomputeSet } from "./compliance.server";

/**
 * Pause requests ("exceptional circumstances"). A practice asks, ahead of time (planned) or after the fact
 * (an outage); a commissioner of its ICB approves or declines with a note. Only approved pauses turn closed
 * minutes into excepted minutes, so approving (or anything that changes an approved pause) recomputes the
 * practice-days it covers, in the same transaction. Every step is audit-logged.
 */
export interface Actor {
  userId: number | null;
  actor: string;
  ip: string | null;
  /** When the step happened, if not now (back-filling a request made by email; the demo). The audit log records the real time. */
  at?: string;
}

export interface NewPause {
  practiceCode: string;
  category: IntervalCategory;
  /** Epoch minutes. */
  start: number;
  end: number;
  reason: string;
  kind: PauseKind;
}

export class PauseError extends Error {}

export async function requestPause(db: Kysely<Database>, pause: NewPause, by: Actor): Promise<number> {
  if (pause.end <= pause.start) throw new PauseError("The end must be after the start");
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto("pause_requests")
      .values({
        practice_code: pause.practiceCode,
        category: pause.category,
        start_min: pause.start,
        end_min: pause.end,
        reason: pause.reason,
        kind: pause.kind,
        status: "pending",
        requested_by: by.userId,
        requested_at: by.at ?? new Date().toISOString(),
        decided_by: null,
        decided_at: null,
        decision_note: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: by.actor,
      userId: by.userId,
      ip: by.ip,
      action: "pause.requested",
      entityType: "pause_request",
      entityId: String(id),
      detail: { practiceCode: pause.practiceCode, category: pause.category, start: pause.start, end: pause.end, kind: pause.kind, reason: pause.reason, requestedAt: by.at ?? null },
    });
    return id;
  });
}

async function changeStatus(
  db: Kysely<Database>,
  id: number,
  to: PauseStatus,
  note: string | null,
  by: Actor,
  allowedFrom: PauseStatus[],
  action: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const pause = await trx.selectFrom("pause_requests").selectAll().where("id", "=", id).executeTakeFirst();
    if (!pause) throw new PauseError("No such pause request");
    if (!allowedFrom.includes(pause.status)) throw new PauseError(`This request is already ${pause.status}`);
    await trx
      .updateTable("pause_requests")
      .set({ status: to, decided_by: by.userId, decided_at: by.at ?? new Date().toISOString(), decision_note: note })
      .where("id", "=", id)
      .execute();
    await recordAudit(trx, {
      actor: by.actor,
      userId: by.userId,
      ip: by.ip,
      action,
      entityType: "pause_request",
      entityId: String(id),
      detail: { practiceCode: pause.practice_code, from: pause.status, to, note, decidedAt: by.at ?? null },
    });
    if (pause.status === "approved" || to === "approved") {
      const set = new RecomputeSet();
      set.add(pause.practice_code, londonDate(pause.start_min), londonDate(pause.end_min - 1));
      await set.run(trx, await loadCalendar(trx));
    }
  });
}

export function approvePause(db: Kysely<Database>, id: number, note: string | null, by: Actor): Promise<void> {
  return changeStatus(db, id, "approved", note, by, ["pending"], "pause.approved");
}

export function declinePause(db: Kysely<Database>, id: number, note: string, by: Actor): Promise<void> {
  if (!note.trim()) throw new PauseError("Give a reason for declining");
  return changeStatus(db, id, "declined", note, by, ["pending"], "pause.declined");
}

/** The practice withdraws a request that has not been decided. */
export function withdrawPause(db: Kysely<Database>, id: number, by: Actor): Promise<void> {
  return changeStatus(db, id, "withdrawn", null, by, ["pending"], "pause.withdrawn");
}

export async function listPauses(db: Kysely<Database>, practiceCode: string) {
  return db
    .selectFrom("pause_requests")
    .leftJoin("users as requester", "requester.id", "pause_requests.requested_by")
    .leftJoin("users as decider", "decider.id", "pause_requests.decided_by")
    .selectAll("pause_requests")
    .select(["requester.name as requested_by_name", "decider.name as decided_by_name"])
    .where("pause_requests.practice_code", "=", practiceCode)
    .orderBy("pause_requests.start_min", "desc")
    .execute();
}
