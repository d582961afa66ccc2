import type { Transaction } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/schema";
import { matchHeader, readCsvBatches, type HeaderIndex } from "./csv";
import { ImportError } from "./errors";
import { optionalOrgCode, optionalText, orgCode, practiceCode, requireWidth, text, validateRecord, type FieldColumns } from "./fields";
import { OrgWriter } from "./orgs";
import { PracticeWriter } from "./practices";
import type { ImportCounts } from "./run";
import type { CsvMember } from "./sources";

/**
 * Practice memberships (practice → PCN → sub-ICB location → ICB → region, with names) from a practice map CSV:
 * `gp-reg-pat-prac-map.csv` (Patients Registered at a GP Practice) or the `Mapping.csv` inside the Appointments in
 * General Practice practice-level zip. Columns are matched by name, so either layout works. Shared by the
 * practice-map importer and the appointments importer (which applies the `Mapping.csv` in its zip).
 */
const SPEC = {
  practice: { names: ["PRACTICE_CODE", "GP_CODE"], required: true },
  practiceName: { names: ["PRACTICE_NAME", "GP_NAME"], required: true },
  postcode: { names: ["PRACTICE_POSTCODE"], required: false },
  pcn: { names: ["PCN_CODE"], required: true },
  pcnName: { names: ["PCN_NAME"], required: true },
  subIcb: { names: ["SUB_ICB_LOCATION_CODE"], required: true },
  subIcbName: { names: ["SUB_ICB_LOCATION_NAME"], required: true },
  subIcbOns: { names: ["ONS_SUB_ICB_LOCATION_CODE"], required: false },
  icb: { names: ["ICB_CODE"], required: true },
  icbName: { names: ["ICB_NAME"], required: true },
  icbOns: { names: ["ONS_ICB_CODE"], required: false },
  region: { names: ["COMM_REGION_CODE", "REGION_CODE"], required: true },
  regionName: { names: ["COMM_REGION_NAME", "REGION_NAME"], required: true },
  regionOns: { names: ["ONS_COMM_REGION_CODE"], required: false },
} as const;
type Key = keyof typeof SPEC;

const onsCode = z
  .string()
  .trim()
  .toUpperCase()
  .transform((s) => (s === "" ? null : s))
  .pipe(z.string().regex(/^E\d{8}$/, { message: "an ONS code like E38000247, or empty" }).nullable());

const RowSchema = z.object({
  practice: practiceCode,
  practiceName: text(200).min(1, { message: "a practice name" }),
  postcode: optionalText(10),
  pcn: optionalOrgCode("a PCN"),
  pcnName: optionalText(200),
  subIcb: orgCode("a sub-ICB location"),
  subIcbName: optionalText(200),
  subIcbOns: onsCode,
  icb: orgCode("an ICB"),
  icbName: optionalText(200),
  icbOns: onsCode,
  region: orgCode("a region"),
  regionName: optionalText(200),
  regionOns: onsCode,
});

export interface MembershipHooks {
  /** Called once per CSV record (progress). */
  tick(): void;
  /** Records a data-quality note. */
  warn(message: string, count?: number): void;
}

/**
 * Loads practice map members into the practice and organisation tables, within an import's transaction.
 * `counts` receives the map rows read and the practices inserted, updated and unchanged. A practice repeated
 * with identical fields (in any member loaded by the same loader) is accepted once with a warning; repeated with
 * other values it is an error naming both lines.
 */
export class MembershipLoader {
  private readonly seen = new Map<string, { line: number; key: string }>();
  /** Every practice code loaded so far. */
  readonly practiceCodes = new Set<string>();

  private constructor(
    private readonly counts: ImportCounts,
    private readonly practices: PracticeWriter,
    private readonly orgs: OrgWriter,
  ) {}

  static async create(trx: Transaction<Database>, counts: ImportCounts, source: string): Promise<MembershipLoader> {
    const practices = await PracticeWriter.create(trx, counts, source);
    const orgs = new OrgWriter(trx, new Date().toISOString());
    return new MembershipLoader(counts, practices, orgs);
  }

  async load(member: CsvMember, hooks: MembershipHooks): Promise<void> {
    let header: HeaderIndex<Key> | null = null;
    let columns: FieldColumns<Key> | null = null;
    for await (const csvBatch of readCsvBatches(await member.open(), member.label))
      for (const record of csvBatch) {
      hooks.tick();
      if (!header) {
        header = matchHeader(record, SPEC, member.label, "practice map");
        const h = header;
        columns = Object.fromEntries(
          (Object.keys(SPEC) as Key[]).map((k) => [k, { index: h[k], name: h.names[h[k]] ?? SPEC[k].names[0] }]),
        ) as FieldColumns<Key>;
        continue;
      }
      this.counts.read++;
      requireWidth(record, header.width, member.label, "practice map");
      const row = validateRecord(RowSchema, record, columns!, member.label);
      const key = record.fields.join("\u0001");
      const earlier = this.seen.get(row.practice);
      if (earlier) {
        if (earlier.key === key) {
          this.counts.unchanged++;
          hooks.warn("Duplicate row (identical to an earlier line) ignored");
          continue;
        }
        throw new ImportError({
          file: member.label,
          line: record.line,
          column: header.practice + 1,
          columnName: header.names[header.practice] ?? null,
          expected: `each practice once; ${row.practice} is also on line ${earlier.line} with different values`,
          got: row.practice,
        });
      }
      this.seen.set(row.practice, { line: record.line, key });
      this.practiceCodes.add(row.practice);

      await this.orgs.upsert("regions", { code: row.region, name: row.regionName, ons_code: row.regionOns });
      await this.orgs.upsert("icbs", { code: row.icb, name: row.icbName, ons_code: row.icbOns, parent: row.region });
      await this.orgs.upsert("sub_icbs", { code: row.subIcb, name: row.subIcbName, ons_code: row.subIcbOns, parent: row.icb });
      if (row.pcn) await this.orgs.upsert("pcns", { code: row.pcn, name: row.pcnName, parent: row.subIcb });
      await this.practices.upsert(
        row.practice,
        {
          name: row.practiceName,
          ...(row.postcode ? { postcode: row.postcode } : {}),
          region_code: row.region,
          icb_code: row.icb,
          sub_icb_code: row.subIcb,
          pcn_code: row.pcn,
        },
        { status: "unknown" },
      );
    }
    if (!header) throw new ImportError({ file: member.label, line: 1, expected: "a practice map header row", got: "an empty file" });
  }

  /** Writes practices still pending and brings the ICB-level aggregates in step; call once after the last member. */
  async finish(): Promise<void> {
    await this.practices.finish();
  }
}
