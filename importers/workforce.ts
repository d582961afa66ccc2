import { z } from "zod";
import { recomputeMeasures } from "~/services/measures.server";
import { matchHeader, readCsvBatches, type HeaderIndex } from "./core/csv";
import { ImportError } from "./core/errors";
import { practiceCode, requireWidth, validateRecord, type FieldColumns } from "./core/fields";
import { countUnknownPractices } from "./core/practices";
import type { CsvMember } from "./core/sources";
import type { ImportContext, Importer } from "./core/run";

/**
 * NHS England "General Practice Workforce", the practice-level high-level file (data-formats.md, section 5a): long
 * layout `PRAC_CODE,PRAC_NAME,STAFF_GROUP,DETAILED_STAFF_ROLE,MEASURE,VALUE`, one row per practice × staff group ×
 * role × measure. Takes the single CSV given, or, from the published `GPWPracticeCSV.MMYYYY.zip` (several members),
 * only the member whose name contains "High level" (the en-dash in member names may be mis-decoded as `â€“`).
 *
 * - STAFF_GROUP: GP, Nurses, Direct Patient Care, Admin/Non-Clinical (any case, spacing or punctuation); MEASURE: FTE,
 *   Headcount (or HC). Other groups or measures are not loaded (a counted warning).
 * - VALUE: a number ≥ 0; `ND`, `NA`, `NS`, `EST`, `.` and empty mean not published (null, never 0).
 * - Per practice, staff group and measure, from the role rows (all but `Total`) and the `Total` row:
 *   - FTE: the roles summed, the published Total being wrong for some practices; a group whose role rows are all
 *     missing is null; with no role rows at all, the Total row. A Total that differs from the sum of the roles by
 *     more than 0.01 is a counted warning.
 *   - Headcount: the Total row when it is published, else the roles summed as for FTE. Unlike FTE, headcount does
 *     not add up across roles: someone working in two roles is counted once in the group's total.
 * - A row repeating a practice, group, role and measure exactly is accepted once with a warning; with another value
 *   it is an error naming both lines.
 *
 * The file has no date column. The month comes from the file's name (`GPWPracticeCSV.082026.zip`, also the older
 * `GPWPracticeCSV.0919.zip`) or the member's (`3 General Practice – August 2026 Practice Level - High level.csv`),
 * else the `month` option (`--month YYYY-MM`); if both are given they must agree, and with neither the file is
 * refused. The workforce is a snapshot on the last day of that month; it is stored under the first of the month,
 * like every other monthly fact. A newer edition of the same month replaces the values of the practices it holds.
 *
 * Counts: `read` is CSV data rows, `rejected` rows of other staff groups or measures; `inserted`, `updated` and
 * `unchanged` are stored practice-months. Memory is bounded by the number of practices (one small record each).
 */
export interface WorkforceOptions {
  /** `YYYY-MM`: the month of a file whose name does not say it. */
  month?: string;
}

export const WORKFORCE_SOURCE = "workforce";

const SPEC = {
  code: { names: ["PRAC_CODE"], required: true },
  name: { names: ["PRAC_NAME"], required: false },
  group: { names: ["STAFF_GROUP"], required: true },
  role: { names: ["DETAILED_STAFF_ROLE"], required: true },
  measure: { names: ["MEASURE"], required: true },
  value: { names: ["VALUE"], required: true },
} as const;
type Key = keyof typeof SPEC;

const GROUPS = ["gp", "nurses", "dpc", "admin"] as const;
const GROUP_INDEX: Record<string, number> = { gp: 0, nurses: 1, directpatientcare: 2, adminnonclinical: 3 };
const MEASURE_INDEX: Record<string, number> = { fte: 0, headcount: 1, hc: 1 };
const FTE = 0;
const HEADCOUNT = 1;

/** Per group and measure: the roles' sum, role rows with a value, role rows, the Total (NaN = missing), Total rows. */
const ROLE_SUM = 0;
const ROLE_VALUES = 1;
const ROLE_ROWS = 2;
const TOTAL_VALUE = 3;
const TOTAL_ROWS = 4;
const CELL = 5;

interface PracticeAgg {
  cells: Float64Array;
  /** Per row key (role id × 8 + group × 2 + measure): the line it was on and its value (NaN = missing), for repeated rows. */
  lines: Map<number, number>;
  values: Map<number, number>;
}

const MISSING = new Set(["ND", "NA", "NS", "EST", ".", ""]);

const value = z
  .string()
  .trim()
  .transform((s, ctx) => {
    if (MISSING.has(s.toUpperCase())) return null;
    if (!/^\d{1,9}(\.\d{1,12})?$/.test(s)) {
      ctx.addIssue({ code: "custom", message: "a number of 0 or more, or ND, NA, NS, EST, . or empty (not published)" });
      return z.NEVER;
    }
    return Number(s);
  });

const RowSchema = z.object({
  code: practiceCode,
  group: z.string().trim().max(100, { message: "a staff group of at most 100 characters" }),
  role: z
    .string()
    .trim()
    .min(1, { message: "a staff role like Partner/Provider or Total" })
    .max(200, { message: "a staff role of at most 200 characters" }),
  measure: z.string().trim().max(100, { message: "a measure of at most 100 characters" }),
  value,
});

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const MONTH_IN_NAME =
  /(?<![A-Za-z])(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)[\s_-]*(\d{4})(?!\d)/i;
const MONTH_OPTION = /^(\d{4})-(0[1-9]|1[0-2])$/;

function monthLabel(month: string): string {
  const names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  return `${names[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

/**
 * The month a published name gives, as `YYYY-MM-01`, or null: `GPWPracticeCSV.082026.zip` (MMYYYY),
 * `GPWPracticeCSV.0919.zip` (MMYY, older editions), or a month name and year (`… – August 2026 Practice Level …`).
 */
export function workforceMonthFromName(name: string): string | null {
  const numeric = /GPWPractice\w*?[._-](0[1-9]|1[0-2])(\d{4}|\d{2})(?!\d)/i.exec(name) ?? /(?<!\d)(0[1-9]|1[0-2])(20\d{2})(?!\d)/.exec(name);
  if (numeric) {
    const year = numeric[2]!.length === 2 ? `20${numeric[2]}` : numeric[2]!;
    return `${year}-${numeric[1]}-01`;
  }
  const named = MONTH_IN_NAME.exec(name);
  if (!named) return null;
  const month = MONTH_NAMES.indexOf(named[1]!.slice(0, 3).toUpperCase()) + 1;
  return `${named[2]}-${String(month).padStart(2, "0")}-01`;
}

/** The one CSV to read: the only one, or the member named "High level". */
function pickMember(ctx: ImportContext<WorkforceOptions>): CsvMember {
  const members = ctx.input.members;
  if (members.length === 1) return members[0]!;
  const high = members.filter((m) => /high[\s_-]*level/i.test(m.name));
  if (high.length === 1) return high[0]!;
  throw new ImportError({
    file: ctx.input.fileName,
    expected:
      high.length === 0
        ? "a workforce practice CSV, or a zip with a member named like 'Practice Level - High level.csv'"
        : "one 'High level' member in the zip",
    got: (high.length === 0 ? members : high).map((m) => m.name).join(", "),
  });
}

function resolveMonth(ctx: ImportContext<WorkforceOptions>, member: CsvMember): string {
  let fromOption: string | null = null;
  if (ctx.options.month !== undefined) {
    const m = MONTH_OPTION.exec(String(ctx.options.month).trim());
    if (!m) throw new ImportError({ file: ctx.input.fileName, expected: "a month option like 2026-08 (YYYY-MM)", got: String(ctx.options.month) });
    fromOption = `${m[1]}-${m[2]}-01`;
  }
  const named: { name: string; month: string }[] = [];
  for (const name of new Set([ctx.input.fileName, member.name])) {
    const month = workforceMonthFromName(name);
    if (month) named.push({ name, month });
  }
  const [first, second] = named;
  if (first && second && first.month !== second.month) {
    throw new ImportError({
      file: ctx.input.fileName,
      expected: `names that agree on the month, but ${first.name} says ${monthLabel(first.month)} and ${second.name} says ${monthLabel(second.month)}`,
    });
  }
  if (first && fromOption && first.month !== fromOption) {
    throw new ImportError({
      file: ctx.input.fileName,
      expected: `a month option that agrees with the file's name (${first.name} says ${monthLabel(first.month)})`,
      got: String(ctx.options.month),
    });
  }
  const month = first?.month ?? fromOption;
  if (!month) {
    throw new ImportError({
      file: ctx.input.fileName,
      expected: "a file named like GPWPracticeCSV.082026.zip or '… August 2026 Practice Level - High level.csv', or a month option (--month YYYY-MM)",
      got: member.name,
    });
  }
  return month;
}

interface WorkforceRow {
  practice_code: string;
  month: string;
  gp_fte: number | null;
  nurses_fte: number | null;
  dpc_fte: number | null;
  admin_fte: number | null;
  gp_headcount: number | null;
  nurses_headcount: number | null;
  dpc_headcount: number | null;
  admin_headcount: number | null;
  import_id: number;
}

const VALUE_FIELDS = [
  "gp_fte",
  "nurses_fte",
  "dpc_fte",
  "admin_fte",
  "gp_headcount",
  "nurses_headcount",
  "dpc_headcount",
  "admin_headcount",
] as const;

const BATCH = 300;

/** Rounds away float noise from sums (FTE is published to a few decimals). */
const clean = (x: number) => Math.round(x * 1e9) / 1e9;

export const workforceImporter: Importer<WorkforceOptions> = {
  source: WORKFORCE_SOURCE,
  title: "Staff FTE and headcount per practice: General Practice Workforce high-level practice CSV (GPWPracticeCSV.MMYYYY.zip or the CSV)",
  async run(ctx) {
    const member = pickMember(ctx);
    const month = resolveMonth(ctx, member);
    const practices = new Map<string, PracticeAgg>();
    /** Role names (a few dozen in a real file), numbered so that each practice's row keys are small integers. */
    const roleIds = new Map<string, number>();

    let header: HeaderIndex<Key> | null = null;
    let columns: FieldColumns<Key> | null = null;
    let lastLine = 1;
    for await (const csvBatch of readCsvBatches(await member.open(), member.label))
      for (const record of csvBatch) {
      ctx.tick();
      lastLine = record.line;
      if (!header) {
        header = matchHeader(record, SPEC, member.label, "workforce high-level");
        const h = header;
        columns = Object.fromEntries((Object.keys(SPEC) as Key[]).map((k) => [k, { index: h[k], name: h.names[h[k]] ?? SPEC[k].names[0] }])) as FieldColumns<Key>;
        continue;
      }
      ctx.counts.read++;
      requireWidth(record, header.width, member.label, "workforce high-level");
      const row = validateRecord(RowSchema, record, columns!, member.label);
      const group = GROUP_INDEX[row.group.toLowerCase().replace(/[^a-z]/g, "")];
      if (group === undefined) {
        ctx.counts.rejected++;
        ctx.warn(`Not loaded: staff group ${JSON.stringify(row.group)} (not GP, Nurses, Direct Patient Care or Admin/Non-Clinical)`);
        continue;
      }
      const measure = MEASURE_INDEX[row.measure.toLowerCase().replace(/[^a-z]/g, "")];
      if (measure === undefined) {
        ctx.counts.rejected++;
        ctx.warn(`Not loaded: measure ${JSON.stringify(row.measure)} (not FTE or Headcount)`);
        continue;
      }
      let agg = practices.get(row.code);
      if (!agg) practices.set(row.code, (agg = { cells: new Float64Array(GROUPS.length * 2 * CELL), lines: new Map(), values: new Map() }));

      const v = row.value ?? Number.NaN;
      const role = row.role.toLowerCase().replace(/\s+/g, " ");
      let roleId = roleIds.get(role);
      if (roleId === undefined) roleIds.set(role, (roleId = roleIds.size));
      const key = roleId * 8 + group * 2 + measure;
      const earlierLine = agg.lines.get(key);
      if (earlierLine !== undefined) {
        const earlier = agg.values.get(key)!;
        if (Object.is(earlier, v)) {
          ctx.warn("Duplicate row (identical to an earlier line) ignored");
          continue;
        }
        throw new ImportError({
          file: member.label,
          line: record.line,
          column: header.value + 1,
          columnName: columns!.value.name,
          expected: `one row per practice, staff group, role and measure; ${row.code} ${row.group} ${row.role} ${row.measure} is also on line ${earlierLine} with ${Number.isNaN(earlier) ? "no value" : earlier}`,
          got: record.fields[header.value] ?? "",
        });
      }
      agg.lines.set(key, record.line);
      agg.values.set(key, v);

      const base = (group * 2 + measure) * CELL;
      const cells = agg.cells;
      if (role === "total") {
        cells[base + TOTAL_ROWS]!++;
        cells[base + TOTAL_VALUE] = v;
      } else {
        cells[base + ROLE_ROWS]!++;
        if (row.value !== null) {
          cells[base + ROLE_VALUES]!++;
          cells[base + ROLE_SUM] = cells[base + ROLE_SUM]! + row.value;
        }
      }
    }
    if (!header) throw new ImportError({ file: member.label, line: 1, expected: "a workforce high-level header row", got: "an empty file" });
    if (practices.size === 0 && ctx.counts.read === 0)
      throw new ImportError({ file: member.label, line: lastLine + 1, expected: "workforce rows after the header", got: "the end of the file" });

    await write(ctx, month, practices);
  },
};

function figure(ctx: ImportContext<WorkforceOptions>, cells: Float64Array, group: number, measure: number): number | null {
  const base = (group * 2 + measure) * CELL;
  const roleRows = cells[base + ROLE_ROWS]!;
  const roleSum = cells[base + ROLE_VALUES]! > 0 ? clean(cells[base + ROLE_SUM]!) : null;
  const total = cells[base + TOTAL_ROWS]! > 0 && !Number.isNaN(cells[base + TOTAL_VALUE]!) ? cells[base + TOTAL_VALUE]! : null;
  if (measure === FTE && roleSum !== null && total !== null && Math.abs(total - roleSum) > 0.01 + 1e-9) {
    ctx.warn("Published FTE Total differs from the sum of its roles by more than 0.01 (the sum of the roles is stored)");
  }
  if (measure === HEADCOUNT && total !== null) return total;
  if (roleRows > 0) return roleSum;
  return total;
}

async function write(ctx: ImportContext<WorkforceOptions>, month: string, practices: Map<string, PracticeAgg>) {
  const stored = new Map<string, WorkforceRow>();
  for (const r of await ctx.trx.selectFrom("workforce_monthly").selectAll().where("month", "=", month).execute()) stored.set(r.practice_code, r);
  let pending: WorkforceRow[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    await ctx.trx
      .insertInto("workforce_monthly")
      .values(rows)
      .onConflict((oc) =>
        oc.columns(["practice_code", "month"]).doUpdateSet((eb) => ({
          gp_fte: eb.ref("excluded.gp_fte"),
          nurses_fte: eb.ref("excluded.nurses_fte"),
          dpc_fte: eb.ref("excluded.dpc_fte"),
          admin_fte: eb.ref("excluded.admin_fte"),
          gp_headcount: eb.ref("excluded.gp_headcount"),
          nurses_headcount: eb.ref("excluded.nurses_headcount"),
          dpc_headcount: eb.ref("excluded.dpc_headcount"),
          admin_headcount: eb.ref("excluded.admin_headcount"),
          import_id: eb.ref("excluded.import_id"),
        })),
      )
      .execute();
  };

  const changed: string[] = [];
  for (const [code, agg] of practices) {
    const f = (group: number, measure: number) => figure(ctx, agg.cells, group, measure);
    const row: WorkforceRow = {
      practice_code: code,
      month,
      gp_fte: f(0, FTE),
      nurses_fte: f(1, FTE),
      dpc_fte: f(2, FTE),
      admin_fte: f(3, FTE),
      gp_headcount: f(0, HEADCOUNT),
      nurses_headcount: f(1, HEADCOUNT),
      dpc_headcount: f(2, HEADCOUNT),
      admin_headcount: f(3, HEADCOUNT),
      import_id: ctx.importId,
    };
    const current = stored.get(code);
    if (current && VALUE_FIELDS.every((k) => current[k] === row[k])) {
      ctx.counts.unchanged++;
      continue;
    }
    if (current) ctx.counts.updated++;
    else ctx.counts.inserted++;
    changed.push(code);
    pending.push(row);
    if (pending.length >= BATCH) await flush();
  }
  await flush();
  if (changed.length > 0) await recomputeMeasures(ctx.trx, { months: [month], practices: changed });

  const unknown = await countUnknownPractices(ctx.trx, practices.keys());
  if (unknown > 0) ctx.warn("Workforce kept for practices not yet in the practice data (import epraccur to name them)", unknown);
}
