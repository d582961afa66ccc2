import { z } from "zod";
import type { PracticeStatus } from "../db/schema";
import { readCsvBatches } from "./core/csv";
import { ImportError } from "./core/errors";
import { optionalDate, optionalOrgCode, optionalText, practiceCode, requireWidth, text, validateRecord, type FieldColumns } from "./core/fields";
import { OrgWriter } from "./core/orgs";
import { PracticeWriter } from "./core/practices";
import type { Importer } from "./core/run";

/**
 * ODS `epraccur`: every prescribing cost centre in England, no header, 27 quoted columns, dates `YYYYMMDD`.
 * Two formats are in circulation:
 * - current (ODS Data Search and Export): status `ACTIVE`/`INACTIVE`/`DORMANT`, role codes such as `RO76` in column 26;
 * - legacy (the retired `epraccur.zip`): status `A`/`C`/`D`/`P`, prescribing setting `4` in column 26.
 * Only GP practices (RO76 or setting 4) are kept; closed ones are kept as closed.
 */
const WIDTH = 27;

const STATUS: Record<string, PracticeStatus> = {
  ACTIVE: "active",
  INACTIVE: "closed",
  DORMANT: "dormant",
  A: "active",
  C: "closed",
  D: "dormant",
  P: "proposed",
};

const COLUMNS = {
  code: { index: 0, name: "Organisation Code" },
  name: { index: 1, name: "Name" },
  region: { index: 2, name: "National Grouping" },
  icb: { index: 3, name: "High Level Health Geography" },
  address1: { index: 4, name: "Address Line 1" },
  address2: { index: 5, name: "Address Line 2" },
  address3: { index: 6, name: "Address Line 3" },
  address4: { index: 7, name: "Address Line 4" },
  address5: { index: 8, name: "Address Line 5" },
  postcode: { index: 9, name: "Postcode" },
  openDate: { index: 10, name: "Open Date" },
  closeDate: { index: 11, name: "Close Date" },
  status: { index: 12, name: "Status Code" },
  subIcb: { index: 14, name: "Commissioner" },
  phone: { index: 17, name: "Contact Telephone Number" },
  setting: { index: 25, name: "Prescribing Setting" },
} satisfies FieldColumns<string>;

const RowSchema = z.object({
  code: practiceCode,
  name: text(200).min(1, { message: "a practice name" }),
  region: optionalOrgCode("a region"),
  icb: optionalOrgCode("an ICB"),
  address1: optionalText(200),
  address2: optionalText(200),
  address3: optionalText(200),
  address4: optionalText(200),
  address5: optionalText(200),
  postcode: optionalText(10),
  openDate: optionalDate(["yyyymmdd"]),
  closeDate: optionalDate(["yyyymmdd"]),
  status: z
    .string()
    .trim()
    .toUpperCase()
    .refine((s) => s in STATUS, { message: "a status of ACTIVE, INACTIVE or DORMANT (or legacy A, C, D or P)" })
    .transform((s) => STATUS[s]!),
  subIcb: optionalOrgCode("a sub-ICB location"),
  phone: optionalText(40),
  setting: z.string(),
});

function isGpPractice(setting: string): boolean {
  const s = setting.trim();
  return s === "4" || s.split("|").map((r) => r.trim().toUpperCase()).includes("RO76");
}

export const epraccurImporter: Importer = {
  source: "epraccur",
  title: "ODS epraccur: GP practices (current RO76 or legacy setting-4 format; .csv or .zip)",
  async run(ctx) {
    const practices = await PracticeWriter.create(ctx.trx, ctx.counts, "epraccur");
    const orgs = new OrgWriter(ctx.trx, new Date().toISOString());
    const seen = new Map<string, { line: number; key: string }>();
    for (const member of ctx.input.members) {
      let rows = 0;
      for await (const csvBatch of readCsvBatches(await member.open(), member.label))
      for (const record of csvBatch) {
        ctx.tick();
        rows++;
        ctx.counts.read++;
        if (rows === 1 && /^organisation code$/i.test(record.fields[0]?.trim() ?? "")) {
          throw new ImportError({
            file: member.label,
            line: record.line,
            column: 1,
            expected: "no header row (epraccur as published by ODS starts with data)",
            got: record.fields[0] ?? "",
          });
        }
        requireWidth(record, WIDTH, member.label, "epraccur");
        const setting = record.fields[25] ?? "";
        if (!isGpPractice(setting)) {
          ctx.counts.rejected++;
          ctx.warn("Not loaded: not a GP practice (prescribing setting is not 4 / role is not RO76)");
          continue;
        }
        const row = validateRecord(RowSchema, record, COLUMNS, member.label);
        const key = record.fields.join("\u0001");
        const earlier = seen.get(row.code);
        if (earlier) {
          if (earlier.key === key) {
            ctx.counts.unchanged++;
            ctx.warn("Duplicate row (identical to an earlier line) ignored");
            continue;
          }
          throw new ImportError({
            file: member.label,
            line: record.line,
            column: 1,
            columnName: COLUMNS.code.name,
            expected: `each practice once; ${row.code} is also on line ${earlier.line} with different values`,
            got: row.code,
          });
        }
        seen.set(row.code, { line: record.line, key });

        if (row.region) await orgs.upsert("regions", { code: row.region });
        if (row.icb) await orgs.upsert("icbs", { code: row.icb, parent: row.region });
        if (row.subIcb) await orgs.upsert("sub_icbs", { code: row.subIcb, parent: row.icb });
        await practices.upsert(
          row.code,
          {
            name: row.name,
            address_line1: row.address1,
            address_line2: row.address2,
            address_line3: row.address3,
            address_line4: row.address4,
            address_line5: row.address5,
            postcode: row.postcode,
            phone: row.phone,
            status: row.status,
            open_date: row.openDate,
            close_date: row.closeDate,
            region_code: row.region,
            icb_code: row.icb,
            sub_icb_code: row.subIcb,
          },
          { status: row.status },
        );
      }
      if (rows === 0) throw new ImportError({ file: member.label, line: 1, expected: "at least one epraccur row", got: "an empty file" });
    }
    await practices.finish();
  },
};
