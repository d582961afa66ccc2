import type { Kysely, Transaction } from "kysely";
import type { Database, Practice, PracticeStatus } from "../../db/schema";
import { isDemoCode } from "./fields";
import { measuresFollowMoves } from "~/services/measures.server";
import { icbsAffectedByMoves, rebuildIcbHourly } from "~/services/oc-aggregates.server";
import type { ImportCounts } from "./run";
import { chunks } from "~/utils/chunks";

export type PracticeFields = Partial<Omit<Practice, "ods_code" | "created_at" | "updated_at" | "is_demo" | "source">> & {
  name: string;
};

/**
 * Inserts and updates practices within an import's transaction, counting inserted, updated and unchanged rows.
 * Only the fields a file gives are compared and written: a membership file leaves addresses alone, epraccur
 * leaves PCNs alone. Existing practices are read once, so memory grows with the number of practices, not rows.
 */
export class PracticeWriter {
  private existing = new Map<string, Practice>();
  private pending: Record<string, unknown>[] = [];
  /** Practices whose ICB this import set or changed: the ICB-level aggregates of their data must follow them. */
  private readonly moves: { practice: string; from: string | null; to: string | null }[] = [];

  private constructor(
    private readonly trx: Transaction<Database>,
    private readonly counts: ImportCounts,
    private readonly source: string,
    private readonly now: string,
  ) {}

  static async create(trx: Transaction<Database>, counts: ImportCounts, source: string): Promise<PracticeWriter> {
    const writer = new PracticeWriter(trx, counts, source, new Date().toISOString());
    for (const p of await trx.selectFrom("practices").selectAll().execute()) writer.existing.set(p.ods_code, p);
    return writer;
  }

  async upsert(code: string, fields: PracticeFields, defaults: { status: PracticeStatus }): Promise<void> {
    const current = this.existing.get(code);
    if (!current) {
      const row = {
        ods_code: code,
        address_line1: null,
        address_line2: null,
        address_line3: null,
        address_line4: null,
        address_line5: null,
        postcode: null,
        phone: null,
        open_date: null,
        close_date: null,
        region_code: null,
        icb_code: null,
        sub_icb_code: null,
        pcn_code: null,
        contract_type: null,
        status: defaults.status,
        ...fields,
        source: this.source,
        is_demo: isDemoCode(code) ? 1 : 0,
        created_at: this.now,
        updated_at: this.now,
      };
      if (row.icb_code) this.moves.push({ practice: code, from: null, to: row.icb_code });
      this.pending.push(row);
      this.existing.set(code, row as Practice);
      this.counts.inserted++;
      if (this.pending.length >= 200) await this.flush();
      return;
    }
    const changes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (v !== undefined && (current as unknown as Record<string, unknown>)[k] !== v) changes[k] = v;
    }
    if (Object.keys(changes).length === 0) {
      this.counts.unchanged++;
      return;
    }
    if ("icb_code" in changes) this.moves.push({ practice: code, from: current.icb_code, to: (changes.icb_code as string | null) ?? null });
    await this.flush();
    await this.trx
      .updateTable("practices")
      .set({ ...changes, source: this.source, updated_at: this.now })
      .where("ods_code", "=", code)
      .execute();
    this.existing.set(code, { ...current, ...changes } as Practice);
    this.counts.updated++;
  }

  /**
   * Writes what is pending, then rebuilds the ICB-level aggregates (ADR 17) of every ICB that a practice with data
   * joined or left in this import. Call once, at the end of the import, inside its transaction.
   */
  async finish(): Promise<void> {
    await this.flush();
    if (this.moves.length === 0) return;
    await rebuildIcbHourly(this.trx, await icbsAffectedByMoves(this.trx, this.moves));
    await measuresFollowMoves(this.trx, this.moves.map((m) => m.practice));
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    await this.trx.insertInto("practices").values(rows as never).execute();
  }
}

/** How many of `codes` (counted once each) are not in the practice data: for the warnings of importers that keep such rows. */
export async function countUnknownPractices(db: Kysely<Database>, codes: Iterable<string>): Promise<number> {
  let unknown = 0;
  for (const group of chunks([...new Set(codes)], 500)) {
    const known = await db.selectFrom("practices").select("ods_code").where("ods_code", "in", group).execute();
    unknown += group.length - known.length;
  }
  return unknown;
}
