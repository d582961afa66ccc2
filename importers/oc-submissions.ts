import { z } from "zod";
import { recomputeMeasures } from "~/services/measures.server";
import { matchHeader, ownText, readCsvBatches, type HeaderIndex } from "./core/csv";
import { ImportError } from "./core/errors";
import { fastPracticeCode, parseDate, practiceCode, requireWidth, validateRecord, type FieldColumns } from "./core/fields";
import { countUnknownPractices } from "./core/practices";
import type { ImportContext, Importer } from "./core/run";

/**
 * NHS England "Submissions via Online Consultation Systems in General Practice", the monthly practice-level CSV
 * (data-formats.md, section 1a): long layout, one row per practice × month × supplier × metric, as a `.csv` or as
 * the published `.zip` with `… - May 2026_north_regions.csv` and `…_south_regions.csv` members (every CSV member is
 * loaded, all as one publication).
 *
 * Columns are matched by name. MONTH, GP_CODE, SUPPLIER, METRIC and VALUE are required; the geography columns are
 * not used (the practice data holds each practice's geography).
 * - MONTH: the first of the month, `01/04/2026` (as published) or `2026-04-01`. Any other day is refused, which
 *   also catches a month and day written the other way round.
 * - VALUE: a whole number ≥ 0 (a decimal only for OC_RATE_PER_1000_REGISTERED_PATIENTS); empty = not published
 *   (null, never 0).
 * - Per practice-month, suppliers are combined: the submission counts (total, clinical, admin, other) are summed,
 *   PATIENTS_REGISTERED and the flags (OC_CAPABILITY, OC_PARTICIPATION, OC_SYSTEM_USAGE) take the largest; a metric
 *   no supplier published stays null. The rate per 1,000 is recomputed as 1000 × total ÷ PATIENTS_REGISTERED; the
 *   published one is only cross-checked (a warning where it differs by more than its rounding). Supplier names are
 *   stored sorted and `|`-joined.
 * - Unknown METRIC codes are not loaded (a counted warning). A row repeating a practice, month, supplier and metric
 *   exactly is accepted once with a warning; with another value it is an error naming both lines.
 * - clinical + admin + other ≠ total is a counted warning, as are practices not in the practice data.
 *
 * Publications: each release re-issues a back series, and suppliers revise history. The publication is the
 * `publication` option (`--publication YYYY-MM`), else the month in the members' (or file's) name
 * (`… - May 2026_north_regions.csv`), else the latest MONTH in the file; if the option and the name disagree the
 * file is refused, and so is a row for a month after the publication. Every practice-month the file holds replaces
 * the stored one when the stored publication is the same or earlier; when it is later, the stored values are kept
 * (counted unchanged, with a warning). Values confirmed unchanged by a later publication are counted unchanged but
 * take the new publication and import id. Practice-months the file does not hold are left alone.
 *
 * Counts: `read` is CSV data rows, `rejected` rows with an unknown METRIC; `inserted`, `updated` and `unchanged`
 * are stored practice-months. Memory: the rows are aggregated per practice-month while streaming (bounded by
 * practices × months), then written in batches, month by month, when the whole file has been read.
 */
export interface OcSubmissionsOptions {
  /** `YYYY-MM`: the release the file is, when its name does not say it (else the latest MONTH in the file). */
  publication?: string;
}

export const OC_SUBMISSIONS_SOURCE = "oc-submissions";

const SPEC = {
  month: { names: ["MONTH"], required: true },
  code: { names: ["GP_CODE"], required: true },
  supplier: { names: ["SUPPLIER"], required: true },
  metric: { names: ["METRIC"], required: true },
  value: { names: ["VALUE"], required: true },
} as const;
type Key = keyof typeof SPEC;

/** The published metric codes, in the order their values are kept per supplier. */
const METRICS = [
  "OC_TOTAL_SUBMISSIONS",
  "OC_SUBMISSION_TYPE_CLINICAL",
  "OC_SUBMISSION_TYPE_ADMIN",
  "OC_SUBMISSION_TYPE_OTHER",
  "PATIENTS_REGISTERED",
  "OC_RATE_PER_1000_REGISTERED_PATIENTS",
  "OC_CAPABILITY",
  "OC_PARTICIPATION",
  "OC_SYSTEM_USAGE",
] as const;
const TOTAL = 0;
const CLINICAL = 1;
const ADMIN = 2;
const OTHER = 3;
const PATIENTS = 4;
const RATE = 5;
const CAPABILITY = 6;
const PARTICIPATION = 7;
const USAGE = 8;
const METRIC_INDEX = new Map<string, number>(METRICS.map((m, i) => [m, i]));

/**
 * One supplier's values for one practice-month: for each metric, [value (NaN = published empty), where (0 = no row;
 * else member × 2³² + line)], then the published rate's number of decimals.
 */
type SupplierValues = Float64Array;
const SLOTS = METRICS.length * 2 + 1;
const RATE_DECIMALS = METRICS.length * 2;
const POSITION_BASE = 2 ** 32;

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const MONTH_IN_NAME =
  /(?<![A-Za-z])(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)[\s_-]*(\d{4})(?!\d)/i;
const MONTH_OPTION = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month a published file's name gives (`… - May 2026_north_regions.csv` → `2026-05-01`), or null. */
export function publicationFromName(name: string): string | null {
  const m = MONTH_IN_NAME.exec(name);
  if (!m) return null;
  const month = MONTH_NAMES.indexOf(m[1]!.slice(0, 3).toUpperCase()) + 1;
  return `${m[2]}-${String(month).padStart(2, "0")}-01`;
}

function monthLabel(month: string): string {
  const [y, m] = month.split("-");
  const names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  return `${names[Number(m) - 1]} ${y}`;
}

/** MONTH values seen, parsed (a file holds a few dozen distinct ones; parsing each of a million rows would be slow). */
const monthCache = new Map<string, string | null>();

function parseMonth(s: string): string | null {
  let d = monthCache.get(s);
  if (d === undefined) {
    d = parseDate(s, ["dd/mm/yyyy", "iso"]);
    if (d !== null && !d.endsWith("-01")) d = null;
    if (monthCache.size > 1000) monthCache.clear();
    monthCache.set(s, d);
  }
  return d;
}

const firstOfMonth = z.string().transform((s, ctx) => {
  const d = parseMonth(s);
  if (d === null) {
    ctx.addIssue({ code: "custom", message: "the first day of a month like 01/04/2026 or 2026-04-01" });
    return z.NEVER;
  }
  return d;
});

const RowSchema = z.object({
  month: firstOfMonth,
  code: practiceCode,
  supplier: z.string().trim().max(200, { message: "a supplier name of at most 200 characters" }),
  metric: z
    .string()
    .trim()
    .toUpperCase()
    .min(1, { message: "a METRIC code like OC_TOTAL_SUBMISSIONS" })
    .max(100, { message: "a METRIC code of at most 100 characters" }),
});

/** A published value: `{ value, decimals }`, value null when the cell is empty (not published). */
interface Published {
  value: number | null;
  decimals: number;
}

const wholeValue = z
  .string()
  .trim()
  .regex(/^(\d{1,12})?$/, { message: "a whole number of 0 or more, or empty (not published)" })
  .transform((s): Published => ({ value: s === "" ? null : Number(s), decimals: 0 }));

const decimalValue = z
  .string()
  .trim()
  .regex(/^(\d{1,12}(\.\d{1,12})?)?$/, { message: "a number of 0 or more, or empty (not published)" })
  .transform((s): Published => ({ value: s === "" ? null : Number(s), decimals: s.includes(".") ? s.length - s.indexOf(".") - 1 : 0 }));

const WholeValueSchema = z.object({ value: wholeValue });
const DecimalValueSchema = z.object({ value: decimalValue });

/**
 * RowSchema's result for an ordinary row, without Zod (about a tenth of the time); null when anything is unusual,
 * and then the schema decides (and words any error exactly as before).
 */
function fastRow(fields: string[], h: HeaderIndex<Key>): { month: string; code: string; supplier: string; metric: string } | null {
  const month = parseMonth(fields[h.month]!);
  if (month === null) return null;
  const code = fastPracticeCode(fields[h.code]!);
  if (code === null) return null;
  const supplier = fields[h.supplier]!.trim();
  if (supplier.length > 200) return null;
  const metric = fields[h.metric]!.trim().toUpperCase();
  if (metric.length < 1 || metric.length > 100) return null;
  return { month, code, supplier, metric };
}

const WHOLE = /^\d{1,12}$/;
const DECIMAL = /^\d{1,12}(\.\d{1,12})?$/;

/** wholeValue's or decimalValue's result without Zod; null to let the schema decide. */
function fastValue(raw: string, decimal: boolean): Published | null {
  const s = raw.trim();
  if (s === "") return { value: null, decimals: 0 };
  if (!decimal) return WHOLE.test(s) ? { value: Number(s), decimals: 0 } : null;
  if (!DECIMAL.test(s)) return null;
  const dot = s.indexOf(".");
  return { value: Number(s), decimals: dot === -1 ? 0 : s.length - dot - 1 };
}

interface OcRow {
  practice_code: string;
  month: string;
  publication: string;
  suppliers: string;
  total: number | null;
  clinical: number | null;
  admin: number | null;
  other: number | null;
  patients_registered: number | null;
  rate_per_1000: number | null;
  capability: number | null;
  participation: number | null;
  usage: number | null;
  import_id: number;
}

const VALUE_FIELDS = [
  "suppliers",
  "total",
  "clinical",
  "admin",
  "other",
  "patients_registered",
  "rate_per_1000",
  "capability",
  "participation",
  "usage",
] as const;

const BATCH = 300;

/** The publication the option and the names give (null = take the latest MONTH in the file). */
function resolvePublication(ctx: ImportContext<OcSubmissionsOptions>): string | null {
  let fromOption: string | null = null;
  if (ctx.options.publication !== undefined) {
    const m = MONTH_OPTION.exec(String(ctx.options.publication).trim());
    if (!m) throw new ImportError({ file: ctx.input.fileName, expected: "a publication option like 2026-05 (YYYY-MM)", got: String(ctx.options.publication) });
    fromOption = `${m[1]}-${m[2]}-01`;
  }
  let fromName: { month: string; name: string } | null = null;
  for (const member of ctx.input.members) {
    const month = publicationFromName(member.name);
    if (month === null) continue;
    if (fromName && fromName.month !== month) {
      throw new ImportError({
        file: ctx.input.fileName,
        expected: `members of one publication, but ${fromName.name} says ${monthLabel(fromName.month)} and ${member.name} says ${monthLabel(month)}`,
      });
    }
    fromName ??= { month, name: member.name };
  }
  if (!fromName && ctx.input.isZip) {
    const month = publicationFromName(ctx.input.fileName);
    if (month) fromName = { month, name: ctx.input.fileName };
  }
  if (fromOption && fromName && fromOption !== fromName.month) {
    throw new ImportError({
      file: ctx.input.fileName,
      expected: `a publication option that agrees with the file's name (${fromName.name} says ${monthLabel(fromName.month)})`,
      got: String(ctx.options.publication),
    });
  }
  return fromOption ?? fromName?.month ?? null;
}

export const ocSubmissionsImporter: Importer<OcSubmissionsOptions> = {
  source: OC_SUBMISSIONS_SOURCE,
  title: "OC submissions per practice per month: Submissions via Online Consultation Systems in General Practice (.csv or the north/south .zip)",
  async run(ctx) {
    const givenPublication = resolvePublication(ctx);
    let latestMonth = "";
    /** month → practice → supplier → values. */
    const byMonth = new Map<string, Map<string, Map<string, SupplierValues>>>();
    const labels = ctx.input.members.map((m) => m.label);
    /** One copy of each supplier name, not a slice of the text it was read from (see ownText). */
    const supplierNames = new Map<string, string>();

    for (const [memberIndex, member] of ctx.input.members.entries()) {
      let header: HeaderIndex<Key> | null = null;
      let columns: FieldColumns<Key> | null = null;
      let dataRows = 0;
      let lastLine = 1;
      for await (const batch of readCsvBatches(await member.open(), member.label))
      for (const record of batch) {
        ctx.tick();
        lastLine = record.line;
        if (!header) {
          header = matchHeader(record, SPEC, member.label, "monthly OC submissions");
          const h = header;
          columns = Object.fromEntries((Object.keys(SPEC) as Key[]).map((k) => [k, { index: h[k], name: h.names[h[k]] ?? SPEC[k].names[0] }])) as FieldColumns<Key>;
          continue;
        }
        ctx.counts.read++;
        dataRows++;
        requireWidth(record, header.width, member.label, "monthly OC submissions");
        // The common row checked without Zod; anything unusual goes through the schema, for its exact message.
        const row = fastRow(record.fields, header) ?? validateRecord(RowSchema, record, columns!, member.label);
        if (givenPublication && row.month > givenPublication) {
          throw new ImportError({
            file: member.label,
            line: record.line,
            column: header.month + 1,
            columnName: columns!.month.name,
            expected: `a month no later than the publication (${monthLabel(givenPublication)})`,
            got: record.fields[header.month] ?? "",
          });
        }
        const metric = METRIC_INDEX.get(row.metric);
        const valueColumn = { value: columns!.value };
        if (metric === undefined) {
          validateRecord(DecimalValueSchema, record, valueColumn, member.label);
          ctx.counts.rejected++;
          ctx.warn(`Not loaded: unknown METRIC ${JSON.stringify(row.metric)}`);
          continue;
        }
        const published =
          fastValue(record.fields[header.value]!, metric === RATE) ??
          validateRecord(metric === RATE ? DecimalValueSchema : WholeValueSchema, record, valueColumn, member.label).value;
        if (row.month > latestMonth) latestMonth = row.month;

        let practices = byMonth.get(row.month);
        if (!practices) byMonth.set(row.month, (practices = new Map()));
        let suppliers = practices.get(row.code);
        if (!suppliers) practices.set(row.code, (suppliers = new Map()));
        let values = suppliers.get(row.supplier);
        if (!values) suppliers.set(ownText(row.supplier, supplierNames), (values = new Float64Array(SLOTS)));

        const value = published.value ?? Number.NaN;
        const position = values[metric * 2 + 1]!;
        if (position !== 0) {
          const earlier = values[metric * 2]!;
          if (Object.is(earlier, value) || earlier === value) {
            ctx.warn("Duplicate row (identical to an earlier line) ignored");
            continue;
          }
          const earlierMember = Math.floor(position / POSITION_BASE);
          const earlierLine = position % POSITION_BASE;
          const where = earlierMember === memberIndex ? `line ${earlierLine}` : `line ${earlierLine} of ${labels[earlierMember]}`;
          throw new ImportError({
            file: member.label,
            line: record.line,
            column: header.value + 1,
            columnName: columns!.value.name,
            expected: `one row per practice, month, supplier and metric; ${row.code} ${row.month.slice(0, 7)}${row.supplier ? ` (supplier ${row.supplier})` : ""} ${row.metric} is also on ${where} with ${Number.isNaN(earlier) ? "an empty value" : earlier}`,
            got: record.fields[header.value] ?? "",
          });
        }
        values[metric * 2] = value;
        values[metric * 2 + 1] = memberIndex * POSITION_BASE + record.line;
        if (metric === RATE) values[RATE_DECIMALS] = published.decimals;
      }
      if (!header) throw new ImportError({ file: member.label, line: 1, expected: "a monthly OC submissions header row", got: "an empty file" });
      if (dataRows === 0) throw new ImportError({ file: member.label, line: lastLine + 1, expected: "monthly OC submissions rows after the header", got: "the end of the file" });
    }

    const publication = givenPublication ?? latestMonth;
    // Counted before `writeMonths` lets the months go.
    const unknown = await countUnknownPractices(ctx.trx, [...byMonth.values()].flatMap((practices) => [...practices.keys()]));
    await writeMonths(ctx, byMonth, publication);
    if (unknown > 0) ctx.warn("Submissions kept for practices not yet in the practice data (import epraccur to name them)", unknown);
  },
};

/** Combines a practice-month's suppliers: counts summed, PATIENTS_REGISTERED and flags the largest, null where none published. */
function combine(suppliers: Map<string, SupplierValues>) {
  const sum = (metric: number): number | null => {
    let total: number | null = null;
    for (const v of suppliers.values()) {
      const x = v[metric * 2]!;
      if (v[metric * 2 + 1] !== 0 && !Number.isNaN(x)) total = (total ?? 0) + x;
    }
    return total;
  };
  const max = (metric: number): number | null => {
    let best: number | null = null;
    for (const v of suppliers.values()) {
      const x = v[metric * 2]!;
      if (v[metric * 2 + 1] !== 0 && !Number.isNaN(x)) best = best === null ? x : Math.max(best, x);
    }
    return best;
  };
  let rateCount = 0;
  let rateDecimals = Infinity;
  for (const v of suppliers.values()) {
    if (v[RATE * 2 + 1] !== 0 && !Number.isNaN(v[RATE * 2]!)) {
      rateCount++;
      rateDecimals = Math.min(rateDecimals, v[RATE_DECIMALS]!);
    }
  }
  return {
    suppliers: [...suppliers.keys()].filter((s) => s !== "").sort().join("|"),
    total: sum(TOTAL),
    clinical: sum(CLINICAL),
    admin: sum(ADMIN),
    other: sum(OTHER),
    patients: max(PATIENTS),
    capability: max(CAPABILITY),
    participation: max(PARTICIPATION),
    usage: max(USAGE),
    publishedRate: rateCount === 0 ? null : { sum: sum(RATE)!, max: max(RATE)!, count: rateCount, decimals: rateDecimals },
  };
}

function sameValues(a: OcRow, b: OcRow): boolean {
  return VALUE_FIELDS.every((f) => a[f] === b[f]);
}

async function writeMonths(ctx: ImportContext<OcSubmissionsOptions>, byMonth: Map<string, Map<string, Map<string, SupplierValues>>>, publication: string) {
  let pending: OcRow[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    await ctx.trx
      .insertInto("oc_monthly")
      .values(rows)
      .onConflict((oc) =>
        oc.columns(["practice_code", "month"]).doUpdateSet((eb) => ({
          publication: eb.ref("excluded.publication"),
          suppliers: eb.ref("excluded.suppliers"),
          total: eb.ref("excluded.total"),
          clinical: eb.ref("excluded.clinical"),
          admin: eb.ref("excluded.admin"),
          other: eb.ref("excluded.other"),
          patients_registered: eb.ref("excluded.patients_registered"),
          rate_per_1000: eb.ref("excluded.rate_per_1000"),
          capability: eb.ref("excluded.capability"),
          participation: eb.ref("excluded.participation"),
          usage: eb.ref("excluded.usage"),
          import_id: eb.ref("excluded.import_id"),
        })),
      )
      .execute();
  };

  for (const month of [...byMonth.keys()].sort()) {
    const practices = byMonth.get(month)!;
    // Each month is let go once written, so the heap holds what is left to write, not the whole file.
    byMonth.delete(month);
    const stored = new Map<string, OcRow>();
    for (const r of await ctx.trx.selectFrom("oc_monthly").selectAll().where("month", "=", month).execute()) stored.set(r.practice_code, r);
    const changed: string[] = [];
    for (const [code, suppliers] of practices) {
      const c = combine(suppliers);
      const rate = c.total !== null && c.patients !== null && c.patients > 0 ? (1000 * c.total) / c.patients : null;
      if (c.publishedRate && rate !== null) {
        const unit = 0.5 * 10 ** -c.publishedRate.decimals + 1e-9;
        const agrees = Math.abs(c.publishedRate.sum - rate) <= unit * c.publishedRate.count || Math.abs(c.publishedRate.max - rate) <= unit;
        if (!agrees)
          ctx.warn("Published OC_RATE_PER_1000_REGISTERED_PATIENTS differs from 1000 × total ÷ PATIENTS_REGISTERED by more than rounding (the recomputed rate is stored)");
      }
      if (c.total !== null && c.clinical !== null && c.admin !== null && c.other !== null && c.clinical + c.admin + c.other !== c.total) {
        ctx.warn("Clinical + admin + other submissions do not add up to the total (practice-months)");
      }
      const row: OcRow = {
        practice_code: code,
        month,
        publication,
        suppliers: c.suppliers,
        total: c.total,
        clinical: c.clinical,
        admin: c.admin,
        other: c.other,
        patients_registered: c.patients,
        rate_per_1000: rate,
        capability: c.capability,
        participation: c.participation,
        usage: c.usage,
        import_id: ctx.importId,
      };
      const current = stored.get(code);
      if (current && current.publication > publication) {
        ctx.counts.unchanged++;
        ctx.warn("Not replacing values from a later publication (practice-months kept as they were)");
        continue;
      }
      if (current && sameValues(current, row)) {
        ctx.counts.unchanged++;
        // The same values, confirmed by a later publication: keep them, now attributed to it.
        if (current.publication === publication) continue;
      } else {
        if (current) ctx.counts.updated++;
        else ctx.counts.inserted++;
        changed.push(code);
      }
      pending.push(row);
      if (pending.length >= BATCH) await flush();
    }
    await flush();
    if (changed.length > 0) await recomputeMeasures(ctx.trx, { months: [month], practices: changed });
  }
}

