/** Silent-hours screening: the pure method on crafted days, and the service over crafted stored data. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, datesBetween, weekday } from "~/domain/calendar";
import {
  CORE_HOURS,
  emptySums,
  emptyWeekdayMonth,
  expectedByHour,
  log10BinomialTail,
  P_SILENT_BY_CHANCE,
  profileOf,
  screenDays,
  screenWeekdayMonth,
  SCREENING_LABEL,
  signalsOf,
  strengthOf,
  weekdaysInMonth,
  type HourCount,
  type PracticeDay,
  type Profile,
} from "~/domain/silent-hours";
import { rebuildOcAggregates } from "~/services/oc-aggregates.server";
import { silentHoursForIcb, silentHoursForPractice } from "~/services/silent-hours.server";
import { createRandom, type Random } from "../../db/seed/random";
import { createTestDatabase, dumpTables, type TestDatabase } from "../support/db";

/** A typical day's shares by hour (the tool open about 07:30–19:30). */
const WEIGHTS: Record<number, number> = { 7: 2, 8: 17, 9: 13, 10: 10.5, 11: 9, 12: 7.5, 13: 7, 14: 7, 15: 6.5, 16: 6, 17: 5.5, 18: 5, 19: 3 };
const WEIGHT_SUM = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
const share = (h: number) => (WEIGHTS[h] ?? 0) / WEIGHT_SUM;

function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random.next();
  while (p > limit) {
    k++;
    p *= random.next();
  }
  return k;
}

/** A profile with the same shares every weekday (all submissions; clinical two thirds of them, same shape). */
function flatProfile(): Profile {
  const sums = emptySums();
  for (let w = 1; w <= 7; w++)
    for (let h = 0; h < 24; h++) {
      sums.hour.all[w]![h] = share(h) * 1000;
      sums.hour.clinical[w]![h] = share(h) * 660;
      sums.day.all[w] = 1000;
      sums.day.clinical[w] = 660;
    }
  return profileOf(sums);
}

interface Shape {
  perDay: number;
  /** Whether the tool took submissions of a kind in an hour of a date. */
  closed?: (date: string, hour: number, kind: "clinical" | "admin") => boolean;
}

/** Poisson days for a practice over the core days between two dates (Mondays to Fridays; no bank holidays in range). */
function simulate(seed: number, from: string, to: string, shape: Shape): PracticeDay[] {
  const random = createRandom(seed);
  const days: PracticeDay[] = [];
  for (const date of datesBetween(from, to)) {
    const wd = weekday(date);
    if (wd === 0 || wd === 6) continue;
    const hours: HourCount[] = [];
    for (let h = 0; h < 24; h++) {
      const mean = shape.perDay * share(h);
      const clinical = shape.closed?.(date, h, "clinical") ? 0 : poisson(random, mean * 0.66);
      const admin = shape.closed?.(date, h, "admin") ? 0 : poisson(random, mean * 0.34);
      hours.push({ total: clinical + admin, clinical });
    }
    days.push({ date, weekday: wd, hours });
  }
  return days;
}

const FROM = "2026-01-05";
const TO = "2026-03-27"; // 12 weeks, no bank holiday

describe("the chance of that many silent days", () => {
  it("matches the binomial tail computed directly", () => {
    const direct = (k: number, n: number, p: number) => {
      let s = 0;
      const choose = (a: number, b: number) => {
        let c = 1;
        for (let i = 1; i <= b; i++) c = (c * (a - b + i)) / i;
        return c;
      };
      for (let i = k; i <= n; i++) s += choose(n, i) * p ** i * (1 - p) ** (n - i);
      return Math.log10(s);
    };
    for (const [k, n] of [[1, 10], [3, 12], [5, 48], [12, 50], [30, 60]] as const) {
      expect(log10BinomialTail(k, n, P_SILENT_BY_CHANCE)).toBeCloseTo(direct(k, n, P_SILENT_BY_CHANCE), 9);
    }
    expect(log10BinomialTail(0, 40, 0.05)).toBe(0);
    expect(log10BinomialTail(41, 40, 0.05)).toBe(-Infinity);
  });

  it("stays exact in log space far below what a double can hold", () => {
    // 300 silent days out of 300: 0.05^300 = 10^−390.3, which underflows as a plain number.
    expect(0.05 ** 300).toBe(0);
    expect(log10BinomialTail(300, 300, 0.05)).toBeCloseTo(300 * Math.log10(0.05), 6);
  });

  it("labels strength by the chance and the number of silent days", () => {
    expect(strengthOf(-6.5, 4)).toBe("strong");
    expect(strengthOf(-6.5, 3)).toBe("moderate");
    expect(strengthOf(-4.2, 3)).toBe("moderate");
    expect(strengthOf(-3.1, 3)).toBe("weak");
    expect(strengthOf(-3.1, 2)).toBeNull();
    expect(strengthOf(-2.5, 10)).toBeNull();
  });
});

describe("expected submissions in an hour", () => {
  it("predicts an hour from the rest of the day, and a silent stretch from the day outside it", () => {
    const profile = flatProfile();
    const hours: HourCount[] = Array.from({ length: 24 }, (_, h) => ({ total: Math.round(100 * share(h)), clinical: 0 }));
    const day: PracticeDay = { date: "2026-01-05", weekday: 1, hours };
    const total = hours.reduce((a, c) => a + c.total, 0);
    const open = expectedByHour(day, profile, "all");
    // An hour with submissions: predicted from the other hours.
    expect(open.get(9)).toBeCloseTo(((total - hours[9]!.total) * share(9)) / (1 - share(9)), 9);

    // Capped from 11:00: 11:00–17:00 silent (and the evening too).
    const capped = hours.map((c, h) => (h >= 11 ? { total: 0, clinical: 0 } : c));
    const before = capped.reduce((a, c) => a + c.total, 0);
    const stretch = [11, 12, 13, 14, 15, 16, 17].reduce((a, h) => a + share(h), 0);
    const e = expectedByHour({ ...day, hours: capped }, profile, "all");
    expect(e.get(12)).toBeCloseTo((before * share(12)) / (1 - stretch), 9);
    // Without the stretch correction the cap would lower its own expectation by the share it silenced.
    expect(e.get(12)!).toBeGreaterThan(before * share(12) * 1.5);
  });

  it("scales a prediction at most 2.5 times (a day with almost nothing outside the silent stretch)", () => {
    const profile = flatProfile();
    const hours: HourCount[] = Array.from({ length: 24 }, () => ({ total: 0, clinical: 0 }));
    hours[19] = { total: 10, clinical: 0 };
    const e = expectedByHour({ date: "2026-01-05", weekday: 1, hours }, profile, "all");
    expect(e.get(8)).toBeCloseTo((10 * share(8)) / 0.4, 9);
  });
});

describe("screening crafted practices", () => {
  const profile = flatProfile();

  it("flags a daily cap from 11:00 on Mondays as strong for Monday 11:00 onwards, and nothing else", () => {
    const days = simulate(1, FROM, TO, { perDay: 90, closed: (date, h) => weekday(date) === 1 && h >= 11 });
    const signals = signalsOf(screenDays(days, profile));
    const mondayAfternoon = signals.filter((s) => s.category === "all" && s.weekday === 1 && s.hour >= 11);
    expect(mondayAfternoon.map((s) => s.hour)).toEqual([11, 12, 13, 14, 15, 16, 17]);
    for (const s of mondayAfternoon) {
      expect(s.strength).toBe("strong");
      expect(s.silentDays).toBe(12);
      expect(s.eligibleDays).toBe(12);
      expect(s.silentDates).toEqual(datesBetween(FROM, TO).filter((d) => weekday(d) === 1));
      expect(s.log10P).toBeCloseTo(12 * Math.log10(P_SILENT_BY_CHANCE), 6);
    }
    expect(signals.filter((s) => !(s.weekday === 1 && s.hour >= 11))).toEqual([]);
  });

  it("flags a cap that bites on most Mondays only, with the hours it bit counted", () => {
    const capDays = new Set(datesBetween(FROM, TO).filter((d) => weekday(d) === 1).filter((_, i) => i % 4 !== 0)); // 9 of 12 Mondays
    const days = simulate(2, FROM, TO, { perDay: 90, closed: (date, h) => capDays.has(date) && h >= 11 });
    const cell = screenDays(days, profile).find((c) => c.category === "all" && c.weekday === 1 && c.hour === 14)!;
    expect(cell.silentDays).toBe(9);
    expect(cell.eligibleDays).toBe(12);
    expect(cell.strength).toBe("strong");
  });

  it("does not flag an evenly busy practice", () => {
    const days = simulate(3, FROM, "2026-12-18", { perDay: 70 });
    const cells = screenDays(days, profile);
    expect(signalsOf(cells)).toEqual([]);
    // It was screened, not skipped: every core hour was eligible on most days.
    const monday9 = cells.find((c) => c.category === "all" && c.weekday === 1 && c.hour === 9)!;
    expect(monday9.eligibleDays).toBeGreaterThan(45);
  });

  it("does not flag a quiet practice whose hours are often empty but never expected to hold 3", () => {
    const days = simulate(4, FROM, TO, { perDay: 8 });
    const cells = screenDays(days, profile);
    expect(cells.filter((c) => c.category === "all").reduce((a, c) => a + c.silentDays, 0)).toBe(0);
    expect(cells.every((c) => c.eligibleDays === 0)).toBe(true);
    expect(signalsOf(cells)).toEqual([]);
    // Its hours really were empty often: the screen did not flag them because nobody expected 3.
    const emptyHours = days.flatMap((d) => CORE_HOURS.filter((h) => d.hours[h]!.total === 0)).length;
    expect(emptyHours).toBeGreaterThan(100);
  });

  it("flags clinical-only silence (admin still arriving) as clinical, not as silence", () => {
    const days = simulate(5, FROM, TO, { perDay: 120, closed: (_d, h, kind) => kind === "clinical" && h >= 15 });
    const signals = signalsOf(screenDays(days, profile));
    expect(signals.filter((s) => s.category === "all")).toEqual([]);
    const clinical = signals.filter((s) => s.category === "clinical");
    expect(new Set(clinical.map((s) => s.hour))).toEqual(new Set([15, 16, 17]));
    expect(new Set(clinical.map((s) => s.weekday))).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it("flags a lunchtime switch-off on every weekday", () => {
    const days = simulate(6, FROM, TO, { perDay: 100, closed: (_d, h) => h === 13 });
    const signals = signalsOf(screenDays(days, profile));
    expect(signals.map((s) => [s.category, s.weekday, s.hour, s.strength])).toEqual(
      [1, 2, 3, 4, 5].map((w) => ["all", w, 13, "strong"]),
    );
  });
});

describe("the weekday-aggregated edition", () => {
  const profile = flatProfile();

  it("counts the days of each weekday in a month", () => {
    // October 2025 starts on a Wednesday: 5 Wednesdays, Thursdays and Fridays.
    expect(weekdaysInMonth("2025-10-01")).toEqual([0, 4, 4, 5, 5, 5, 4, 4]);
  });

  it("flags a cell silent all month where at least 3 a day were expected, and not a quiet one", () => {
    const month = emptyWeekdayMonth();
    for (let w = 1; w <= 5; w++)
      for (let h = 0; h < 24; h++) {
        const n = w === 3 && h === 13 ? 0 : Math.round(5 * 80 * share(h)); // a busy practice: about 80 a day
        month[w]![h] = { total: n, clinical: Math.round(n * 0.66) };
      }
    month[2]![16] = { total: 0, clinical: 0 }; // Tuesday 16:00: silent too, but 4 Tuesdays × ~5 expected = 20 ≥ 12
    const signals = screenWeekdayMonth("2025-10-01", month, profile);
    // Strongest evidence first: five silent Wednesdays at lunchtime beat four silent Tuesday afternoons.
    expect(signals.map((s) => [s.category, s.weekday, s.hour])).toEqual([
      ["all", 3, 13],
      ["all", 2, 16],
    ]);
    const wed = signals.find((s) => s.weekday === 3)!;
    expect(wed.weekdaysInMonth).toBe(5);
    expect(wed.expected).toBeGreaterThanOrEqual(15);
    expect(wed.log10P).toBeCloseTo(-wed.expected / Math.LN10, 9);

    const quiet = emptyWeekdayMonth();
    for (let w = 1; w <= 5; w++) for (let h = 0; h < 24; h++) quiet[w]![h] = { total: h === 13 ? 0 : Math.round(5 * 10 * share(h)), clinical: 0 };
    expect(screenWeekdayMonth("2025-10-01", quiet, profile)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("the service over stored data", () => {
  let t: TestDatabase;
  const ICB = "QXX";
  const CODES = ["A00001", "A00002", "A00003", "A00004", "A00005", "A00006", "A00007", "A00008"];
  const shapes: Record<string, Shape> = {
    A00001: { perDay: 90, closed: (date, h) => weekday(date) === 1 && h >= 11 }, // a daily cap on Mondays
    A00002: { perDay: 100, closed: (_d, h) => h === 13 }, // lunchtime
    A00003: { perDay: 8 }, // quiet
    A00004: { perDay: 120, closed: (_d, h, kind) => kind === "clinical" && h >= 15 }, // no clinical afternoons
  };
  const NO_DATA = new Set(["2026-02-02", "2026-02-09"]); // two Mondays A00001's supplier sent nothing for
  const before: { dump?: Record<string, unknown[]> } = {};

  beforeAll(async () => {
    t = createTestDatabase();
    const now = new Date().toISOString();
    await t.db.insertInto("regions").values({ code: "Y63", name: "North East and Yorkshire", ons_code: null, updated_at: now }).execute();
    await t.db
      .insertInto("icbs")
      .values([
        { code: ICB, name: "NHS Test ICB", ons_code: null, region_code: "Y63", updated_at: now },
        { code: "QYY", name: "NHS Small ICB", ons_code: null, region_code: "Y63", updated_at: now },
      ])
      .execute();
    const practice = (code: string, icb: string) => ({
      ods_code: code, name: `SURGERY ${code}`, address_line1: null, address_line2: null, address_line3: null, address_line4: null,
      address_line5: null, postcode: null, phone: null, status: "active" as const, open_date: null, close_date: null, region_code: "Y63",
      icb_code: icb, sub_icb_code: null, pcn_code: null, contract_type: null, source: "test", created_at: now, updated_at: now,
    });
    await t.db.insertInto("practices").values([...CODES.map((c) => practice(c, ICB)), practice("B00001", "QYY"), practice("B00002", "QYY")]).execute();

    const rowsOf = (code: string, days: PracticeDay[]) =>
      days.flatMap((d) =>
        d.hours
          .map((c, hour) => ({ practice_code: code, date: d.date, hour, clinical: c.clinical, admin: c.total - c.clinical, other: 0, total: c.total, import_id: 1 }))
          .filter((r) => r.total > 0),
      );
    for (const [i, code] of [...CODES, "B00001", "B00002"].entries()) {
      const days = simulate(100 + i, FROM, TO, shapes[code] ?? { perDay: 80 }).filter((d) => !(code === "A00001" && NO_DATA.has(d.date)));
      const rows = rowsOf(code, days);
      for (let k = 0; k < rows.length; k += 500) await t.db.insertInto("oc_hourly").values(rows.slice(k, k + 500)).execute();
    }
    // Written here rather than by the importer: bring its aggregates (ADR 17) in step as the importer would.
    await rebuildOcAggregates(t.db);
    // Weekday-aggregated October 2025 for the ICB: A00002 silent at 13:00 every weekday.
    const wk: { practice_code: string; month: string; weekday: number; hour: number; clinical: number; admin: number; other: number; total: number; import_id: number }[] = [];
    for (const code of CODES)
      for (let w = 1; w <= 7; w++)
        for (let h = 7; h <= 19; h++) {
          const n = code === "A00002" && h === 13 ? 0 : Math.round((code === "A00003" ? 8 : 90) * 4.5 * share(h));
          if (n > 0) wk.push({ practice_code: code, month: "2025-10-01", weekday: w, hour: h, clinical: Math.round(n * 0.66), admin: n - Math.round(n * 0.66), other: 0, total: n, import_id: 1 });
        }
    await t.db.insertInto("oc_weekday_hourly").values(wk).execute();
    before.dump = dumpTables(t);
  });

  afterAll(async () => {
    await t?.dispose();
  });

  it("finds the Monday cap, against the ICB's other practices, labelled as screening", async () => {
    const r = await silentHoursForPractice(t.db, "A00001", FROM, TO);
    expect(r.label).toBe(SCREENING_LABEL);
    expect(r.label).toBe("Screening, not evidence");
    expect(r.reference).toEqual({ basis: "icb", icbCode: ICB, practices: 7 });
    expect(r.coreDays).toBe(60);
    expect(r.daysWithData).toBe(58);
    expect(r.strongest).toMatchObject({ category: "all", weekday: 1, strength: "strong", silentDays: 10, eligibleDays: 10 });
    expect(r.signals.map((s) => s.hour).sort((a, b) => a - b)).toEqual([11, 12, 13, 14, 15, 16, 17]);
    expect(r.signals.every((s) => s.weekday === 1 && s.strength === "strong")).toBe(true);
    // The two Mondays without data are "no data", not silent days.
    expect(r.strongest!.silentDates.some((d) => NO_DATA.has(d))).toBe(false);
    expect(r.cells).toHaveLength(2 * 5 * 10);
  });

  it("finds no silent hours for an ordinary or a quiet practice", async () => {
    const ordinary = await silentHoursForPractice(t.db, "A00005", FROM, TO);
    expect(ordinary.signals).toEqual([]);
    expect(ordinary.strongest).toBeNull();
    expect(ordinary.daysWithData).toBe(60);
    const quiet = await silentHoursForPractice(t.db, "A00003", FROM, TO);
    expect(quiet.signals).toEqual([]);
    expect(quiet.cells.every((c) => c.eligibleDays === 0)).toBe(true);
  });

  it("screens the weekday-aggregated months in the range", async () => {
    const r = await silentHoursForPractice(t.db, "A00002", "2025-10-01", "2025-10-31");
    expect(r.daysWithData).toBe(0);
    expect(r.weekdayMonths).toEqual(["2025-10-01"]);
    expect(r.monthly.map((s) => [s.month, s.category, s.weekday, s.hour]).sort()).toEqual(
      [1, 2, 3, 4, 5].map((w) => ["2025-10-01", "all", w, 13]),
    );
    const other = await silentHoursForPractice(t.db, "A00005", "2025-10-01", "2025-10-31");
    expect(other.monthly).toEqual([]);
  });

  it("uses every loaded practice as the reference when the ICB has too few", async () => {
    const r = await silentHoursForPractice(t.db, "B00001", FROM, TO);
    expect(r.reference).toEqual({ basis: "all", icbCode: null, practices: 9 });
    expect(r.signals).toEqual([]);
  });

  it("lists the ICB's practices with their strongest signal, flagged ones first", async () => {
    const r = await silentHoursForIcb(t.db, ICB, FROM, TO);
    expect(r.label).toBe("Screening, not evidence");
    expect(r.practices.map((p) => p.practiceCode).sort()).toEqual(CODES);
    const flagged = r.practices.filter((p) => p.strongest);
    expect(flagged.map((p) => p.practiceCode).sort()).toEqual(["A00001", "A00002", "A00004"]);
    expect(r.practices.slice(0, 3).every((p) => p.strongest !== null)).toBe(true);
    const byCode = new Map(r.practices.map((p) => [p.practiceCode, p]));
    expect(byCode.get("A00001")!.strongest).toMatchObject({ category: "all", weekday: 1, strength: "strong" });
    expect(byCode.get("A00001")!.counts.strong).toBe(7);
    expect(byCode.get("A00002")!.strongest).toMatchObject({ category: "all", hour: 13, strength: "strong" });
    expect(byCode.get("A00004")!.strongest).toMatchObject({ category: "clinical", strength: "strong" });
    expect(byCode.get("A00003")).toMatchObject({ strongest: null, counts: { strong: 0, moderate: 0, weak: 0 }, daysWithData: 60 });
    // The same answer as screening the practice on its own.
    const alone = await silentHoursForPractice(t.db, "A00001", FROM, TO);
    expect(byCode.get("A00001")!.strongest).toEqual(alone.strongest);
  });

  it("gives every practice of the ICB exactly what screening it alone gives (one read of the ICB's hours)", async () => {
    for (const [from, to] of [[FROM, TO], ["2025-10-01", TO], [addDays(FROM, 20), addDays(FROM, 40)]] as const) {
      const icb = await silentHoursForIcb(t.db, ICB, from, to);
      expect(icb.reference).toEqual({ basis: "icb", icbCode: ICB, practices: CODES.length });
      for (const p of icb.practices) {
        const alone = await silentHoursForPractice(t.db, p.practiceCode, from, to);
        expect(p.strongest, `${p.practiceCode} ${from}..${to}`).toEqual(alone.strongest);
        expect(p.counts).toEqual({
          strong: alone.signals.filter((s) => s.strength === "strong").length,
          moderate: alone.signals.filter((s) => s.strength === "moderate").length,
          weak: alone.signals.filter((s) => s.strength === "weak").length,
        });
        expect([p.coreDays, p.daysWithData]).toEqual([alone.coreDays, alone.daysWithData]);
        expect(p.strongestMonthly).toEqual(alone.monthly[0] ?? null);
      }
    }
  });

  it("refuses a backwards range", async () => {
    await expect(silentHoursForPractice(t.db, "A00001", TO, FROM)).rejects.toThrow(RangeError);
    await expect(silentHoursForIcb(t.db, ICB, "2026-02-30", TO)).rejects.toThrow(RangeError);
  });

  it("only reads: no table changes, compliance figures included", async () => {
    await silentHoursForIcb(t.db, ICB, FROM, addDays(TO, 7));
    expect(dumpTables(t)).toEqual(before.dump);
    expect(dumpTables(t).compliance_days).toEqual([]);
  });
});
