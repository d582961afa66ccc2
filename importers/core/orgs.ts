import type { Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { isDemoCode } from "./fields";

type OrgTable = "regions" | "icbs" | "sub_icbs" | "pcns";
const PARENT: Record<OrgTable, "region_code" | "icb_code" | "sub_icb_code" | null> = {
  regions: null,
  icbs: "region_code",
  sub_icbs: "icb_code",
  pcns: "sub_icb_code",
};

export interface OrgValues {
  code: string;
  name?: string | null;
  ons_code?: string | null;
  parent?: string | null;
}

interface KnownOrg {
  name: string | null;
  ons_code: string | null;
  parent: string | null;
}

/**
 * Keeps the organisation tables (regions, ICBs, sub-ICB locations, PCNs) in step with a file, within its transaction.
 * A file that names an organisation creates it; a file that gives a name, ONS code or parent updates them; a file
 * that leaves one out (epraccur has codes but no names) keeps what is stored.
 */
export class OrgWriter {
  private known = new Map<string, KnownOrg>();
  private loaded = new Set<OrgTable>();
  readonly created: Record<OrgTable, number> = { regions: 0, icbs: 0, sub_icbs: 0, pcns: 0 };
  readonly updated: Record<OrgTable, number> = { regions: 0, icbs: 0, sub_icbs: 0, pcns: 0 };

  constructor(
    private readonly trx: Transaction<Database>,
    private readonly now: string,
  ) {}

  private async load(table: OrgTable) {
    if (this.loaded.has(table)) return;
    this.loaded.add(table);
    const parent = PARENT[table];
    const rows = (await this.trx
      .selectFrom(table)
      .selectAll()
      .execute()) as unknown as Array<Record<string, string | null>>;
    for (const r of rows) {
      this.known.set(`${table}:${r.code}`, {
        name: r.name ?? null,
        ons_code: r.ons_code ?? null,
        parent: parent ? (r[parent] ?? null) : null,
      });
    }
  }

  async upsert(table: OrgTable, values: OrgValues): Promise<void> {
    await this.load(table);
    const key = `${table}:${values.code}`;
    const existing = this.known.get(key);
    const parentColumn = PARENT[table];
    if (!existing) {
      const row: Record<string, unknown> = {
        code: values.code,
        name: values.name ?? null,
        is_demo: isDemoCode(values.code) ? 1 : 0,
        updated_at: this.now,
      };
      if (parentColumn) row[parentColumn] = values.parent ?? null;
      if (table !== "pcns") row.ons_code = values.ons_code ?? null;
      await this.trx.insertInto(table).values(row as never).execute();
      this.known.set(key, { name: values.name ?? null, ons_code: values.ons_code ?? null, parent: values.parent ?? null });
      this.created[table]++;
      return;
    }
    const changes: Record<string, unknown> = {};
    if (values.name && values.name !== existing.name) changes.name = values.name;
    if (table !== "pcns" && values.ons_code && values.ons_code !== existing.ons_code) changes.ons_code = values.ons_code;
    if (parentColumn && values.parent && values.parent !== existing.parent) changes[parentColumn] = values.parent;
    if (Object.keys(changes).length === 0) return;
    await this.trx
      .updateTable(table)
      .set({ ...changes, updated_at: this.now } as never)
      .where("code", "=", values.code)
      .execute();
    this.known.set(key, {
      name: (changes.name as string | undefined) ?? existing.name,
      ons_code: (changes.ons_code as string | undefined) ?? existing.ons_code,
      parent: parentColumn ? ((changes[parentColumn] as string | undefined) ?? existing.parent) : null,
    });
    this.updated[table]++;
  }

  /** A one-line account of what changed, for the import log. */
  summary(): string | null {
    const parts: string[] = [];
    const label: Record<OrgTable, string> = { regions: "regions", icbs: "ICBs", sub_icbs: "sub-ICB locations", pcns: "PCNs" };
    for (const t of Object.keys(label) as OrgTable[]) {
      if (this.created[t] || this.updated[t]) parts.push(`${label[t]}: ${this.created[t]} new, ${this.updated[t]} updated`);
    }
    return parts.length ? `Organisations ${parts.join("; ")}` : null;
  }
}
