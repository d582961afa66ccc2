/**
 * The pure helpers behind the compliance pages: day segments (checked against computeDay), date ranges, how a
 * day is described, peers' rank and decile, bands, ISO weeks and the weekday × half-hour grid.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CoreHoursCalendar, localMinute } from "~/domain/calendar";
import { computeDay, daySegments, type ApprovedPause, type AvailabilityInterval, type IntervalCategory } from "~/domain/compliance";
import {
  bandCounts,
  bandOf,
  dayState,
  describeWeekly,
  firstWholeWeek,
  HALF_HOURS,
  halfHourClosures,
  hasEnoughData,
  isoWeekStart,
  lastWeeks,
  lastWholeWeek,
  peerPosition,
  percent,
  resolveRange,
} from "~/domain/compliance-report";
import { parseInstant } from "~/domain/instants";
import { partialWeeks, weeksWithin } from "~/services/compliance-weeks.server";

const calendar = new CoreHoursCalendar();

function at(text: string): number {
  const p = parseInstant(text);
  if (!p.ok) throw new Error(`bad time in test: ${text}`);
  return p.minute;
}

describe("day segments", () => {
  const window = calendar.coreWindow("2026-03-31")!; // a Tuesday in BST: 07:00Z–17:30Z

  it("splits a day into consecutive open, closed, excepted and no-data stretches, in London time", () => {
    const intervals: AvailabilityInterval[] = [
      { start: at("2026-03-31 07:00"), end: at("2026-03-31 17:00"), status: "open", category: "all", reason: null },
      { start: at("2026-03-31 08:00"), end: at("2026-03-31 08:20"), status: "closed", category: "clinical", reason: "System update" },
      { start: at("2026-03-31 12:00"), end: at("2026-03-31 13:00"), status: "closed", category: "all", reason: "Lunch" },
    ];
    const pauses: ApprovedPause[] = [{ id: 7, start: at("2026-03-31 12:30"), end: at("2026-03-31 14:00"), category: "all" }];
    const segments = daySegments(window, intervals, pauses);
    expect(segments.map((s) => [s.end - s.start, s.state, s.category, s.reasons, s.pauseIds])).toEqual([
      [20, "closed", "clinical", ["System update"], []],
      [220, "open", null, [], []],
      [30, "closed", "all", ["Lunch"], []],
      [30, "excepted", "all", ["Lunch"], [7]],
      [240, "open", null, [], []],
      [90, "unknown", null, [], []],
    ]);
    expect(segments[0]!.start).toBe(at("2026-03-31T07:00:00Z"));
    expect(segments.at(-1)!.end).toBe(window.end);
  });

  it("is one no-data stretch when nothing is known", () => {
    expect(daySegments(window, [], [])).toEqual([{ start: window.start, end: window.end, state: "unknown", category: null, reasons: [], pauseIds: [] }]);
  });

  it("agrees with computeDay on random logs: minutes per state, and closed stretches are its episodes, reasons and pauses in order", () => {
    const minute = fc.integer({ min: window.start - 90, max: window.end + 90 });
    const category = fc.constantFrom<IntervalCategory>("all", "clinical", "admin");
    const arbInterval = fc
      .record({ a: minute, b: minute, status: fc.constantFrom<"open" | "closed">("open", "closed"), category, reason: fc.option(fc.constantFrom("x", "y")) })
      .map(({ a, b, ...rest }) => ({ start: Math.min(a, b), end: Math.max(a, b), ...rest }));
    const arbPause = fc.record({ id: fc.nat(50), a: minute, b: minute, category }).map(({ id, a, b, category }) => ({ id, start: Math.min(a, b), end: Math.max(a, b), category }));
    fc.assert(
      fc.property(fc.array(arbInterval, { maxLength: 10 }), fc.array(arbPause, { maxLength: 3 }), (intervals, pauses) => {
        const day = computeDay(window, intervals, pauses);
        const segments = daySegments(window, intervals, pauses);
        const total = (state: string) => segments.filter((s) => s.state === state).reduce((n, s) => n + s.end - s.start, 0);
        expect(total("open")).toBe(day.open);
        expect(total("closed")).toBe(day.closed);
        expect(total("excepted")).toBe(day.excepted);
        expect(total("unknown")).toBe(day.unknown);
        // Consecutive and covering the window.
        expect(segments[0]!.start).toBe(window.start);
        expect(segments.at(-1)!.end).toBe(window.end);
        for (let i = 1; i < segments.length; i++) expect(segments[i]!.start).toBe(segments[i - 1]!.end);
        const closures = segments
          .filter((s) => s.state === "closed" || s.state === "excepted")
          .map((s) => ({ start: s.start, end: s.end, category: s.category, excepted: s.state === "excepted", reasons: s.reasons, pauseIds: s.pauseIds }));
        const episodes = day.episodes.map((e) => ({ start: e.start, end: e.end, category: e.category, excepted: e.excepted, reasons: e.reasons, pauseIds: e.pauseIds }));
        expect(closures).toEqual(episodes);
      }),
      { numRuns: 400, seed: 20260331 },
    );
  });
});

describe("date ranges", () => {
  it("defaults to the 12 weeks ending on the given day", () => {
    expect(resolveRange({}, "2026-04-02")).toEqual({ from: "2026-01-09", to: "2026-04-02", errors: {}, isDefault: true });
  });

  it("takes from and to as asked, and fills a missing start or end", () => {
    expect(resolveRange({ from: "2026-03-23", to: "2026-04-03" }, "2026-11-20")).toMatchObject({ from: "2026-03-23", to: "2026-04-03", isDefault: false });
    expect(resolveRange({ to: "2026-04-03" }, "2026-11-20")).toMatchObject({ from: "2026-01-10", to: "2026-04-03" });
    expect(resolveRange({ from: "2026-03-23" }, "2026-11-20")).toMatchObject({ from: "2026-03-23", to: "2026-11-20" });
  });

  it("refuses a bad date, a start after the end and more than two years, falling back to the default", () => {
    expect(resolveRange({ from: "2026-02-30" }, "2026-04-02")).toEqual({
      from: "2026-01-09",
      to: "2026-04-02",
      errors: { from: "Enter the start date as a date like 2026-03-31" },
      isDefault: true,
    });
    expect(resolveRange({ to: "yesterday" }, "2026-04-02").errors).toEqual({ to: "Enter the end date as a date like 2026-03-31" });
    expect(resolveRange({ from: "2026-04-03", to: "2026-04-01" }, "2026-04-02").errors).toEqual({ from: "The start date must be on or before the end date" });
    expect(resolveRange({ from: "2024-01-01", to: "2026-01-02" }, "2026-04-02").errors).toEqual({ from: "Choose a range of two years or less" });
    expect(resolveRange({ from: "2024-01-02", to: "2026-01-01" }, "2026-04-02").errors).toEqual({});
  });
});

describe("days, shares and peers", () => {
  const policy = { closedMinutesPerDay: 30 };
  const day = (open: number, closed: number, excepted: number) => ({ coreMinutes: 630, open, closed, excepted, unknown: 630 - open - closed - excepted });

  it("describes a day by its most serious part", () => {
    expect(dayState(day(600, 30, 0), policy)).toBe("flagged");
    expect(dayState(day(601, 29, 0), policy)).toBe("closure");
    expect(dayState(day(570, 0, 60), policy)).toBe("excepted");
    expect(dayState(day(630, 0, 0), policy)).toBe("open");
    expect(dayState(day(300, 0, 0), policy)).toBe("partial");
    expect(dayState(day(0, 0, 0), policy)).toBe("nodata");
  });

  it("needs at least half the core minutes known to rank a practice", () => {
    expect(hasEnoughData({ coreMinutes: 1000, open: 500, closed: 0, excepted: 0, unknown: 500 })).toBe(true);
    expect(hasEnoughData({ coreMinutes: 1000, open: 499, closed: 0, excepted: 0, unknown: 501 })).toBe(false);
    expect(hasEnoughData({ coreMinutes: 0, open: 0, closed: 0, excepted: 0, unknown: 0 })).toBe(false);
  });

  it("rounds percentages to one decimal place", () => {
    expect(percent((5670 - 65) / 5670)).toBe(98.9);
    expect(percent(0)).toBe(0);
    expect(percent(null)).toBeNull();
  });

  it("ranks by share open, highest first, sharing ranks on ties and leaving out practices without enough data", () => {
    const peers = [
      { id: "A", share: 1, enoughData: true },
      { id: "B", share: 0.99, enoughData: true },
      { id: "C", share: 0.99, enoughData: true },
      { id: "D", share: 0.5, enoughData: true },
      { id: "E", share: 0.1, enoughData: false },
    ];
    expect(peerPosition(peers, "A")).toEqual({ rank: 1, of: 4, decile: 8 });
    expect(peerPosition(peers, "C")).toEqual({ rank: 2, of: 4, decile: 3 });
    expect(peerPosition(peers, "D")).toEqual({ rank: 4, of: 4, decile: 1 });
    expect(peerPosition(peers, "E")).toBeNull();
    expect(peerPosition(peers, "Z")).toBeNull();
  });


  it("counts practices per band of share open, 100% on its own", () => {
    expect(bandOf(1).label).toBe("100%");
    expect(bandOf(0.999).label).toBe("90% to under 100%");
    expect(bandOf(0.9).label).toBe("90% to under 100%");
    expect(bandOf(0.05).label).toBe("Under 10%");
    const { bands, notEnoughData } = bandCounts([
      { share: 1, enoughData: true },
      { share: 0.95, enoughData: true },
      { share: 0.91, enoughData: true },
      { share: 0.3, enoughData: true },
      { share: 0.2, enoughData: false },
      { share: null, enoughData: false },
    ]);
    expect(Object.fromEntries(bands.filter((b) => b.practices > 0).map((b) => [b.label, b.practices]))).toEqual({
      "100%": 1,
      "90% to under 100%": 2,
      "30% to under 40%": 1,
    });
    expect(bands).toHaveLength(11);
    expect(notEnoughData).toBe(2);
  });
});

describe("weeks", () => {
  it("finds the Monday of the ISO week", () => {
    expect(isoWeekStart("2026-03-29")).toBe("2026-03-23"); // a Sunday
    expect(isoWeekStart("2026-03-30")).toBe("2026-03-30");
    expect(isoWeekStart("2026-01-01")).toBe("2025-12-29");
  });

  it("finds the first and last ISO weeks wholly on either side of a date, and the weeks a range covers only in part", () => {
    expect(firstWholeWeek("2026-03-30")).toBe("2026-03-30"); // a Monday
    expect(firstWholeWeek("2026-03-31")).toBe("2026-04-06");
    expect(lastWholeWeek("2026-04-05")).toBe("2026-03-30"); // a Sunday
    expect(lastWholeWeek("2026-04-04")).toBe("2026-03-23");
    expect(partialWeeks("2026-03-25", "2026-04-08")).toEqual(["2026-03-23", "2026-04-06"]);
    expect(partialWeeks("2026-03-25", "2026-03-26")).toEqual(["2026-03-23"]);
    expect(partialWeeks("2026-03-23", "2026-04-05")).toEqual([]);
    expect(partialWeeks("2026-03-25", null)).toEqual(["2026-03-23"]);
    expect(partialWeeks(null, null)).toEqual([]);
    const within = weeksWithin("2026-03-25", "2026-04-12");
    expect(["2026-03-23", "2026-03-30", "2026-04-06", "2026-04-13"].map(within)).toEqual([false, true, true, false]);
  });

  it("takes the range's last 12 ISO weeks, clipped to the range, oldest first", () => {
    const weeks = lastWeeks({ from: "2026-01-09", to: "2026-04-02" });
    expect(weeks).toHaveLength(12);
    expect(weeks[0]).toEqual({ week: "2026-01-12", from: "2026-01-12", to: "2026-01-18" });
    expect(weeks.at(-1)).toEqual({ week: "2026-03-30", from: "2026-03-30", to: "2026-04-02" });
    expect(lastWeeks({ from: "2026-03-25", to: "2026-04-03" })).toEqual([
      { week: "2026-03-23", from: "2026-03-25", to: "2026-03-29" },
      { week: "2026-03-30", from: "2026-03-30", to: "2026-04-03" },
    ]);
  });

  it("writes weekly figures as text, with no data in words", () => {
    expect(describeWeekly([0, 60, null, 15])).toBe("0, 60, no data, 15");
  });
});

describe("weekday × half hour", () => {
  it("has the 21 half hours of core hours", () => {
    expect(HALF_HOURS).toHaveLength(21);
    expect(HALF_HOURS[0]!.label).toBe("08:00–08:30");
    expect(HALF_HOURS.at(-1)!.label).toBe("18:00–18:30");
  });

  it("sums closed minutes by London weekday and half hour, across the clock change", () => {
    const grid = halfHourClosures([
      // Thursday 26 March 2026 (GMT) 12:00–12:45: 30 in 12:00–12:30, 15 in 12:30–13:00.
      { start: at("2026-03-26T12:00:00Z"), end: at("2026-03-26T12:45:00Z") },
      // Tuesday 31 March 2026 (BST) 08:00–08:20 London time.
      { start: at("2026-03-31T07:00:00Z"), end: at("2026-03-31T07:20:00Z") },
      // Monday 30 March 2026 (BST) 18:10–18:30, and a week later again.
      { start: localMinute("2026-03-30", 18 * 60 + 10), end: localMinute("2026-03-30", 18 * 60 + 30) },
      { start: localMinute("2026-04-06", 18 * 60 + 10), end: localMinute("2026-04-06", 18 * 60 + 30) },
    ]);
    const slot = (label: string) => HALF_HOURS.findIndex((h) => h.label.startsWith(label));
    expect(grid[slot("12:00")]![3]).toBe(30);
    expect(grid[slot("12:30")]![3]).toBe(15);
    expect(grid[slot("08:00")]![1]).toBe(20);
    expect(grid[slot("18:00")]![0]).toBe(40);
    expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(105);
  });
});
