/** Pure helpers of the demand pages and the classification (app/domain/demand.ts), and the settings schema. */
import { describe, expect, it } from "vitest";
import { CBT_BANDS } from "../../importers/cbt";
import { classify, ClassificationSettingsSchema, DEFAULT_CLASSIFICATION, weighsPressure, type ClassificationInput } from "~/domain/classification";
import {
  addMonths,
  bandLabel,
  CALL_BANDS,
  hourLabel,
  isoWeekday,
  measureWindow,
  monthEnd,
  monthRange,
  parseMonthParam,
  scanSurges,
  surgesInRange,
  surgeWindowStart,
  weekdayGrid,
  weeklySeries,
  widestGroupName,
} from "~/domain/demand";
import { addDays } from "~/domain/calendar";

describe("months", () => {
  it("reads a month parameter and nothing else", () => {
    expect(parseMonthParam("2026-03")).toBe("2026-03-01");
    expect(parseMonthParam(" 2026-12 ")).toBe("2026-12-01");
    for (const bad of ["2026-13", "2026-3", "2026-03-01", "March 2026", "", null, undefined]) expect(parseMonthParam(bad)).toBeNull();
  });

  it("adds months across years and finds month ends, leap years included", () => {
    expect(addMonths("2026-01-01", -1)).toBe("2025-12-01");
    expect(addMonths("2026-11-01", 3)).toBe("2027-02-01");
    expect(addMonths("2026-03-01", -15)).toBe("2024-12-01");
    expect(monthEnd("2028-02-01")).toBe("2028-02-29");
    expect(monthEnd("2026-02-01")).toBe("2026-02-28");
    expect(monthRange("2026-04-01")).toEqual({ from: "2026-04-01", to: "2026-04-30" });
  });

  it("looks for measures from three months before a period to its last month", () => {
    expect(measureWindow({ from: "2026-01-09", to: "2026-04-02" })).toEqual({ from: "2025-10-01", to: "2026-04-01" });
    expect(measureWindow(monthRange("2026-03-01"))).toEqual({ from: "2025-12-01", to: "2026-03-01" });
  });
});

/** Weekday totals (Monday to Friday) for consecutive weeks from a Monday. */
function weekdays(firstMonday: string, perDay: number[]): { date: string; total: number }[] {
  return perDay.flatMap((n, w) => [0, 1, 2, 3, 4].map((d) => ({ date: addDays(firstMonday, 7 * w + d), total: n })));
}

describe("weekly submissions", () => {
  it("sums days per ISO week, leaves out weeks without data and days after the end or before the year", () => {
    const daily = [
      { date: "2026-03-02", total: 5 }, // Monday
      { date: "2026-03-08", total: 7 }, // Sunday, same week
      { date: "2026-03-09", total: 2 },
      // no data in the week of 16 March
      { date: "2026-03-25", total: 4 },
      { date: "2026-03-27", total: 100 }, // after the end
      { date: "2025-03-30", total: 50 }, // Sunday before the 52-week window (which starts Monday 31 March 2025)
      { date: "2025-03-31", total: 1 },
    ];
    expect(surgeWindowStart("2026-03-25")).toBe("2025-03-31");
    expect(weeklySeries(daily, "2026-03-25")).toEqual([
      { week: "2025-03-31", value: 1 },
      { week: "2026-03-02", value: 12 },
      { week: "2026-03-09", value: 2 },
      { week: "2026-03-23", value: 4 },
    ]);
  });

  it("looks for surges only with more weeks than the baseline, and dates a surge Monday to Sunday", () => {
    // 8 weeks at 20 a weekday (100 a week): a baseline and nothing to test.
    const baseline = weekdays("2026-01-05", [20, 20, 20, 20, 20, 20, 20, 20]);
    expect(scanSurges(baseline, "2026-03-01")).toEqual({ series: weeklySeries(baseline, "2026-03-01"), cusum: null });

    // Then three weeks at 40 a weekday: +10σ a week (σ floored at √100 = 10), signalled in the first.
    const surge = [...baseline, ...weekdays("2026-03-02", [40, 40, 40, 20, 20, 20])];
    const scan = scanSurges(surge, "2026-04-10");
    expect(scan.series).toHaveLength(14);
    expect(scan.cusum!.baselineMean).toBe(100);
    expect(scan.cusum!.baselineSd).toBe(10);
    expect(scan.cusum!.surges.map((s) => [s.start, s.signalled])).toEqual([["2026-03-02", "2026-03-02"]]);
    // S: 9.5, 19, 28.5, then −0.5 a week: still above 0 at the end of the series, so the surge runs to its last week.
    expect(scan.cusum!.surges[0]!.end).toBe("2026-04-06");
    expect(surgesInRange(scan.cusum!.surges, { from: "2026-04-01", to: "2026-04-30" })).toEqual([{ start: "2026-03-02", end: "2026-04-12" }]);
  });

  it("keeps the surges that touch a period, by their days", () => {
    const surges = [
      { start: "2026-01-05", end: "2026-01-12" }, // 5 to 18 January
      { start: "2026-02-02", end: "2026-02-02" }, // 2 to 8 February
    ];
    expect(surgesInRange(surges, { from: "2026-01-18", to: "2026-02-01" })).toEqual([{ start: "2026-01-05", end: "2026-01-18" }]);
    expect(surgesInRange(surges, { from: "2026-01-19", to: "2026-02-01" })).toEqual([]);
    expect(surgesInRange(surges, { from: "2026-02-08", to: "2026-02-08" })).toEqual([{ start: "2026-02-02", end: "2026-02-08" }]);
  });
});

describe("weekday grids", () => {
  it("sums counts into rows by weekday, Monday first, leaving out rows it cannot place", () => {
    const rows = [
      { date: "2026-03-02", hour: 8, n: 3 }, // Monday
      { date: "2026-03-09", hour: 8, n: 4 }, // Monday
      { date: "2026-03-08", hour: 23, n: 1 }, // Sunday
      { date: "2026-03-04", hour: 24, n: 99 }, // no such row
    ];
    const grid = weekdayGrid(rows, 24, (r) => ({ row: r.hour, weekday: isoWeekday(r.date), value: r.n }));
    expect(grid).toHaveLength(24);
    expect(grid[8]).toEqual([7, 0, 0, 0, 0, 0, 0]);
    expect(grid[23]).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(8);
  });

  it("labels hours and the telephony bands, which are the importer's own", () => {
    expect(hourLabel(8)).toBe("08:00–08:59");
    expect(bandLabel("18:30-23:59")).toBe("18:30–23:59");
    expect([...CALL_BANDS]).toEqual([...CBT_BANDS]);
  });

  it("names the widest comparison England only when practices of all 42 ICBs are loaded", () => {
    expect(widestGroupName(42)).toBe("England");
    expect(widestGroupName(41)).toBe("all practices loaded");
    expect(widestGroupName(0)).toBe("all practices loaded");
  });
});

describe("classification thresholds as a form", () => {
  const ok = { maxNoDataShare: "0.25", highDecile: "9", lowWorkforceDecile: "2", minPressureSignals: "2" };

  it("reads numbers from text", () => {
    expect(ClassificationSettingsSchema.parse(ok)).toEqual({ maxNoDataShare: 0.25, highDecile: 9, lowWorkforceDecile: 2, minPressureSignals: 2 });
  });

  it("refuses empty fields (never read as 0), text, fractions and values out of range, with a message each", () => {
    const messages = (v: Record<string, string>) => {
      const r = ClassificationSettingsSchema.safeParse(v);
      return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [String(i.path[0]), i.message]));
    };
    expect(messages({ ...ok, maxNoDataShare: "" })).toEqual({ maxNoDataShare: "Enter the no-data share" });
    expect(messages({ ...ok, maxNoDataShare: "1.5", highDecile: "x", lowWorkforceDecile: "2.5", minPressureSignals: "6" })).toEqual({
      maxNoDataShare: "Enter a share from 0 to 1",
      highDecile: "Enter the high decile as a number",
      lowWorkforceDecile: "Enter a whole decile",
      minPressureSignals: "At most 5 signs of pressure",
    });
    expect(messages({ ...ok, highDecile: "0" })).toEqual({ highDecile: "Enter a decile from 1 to 10" });
  });
});

describe("reasons name the month of each figure", () => {
  it("puts the period after the indicator's name when it is given", () => {
    const input: ClassificationInput = {
      coreMinutes: 630,
      closedMinutes: 60,
      unknownMinutes: 0,
      flaggedDays: 1,
      flagged: true,
      demandPerAppointment: { value: 1.5, decile: 9, period: "March 2026" },
      submissionsPer1000: null,
      clinicalFtePer10000: null,
      missedCallShare: null,
      surges: null,
      peerGroup: "the ICB's practices",
    };
    expect(classify(input).reasons[1]!.text).toBe(
      "Online submissions per appointment (March 2026): 1.5, decile 9 of 10 among the ICB's practices (decile 8 or above).",
    );
  });
});

describe("when pressure is weighed", () => {
  const base: ClassificationInput = {
    coreMinutes: 630 * 10,
    closedMinutes: 90,
    unknownMinutes: 0,
    flaggedDays: 3,
    flagged: true,
    demandPerAppointment: { value: 2, decile: 10 },
    submissionsPer1000: null,
    clinicalFtePer10000: null,
    missedCallShare: null,
    surges: null,
    peerGroup: "the ICB's practices",
  };

  it("agrees with classify: only flagged practices with enough data have their pressure weighed", () => {
    const cases: [ClassificationInput, boolean][] = [
      [base, true],
      [{ ...base, flagged: false }, false],
      [{ ...base, unknownMinutes: 630 * 5 }, true], // exactly half: still enough
      [{ ...base, unknownMinutes: 630 * 5 + 1 }, false],
      [{ ...base, coreMinutes: 0, unknownMinutes: 0 }, false],
    ];
    for (const [input, weighed] of cases) {
      expect(weighsPressure(input, DEFAULT_CLASSIFICATION)).toBe(weighed);
      const r = classify(input);
      expect(r.reasons.some((x) => x.kind === "pressure" || x.kind === "no_pressure")).toBe(weighed);
    }
    expect(weighsPressure({ ...base, unknownMinutes: 630 * 3 }, { ...DEFAULT_CLASSIFICATION, maxNoDataShare: 0.2 })).toBe(false);
  });
});
