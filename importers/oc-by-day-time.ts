import type { ColumnType, Transaction } from "kysely";
import { z } from "zod";
import type { Database } from "../db/schema";
import { RowsStatement } from "./core/bulk";
import { matchHeader, readCsvBatches, type CsvRecord, type HeaderIndex } from "./core/csv";
import { ImportError } from "./core/errors";
import { fastPracticeCode, parseDate, practiceCode, requireWidth, validateRecord, type FieldColumns } from "./core/fields";
import type { ImportContext, Importer } from "./core/run";
import { recomputeMeasures } from "~/services/measures.server";
import { DAY_SUM_COLUMNS, daySums, rebuildIcbHourly, setOcWeeks } from "~/services/oc-aggregates.server";

/**
 * NHS England "Submissions via OC Systems By Day and Time" (data-formats.md, section 1b): online consultation
 * submissions per practice per hour, one row per practice × hour × supplier, as a `.csv` or as the published `.zip`
 * with `…_north_regions.csv` and `…_south_regions.csv` members (every CSV member is loaded).
 *
 * Two editions, told apart by the header (columns are matched by name; their order is unconfirmed):
 * - **dated** (has `DATE`): written to `oc_hourly` (practice, London date, hour);
 * - **weekday-aggregated** (editions up to at least October 2025; no `DATE`): written to `oc_weekday_hourly`
 *   (practice, month, weekday 1 = Monday … 7 = Sunday, hour). The month comes from the member's or the file's name
 *   (`… By Day and Time - October 2025_north_regions.csv` → 2025-10-01) or from the `month` option
 *   (`--month YYYY-MM`), which wins; without either the file is refused.
 *
 * Only GP_CODE, SUBMISSION_TIME, DATE or WEEKDAY, CLINICAL, ADMIN, UNKNOWN_OTHER and TOTAL are required; the
 * geography columns are not stored (the practice data holds each practice's geography).
 * - SUBMISSION_TIME: `08`, `8`, `08:00`, `08:00-08:59`, `08:00 - 08:59`…: the hour is the leading 1–2 digits (0–23);
 *   a range must stay inside that hour.
 * - DATE: `2026-03-02`, `02/03/2026` or `02MAR2026`. WEEKDAY: a day name (`Monday`, `Mon`); in the dated edition it may
 *   be empty but must agree with DATE when given.
 * - Counts are whole numbers ≥ 0 and TOTAL must equal CLINICAL + ADMIN + UNKNOWN_OTHER.
 *
 * Rows for the same practice and hour from several suppliers are summed. A row repeating a practice, hour and
 * supplier exactly is accepted once with a warning; with other counts it is an error naming both lines.
 * A later file replaces, for each practice and date (or practice and month) it contains, the stored hours: changed
 * hours are updated, hours it no longer has are removed. A practice-date the file does not mention is left alone,
 * so "no row for the day" stays "no data", never zero.
 *
 * Counts: `read` is CSV data rows; `inserted`, `updated` (removed hours included) and `unchanged` are stored
 * practice-hour rows after summing suppliers. Memory is bounded: rows are staged a few hundred at a time in a
 * temporary table inside the import's transaction and merged with set-based statements at the end.
 */
export interface OcByDayTimeOptions {
  /** `YYYY-MM`: the month of a weekday-aggregated file whose name does not say it. */
  month?: string;
}

export const OC_BY_DAY_TIME_SOURCE = "oc-by-day-time";

const SPEC = {
  date: { names: ["DATE"], required: false },
  weekday: { names: ["WEEKDAY"], required: false },
  time: { names: ["SUBMISSION_TIME"], required: true },
  code: { names: ["GP_CODE"], required: true },
  supplier: { names: ["SUPPLIER"], required: false },
  clinical: { names: ["CLINICAL"], required: true },
  admin: { names: ["ADMIN"], required: true },
  other: { names: ["UNKNOWN_OTHER"], required: true },
  total: { names: ["TOTAL"], required: true },
} as const;
type Key = keyof typeof SPEC;

const WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] as const;
const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

/** `Monday`, `MON`, `tues`… → 1 (Monday) … 7 (Sunday), or null. */
export function parseWeekday(value: string): number | null {
  const v = value.trim().toUpperCase();
  if (v.length < 3) return null;
  const i = WEEKDAYS.findIndex((d) => d.startsWith(v));
  return i < 0 ? null : i + 1;
}

const TIME = /^(\d{1,2})(?::(\d{2})(?::\d{2})?)?(?:\s*-\s*(\d{1,2})(?::(\d{2})(?::\d{2})?)?)?$/;

/** The hour (0–23) of a SUBMISSION_TIME: `08`, `8`, `08:00`, `08:00-08:59`, `08:00 - 08:59`; null if it is not one hour. */
export function parseHour(value: string): number | null {
  const m = TIME.exec(value.trim());
  if (!m) return null;
  const hour = Number(m[1]);
  if (hour > 23) return null;
  if (m[2] !== undefined && Number(m[2]) > 59) return null;
  if (m[3] !== undefined) {
    // A range must be one hour bucket: 08:00-08:59, 08:00-09:00 or 08-09.
    const endHour = Number(m[3]);
    const endMinute = m[4] === undefined ? 0 : Number(m[4]);
    if (endMinute > 59) return null;
    const end = endHour * 60 + endMinute;
    if (end <= hour * 60 + Number(m[2] ?? 0) || end > (hour + 1) * 60) return null;
  }
  return hour;
}

/** Weekday (1 = Monday … 7 = Sunday) of a `YYYY-MM-DD` date. */
export function isoWeekday(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const wd = new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const MONTH_IN_NAME =
  /(?<![A-Za-z])(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)[\s_-]*(\d{4})(?!\d)/i;

/** The month a published file's name gives (`… By Day and Time - October 2025_north_regions.csv` → `2025-10-01`), or null. */
export function monthFromName(name: string): string | null {
  const m = MONTH_IN_NAME.exec(name);
  if (!m) return null;
  const month = MONTH_NAMES.indexOf(m[1]!.slice(0, 3).toUpperCase()) + 1;
  return `${m[2]}-${String(month).padStart(2, "0")}-01`;
}

const MONTH_OPTION = /^(\d{4})-(0[1-9]|1[0-2])$/;

const count = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, { message: `${name} as a whole number of 0 or more` })
    .transform(Number);

const hour = z.string().transform((s, ctx) => {
  const h = parseHour(s);
  if (h === null) {
    ctx.addIssue({ code: "custom", message: "an hour from 00 to 23, like 08, 08:00 or 08:00-08:59" });
    return z.NEVER;
  }
  return h;
});

const weekdayName = z.string().transform((s, ctx) => {
  const wd = parseWeekday(s);
  if (wd === null) {
    ctx.addIssue({ code: "custom", message: "a day name like Monday or Mon" });
    return z.NEVER;
  }
  return wd;
});

const optionalWeekdayName = z.string().transform((s, ctx) => {
  if (s.trim() === "") return null;
  const wd = parseWeekday(s);
  if (wd === null) {
    ctx.addIssue({ code: "custom", message: "a day name like Monday or Mon, or empty" });
    return z.NEVER;
  }
  return wd;
});

const counts = {
  clinical: count("CLINICAL"),
  admin: count("ADMIN"),
  other: count("UNKNOWN_OTHER"),
  total: count("TOTAL"),
};

function checkTotal(v: { clinical: unknown; admin: unknown; other: unknown; total: unknown }, ctx: z.RefinementCtx): void {
  if (typeof v.clinical !== "number" || typeof v.admin !== "number" || typeof v.other !== "number" || typeof v.total !== "number") return;
  const sum = v.clinical + v.admin + v.other;
  if (sum !== v.total) {
    ctx.addIssue({
      code: "custom",
      path: ["total"],
      message: `TOTAL equal to CLINICAL + ADMIN + UNKNOWN_OTHER (${v.clinical} + ${v.admin} + ${v.other} = ${sum})`,
    });
  }
}

/** `parse` with its results remembered (at most 10,000 of them): the values below repeat on almost every row. */
function remembered<T extends string | number | null>(parse: (value: string) => T): (value: string) => T {
  const seen = new Map<string, T>();
  return (value) => {
    let result = seen.get(value);
    if (result === undefined) {
      if (seen.size > 10_000) seen.clear();
      seen.set(value, (result = parse(value)));
    }
    return result;
  };
}

/** Parsed DATE values: a month's file repeats about 30 dates hundreds of thousands of times. */
const memoDate = remembered((value) => parseDate(value, ["iso", "dd/mm/yyyy", "ddmonyyyy"]));
/** Parsed SUBMISSION_TIME values: a file has a few dozen distinct ones. */
const memoHour = remembered(parseHour);
/** Parsed WEEKDAY values (`Monday`, `Mon`…), and the weekday of each DATE. */
const memoWeekday = remembered(parseWeekday);
const memoIsoWeekday = remembered(isoWeekday);

const COUNT = /^\d{1,9}$/;

/**
 * DatedRow's or WeekdayRow's result for an ordinary row, without Zod (a fraction of the time); null when anything
 * is unusual (padding, lower case, a bad value), and then the schema decides, and words any error exactly as before.
 */
function fastStage(fields: string[], h: HeaderIndex<Key>, member: number, line: number, month: string | null): StagedRow | null {
  const code = fastPracticeCode(fields[h.code]!);
  if (code === null) return null;
  const hour = memoHour(fields[h.time]!);
  if (hour === null) return null;
  let period: string;
  let weekday: number;
  if (month === null) {
    const date = memoDate(fields[h.date]!);
    if (date === null) return null;
    const given = h.weekday < 0 ? "" : fields[h.weekday]!;
    if (given !== "" && memoWeekday(given) !== memoIsoWeekday(date)) return null;
    period = date;
    weekday = 0;
  } else {
    const wd = memoWeekday(fields[h.weekday]!);
    if (wd === null) return null;
    period = month;
    weekday = wd;
  }
  const c = fields[h.clinical]!;
  const a = fields[h.admin]!;
  const o = fields[h.other]!;
  const t = fields[h.total]!;
  if (!COUNT.test(c) || !COUNT.test(a) || !COUNT.test(o) || !COUNT.test(t)) return null;
  const clinical = Number(c);
  const admin = Number(a);
  const other = Number(o);
  const total = Number(t);
  if (clinical + admin + other !== total) return null;
  const supplier = h.supplier < 0 ? "" : fields[h.supplier]!.trim();
  if (supplier.length > 200) return null;
  return { practice_code: code, period, weekday, hour, supplier, clinical, admin, other, total, member, line };
}

const DatedRow = z
  .object({
    date: z.string().transform((s, ctx) => {
      const d = memoDate(s);
      if (d === null) {
        ctx.addIssue({ code: "custom", message: "a date like 2026-03-02, 02/03/2026 or 02MAR2026" });
        return z.NEVER;
      }
      return d;
    }),
    weekday: optionalWeekdayName,
    time: hour,
    code: practiceCode,
    supplier: z.string().trim().max(200, { message: "a supplier name of at most 200 characters" }),
    ...counts,
  })
  .superRefine((v, ctx) => {
    if (typeof v.date === "string" && typeof v.weekday === "number" && isoWeekday(v.date) !== v.weekday) {
      ctx.addIssue({
        code: "custom",
        path: ["weekday"],
        message: `the weekday of DATE (${v.date} is a ${WEEKDAY_NAMES[isoWeekday(v.date) - 1]})`,
      });
    }
    checkTotal(v, ctx);
  });

const WeekdayRow = z
  .object({
    weekday: weekdayName,
    time: hour,
    code: practiceCode,
    supplier: z.string().trim().max(200, { message: "a supplier name of at most 200 characters" }),
    ...counts,
  })
  .superRefine(checkTotal);

/** One row of the staging table: a CSV row, keyed by practice, period, weekday (0 for the dated edition), hour, supplier. */
interface StagingTable {
  practice_code: string;
  /** The date (dated edition) or the month (weekday edition), `YYYY-MM-DD`. */
  period: string;
  /** 0 in the dated edition; 1 = Monday … 7 = Sunday in the weekday edition. */
  weekday: number;
  hour: number;
  supplier: string;
  clinical: number;
  admin: number;
  other: number;
  total: number;
  member: number;
  line: number;
  dup_count: ColumnType<number, number | undefined, number>;
  dup_member: number | null;
  dup_line: number | null;
  dup_differs: ColumnType<number, number | undefined, number>;
}
const STAGING = "oc_import_staging";
type WithStaging = { oc_import_staging: StagingTable };

type StagedRow = Omit<StagingTable, "dup_count" | "dup_member" | "dup_line" | "dup_differs">;

const BATCH = 400;

/** The staged columns, in the order the staging upsert's parameters take them. */
const STAGED_COLUMNS = ["practice_code", "period", "weekday", "hour", "supplier", "clinical", "admin", "other", "total", "member", "line"] as const satisfies readonly (keyof StagedRow)[];

function describeKey(r: { practice_code: string; period: string; weekday: number; hour: number; supplier: string }): string {
  const when = r.weekday === 0 ? r.period : `${WEEKDAY_NAMES[r.weekday - 1]}s of ${r.period.slice(0, 7)}`;
  return `${r.practice_code} ${when} ${String(r.hour).padStart(2, "0")}:00${r.supplier ? ` (supplier ${r.supplier})` : ""}`;
}

function sameCounts(a: StagedRow, b: StagedRow): boolean {
  return a.clinical === b.clinical && a.admin === b.admin && a.other === b.other && a.total === b.total;
}

export const ocByDayTimeImporter: Importer<OcByDayTimeOptions> = {
  source: OC_BY_DAY_TIME_SOURCE,
  title: "OC submissions by day and time: Submissions via OC Systems By Day and Time (dated or weekday edition; .csv or the north/south .zip)",
  async run(ctx) {
    const trx = ctx.trx.withTables<WithStaging>();
    let optionMonth: string | null = null;
    if (ctx.options.month !== undefined) {
      const m = MONTH_OPTION.exec(ctx.options.month.trim());
      if (!m) throw new ImportError({ file: ctx.input.fileName, expected: "a month option like 2025-10 (YYYY-MM)", got: ctx.options.month });
      optionMonth = `${m[1]}-${m[2]}-01`;
    }
    if (ctx.input.members.length === 0)
      throw new ImportError({ file: ctx.input.fileName, expected: "a .csv file, or a .zip holding one", got: "a zip with no CSV in it" });

    await trx.schema
      .createTable(STAGING)
      .temporary()
      .addColumn("practice_code", "text", (c) => c.notNull())
      .addColumn("period", "text", (c) => c.notNull())
      .addColumn("weekday", "integer", (c) => c.notNull())
      .addColumn("hour", "integer", (c) => c.notNull())
      .addColumn("supplier", "text", (c) => c.notNull())
      .addColumn("clinical", "integer", (c) => c.notNull())
      .addColumn("admin", "integer", (c) => c.notNull())
      .addColumn("other", "integer", (c) => c.notNull())
      .addColumn("total", "integer", (c) => c.notNull())
      .addColumn("member", "integer", (c) => c.notNull())
      .addColumn("line", "integer", (c) => c.notNull())
      .addColumn("dup_count", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("dup_member", "integer")
      .addColumn("dup_line", "integer")
      .addColumn("dup_differs", "integer", (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint("oc_import_staging_pk", ["practice_code", "period", "weekday", "hour", "supplier"])
      .execute();

    // Rows waiting to be staged, by key; a key repeated within the batch is checked here, across batches by the table.
    let batch = new Map<string, StagedRow>();
    const labels = ctx.input.members.map((m) => m.label);
    const upsert = new RowsStatement<StagedRow>(STAGED_COLUMNS, (rows) =>
      trx
        .insertInto(STAGING)
        .values(rows)
        .onConflict((oc) =>
          oc.columns(["practice_code", "period", "weekday", "hour", "supplier"]).doUpdateSet((eb) => ({
            dup_count: eb(`${STAGING}.dup_count`, "+", 1),
            dup_member: eb.fn.coalesce(`${STAGING}.dup_member`, "excluded.member"),
            dup_line: eb.fn.coalesce(`${STAGING}.dup_line`, "excluded.line"),
            dup_differs: eb
              .case()
              .when(
                eb.or([
                  eb(`${STAGING}.clinical`, "!=", eb.ref("excluded.clinical")),
                  eb(`${STAGING}.admin`, "!=", eb.ref("excluded.admin")),
                  eb(`${STAGING}.other`, "!=", eb.ref("excluded.other")),
                  eb(`${STAGING}.total`, "!=", eb.ref("excluded.total")),
                ]),
              )
              .then(1)
              .else(eb.ref(`${STAGING}.dup_differs`))
              .end(),
          })),
        ),
    );
    const flush = async () => {
      if (batch.size === 0) return;
      const rows = [...batch.values()];
      batch = new Map();
      await trx.executeQuery(upsert.query(rows));
    };

    // What the file covers, gathered as it is read (not by grouping the staged rows afterwards): each edition's
    // practices and, for each, its dates (dated) or months (weekday edition).
    const covered: Coverage = { dated: new Map(), weekday: new Map() };
    let duplicates = 0;
    let monthOverridden = false;
    let monthIgnored = false;
    for (const [memberIndex, member] of ctx.input.members.entries()) {
      let header: HeaderIndex<Key> | null = null;
      let columns: FieldColumns<Key> | null = null;
      let month: string | null = null;
      for await (const csvBatch of readCsvBatches(await member.open(), member.label))
      for (const record of csvBatch) {
        ctx.tick();
        if (!header) {
          header = matchHeader(record, SPEC, member.label, "By Day and Time");
          if (header.date < 0 && header.weekday < 0) {
            throw new ImportError({
              file: member.label,
              line: record.line,
              expected: "a By Day and Time header with a DATE column (dated edition) or a WEEKDAY column (weekday edition)",
              got: record.fields.slice(0, 20).join(","),
            });
          }
          const h = header;
          columns = Object.fromEntries(
            (Object.keys(SPEC) as Key[]).map((k) => [k, { index: h[k], name: h.names[h[k]] ?? SPEC[k].names[0] }]),
          ) as FieldColumns<Key>;
          if (h.date < 0) {
            const fromName = monthFromName(member.name) ?? monthFromName(ctx.input.fileName);
            month = optionMonth ?? fromName;
            if (!month) {
              throw new ImportError({
                file: member.label,
                line: record.line,
                expected:
                  "the month of this weekday-aggregated edition (it has no DATE column): a file name that says it, like " +
                  "\"Submissions via OC Systems By Day and Time - October 2025_north_regions.csv\", or the month option (--month 2025-10)",
                got: member.name,
              });
            }
            if (optionMonth && fromName && optionMonth !== fromName) monthOverridden = true;
          } else if (optionMonth) {
            monthIgnored = true;
          }
          continue;
        }
        ctx.counts.read++;
        requireWidth(record, header.width, member.label, "By Day and Time");
        const staged = stage(record, header, columns!, member.label, memberIndex, month);
        cover(covered, staged);
        const key = `${staged.practice_code}\u0001${staged.period}\u0001${staged.weekday}\u0001${staged.hour}\u0001${staged.supplier}`;
        const earlier = batch.get(key);
        if (earlier) {
          if (!sameCounts(earlier, staged)) throw conflict(labels, staged, earlier, header);
          duplicates++;
          continue;
        }
        batch.set(key, staged);
        if (batch.size >= BATCH) await flush();
      }
      if (!header) throw new ImportError({ file: member.label, line: 1, expected: "a By Day and Time header row", got: "an empty file" });
    }
    await flush();

    const clash = await trx.selectFrom(STAGING).selectAll().where("dup_differs", "=", 1).orderBy("member").orderBy("line").executeTakeFirst();
    if (clash) {
      throw new ImportError({
        file: labels[clash.dup_member!]!,
        line: clash.dup_line,
        expected: `one row per practice, hour and supplier; ${describeKey(clash)} is also on ${
          clash.dup_member === clash.member ? "" : `${labels[clash.member]} `
        }line ${clash.line} with other counts`,
        got: `${clash.practice_code}`,
      });
    }
    const repeated = await trx
      .selectFrom(STAGING)
      .select((eb) => eb.fn.sum<number | string | null>("dup_count").as("n"))
      .executeTakeFirst();
    duplicates += Number(repeated?.n ?? 0);
    if (duplicates > 0) ctx.warn("Duplicate row (identical to an earlier line for the same practice, hour and supplier) ignored", duplicates);
    if (monthOverridden) ctx.warn("Month taken from the month option, not from the file name");
    if (monthIgnored) ctx.warn("The month option applies to the weekday edition only; ignored for members with a DATE column");

    const icbOf = new Map<string, string | null>();
    for (const p of await trx.selectFrom("practices").select(["ods_code", "icb_code"]).execute()) icbOf.set(p.ods_code, p.icb_code);

    await mergeDated(ctx, trx, covered.dated);
    await writeDatedAggregates(ctx, trx, covered.dated, icbOf);
    await mergeWeekday(ctx, trx);

    const unknown = new Set([...covered.dated.keys(), ...covered.weekday.keys()].filter((code) => !icbOf.has(code))).size;
    if (unknown > 0) ctx.warn("Submissions kept for practices not yet in the practice data (import epraccur to name them)", unknown);

    // The 08:00–10:00 share is a measure: recompute it for the practice-months this file touched.
    const byMonth = new Map<string, Set<string>>();
    for (const edition of [covered.dated, covered.weekday]) {
      for (const [practice, periods] of edition) {
        for (const period of periods) {
          const month = `${period.slice(0, 7)}-01`;
          if (!byMonth.has(month)) byMonth.set(month, new Set());
          byMonth.get(month)!.add(practice);
        }
      }
    }
    for (const [month, practices] of byMonth) await recomputeMeasures(ctx.trx, { months: [month], practices });

    await trx.schema.dropTable(STAGING).execute();
  },
};

function stage(record: CsvRecord, header: HeaderIndex<Key>, columns: FieldColumns<Key>, label: string, member: number, month: string | null): StagedRow {
  const fast = fastStage(record.fields, header, member, record.line, month);
  if (fast) return fast;
  if (month === null) {
    const row = validateRecord(DatedRow, record, columns, label);
    return {
      practice_code: row.code,
      period: row.date,
      weekday: 0,
      hour: row.time,
      supplier: row.supplier,
      clinical: row.clinical,
      admin: row.admin,
      other: row.other,
      total: row.total,
      member,
      line: record.line,
    };
  }
  const row = validateRecord(WeekdayRow, record, columns, label);
  return {
    practice_code: row.code,
    period: month,
    weekday: row.weekday,
    hour: row.time,
    supplier: row.supplier,
    clinical: row.clinical,
    admin: row.admin,
    other: row.other,
    total: row.total,
    member,
    line: record.line,
  };
}

function conflict(labels: string[], later: StagedRow, earlier: StagedRow, header: HeaderIndex<Key>): ImportError {
  return new ImportError({
    file: labels[later.member]!,
    line: later.line,
    column: header.total + 1,
    columnName: header.names[header.total] ?? "TOTAL",
    expected: `one row per practice, hour and supplier; ${describeKey(later)} is also on line ${earlier.line} with other counts`,
    got: String(later.total),
  });
}

type StagingTrx = Transaction<Database & WithStaging>;

/** Each edition's staged practices, with the dates (dated edition) or months (weekday edition) each has. */
interface Coverage {
  dated: Map<string, Set<string>>;
  weekday: Map<string, Set<string>>;
}

function cover(covered: Coverage, row: StagedRow): void {
  const edition = row.weekday === 0 ? covered.dated : covered.weekday;
  let periods = edition.get(row.practice_code);
  if (!periods) edition.set(row.practice_code, (periods = new Set()));
  periods.add(row.period);
}

/** The distinct periods of an edition's coverage, sorted. */
function periodsOf(edition: Map<string, Set<string>>): string[] {
  const all = new Set<string>();
  for (const periods of edition.values()) for (const p of periods) all.add(p);
  return [...all].sort();
}

/** The staged rows of one edition summed over suppliers: one row per stored practice-hour. */
function summed(trx: StagingTrx, dated: boolean) {
  return trx
    .selectFrom(STAGING)
    .where("weekday", dated ? "=" : ">", 0)
    .select(["practice_code", "period", "weekday", "hour"])
    .select((eb) => [
      eb.fn.sum<number>("clinical").as("clinical"),
      eb.fn.sum<number>("admin").as("admin"),
      eb.fn.sum<number>("other").as("other"),
      eb.fn.sum<number>("total").as("total"),
    ])
    .groupBy(["practice_code", "period", "weekday", "hour"]);
}

function addCounts(ctx: ImportContext<OcByDayTimeOptions>, row: { cells: unknown; existing: unknown; same: unknown } | undefined) {
  const cells = Number(row?.cells ?? 0);
  const existing = Number(row?.existing ?? 0);
  const same = Number(row?.same ?? 0);
  ctx.counts.inserted += cells - existing;
  ctx.counts.updated += existing - same;
  ctx.counts.unchanged += same;
}

/** The dated edition into `oc_hourly`: count, remove hours the file no longer has for its practice-dates, upsert. */
async function mergeDated(ctx: ImportContext<OcByDayTimeOptions>, trx: StagingTrx, dated: Map<string, Set<string>>): Promise<void> {
  const dates = periodsOf(dated);
  if (dates.length === 0) return;
  const span = { first: dates[0]!, last: dates[dates.length - 1]! };
  // A file of dates nothing is stored for yet (a new month, the usual case) has nothing to compare with or remove:
  // every summed hour is inserted, and the count of them is the insert's own.
  const stored = await trx.selectFrom("oc_hourly").select("practice_code").where("date", ">=", span.first).where("date", "<=", span.last).limit(1).executeTakeFirst();
  if (!stored) {
    const result = await trx
      .insertInto("oc_hourly")
      .columns(["practice_code", "date", "hour", "clinical", "admin", "other", "total", "import_id"])
      .expression((eb) =>
        eb
          .selectFrom(summed(trx, true).as("n"))
          .select(["n.practice_code", "n.period", "n.hour", "n.clinical", "n.admin", "n.other", "n.total"])
          .select(eb.val(ctx.importId).as("import_id")),
      )
      .executeTakeFirst();
    ctx.counts.inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
    return;
  }

  const tally = await trx
    .selectFrom(summed(trx, true).as("n"))
    .leftJoin("oc_hourly as o", (join) =>
      join.onRef("o.practice_code", "=", "n.practice_code").onRef("o.date", "=", "n.period").onRef("o.hour", "=", "n.hour"),
    )
    .select((eb) => [
      eb.fn.countAll().as("cells"),
      eb.fn.count("o.practice_code").as("existing"),
      eb.fn
        .sum(
          eb
            .case()
            .when(
              eb.and([
                eb("o.clinical", "=", eb.ref("n.clinical")),
                eb("o.admin", "=", eb.ref("n.admin")),
                eb("o.other", "=", eb.ref("n.other")),
                eb("o.total", "=", eb.ref("n.total")),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as("same"),
    ])
    .executeTakeFirst();
  addCounts(ctx, tally);

  // Only the dates this file covers can lose hours (the range keeps the scan on the date index).
  const removed = await trx
    .deleteFrom("oc_hourly")
    .where("date", ">=", span.first)
    .where("date", "<=", span.last)
    .where((eb) =>
      eb.and([
        eb.exists(
          eb
            .selectFrom(`${STAGING} as s`)
            .select("s.hour")
            .where("s.weekday", "=", 0)
            .whereRef("s.practice_code", "=", "oc_hourly.practice_code")
            .whereRef("s.period", "=", "oc_hourly.date"),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom(`${STAGING} as s`)
              .select("s.hour")
              .where("s.weekday", "=", 0)
              .whereRef("s.practice_code", "=", "oc_hourly.practice_code")
              .whereRef("s.period", "=", "oc_hourly.date")
              .whereRef("s.hour", "=", "oc_hourly.hour"),
          ),
        ),
      ]),
    )
    .executeTakeFirst();
  const n = Number(removed.numDeletedRows);
  if (n > 0) {
    ctx.counts.updated += n;
    ctx.warn("Hours stored from an earlier file for the same practice and date but not in this one removed", n);
  }

  await trx
    .insertInto("oc_hourly")
    .columns(["practice_code", "date", "hour", "clinical", "admin", "other", "total", "import_id"])
    .expression((eb) =>
      eb
        .selectFrom(summed(trx, true).as("n"))
        .leftJoin("oc_hourly as o", (join) =>
          join.onRef("o.practice_code", "=", "n.practice_code").onRef("o.date", "=", "n.period").onRef("o.hour", "=", "n.hour"),
        )
        .select(["n.practice_code", "n.period", "n.hour", "n.clinical", "n.admin", "n.other", "n.total"])
        .select(eb.val(ctx.importId).as("import_id"))
        .where((w) =>
          w.or([
            w("o.practice_code", "is", null),
            w("o.clinical", "!=", w.ref("n.clinical")),
            w("o.admin", "!=", w.ref("n.admin")),
            w("o.other", "!=", w.ref("n.other")),
            w("o.total", "!=", w.ref("n.total")),
          ]),
        ),
    )
    .onConflict((oc) =>
      oc.columns(["practice_code", "date", "hour"]).doUpdateSet((eb) => ({
        clinical: eb.ref("excluded.clinical"),
        admin: eb.ref("excluded.admin"),
        other: eb.ref("excluded.other"),
        total: eb.ref("excluded.total"),
        import_id: eb.ref("excluded.import_id"),
      })),
    )
    .execute();
}

/**
 * `oc_daily` and `oc_icb_hourly` (ADR 17) for the practice-dates of the dated edition in this file. After the merge
 * a staged practice-date holds exactly the file's hours, so its day sums are the staged sums; an ICB-date's hourly
 * sums are regrouped from `oc_hourly` over the ICB's practices.
 */
async function writeDatedAggregates(
  ctx: ImportContext<OcByDayTimeOptions>,
  trx: StagingTrx,
  dated: Map<string, Set<string>>,
  icbOf: Map<string, string | null>,
): Promise<void> {
  if (dated.size === 0) return;
  await trx
    .insertInto("oc_daily")
    .columns(["practice_code", "date", ...DAY_SUM_COLUMNS])
    .expression(trx.selectFrom(STAGING).where("weekday", "=", 0).select(["practice_code", "period"]).select(daySums).groupBy(["practice_code", "period"]))
    .onConflict((oc) =>
      oc.columns(["practice_code", "date"]).doUpdateSet((eb) => ({
        clinical: eb.ref("excluded.clinical"),
        admin: eb.ref("excluded.admin"),
        other: eb.ref("excluded.other"),
        total: eb.ref("excluded.total"),
        total_0800_1000: eb.ref("excluded.total_0800_1000"),
      })),
    )
    .execute();

  await setOcWeeks(ctx.trx, periodsOf(dated));

  // The ICBs and dates the file touches (of its practices that have an ICB); their hours regrouped in one pass over
  // those dates.
  const inIcbs = new Map([...dated].filter(([code]) => icbOf.get(code)));
  const icbs = [...new Set([...inIcbs.keys()].map((code) => icbOf.get(code)!))].sort();
  await rebuildIcbHourly(ctx.trx, icbs, periodsOf(inIcbs));
}

/** The weekday edition into `oc_weekday_hourly`, in the same way, per practice and month. */
async function mergeWeekday(ctx: ImportContext<OcByDayTimeOptions>, trx: StagingTrx): Promise<void> {
  const tally = await trx
    .selectFrom(summed(trx, false).as("n"))
    .leftJoin("oc_weekday_hourly as o", (j) =>
          j
            .onRef("o.practice_code", "=", "n.practice_code")
            .onRef("o.month", "=", "n.period")
            .onRef("o.weekday", "=", "n.weekday")
            .onRef("o.hour", "=", "n.hour"),
        )
    .select((eb) => [
      eb.fn.countAll().as("cells"),
      eb.fn.count("o.practice_code").as("existing"),
      eb.fn
        .sum(
          eb
            .case()
            .when(
              eb.and([
                eb("o.clinical", "=", eb.ref("n.clinical")),
                eb("o.admin", "=", eb.ref("n.admin")),
                eb("o.other", "=", eb.ref("n.other")),
                eb("o.total", "=", eb.ref("n.total")),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as("same"),
    ])
    .executeTakeFirst();
  addCounts(ctx, tally);
  if (Number(tally?.cells ?? 0) === 0) return;

  const span = await trx
    .selectFrom(STAGING)
    .select((eb) => [eb.fn.min("period").as("first"), eb.fn.max("period").as("last")])
    .where("weekday", ">", 0)
    .executeTakeFirstOrThrow();
  const removed = await trx
    .deleteFrom("oc_weekday_hourly")
    .where("month", ">=", span.first)
    .where("month", "<=", span.last)
    .where((eb) =>
      eb.and([
        eb.exists(
          eb
            .selectFrom(`${STAGING} as s`)
            .select("s.hour")
            .where("s.weekday", ">", 0)
            .whereRef("s.practice_code", "=", "oc_weekday_hourly.practice_code")
            .whereRef("s.period", "=", "oc_weekday_hourly.month"),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom(`${STAGING} as s`)
              .select("s.hour")
              .whereRef("s.practice_code", "=", "oc_weekday_hourly.practice_code")
              .whereRef("s.period", "=", "oc_weekday_hourly.month")
              .whereRef("s.weekday", "=", "oc_weekday_hourly.weekday")
              .whereRef("s.hour", "=", "oc_weekday_hourly.hour"),
          ),
        ),
      ]),
    )
    .executeTakeFirst();
  const n = Number(removed.numDeletedRows);
  if (n > 0) {
    ctx.counts.updated += n;
    ctx.warn("Weekday-hours stored from an earlier file for the same practice and month but not in this one removed", n);
  }

  await trx
    .insertInto("oc_weekday_hourly")
    .columns(["practice_code", "month", "weekday", "hour", "clinical", "admin", "other", "total", "import_id"])
    .expression((eb) =>
      eb
        .selectFrom(summed(trx, false).as("n"))
        .leftJoin("oc_weekday_hourly as o", (j) =>
          j
            .onRef("o.practice_code", "=", "n.practice_code")
            .onRef("o.month", "=", "n.period")
            .onRef("o.weekday", "=", "n.weekday")
            .onRef("o.hour", "=", "n.hour"),
        )
        .select(["n.practice_code", "n.period", "n.weekday", "n.hour", "n.clinical", "n.admin", "n.other", "n.total"])
        .select(eb.val(ctx.importId).as("import_id"))
        .where((w) =>
          w.or([
            w("o.practice_code", "is", null),
            w("o.clinical", "!=", w.ref("n.clinical")),
            w("o.admin", "!=", w.ref("n.admin")),
            w("o.other", "!=", w.ref("n.other")),
            w("o.total", "!=", w.ref("n.total")),
          ]),
        ),
    )
    .onConflict((oc) =>
      oc.columns(["practice_code", "month", "weekday", "hour"]).doUpdateSet((eb) => ({
        clinical: eb.ref("excluded.clinical"),
        admin: eb.ref("excluded.admin"),
        other: eb.ref("excluded.other"),
        total: eb.ref("excluded.total"),
        import_id: eb.ref("excluded.import_id"),
      })),
    )
    .execute();
}
