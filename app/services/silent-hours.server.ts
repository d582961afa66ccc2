import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { isDate, weekday as weekdayOf, type CoreHoursCalendar } from "~/domain/calendar";
import {
  addHour,
  emptySums,
  emptyWeekdayMonth,
  profileOf,
  screenDays,
  screenWeekdayMonth,
  SCREENING_LABEL,
  signalsOf,
  STRENGTH_ORDER,
  subtractSums,
  sumsOfDays,
  type MonthlySilentSignal,
  type PracticeDay,
  type ProfileSums,
  type SilentHourCell,
  type SilentHourSignal,
  type Strength,
  type WeekdayMonth,
} from "~/domain/silent-hours";
import { loadCalendar } from "./compliance.server";

/**
 * Silent-hours screening over the stored By Day and Time data (method: app/domain/silent-hours.ts and
 * docs/decisions/0009-silent-hours-screening.md). **Screening, not evidence**: every result carries that label, and
 * nothing here is read by the compliance figures.
 */

/** A practice's profile comes from its ICB's other practices when at least this many of them have data. */
export const MIN_REFERENCE_PRACTICES = 5;

export interface ReferenceGroup {
  /** "icb": the practice's ICB without it; "all": every loaded practice without it. */
  basis: "icb" | "all";
  icbCode: string | null;
  /** Practices in the reference group (the practice itself not counted). */
  practices: number;
}

export interface PracticeSilentHours {
  label: typeof SCREENING_LABEL;
  practiceCode: string;
  from: string;
  to: string;
  /** Core days in the range. */
  coreDays: number;
  /** Core days in the range on which the practice has any submission data (the others are "no data"). */
  daysWithData: number;
  reference: ReferenceGroup;
  /** Every weekday × core hour × category screened (dated edition). */
  cells: SilentHourCell[];
  /** The cells with a strength, strongest first. */
  signals: SilentHourSignal[];
  strongest: SilentHourSignal | null;
  /** Months in the range with weekday-aggregated data for the practice, `YYYY-MM-01`. */
  weekdayMonths: string[];
  /** Flags from the weekday-aggregated edition, strongest first. */
  monthly: MonthlySilentSignal[];
}

export interface IcbSilentHoursPractice {
  practiceCode: string;
  practiceName: string | null;
  coreDays: number;
  daysWithData: number;
  strongest: SilentHourSignal | null;
  counts: Record<Strength, number>;
  strongestMonthly: MonthlySilentSignal | null;
}

export interface IcbSilentHours {
  label: typeof SCREENING_LABEL;
  icbCode: string;
  from: string;
  to: string;
  reference: ReferenceGroup;
  /** Every current practice of the ICB (and any other with data in the range): flagged ones first, strongest first. */
  practices: IcbSilentHoursPractice[];
}

function checkRange(from: string, to: string): void {
  if (!isDate(from) || !isDate(to) || from > to) throw new RangeError(`Expected a date range like 2026-01-01..2026-03-31, got ${from}..${to}`);
}

const firstOfMonth = (date: string) => `${date.slice(0, 7)}-01`;
/** 1 = Monday … 7 = Sunday. */
const isoWeekday = (date: string) => weekdayOf(date) || 7;

/**
 * `calendar.isCoreDay`, remembered per date: the screens ask it once per stored row (hundreds of thousands for an
 * ICB's year), and a date's answer never changes within a request.
 */
function coreDayTest(calendar: CoreHoursCalendar): (date: string) => boolean {
  const known = new Map<string, boolean>();
  return (date) => {
    let core = known.get(date);
    if (core === undefined) known.set(date, (core = calendar.isCoreDay(date)));
    return core;
  };
}

/**
 * Sums of the dated data by weekday and hour over core days, for an ICB's practices (null: every loaded practice),
 * and how many practices have any data in the range. An ICB's come from the stored aggregates (`oc_icb_hourly`,
 * `oc_daily`; ADR 17); all practices' from `oc_hourly` itself, since they include practices in no ICB.
 */
async function referenceSums(
  db: Kysely<Database>,
  calendar: CoreHoursCalendar,
  icbCode: string | null,
  from: string,
  to: string,
): Promise<{ sums: ProfileSums; practices: number }> {
  const grouped =
    icbCode !== null
      ? db
          .selectFrom("oc_icb_hourly")
          .select(["date", "hour", "total", "clinical"])
          .where("icb_code", "=", icbCode)
          .where("date", ">=", from)
          .where("date", "<=", to)
      : db
          .selectFrom("oc_hourly")
          .select(["date", "hour"])
          .select((eb) => [eb.fn.sum<number | string>("total").as("total"), eb.fn.sum<number | string>("clinical").as("clinical")])
          .where("date", ">=", from)
          .where("date", "<=", to)
          .groupBy(["date", "hour"]);
  const count = db
    .selectFrom(icbCode !== null ? "oc_daily" : "oc_hourly")
    .select((eb) => eb.fn.count<number | string>("practice_code").distinct().as("n"))
    .where("date", ">=", from)
    .where("date", "<=", to)
    .$if(icbCode !== null, (q) => q.where("practice_code", "in", db.selectFrom("practices").select("ods_code").where("icb_code", "=", icbCode)));
  const [rows, n] = await Promise.all([grouped.execute(), count.executeTakeFirst()]);
  const isCore = coreDayTest(calendar);
  const sums = emptySums();
  for (const r of rows) {
    if (!isCore(r.date)) continue;
    addHour(sums, isoWeekday(r.date), r.hour, { total: Number(r.total), clinical: Number(r.clinical) });
  }
  return { sums, practices: Number(n?.n ?? 0) };
}

/** One stored hour of the dated edition. */
interface HourRow {
  date: string;
  hour: number;
  total: number;
  clinical: number;
}

/** A practice's rows (ordered by date and hour) as its core days with data, each with 24 hour buckets. */
function daysOf(rows: readonly HourRow[], isCore: (date: string) => boolean): PracticeDay[] {
  const days: PracticeDay[] = [];
  let current: PracticeDay | null = null;
  for (const r of rows) {
    if (!isCore(r.date)) continue;
    if (!current || current.date !== r.date) {
      current = { date: r.date, weekday: isoWeekday(r.date), hours: Array.from({ length: 24 }, () => ({ total: 0, clinical: 0 })) };
      days.push(current);
    }
    const h = current.hours[r.hour];
    if (h) {
      h.total += r.total;
      h.clinical += r.clinical;
    }
  }
  return days;
}

/** A practice's rows in the range, ordered by date and hour. */
function practiceRows(db: Kysely<Database>, code: string, from: string, to: string): Promise<HourRow[]> {
  return db
    .selectFrom("oc_hourly")
    .select(["date", "hour", "total", "clinical"])
    .where("practice_code", "=", code)
    .where("date", ">=", from)
    .where("date", "<=", to)
    .orderBy("date")
    .orderBy("hour")
    .execute();
}

/** The practice's core days with data in the range, each with 24 hour buckets. */
async function practiceDays(db: Kysely<Database>, calendar: CoreHoursCalendar, code: string, from: string, to: string): Promise<PracticeDay[]> {
  return daysOf(await practiceRows(db, code, from, to), coreDayTest(calendar));
}

/**
 * A practice's core days kept compactly while the rest of its ICB is read: dates, their weekdays, and per day 24
 * hours × (total, clinical) in one typed array. An ICB's year is some 25,000 practice-days; as objects they would be
 * 600,000.
 */
interface PackedDays {
  dates: string[];
  weekdays: number[];
  counts: Int32Array;
}

/**
 * Packs a practice's rows (ordered by date and hour) into its core days, as `daysOf` would, and adds each core-day
 * row to `sums`. `coreWeekday` gives a date's ISO weekday, or 0 when it is not a core day.
 */
function packRows(rows: readonly HourRow[], coreWeekday: (date: string) => number, maxDays: number, sums: ProfileSums): PackedDays {
  const dates: string[] = [];
  const weekdays: number[] = [];
  const counts = new Int32Array(maxDays * 48);
  let at = -48;
  for (const r of rows) {
    const w = coreWeekday(r.date);
    if (w === 0) continue;
    if (dates.at(-1) !== r.date) {
      dates.push(r.date);
      weekdays.push(w);
      at += 48;
    }
    // Exactly as the grouped query's sums and `daysOf` (which has no bucket for an hour outside 0–23).
    addHour(sums, w, r.hour, r);
    if (r.hour < 0 || r.hour > 23) continue;
    const i = at + r.hour * 2;
    counts[i] = counts[i]! + r.total;
    counts[i + 1] = counts[i + 1]! + r.clinical;
  }
  return { dates, weekdays, counts: counts.subarray(0, dates.length * 48) };
}

function unpack(packed: PackedDays): PracticeDay[] {
  return packed.dates.map((date, i) => ({
    date,
    weekday: packed.weekdays[i]!,
    hours: Array.from({ length: 24 }, (_, h) => ({ total: packed.counts[i * 48 + h * 2]!, clinical: packed.counts[i * 48 + h * 2 + 1]! })),
  }));
}

interface Reference {
  group: ReferenceGroup;
  sums: ProfileSums;
  /** Whether the practice being screened is inside the group (so its own sums are to be subtracted). */
  contains: (code: string, icbCode: string | null) => boolean;
}

async function chooseReference(
  db: Kysely<Database>,
  calendar: CoreHoursCalendar,
  icbCode: string | null,
  from: string,
  to: string,
  cache: Map<string, Promise<{ sums: ProfileSums; practices: number }>>,
): Promise<Reference> {
  const load = (icb: string | null) => {
    const key = icb ?? "\u0000all";
    let p = cache.get(key);
    if (!p) cache.set(key, (p = referenceSums(db, calendar, icb, from, to)));
    return p;
  };
  if (icbCode !== null) {
    const icb = await load(icbCode);
    // Without the practice itself there must still be MIN_REFERENCE_PRACTICES.
    if (icb.practices - 1 >= MIN_REFERENCE_PRACTICES) {
      return { group: { basis: "icb", icbCode, practices: icb.practices }, sums: icb.sums, contains: (_c, i) => i === icbCode };
    }
  }
  const all = await load(null);
  return { group: { basis: "all", icbCode: null, practices: all.practices }, sums: all.sums, contains: () => true };
}

/** Screens one practice's dated data against a reference group, leaving the practice itself out of the profile. */
function screenAgainst(days: PracticeDay[], reference: Reference, code: string, icbCode: string | null) {
  const own = sumsOfDays(days);
  const inGroup = reference.contains(code, icbCode) && days.length > 0;
  const profile = profileOf(inGroup ? subtractSums(reference.sums, own) : reference.sums);
  const cells = screenDays(days, profile);
  const signals = signalsOf(cells);
  return { cells, signals, practices: Math.max(0, reference.group.practices - (inGroup ? 1 : 0)) };
}

/** The weekday-aggregated months in range: per month, the practice's cells and the reference group's sums. */
async function monthlyScreen(
  db: Kysely<Database>,
  code: string,
  icbCode: string | null,
  from: string,
  to: string,
): Promise<{ months: string[]; signals: MonthlySilentSignal[] }> {
  const own = await db
    .selectFrom("oc_weekday_hourly")
    .select(["month", "weekday", "hour", "total", "clinical"])
    .where("practice_code", "=", code)
    .where("month", ">=", firstOfMonth(from))
    .where("month", "<=", firstOfMonth(to))
    .execute();
  const byMonth = new Map<string, WeekdayMonth>();
  for (const r of own) {
    let m = byMonth.get(r.month);
    if (!m) byMonth.set(r.month, (m = emptyWeekdayMonth()));
    const cell = m[r.weekday]?.[r.hour];
    if (cell) {
      cell.total += r.total;
      cell.clinical += r.clinical;
    }
  }
  const signals: MonthlySilentSignal[] = [];
  for (const [month, data] of byMonth) {
    const reference = async (icb: string | null) => {
      let q = db
        .selectFrom("oc_weekday_hourly")
        .select(["weekday", "hour"])
        .select((eb) => [
          eb.fn.sum<number | string>("total").as("total"),
          eb.fn.sum<number | string>("clinical").as("clinical"),
          eb.fn.count<number | string>("practice_code").distinct().as("practices"),
        ])
        .where("month", "=", month)
        .where("practice_code", "!=", code)
        .groupBy(["weekday", "hour"]);
      if (icb !== null) q = q.where("practice_code", "in", db.selectFrom("practices").select("ods_code").where("icb_code", "=", icb));
      return q.execute();
    };
    let rows = icbCode !== null ? await reference(icbCode) : [];
    const peers = await db
      .selectFrom("oc_weekday_hourly")
      .select((eb) => eb.fn.count<number | string>("practice_code").distinct().as("n"))
      .where("month", "=", month)
      .where("practice_code", "!=", code)
      .$if(icbCode !== null, (q) => q.where("practice_code", "in", db.selectFrom("practices").select("ods_code").where("icb_code", "=", icbCode!)))
      .executeTakeFirst();
    if (icbCode === null || Number(peers?.n ?? 0) < MIN_REFERENCE_PRACTICES) rows = await reference(null);
    const sums = emptySums();
    for (const r of rows) addHour(sums, r.weekday, r.hour, { total: Number(r.total), clinical: Number(r.clinical) });
    signals.push(...screenWeekdayMonth(month, data, profileOf(sums)));
  }
  signals.sort((a, b) => STRENGTH_ORDER[b.strength] - STRENGTH_ORDER[a.strength] || a.log10P - b.log10P || a.month.localeCompare(b.month));
  return { months: [...byMonth.keys()].sort(), signals };
}

/**
 * Screens one practice over London dates `from`..`to` (inclusive): the dated edition cell by cell, and any
 * weekday-aggregated months in the range.
 */
export async function silentHoursForPractice(db: Kysely<Database>, code: string, from: string, to: string): Promise<PracticeSilentHours> {
  checkRange(from, to);
  const calendar = await loadCalendar(db);
  const practice = await db.selectFrom("practices").select(["icb_code"]).where("ods_code", "=", code).executeTakeFirst();
  const icbCode = practice?.icb_code ?? null;
  const [days, reference, monthly] = await Promise.all([
    practiceDays(db, calendar, code, from, to),
    chooseReference(db, calendar, icbCode, from, to, new Map()),
    monthlyScreen(db, code, icbCode, from, to),
  ]);
  const screened = screenAgainst(days, reference, code, icbCode);
  return {
    label: SCREENING_LABEL,
    practiceCode: code,
    from,
    to,
    coreDays: calendar.coreDays(from, to).length,
    daysWithData: days.length,
    reference: { ...reference.group, practices: screened.practices },
    cells: screened.cells,
    signals: screened.signals,
    strongest: screened.signals[0] ?? null,
    weekdayMonths: monthly.months,
    monthly: monthly.signals,
  };
}

/**
 * Screens every practice of an ICB: each with its strongest signal, flagged practices first.
 *
 * The stored hours are read once: each practice's rows give its own days and, summed, the ICB's reference profile
 * (the same sums `referenceSums` asks the database for, which screening one practice uses). Only when the ICB has
 * too few practices with data is the all-practices profile read as well.
 */
export async function silentHoursForIcb(db: Kysely<Database>, icbCode: string, from: string, to: string): Promise<IcbSilentHours> {
  checkRange(from, to);
  const calendar = await loadCalendar(db);
  const weekdays = new Map<string, number>();
  const coreWeekday = (date: string) => {
    let w = weekdays.get(date);
    if (w === undefined) weekdays.set(date, (w = calendar.isCoreDay(date) ? isoWeekday(date) : 0));
    return w;
  };
  const coreDays = calendar.coreDays(from, to).length;
  const members = await db
    .selectFrom("practices")
    .select(["ods_code", "name", "status"])
    .where("icb_code", "=", icbCode)
    .orderBy("ods_code")
    .execute();
  const memberCodes = db.selectFrom("practices").select("ods_code").where("icb_code", "=", icbCode);
  const withMonthly = new Set(
    (
      await db
        .selectFrom("oc_weekday_hourly")
        .select("practice_code")
        .distinct()
        .where("month", ">=", firstOfMonth(from))
        .where("month", "<=", firstOfMonth(to))
        .where("practice_code", "in", memberCodes)
        .execute()
    ).map((r) => r.practice_code),
  );

  // One pass over the ICB's stored hours: each practice's days, and the ICB's sums over core days.
  const icbSums = emptySums();
  const packed = new Map<string, PackedDays>();
  let practicesWithData = 0;
  for (const p of members) {
    const rows = await practiceRows(db, p.ods_code, from, to);
    if (rows.length === 0) continue;
    practicesWithData++;
    packed.set(p.ods_code, packRows(rows, coreWeekday, coreDays, icbSums));
  }
  const cache = new Map<string, Promise<{ sums: ProfileSums; practices: number }>>([
    [icbCode, Promise.resolve({ sums: icbSums, practices: practicesWithData })],
  ]);
  const reference = await chooseReference(db, calendar, icbCode, from, to, cache);

  const none = { months: [], signals: [] };
  const practices: IcbSilentHoursPractice[] = [];
  for (const p of members) {
    const stored = packed.get(p.ods_code);
    if ((p.status === "closed" || p.status === "dormant") && !stored) continue;
    const days = stored ? unpack(stored) : [];
    const { signals } = screenAgainst(days, reference, p.ods_code, icbCode);
    const monthly = withMonthly.has(p.ods_code) ? await monthlyScreen(db, p.ods_code, icbCode, from, to) : none;
    const counts: Record<Strength, number> = { strong: 0, moderate: 0, weak: 0 };
    for (const s of signals) counts[s.strength]++;
    practices.push({
      practiceCode: p.ods_code,
      practiceName: p.name,
      coreDays,
      daysWithData: days.length,
      strongest: signals[0] ?? null,
      counts,
      strongestMonthly: monthly.signals[0] ?? null,
    });
  }
  const rank = (p: IcbSilentHoursPractice) => (p.strongest ? STRENGTH_ORDER[p.strongest.strength] : 0);
  practices.sort(
    (a, b) =>
      rank(b) - rank(a) ||
      (a.strongest && b.strongest ? a.strongest.log10P - b.strongest.log10P : 0) ||
      a.practiceCode.localeCompare(b.practiceCode),
  );
  return { label: SCREENING_LABEL, icbCode, from, to, reference: reference.group, practices };
}

/** The latest date with By Day and Time data (dated edition) for any of the ICB's practices, or null. */
export async function latestHourlyDate(db: Kysely<Database>, icbCode: string): Promise<string | null> {
  const row = await db
    .selectFrom("oc_icb_hourly")
    .select((eb) => eb.fn.max("date").as("date"))
    .where("icb_code", "=", icbCode)
    .executeTakeFirst();
  return (row?.date as string | null | undefined) ?? null;
}
