import { sql, type ColumnType, type Transaction } from "kysely";
import { z } from "zod";
import type { Database } from "../db/schema";
import indicatorData from "~/domain/data/cbt-indicators.json";
import { recomputeMeasures } from "~/services/measures.server";
import { matchHeader, readCsvBatches, type CsvRecord, type HeaderIndex } from "./core/csv";
import { ImportError } from "./core/errors";
import { parseDate, practiceCode, requireWidth, validateRecord, type FieldColumns } from "./core/fields";
import type { ImportContext, Importer } from "./core/run";

/**
 * Cloud Based Telephony (CBT) in General Practice, by day and time (data-formats.md, section 7): calls per practice
 * per day per 2-hour band per indicator, into `cbt_calls`. The published zip has one CSV per region (`…_Y56.csv` …
 * `…_Y63.csv`, `…_Unmapped.csv`); every member is loaded. A plain `.csv` is accepted too.
 *
 * Columns are matched by name, in any case: Date, REGION_CODE, ICB_CODE, SUB_ICB_LOCATION_CODE, PCN_CODE,
 * PRACTICE_CODE, Indicator, Time_Category, Value (the "By Durations" and "Calls Answered Metric" files, which lack
 * Time_Category, are refused).
 * - Date: `2026-03-02`, `02/03/2026` or `02MAR2026`.
 * - Indicator: one of the codes in app/domain/data/cbt-indicators.json (CBT001 … CBT007).
 * - Time_Category: one of the nine published bands (`00:00-05:59` … `18:30-23:59`), spaces around the dash allowed;
 *   stored as published without them.
 * - Value: a number ≥ 0.
 * - PRACTICE_CODE `Unassigned` (any case): calls on phone accounts shared by several practices. They are kept apart in
 *   `cbt_unassigned` with whatever geography the row carries (empty codes as empty strings), never attributed to a
 *   practice, and counted as "not loaded" (`rejected`) with a warning. The geography of practice rows is not stored
 *   (the practice data has it).
 *
 * A row repeating a key (practice or Unassigned geography, date, indicator, band) in the same file, in any member,
 * is accepted once with a warning when its value is the same, and is an error naming both lines when it differs.
 * A later file replaces, for each practice-date (or Unassigned geography-date) it contains, the stored values: changed
 * ones are updated, bands and indicators it no longer has are removed; practice-dates it does not mention are left
 * alone. Counts: `read` is CSV data rows; `inserted`, `updated` (removed rows included) and `unchanged` are
 * `cbt_calls` rows. Rows are staged a few hundred at a time in a temporary table inside the import's transaction, so
 * memory does not grow with the file.
 */
export const CBT_SOURCE = "cbt";

const IndicatorFile = z.object({
  indicators: z
    .array(z.object({ code: z.string().regex(/^CBT\d{3}$/), title: z.string().min(1), description: z.string().min(1) }))
    .min(1),
});

/** The reviewed indicator definitions, validated when the module loads. */
export const CBT_INDICATORS = IndicatorFile.parse(indicatorData).indicators;
const INDICATOR_CODES = new Set(CBT_INDICATORS.map((i) => i.code));

/** The published 2-hour bands (the last two split core hours' end at 18:30). */
export const CBT_BANDS = [
  "00:00-05:59",
  "06:00-07:59",
  "08:00-09:59",
  "10:00-11:59",
  "12:00-13:59",
  "14:00-15:59",
  "16:00-17:59",
  "18:00-18:29",
  "18:30-23:59",
] as const;
const BAND_SET = new Set<string>(CBT_BANDS);

/** `08:00 - 09:59` → `08:00-09:59` when it is a published band; null otherwise. */
export function normaliseBand(value: string): string | null {
  const v = value.trim().replace(/\s*-\s*/, "-");
  return BAND_SET.has(v) ? v : null;
}

const SPEC = {
  date: { names: ["DATE"], required: true },
  region: { names: ["REGION_CODE"], required: true },
  icb: { names: ["ICB_CODE"], required: true },
  subIcb: { names: ["SUB_ICB_LOCATION_CODE"], required: true },
  pcn: { names: ["PCN_CODE"], required: true },
  practice: { names: ["PRACTICE_CODE"], required: true },
  indicator: { names: ["INDICATOR"], required: true },
  band: { names: ["TIME_CATEGORY"], required: true },
  value: { names: ["VALUE"], required: true },
} as const;
type Key = keyof typeof SPEC;

const geography = (what: string) =>
  z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{0,20}$/, { message: `${what} code of letters and digits, or empty` });

/** Dates repeat on many rows and parsing one is slow (about 0.2 ms), so each distinct text is parsed once. */
const dateCache = new Map<string, string | null>();
function parseCallDate(value: string): string | null {
  let d = dateCache.get(value);
  if (d === undefined) {
    if (dateCache.size >= 1000) dateCache.clear();
    d = parseDate(value, ["iso", "dd/mm/yyyy", "ddmonyyyy"]);
    dateCache.set(value, d);
  }
  return d;
}

const RowSchema = z.object({
  date: z.string().transform((s, ctx) => {
    const d = parseCallDate(s);
    if (d === null) {
      ctx.addIssue({ code: "custom", message: "a date like 2026-03-02, 02/03/2026 or 02MAR2026" });
      return z.NEVER;
    }
    return d;
  }),
  region: geography("a region"),
  icb: geography("an ICB"),
  subIcb: geography("a sub-ICB location"),
  pcn: geography("a PCN"),
  practice: z.string().transform((s, ctx) => {
    if (s.trim().toLowerCase() === "unassigned") return null;
    const parsed = practiceCode.safeParse(s);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: "a practice ODS code like A81001, or Unassigned" });
      return z.NEVER;
    }
    return parsed.data;
  }),
  indicator: z
    .string()
    .trim()
    .toUpperCase()
    .refine((s) => INDICATOR_CODES.has(s), { message: `an indicator code, one of ${[...INDICATOR_CODES].join(", ")}` }),
  band: z.string().transform((s, ctx) => {
    const band = normaliseBand(s);
    if (band === null) {
      ctx.addIssue({ code: "custom", message: `a 2-hour band, one of ${CBT_BANDS.join(", ")}` });
      return z.NEVER;
    }
    return band;
  }),
  value: z
    .string()
    .trim()
    .regex(/^\d{1,12}(?:\.\d{1,6})?$/, { message: "a number of 0 or more" })
    .transform(Number),
});

interface StagingTable {
  /** Empty for an Unassigned row. */
  practice_code: string;
  /** The geography of an Unassigned row; empty strings for a practice row. */
  region_code: string;
  icb_code: string;
  sub_icb_code: string;
  pcn_code: string;
  date: string;
  indicator: string;
  band: string;
  value: number;
  member: number;
  line: number;
  /** Later rows with the same key. */
  dup_count: ColumnType<number, number | undefined, number>;
  /** The first later row with the same key and another value. */
  diff_member: number | null;
  diff_line: number | null;
  diff_value: number | null;
}
type StagedRow = Omit<StagingTable, "dup_count" | "diff_member" | "diff_line" | "diff_value">;

const STAGING = "cbt_import_staging";
type WithStaging = { cbt_import_staging: StagingTable };
type StagingTrx = Transaction<Database & WithStaging>;

const BATCH = 400;
const KEY_COLUMNS = ["practice_code", "region_code", "icb_code", "sub_icb_code", "pcn_code", "date", "indicator", "band"] as const;
const GEOGRAPHY = ["region_code", "icb_code", "sub_icb_code", "pcn_code"] as const;

export const cbtImporter: Importer = {
  source: CBT_SOURCE,
  title: "Telephone calls per practice by day and 2-hour band: Cloud Based Telephony by day and time (.csv or the regional .zip)",
  async run(ctx) {
    const trx = ctx.trx.withTables<WithStaging>();
    await createStaging(trx);
    const labels = ctx.input.members.map((m) => m.label);
    /** Where Value is in each member (by member index), for conflict errors. */
    const valueColumns = new Map<number, { index: number; name: string }>();
    // SQLite applies an upsert row by row, so a key repeated within one batch is caught like one across batches.
    let batch: StagedRow[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      await trx
        .insertInto(STAGING)
        .values(rows)
        .onConflict((oc) =>
          oc.columns([...KEY_COLUMNS]).doUpdateSet((eb) => {
            const firstDifference = eb.and([eb(`${STAGING}.diff_line`, "is", null), eb(`${STAGING}.value`, "!=", eb.ref("excluded.value"))]);
            return {
              dup_count: eb(`${STAGING}.dup_count`, "+", 1),
              diff_member: eb.case().when(firstDifference).then(eb.ref("excluded.member")).else(eb.ref(`${STAGING}.diff_member`)).end(),
              diff_line: eb.case().when(firstDifference).then(eb.ref("excluded.line")).else(eb.ref(`${STAGING}.diff_line`)).end(),
              diff_value: eb.case().when(firstDifference).then(eb.ref("excluded.value")).else(eb.ref(`${STAGING}.diff_value`)).end(),
            };
          }),
        )
        .execute();
    };

    for (const [memberIndex, member] of ctx.input.members.entries()) {
      let header: HeaderIndex<Key> | null = null;
      let columns: FieldColumns<Key> | null = null;
      for await (const csvBatch of readCsvBatches(await member.open(), member.label))
      for (const record of csvBatch) {
        ctx.tick();
        if (!header) {
          header = matchHeader(record, SPEC, member.label, "CBT by day and time");
          const h = header;
          columns = Object.fromEntries(
            (Object.keys(SPEC) as Key[]).map((k) => [k, { index: h[k], name: h.names[h[k]] ?? SPEC[k].names[0] }]),
          ) as FieldColumns<Key>;
          valueColumns.set(memberIndex, columns.value);
          continue;
        }
        ctx.counts.read++;
        requireWidth(record, header.width, member.label, "CBT by day and time");
        batch.push(stage(record, columns!, member.label, memberIndex));
        if (batch.length >= BATCH) await flush();
      }
      if (!header) throw new ImportError({ file: member.label, line: 1, expected: "a CBT by day and time header row", got: "an empty file" });
    }
    await flush();

    const clash = await trx
      .selectFrom(STAGING)
      .selectAll()
      .where("diff_line", "is not", null)
      .orderBy("diff_member")
      .orderBy("diff_line")
      .executeTakeFirst();
    if (clash) throw conflict(labels, valueColumns, clash, clash.diff_member!, clash.diff_line!, clash.diff_value!);
    const repeated = await trx
      .selectFrom(STAGING)
      .select((eb) => eb.fn.sum<number | string | null>("dup_count").as("n"))
      .executeTakeFirst();
    const duplicates = Number(repeated?.n ?? 0);
    if (duplicates > 0) ctx.warn("Duplicate row (identical to an earlier line for the same practice, date, indicator and band) ignored", duplicates);

    await mergePractices(ctx, trx);
    await mergeUnassigned(ctx, trx);

    const practices = (await trx.selectFrom(STAGING).select("practice_code").distinct().where("practice_code", "!=", "").execute()).map(
      (r) => r.practice_code,
    );
    const months = (
      await trx
        .selectFrom(STAGING)
        .select(sql<string>`substr("date", 1, 8) || '01'`.as("month"))
        .distinct()
        .where("practice_code", "!=", "")
        .execute()
    ).map((r) => r.month);
    const unknown = await trx
      .selectFrom(`${STAGING} as s`)
      .leftJoin("practices", "practices.ods_code", "s.practice_code")
      .select((eb) => eb.fn.count<number | string>("s.practice_code").distinct().as("n"))
      .where("s.practice_code", "!=", "")
      .where("practices.ods_code", "is", null)
      .executeTakeFirst();
    if (unknown && Number(unknown.n) > 0)
      ctx.warn("Calls kept for practices not in the practice data (import epraccur or the practice map to name them)", Number(unknown.n));

    await trx.schema.dropTable(STAGING).execute();
    if (months.length > 0) await recomputeMeasures(ctx.trx, { months, practices });
  },
};

async function createStaging(trx: StagingTrx): Promise<void> {
  await trx.schema
    .createTable(STAGING)
    .temporary()
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("region_code", "text", (c) => c.notNull())
    .addColumn("icb_code", "text", (c) => c.notNull())
    .addColumn("sub_icb_code", "text", (c) => c.notNull())
    .addColumn("pcn_code", "text", (c) => c.notNull())
    .addColumn("date", "text", (c) => c.notNull())
    .addColumn("indicator", "text", (c) => c.notNull())
    .addColumn("band", "text", (c) => c.notNull())
    .addColumn("value", "real", (c) => c.notNull())
    .addColumn("member", "integer", (c) => c.notNull())
    .addColumn("line", "integer", (c) => c.notNull())
    .addColumn("dup_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("diff_member", "integer")
    .addColumn("diff_line", "integer")
    .addColumn("diff_value", "real")
    .addPrimaryKeyConstraint(`${STAGING}_pk`, [...KEY_COLUMNS])
    .execute();
}

function stage(record: CsvRecord, columns: FieldColumns<Key>, label: string, member: number): StagedRow {
  const row = validateRecord(RowSchema, record, columns, label);
  const assigned = row.practice !== null;
  return {
    practice_code: row.practice ?? "",
    region_code: assigned ? "" : row.region,
    icb_code: assigned ? "" : row.icb,
    sub_icb_code: assigned ? "" : row.subIcb,
    pcn_code: assigned ? "" : row.pcn,
    date: row.date,
    indicator: row.indicator,
    band: row.band,
    value: row.value,
    member,
    line: record.line,
  };
}

function describeKey(r: StagedRow): string {
  const who = r.practice_code !== "" ? r.practice_code : `Unassigned (${GEOGRAPHY.map((g) => r[g] || "-").join("/")})`;
  return `${who} ${r.date} ${r.indicator} ${r.band}`;
}

/** The error for a key repeated with another value: reported at the later line, naming the earlier one. */
function conflict(
  labels: string[],
  valueColumns: Map<number, { index: number; name: string }>,
  earlier: StagedRow,
  laterMember: number,
  laterLine: number,
  laterValue: number,
): ImportError {
  const where = laterMember === earlier.member ? `line ${earlier.line}` : `${labels[earlier.member]} line ${earlier.line}`;
  const column = valueColumns.get(laterMember);
  return new ImportError({
    file: labels[laterMember]!,
    line: laterLine,
    column: column ? column.index + 1 : null,
    columnName: column?.name ?? "Value",
    expected: `one row per practice, date, indicator and band; ${describeKey(earlier)} is also on ${where} with the value ${earlier.value}`,
    got: String(laterValue),
  });
}

/** Practice rows into `cbt_calls`: count, remove what the file no longer has for its practice-dates, upsert. */
async function mergePractices(ctx: ImportContext, trx: StagingTrx): Promise<void> {
  const staged = trx.selectFrom(STAGING).selectAll().where("practice_code", "!=", "");
  const tally = await trx
    .selectFrom(staged.as("n"))
    .leftJoin("cbt_calls as o", (j) =>
      j
        .onRef("o.practice_code", "=", "n.practice_code")
        .onRef("o.date", "=", "n.date")
        .onRef("o.indicator", "=", "n.indicator")
        .onRef("o.band", "=", "n.band"),
    )
    .select((eb) => [
      eb.fn.countAll().as("cells"),
      eb.fn.count("o.practice_code").as("existing"),
      eb.fn.sum(eb.case().when("o.value", "=", eb.ref("n.value")).then(1).else(0).end()).as("same"),
    ])
    .executeTakeFirst();
  const cells = Number(tally?.cells ?? 0);
  const existing = Number(tally?.existing ?? 0);
  const same = Number(tally?.same ?? 0);
  ctx.counts.inserted += cells - existing;
  ctx.counts.updated += existing - same;
  ctx.counts.unchanged += same;
  if (cells === 0) return;

  const removed = await trx
    .deleteFrom("cbt_calls")
    .where((eb) =>
      eb.and([
        eb.exists(
          eb
            .selectFrom(`${STAGING} as s`)
            .select("s.line")
            .whereRef("s.practice_code", "=", "cbt_calls.practice_code")
            .whereRef("s.date", "=", "cbt_calls.date"),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom(`${STAGING} as s`)
              .select("s.line")
              .whereRef("s.practice_code", "=", "cbt_calls.practice_code")
              .whereRef("s.date", "=", "cbt_calls.date")
              .whereRef("s.indicator", "=", "cbt_calls.indicator")
              .whereRef("s.band", "=", "cbt_calls.band"),
          ),
        ),
      ]),
    )
    .executeTakeFirst();
  const n = Number(removed.numDeletedRows);
  if (n > 0) {
    ctx.counts.updated += n;
    ctx.warn("Values stored from an earlier file for the same practice and date but not in this one removed", n);
  }
  if (cells === same) return;

  await trx
    .insertInto("cbt_calls")
    .columns(["practice_code", "date", "indicator", "band", "value", "import_id"])
    .expression((eb) =>
      eb
        .selectFrom(staged.as("n"))
        .leftJoin("cbt_calls as o", (j) =>
          j
            .onRef("o.practice_code", "=", "n.practice_code")
            .onRef("o.date", "=", "n.date")
            .onRef("o.indicator", "=", "n.indicator")
            .onRef("o.band", "=", "n.band"),
        )
        .select(["n.practice_code", "n.date", "n.indicator", "n.band", "n.value"])
        .select(eb.val(ctx.importId).as("import_id"))
        .where((w) => w.or([w("o.practice_code", "is", null), w("o.value", "!=", w.ref("n.value"))])),
    )
    .onConflict((oc) =>
      oc.columns(["practice_code", "date", "indicator", "band"]).doUpdateSet((eb) => ({
        value: eb.ref("excluded.value"),
        import_id: eb.ref("excluded.import_id"),
      })),
    )
    .execute();
}

/**
 * Unassigned rows into `cbt_unassigned`, in the same way per geography and date. They are "not loaded" as
 * practice data (`rejected`), with a warning saying where they went.
 */
async function mergeUnassigned(ctx: ImportContext, trx: StagingTrx): Promise<void> {
  const staged = trx.selectFrom(STAGING).selectAll().where("practice_code", "=", "");
  const count = await trx
    .selectFrom(staged.as("n"))
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirst();
  const rows = Number(count?.n ?? 0);
  if (rows === 0) return;
  ctx.counts.rejected += rows;
  ctx.warn("Not attributed to a practice: PRACTICE_CODE Unassigned (a phone account shared by several practices); kept apart as unassigned calls", rows);

  // Values stored for a geography-date this file has, at an indicator and band it no longer has, are removed.
  const geo = (a: string, b: string) => sql.join(GEOGRAPHY.map((g) => sql`${sql.ref(`${a}.${g}`)} = ${sql.ref(`${b}.${g}`)}`), sql` and `);
  await sql`delete from "cbt_unassigned" as "u" where exists (
      select 1 from ${sql.table(STAGING)} as "s" where "s"."practice_code" = '' and ${geo("s", "u")} and "s"."date" = "u"."date"
    ) and not exists (
      select 1 from ${sql.table(STAGING)} as "s" where "s"."practice_code" = '' and ${geo("s", "u")} and "s"."date" = "u"."date"
        and "s"."indicator" = "u"."indicator" and "s"."band" = "u"."band"
    )`.execute(trx);

  await trx
    .insertInto("cbt_unassigned")
    .columns([...GEOGRAPHY, "date", "indicator", "band", "value", "import_id"])
    .expression((eb) =>
      eb
        .selectFrom(staged.as("n"))
        .leftJoin("cbt_unassigned as o", (j) =>
          j
            .onRef("o.region_code", "=", "n.region_code")
            .onRef("o.icb_code", "=", "n.icb_code")
            .onRef("o.sub_icb_code", "=", "n.sub_icb_code")
            .onRef("o.pcn_code", "=", "n.pcn_code")
            .onRef("o.date", "=", "n.date")
            .onRef("o.indicator", "=", "n.indicator")
            .onRef("o.band", "=", "n.band"),
        )
        .select([...GEOGRAPHY.map((g) => `n.${g}` as const), "n.date", "n.indicator", "n.band", "n.value"])
        .select(eb.val(ctx.importId).as("import_id"))
        .where((w) => w.or([w("o.date", "is", null), w("o.value", "!=", w.ref("n.value"))])),
    )
    .onConflict((oc) =>
      oc.columns([...GEOGRAPHY, "date", "indicator", "band"]).doUpdateSet((eb) => ({
        value: eb.ref("excluded.value"),
        import_id: eb.ref("excluded.import_id"),
      })),
    )
    .execute();
}
