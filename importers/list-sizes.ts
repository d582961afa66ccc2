import { z } from "zod";
import { matchHeader, readCsvBatches } from "./core/csv";
import { ImportError } from "./core/errors";
import { date, practiceCode, requireWidth, validateRecord, wholeNumber, type FieldColumns } from "./core/fields";
import type { Importer } from "./core/run";
import { recomputeMeasures } from "~/services/measures.server";

/**
 * Registered patients per practice per month: `gp-reg-pat-prac-all.csv` (Patients Registered at a GP Practice).
 * Columns are matched by name, so both header vintages load (the sub-ICB era `SUB_ICB_LOCATION_CODE` and the
 * CCG era `CCG_CODE`), and `EXTRACT_DATE` may be `01JAN2021` or `2026-04-01`. Each month is kept; a newer
 * edition of the same month replaces its values.
 */
const SPEC = {
  extractDate: { names: ["EXTRACT_DATE"], required: true },
  type: { names: ["TYPE", "ORG_TYPE"], required: false },
  code: { names: ["CODE", "ORG_CODE", "PRACTICE_CODE"], required: true },
  sex: { names: ["SEX"], required: false },
  age: { names: ["AGE"], required: false },
  patients: { names: ["NUMBER_OF_PATIENTS"], required: true },
} as const;

const RowSchema = z.object({
  extractDate: date(["iso", "ddmonyyyy"]),
  type: z.string().trim().toUpperCase(),
  code: practiceCode,
  sex: z.string().trim().toUpperCase(),
  age: z.string().trim().toUpperCase(),
  patients: wholeNumber,
});

export const listSizesImporter: Importer = {
  source: "list-sizes",
  title: "Registered patients per practice: gp-reg-pat-prac-all.csv (either header vintage; .csv or .zip)",
  async run(ctx) {
    const existing = new Map<string, number>();
    const seen = new Map<string, { line: number; patients: number }>();
    let pending: { practice_code: string; month: string; patients: number; import_id: number }[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const rows = pending;
      pending = [];
      await ctx.trx
        .insertInto("list_sizes")
        .values(rows)
        .onConflict((oc) =>
          oc.columns(["practice_code", "month"]).doUpdateSet((eb) => ({
            patients: eb.ref("excluded.patients"),
            import_id: eb.ref("excluded.import_id"),
          })),
        )
        .execute();
    };
    const loadedMonths = new Set<string>();

    for (const member of ctx.input.members) {
      let header: ReturnType<typeof matchHeader<keyof typeof SPEC>> | null = null;
      let columns: FieldColumns<keyof typeof SPEC> | null = null;
      for await (const csvBatch of readCsvBatches(await member.open(), member.label))
      for (const record of csvBatch) {
        ctx.tick();
        if (!header) {
          header = matchHeader(record, SPEC, member.label, "gp-reg-pat-prac-all");
          const h = header;
          columns = Object.fromEntries(
            (Object.keys(SPEC) as (keyof typeof SPEC)[]).map((k) => [k, { index: h[k], name: h.names[h[k]] ?? SPEC[k].names[0] }]),
          ) as FieldColumns<keyof typeof SPEC>;
          continue;
        }
        ctx.counts.read++;
        requireWidth(record, header.width, member.label, "gp-reg-pat-prac-all");
        const row = validateRecord(RowSchema, record, columns!, member.label);
        if ((row.type && row.type !== "GP") || (row.sex && row.sex !== "ALL") || (row.age && row.age !== "ALL")) {
          ctx.counts.rejected++;
          ctx.warn("Not loaded: not a whole-practice total (TYPE, SEX or AGE other than GP/ALL/ALL)");
          continue;
        }
        const month = row.extractDate.slice(0, 8) + "01";
        if (!loadedMonths.has(month)) {
          loadedMonths.add(month);
          const rows = await ctx.trx.selectFrom("list_sizes").select(["practice_code", "patients"]).where("month", "=", month).execute();
          for (const r of rows) existing.set(`${r.practice_code}|${month}`, r.patients);
        }
        const key = `${row.code}|${month}`;
        const earlier = seen.get(key);
        if (earlier) {
          if (earlier.patients === row.patients) {
            ctx.counts.unchanged++;
            ctx.warn("Duplicate row (identical to an earlier line) ignored");
            continue;
          }
          throw new ImportError({
            file: member.label,
            line: record.line,
            column: header.code + 1,
            columnName: header.names[header.code] ?? null,
            expected: `one row per practice per month; ${row.code} for ${month.slice(0, 7)} is also on line ${earlier.line} with ${earlier.patients} patients`,
            got: row.code,
          });
        }
        seen.set(key, { line: record.line, patients: row.patients });
        const stored = existing.get(key);
        if (stored === row.patients) {
          ctx.counts.unchanged++;
          continue;
        }
        if (stored === undefined) ctx.counts.inserted++;
        else ctx.counts.updated++;
        pending.push({ practice_code: row.code, month, patients: row.patients, import_id: ctx.importId });
        if (pending.length >= 500) await flush();
      }
      if (!header) throw new ImportError({ file: member.label, line: 1, expected: "a gp-reg-pat-prac-all header row", got: "an empty file" });
    }
    await flush();
    // Measures per registered patient use the list size: recompute them for the months this file touched.
    for (const month of loadedMonths) {
      const practices = [...seen.keys()].filter((k) => k.endsWith(`|${month}`)).map((k) => k.slice(0, k.indexOf("|")));
      await recomputeMeasures(ctx.trx, { months: [month], practices });
    }
    const unknown = await ctx.trx
      .selectFrom("list_sizes")
      .leftJoin("practices", "practices.ods_code", "list_sizes.practice_code")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("list_sizes.import_id", "=", ctx.importId)
      .where("practices.ods_code", "is", null)
      .executeTakeFirst();
    if (unknown && Number(unknown.n) > 0)
      ctx.warn("List sizes kept for practices not yet in the practice data (import epraccur to name them)", Number(unknown.n));
  },
};
