import type { Kysely } from "kysely";
import { createHash } from "node:crypto";
import { recordAudit } from "../../db/audit";
import type { Database } from "../../db/schema";
import type { PushEvent } from "~/domain/availability-push";
import { londonDate } from "~/domain/calendar";
import { IntervalWriter } from "./availability.server";
import { loadCalendar, RecomputeSet } from "./compliance.server";
import type { AuthenticatedSupplier } from "./suppliers.server";

/**
 * Stores a validated push from a supplier, all or nothing, in one transaction:
 * - every event's practice must exist and be in one of the supplier's ICBs, else 403 for the whole push (the
 *   answer is the same for a practice that does not exist and one in another ICB);
 * - an event whose `event_id` this supplier sent before is a duplicate when it says the same, a conflict (409)
 *   when it says something else;
 * - new events become availability intervals with the supplier's name as their source, the practice-days they
 *   touch are recomputed, and the push is audit-logged as `supplier:<name>`.
 */
export type PushOutcome =
  | { status: 201; accepted: number; duplicates: number }
  | { status: 403 | 409; error: string; details: string[] };

class Refusal extends Error {
  constructor(readonly outcome: Extract<PushOutcome, { status: 403 | 409 }>) {
    super(outcome.error);
  }
}

const bodyHash = (e: PushEvent) => createHash("sha256").update(e.fingerprint).digest("hex");

export async function pushAvailability(
  db: Kysely<Database>,
  supplier: AuthenticatedSupplier,
  events: PushEvent[],
  repeatsInBody: number,
  meta: { ip: string | null },
): Promise<PushOutcome> {
  try {
    return await db.transaction().execute(async (trx) => {
      const codes = [...new Set(events.map((e) => e.practiceCode))];
      const icbOf = new Map<string, string | null>();
      for (let i = 0; i < codes.length; i += 500) {
        const rows = await trx.selectFrom("practices").select(["ods_code", "icb_code"]).where("ods_code", "in", codes.slice(i, i + 500)).execute();
        for (const r of rows) icbOf.set(r.ods_code, r.icb_code);
      }
      const allowed = new Set(supplier.icbCodes);
      const refused = events.filter((e) => {
        const icb = icbOf.get(e.practiceCode);
        return icb === undefined || icb === null || !allowed.has(icb);
      });
      if (refused.length > 0) {
        throw new Refusal({
          status: 403,
          error: "This token may not report for some of these practices; nothing was stored",
          details: refused.slice(0, 100).map((e) => `${e.label}.practice_code: ${JSON.stringify(e.practiceCode)} is not a practice this token may report for`),
        });
      }

      const previous = new Map<string, string>();
      const ids = events.map((e) => e.eventId);
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await trx
          .selectFrom("supplier_events")
          .select(["event_id", "body_hash"])
          .where("supplier_id", "=", supplier.id)
          .where("event_id", "in", ids.slice(i, i + 500))
          .execute();
        for (const r of rows) previous.set(r.event_id, r.body_hash);
      }
      const conflicts = events.filter((e) => previous.has(e.eventId) && previous.get(e.eventId) !== bodyHash(e));
      if (conflicts.length > 0) {
        throw new Refusal({
          status: 409,
          error: "Some event_ids were received before with different content; nothing was stored",
          details: conflicts.slice(0, 100).map((e) => `${e.label}.event_id: ${JSON.stringify(e.eventId)} was received before with different content`),
        });
      }

      const fresh = events.filter((e) => !previous.has(e.eventId));
      const receivedAt = new Date().toISOString();
      const writer = new IntervalWriter(trx, receivedAt);
      const recompute = new RecomputeSet();
      for (const e of fresh) {
        await writer.add({
          practiceCode: e.practiceCode,
          start: e.start,
          end: e.end,
          status: e.status,
          category: e.category,
          reason: e.reason,
          source: supplier.name,
          supplierId: supplier.id,
          eventId: e.eventId,
        });
        if (e.end > e.start) recompute.add(e.practiceCode, londonDate(e.start), londonDate(e.end - 1));
      }
      await writer.flush();
      for (let i = 0; i < fresh.length; i += 200) {
        await trx
          .insertInto("supplier_events")
          .values(
            fresh.slice(i, i + 200).map((e) => ({
              supplier_id: supplier.id,
              event_id: e.eventId,
              body_hash: bodyHash(e),
              practice_code: e.practiceCode,
              received_at: receivedAt,
            })),
          )
          .execute();
      }
      if (recompute.size > 0) await recompute.run(trx, await loadCalendar(trx));

      const duplicates = events.length - fresh.length + repeatsInBody;
      await recordAudit(trx, {
        actor: `supplier:${supplier.name}`,
        userId: null,
        ip: meta.ip,
        action: "availability.pushed",
        entityType: "supplier",
        entityId: String(supplier.id),
        detail: { accepted: fresh.length, duplicates, practices: [...new Set(fresh.map((e) => e.practiceCode))].sort() },
      });
      return { status: 201 as const, accepted: fresh.length, duplicates };
    });
  } catch (e) {
    if (e instanceof Refusal) return e.outcome;
    throw e;
  }
}
