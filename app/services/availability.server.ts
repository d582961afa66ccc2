import type { Kysely, Transaction } from "kysely";
import type { Database, IntervalCategory, IntervalStatus } from "../../db/schema";

export interface NewInterval {
  practiceCode: string;
  start: number;
  end: number;
  status: IntervalStatus;
  category: IntervalCategory;
  reason: string | null;
  source: string;
  importId?: number | null;
  supplierId?: number | null;
  eventId?: string | null;
}

/** Batches interval inserts within a transaction. */
export class IntervalWriter {
  private pending: NewInterval[] = [];
  constructor(
    private readonly trx: Kysely<Database>,
    private readonly receivedAt = new Date().toISOString(),
  ) {}

  async add(interval: NewInterval): Promise<void> {
    this.pending.push(interval);
    if (this.pending.length >= 500) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    await this.trx
      .insertInto("availability_intervals")
      .values(
        rows.map((r) => ({
          practice_code: r.practiceCode,
          source: r.source,
          start_min: r.start,
          end_min: r.end,
          status: r.status,
          category: r.category,
          reason: r.reason,
          import_id: r.importId ?? null,
          supplier_id: r.supplierId ?? null,
          event_id: r.eventId ?? null,
          received_at: this.receivedAt,
        })),
      )
      .execute();
  }
}

/**
 * A later file from the same source for the same practice and period replaces the earlier one: earlier intervals
 * from that source inside [start, end) are removed, and ones reaching across its edges are cut at them.
 * Returns how many earlier intervals were removed or cut.
 */
export async function replaceEarlier(
  trx: Transaction<Database>,
  args: { source: string; practiceCode: string; start: number; end: number; importId: number },
): Promise<number> {
  const { source, practiceCode, start, end, importId } = args;
  const earlier = await trx
    .selectFrom("availability_intervals")
    .selectAll()
    .where("practice_code", "=", practiceCode)
    .where("source", "=", source)
    .where("start_min", "<", end)
    .where("end_min", ">", start)
    .where((eb) => eb.or([eb("import_id", "is", null), eb("import_id", "!=", importId)]))
    .execute();
  for (const row of earlier) {
    const keepBefore = row.start_min < start;
    const keepAfter = row.end_min > end;
    if (!keepBefore && !keepAfter) {
      await trx.deleteFrom("availability_intervals").where("id", "=", row.id).execute();
    } else if (keepBefore && !keepAfter) {
      await trx.updateTable("availability_intervals").set({ end_min: start }).where("id", "=", row.id).execute();
    } else if (!keepBefore && keepAfter) {
      await trx.updateTable("availability_intervals").set({ start_min: end }).where("id", "=", row.id).execute();
    } else {
      await trx.updateTable("availability_intervals").set({ end_min: start }).where("id", "=", row.id).execute();
      const { id: _id, ...rest } = row;
      await trx
        .insertInto("availability_intervals")
        .values({ ...rest, start_min: end, event_id: null })
        .execute();
    }
  }
  return earlier.length;
}

/**
 * Intervals of an import that overlap an earlier-starting interval of the same practice in the same import for
 * the same kind of request (an `all` interval speaks for both clinical and admin; a clinical and an admin
 * interval at the same time do not overlap). Streams the import's rows in order, so memory stays flat.
 */
export async function countOverlaps(trx: Kysely<Database>, importId: number): Promise<number> {
  let overlaps = 0;
  let practice: string | null = null;
  let reach = { clinical: -Infinity, admin: -Infinity };
  const rows = trx
    .selectFrom("availability_intervals")
    .select(["practice_code", "start_min", "end_min", "category"])
    .where("import_id", "=", importId)
    .orderBy("practice_code")
    .orderBy("start_min")
    .orderBy("id")
    .stream(1000);
  for await (const row of rows) {
    if (row.practice_code !== practice) {
      practice = row.practice_code;
      reach = { clinical: -Infinity, admin: -Infinity };
    }
    const kinds = row.category === "all" ? (["clinical", "admin"] as const) : ([row.category] as const);
    if (kinds.some((k) => row.start_min < reach[k])) overlaps++;
    for (const k of kinds) reach[k] = Math.max(reach[k], row.end_min);
  }
  return overlaps;
}
