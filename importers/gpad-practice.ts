import { sql, type ColumnType, type Transaction } from "kysely";
import { z } from "zod";
import type { Database } from "../db/schema";
import { recomputeMeasures } from "~/services/measures.server";
import { RowsStatement } from "./core/bulk";
import { matchHeader, readCsvBatches, type CsvRecord, type HeaderIndex } from "./core/csv";
import { ImportError } from "./core/errors";
import { parseDate, practiceCode, requireWidth, validateRecord, wholeNumber, type FieldColumns } from "./core/fields";
import { MembershipLoader } from "./core/memberships";
import type { ImportCounts, ImportContext, Importer } from "./core/run";
import type { CsvMember } from "./core/sources";

/**
 * Appointments in General Practice, practice-level crosstab (data-formats.md, section 2a), into
 * `appointments_monthly`: one row per practice per month with COUNT_OF_APPOINTMENTS summed in total and by each of
 * status, staff type, mode and booking lead time (each dimension's columns add up to the total).
 *
 * Input: the published `Practice_Level_Crosstab_<Mon>_<YY>.zip`, whose crosstab members (one, or regional splits such
 * as `…_London_East_South_Oct_25.csv` + `…_Midlands_North_Oct_25.csv`) are all loaded, and whose `Mapping.csv` is
 * applied exactly as the practice-map importer applies it (practice → PCN → sub-ICB → ICB → region); or a plain
 * crosstab `.csv`. A zip member is the mapping when its name contains "mapping"; every other member is a crosstab.
 *
 * Columns are matched by name. APPOINTMENT_MONTH_START_DATE is `01MAY2024` (ISO accepted) and must be the first of a
 * month. HCP_TYPE, APPT_MODE, TIME_BETWEEN_BOOK_AND_APPT and APPT_STATUS must be one of the published labels,
 * compared after trimming, collapsing runs of spaces and ignoring case (so `8  to 14 Days` and `8 to 14 Days` are
 * the same; `Video/Online` and `Video Conference/Online` are both video/online); NATIONAL_CATEGORY may be any
 * non-empty text (it is part of a row's key but not stored).
 *
 * A row repeating a practice, month and all five dimensions exactly is accepted once with a warning; with another
 * count it is an error naming both lines (in any member). A later edition replaces the stored month for each
 * practice it has; practices it lacks keep their rows. Counts: `read` is crosstab rows; `inserted`, `updated` and
 * `unchanged` are practice-months. Rows are staged a few hundred at a time in a temporary table inside the
 * import's transaction and summed there, so memory does not grow with the file.
 */
export const GPAD_PRACTICE_SOURCE = "gpad-practice";

const SPEC = {
  month: { names: ["APPOINTMENT_MONTH_START_DATE"], required: true },
  code: { names: ["GP_CODE"], required: true },
  hcp: { names: ["HCP_TYPE"], required: true },
  mode: { names: ["APPT_MODE"], required: true },
  category: { names: ["NATIONAL_CATEGORY"], required: true },
  lead: { names: ["TIME_BETWEEN_BOOK_AND_APPT"], required: true },
  count: { names: ["COUNT_OF_APPOINTMENTS"], required: true },
  status: { names: ["APPT_STATUS"], required: true },
} as const;
type Key = keyof typeof SPEC;

/** Each dimension's stored columns, in the order of the index its labels map to. */
const STATUS_COLUMNS = ["attended", "dna", "status_unknown"] as const;
const HCP_COLUMNS = ["gp", "other_staff", "staff_unknown"] as const;
const MODE_COLUMNS = ["face_to_face", "telephone", "home_visit", "video_online", "mode_unknown"] as const;
const LEAD_COLUMNS = [
  "same_day",
  "next_day",
  "days_2_to_7",
  "days_8_to_14",
  "days_15_to_21",
  "days_22_to_28",
  "days_over_28",
  "lead_unknown",
] as const;
const VALUE_COLUMNS = ["total", ...STATUS_COLUMNS, ...HCP_COLUMNS, ...MODE_COLUMNS, ...LEAD_COLUMNS] as const;
type ValueColumn = (typeof VALUE_COLUMNS)[number];

/** Published label → column index. Labels are compared after `normaliseLabel`. */
const STATUS_LABELS: Record<string, number> = { Attended: 0, DNA: 1, Unknown: 2 };
const HCP_LABELS: Record<string, number> = { GP: 0, "Other Practice staff": 1, Unknown: 2 };
const MODE_LABELS: Record<string, number> = {
  "Face-to-Face": 0,
  Telephone: 1,
  "Home Visit": 2,
  "Video/Online": 3,
  "Video Conference/Online": 3,
  Unknown: 4,
};
const LEAD_LABELS: Record<string, number> = {
  "Same Day": 0,
  "1 Day": 1,
  "2 to 7 Days": 2,
  "8  to 14 Days": 3,
  "15  to 21 Days": 4,
  "22  to 28 Days": 5,
  "More than 28 Days": 6,
  "Unknown / Data Quality": 7,
  "Unknown / Data Issue": 7,
};

/** Trims, collapses runs of white space to one space and folds case: how vocabulary labels are compared. */
export function normaliseLabel(value: string): string {
  return value.replace(/\s+/g, " ").trim().toLowerCase();
}

function vocabulary(column: string, labels: Record<string, number>) {
  const lookup = new Map(Object.entries(labels).map(([label, i]) => [normaliseLabel(label), i]));
  const expected = `${column} as one of ${Object.keys(labels)
    .map((l) => JSON.stringify(l))
    .join(", ")}`;
  return z.string().transform((s, ctx) => {
    const i = lookup.get(normaliseLabel(s));
    if (i === undefined) {
      ctx.addIssue({ code: "custom", message: expected });
      return z.NEVER;
    }
    return i;
  });
}

/** Dates repeat on every row and parsing one is slow (about 0.2 ms), so each distinct text is parsed once. */
const monthCache = new Map<string, string | null>();
function parseMonth(value: string): string | null {
  let d = monthCache.get(value);
  if (d === undefined) {
    if (monthCache.size >= 1000) monthCache.clear();
    d = parseDate(value, ["ddmonyyyy", "iso"]);
    monthCache.set(value, d);
  }
  return d;
}

const monthStart = z.string().transform((s, ctx) => {
  const d = parseMonth(s);
  if (d === null) {
    ctx.addIssue({ code: "custom", message: "a month start date like 01MAY2024" });
    return z.NEVER;
  }
  if (!d.endsWith("-01")) {
    ctx.addIssue({ code: "custom", message: "the first day of a month, like 01MAY2024" });
    return z.NEVER;
  }
  return d;
});

const RowSchema = z.object({
  month: monthStart,
  code: practiceCode,
  hcp: vocabulary("HCP_TYPE", HCP_LABELS),
  mode: vocabulary("APPT_MODE", MODE_LABELS),
  category: z
    .string()
    .transform((s) => s.replace(/\s+/g, " ").trim())
    .pipe(z.string().min(1, { message: "a national category (any non-empty text)" }).max(200, { message: "a national category of at most 200 characters" })),
  lead: vocabulary("TIME_BETWEEN_BOOK_AND_APPT", LEAD_LABELS),
  count: wholeNumber,
  status: vocabulary("APPT_STATUS", STATUS_LABELS),
});

interface StagingTable {
  practice_code: string;
  month: string;
  hcp: number;
  mode: number;
  /** Index of the national category's text in the import's own list. */
  category: number;
  lead: number;
  status: number;
  count: number;
  member: number;
  line: number;
  /** Later rows with the same key. */
  dup_count: ColumnType<number, number | undefined, number>;
  /** The first later row with the same key and another count. */
  diff_member: number | null;
  diff_line: number | null;
  diff_count: number | null;
}
type StagedRow = Omit<StagingTable, "dup_count" | "diff_member" | "diff_line" | "diff_count">;
type TotalsTable = { practice_code: string; month: string } & Record<ValueColumn, number>;

const STAGING = "gpad_import_staging";
const TOTALS = "gpad_import_totals";
type WithStaging = { gpad_import_staging: StagingTable; gpad_import_totals: TotalsTable };
type StagingTrx = Transaction<Database & WithStaging>;

const BATCH = 400;
const KEY_COLUMNS = ["practice_code", "month", "hcp", "mode", "category", "lead", "status"] as const;

function isMapping(member: CsvMember): boolean {
  return /mapping/i.test(member.name);
}

export const gpadPracticeImporter: Importer = {
  source: GPAD_PRACTICE_SOURCE,
  title: "Appointments per practice per month: Appointments in General Practice practice-level crosstab (the .zip with Mapping.csv, or a .csv)",
  async run(ctx) {
    const trx = ctx.trx.withTables<WithStaging>();
    const members = ctx.input.members;
    const mappings = ctx.input.isZip ? members.filter(isMapping) : [];
    const crosstabs = members.filter((m) => !mappings.includes(m));
    if (crosstabs.length === 0) {
      throw new ImportError({
        file: ctx.input.fileName,
        expected: "a practice-level crosstab CSV (a member named like Practice_Level_Crosstab_Oct_25.csv)",
        got: members.map((m) => m.name).join(", "),
      });
    }

    // Memberships first, so that the practices they add count as known below.
    const mappingCounts: ImportCounts = { read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
    let mapped: Set<string> | null = null;
    if (mappings.length > 0) {
      const loader = await MembershipLoader.create(ctx.trx, mappingCounts, "practice-map");
      for (const member of mappings) await loader.load(member, ctx);
      await loader.finish();
      mapped = loader.practiceCodes;
      if (mappingCounts.inserted > 0) ctx.warn("Practices added from Mapping.csv (not yet in the practice data)", mappingCounts.inserted);
      if (mappingCounts.updated > 0) ctx.warn("Practice memberships or names updated from Mapping.csv", mappingCounts.updated);
    }

    await createStaging(trx);
    const labels = ctx.input.members.map((m) => m.label);
    /** Where COUNT_OF_APPOINTMENTS is in each member (by member index), for conflict errors. */
    const countColumns = new Map<number, { index: number; name: string }>();
    const categories = new Map<string, number>();
    // SQLite applies an upsert row by row, so a key repeated within one batch is caught like one across batches.
    let batch: StagedRow[] = [];
    const upsert = new RowsStatement<StagedRow>(STAGED_COLUMNS, (rows) =>
      trx
        .insertInto(STAGING)
        .values(rows)
        .onConflict((oc) =>
          oc.columns([...KEY_COLUMNS]).doUpdateSet((eb) => {
            const firstDifference = eb.and([eb(`${STAGING}.diff_line`, "is", null), eb(`${STAGING}.count`, "!=", eb.ref("excluded.count"))]);
            return {
              dup_count: eb(`${STAGING}.dup_count`, "+", 1),
              diff_member: eb.case().when(firstDifference).then(eb.ref("excluded.member")).else(eb.ref(`${STAGING}.diff_member`)).end(),
              diff_line: eb.case().when(firstDifference).then(eb.ref("excluded.line")).else(eb.ref(`${STAGING}.diff_line`)).end(),
              diff_count: eb.case().when(firstDifference).then(eb.ref("excluded.count")).else(eb.ref(`${STAGING}.diff_count`)).end(),
            };
          }),
        ),
    );
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      await trx.executeQuery(upsert.query(rows));
    };

    for (const member of crosstabs) {
      const memberIndex = ctx.input.members.indexOf(member);
      let header: HeaderIndex<Key> | null = null;
      let columns: FieldColumns<Key> | null = null;
      for await (const csvBatch of readCsvBatches(await member.open(), member.label))
      for (const record of csvBatch) {
        ctx.tick();
        if (!header) {
          header = matchHeader(record, SPEC, member.label, "practice-level crosstab");
          const h = header;
          columns = Object.fromEntries(
            (Object.keys(SPEC) as Key[]).map((k) => [k, { index: h[k], name: h.names[h[k]] ?? SPEC[k].names[0] }]),
          ) as FieldColumns<Key>;
          countColumns.set(memberIndex, columns.count);
          continue;
        }
        ctx.counts.read++;
        requireWidth(record, header.width, member.label, "practice-level crosstab");
        batch.push(stage(record, columns!, member.label, memberIndex, categories));
        if (batch.length >= BATCH) await flush();
      }
      if (!header) throw new ImportError({ file: member.label, line: 1, expected: "a practice-level crosstab header row", got: "an empty file" });
    }
    await flush();

    const clash = await trx
      .selectFrom(STAGING)
      .selectAll()
      .where("diff_line", "is not", null)
      .orderBy("diff_member")
      .orderBy("diff_line")
      .executeTakeFirst();
    if (clash) throw conflict(labels, countColumns, clash, clash.diff_member!, clash.diff_line!, clash.diff_count!, categories);
    const repeated = await trx
      .selectFrom(STAGING)
      .select((eb) => eb.fn.sum<number | string | null>("dup_count").as("n"))
      .executeTakeFirst();
    const duplicates = Number(repeated?.n ?? 0);
    if (duplicates > 0) ctx.warn("Duplicate row (identical to an earlier line for the same practice, month and categories) ignored", duplicates);

    await merge(ctx, trx);

    const practices = (await trx.selectFrom(TOTALS).select("practice_code").distinct().execute()).map((r) => r.practice_code);
    const months = (await trx.selectFrom(TOTALS).select("month").distinct().execute()).map((r) => r.month);
    if (mapped) {
      const missing = practices.filter((p) => !mapped.has(p)).length;
      if (missing > 0) ctx.warn("Practices with appointments but not in the zip's Mapping.csv", missing);
    }
    const unknown = await trx
      .selectFrom(`${TOTALS} as n`)
      .leftJoin("practices", "practices.ods_code", "n.practice_code")
      .select((eb) => eb.fn.count<number | string>("n.practice_code").distinct().as("n"))
      .where("practices.ods_code", "is", null)
      .executeTakeFirst();
    if (unknown && Number(unknown.n) > 0)
      ctx.warn("Appointments kept for practices not in the practice data (import epraccur or the practice map to name them)", Number(unknown.n));

    await trx.schema.dropTable(TOTALS).execute();
    await trx.schema.dropTable(STAGING).execute();
    await recomputeMeasures(ctx.trx, { months, practices });
  },
};

async function createStaging(trx: StagingTrx): Promise<void> {
  await trx.schema
    .createTable(STAGING)
    .temporary()
    .addColumn("practice_code", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("hcp", "integer", (c) => c.notNull())
    .addColumn("mode", "integer", (c) => c.notNull())
    .addColumn("category", "integer", (c) => c.notNull())
    .addColumn("lead", "integer", (c) => c.notNull())
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("member", "integer", (c) => c.notNull())
    .addColumn("line", "integer", (c) => c.notNull())
    .addColumn("dup_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("diff_member", "integer")
    .addColumn("diff_line", "integer")
    .addColumn("diff_count", "integer")
    .addPrimaryKeyConstraint(`${STAGING}_pk`, [...KEY_COLUMNS])
    .execute();
}

/** The staged columns, in the order the staging upsert's parameters take them. */
const STAGED_COLUMNS = ["practice_code", "month", "hcp", "mode", "category", "lead", "status", "count", "member", "line"] as const satisfies readonly (keyof StagedRow)[];

function stage(record: CsvRecord, columns: FieldColumns<Key>, label: string, member: number, categories: Map<string, number>): StagedRow {
  const row = validateRecord(RowSchema, record, columns, label);
  let category = categories.get(row.category);
  if (category === undefined) {
    category = categories.size;
    categories.set(row.category, category);
  }
  return {
    practice_code: row.code,
    month: row.month,
    hcp: row.hcp,
    mode: row.mode,
    category,
    lead: row.lead,
    status: row.status,
    count: row.count,
    member,
    line: record.line,
  };
}

function describeKey(r: StagedRow, categories: Map<string, number>): string {
  const category = [...categories].find(([, i]) => i === r.category)?.[0] ?? "";
  return (
    `${r.practice_code} ${r.month.slice(0, 7)} ${HCP_COLUMNS[r.hcp]}, ${MODE_COLUMNS[r.mode]}, ` +
    `${JSON.stringify(category)}, ${LEAD_COLUMNS[r.lead]}, ${STATUS_COLUMNS[r.status]}`
  );
}

/** The error for a key repeated with another count: reported at the later line, naming the earlier one. */
function conflict(
  labels: string[],
  countColumns: Map<number, { index: number; name: string }>,
  earlier: StagedRow,
  laterMember: number,
  laterLine: number,
  laterCount: number,
  categories: Map<string, number>,
): ImportError {
  const where = laterMember === earlier.member ? `line ${earlier.line}` : `${labels[earlier.member]} line ${earlier.line}`;
  const column = countColumns.get(laterMember);
  return new ImportError({
    file: labels[laterMember]!,
    line: laterLine,
    column: column ? column.index + 1 : null,
    columnName: column?.name ?? "COUNT_OF_APPOINTMENTS",
    expected: `one row per practice, month and categories; ${describeKey(earlier, categories)} is also on ${where} with ${earlier.count} appointments`,
    got: String(laterCount),
  });
}

/** Sums the staged rows per practice-month, counts what changes, and upserts the practice-months that differ. */
async function merge(ctx: ImportContext, trx: StagingTrx): Promise<void> {
  const sum = (column: "status" | "hcp" | "mode" | "lead", i: number) => sql.raw(`sum(case when "${column}" = ${i} then "count" else 0 end)`);
  const parts = [
    sql`sum("count") as "total"`,
    ...STATUS_COLUMNS.map((c, i) => sql`${sum("status", i)} as ${sql.id(c)}`),
    ...HCP_COLUMNS.map((c, i) => sql`${sum("hcp", i)} as ${sql.id(c)}`),
    ...MODE_COLUMNS.map((c, i) => sql`${sum("mode", i)} as ${sql.id(c)}`),
    ...LEAD_COLUMNS.map((c, i) => sql`${sum("lead", i)} as ${sql.id(c)}`),
  ];
  await sql`create temp table ${sql.id(TOTALS)} as select "practice_code", "month", ${sql.join(parts)} from ${sql.id(STAGING)} group by "practice_code", "month"`.execute(
    trx,
  );

  const tally = await trx
    .selectFrom(`${TOTALS} as n`)
    .leftJoin("appointments_monthly as o", (j) => j.onRef("o.practice_code", "=", "n.practice_code").onRef("o.month", "=", "n.month"))
    .select((eb) => [
      eb.fn.countAll().as("cells"),
      eb.fn.count("o.practice_code").as("existing"),
      eb.fn.sum(eb.case().when(eb.and(VALUE_COLUMNS.map((c) => eb(`o.${c}`, "=", eb.ref(`n.${c}`))))).then(1).else(0).end()).as("same"),
    ])
    .executeTakeFirst();
  const cells = Number(tally?.cells ?? 0);
  const existing = Number(tally?.existing ?? 0);
  const same = Number(tally?.same ?? 0);
  ctx.counts.inserted += cells - existing;
  ctx.counts.updated += existing - same;
  ctx.counts.unchanged += same;
  if (cells === same) return;

  await trx
    .insertInto("appointments_monthly")
    .columns(["practice_code", "month", ...VALUE_COLUMNS, "import_id"])
    .expression((eb) =>
      eb
        .selectFrom(`${TOTALS} as n`)
        .leftJoin("appointments_monthly as o", (j) => j.onRef("o.practice_code", "=", "n.practice_code").onRef("o.month", "=", "n.month"))
        .select(["n.practice_code", "n.month", ...VALUE_COLUMNS.map((c) => `n.${c}` as const)])
        .select(eb.val(ctx.importId).as("import_id"))
        .where((w) => w.or([w("o.practice_code", "is", null), ...VALUE_COLUMNS.map((c) => w(`o.${c}`, "!=", w.ref(`n.${c}`)))])),
    )
    .onConflict((oc) =>
      oc.columns(["practice_code", "month"]).doUpdateSet((eb) => ({
        ...Object.fromEntries(VALUE_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)])),
        import_id: eb.ref("excluded.import_id"),
      })),
    )
    .execute();
}
