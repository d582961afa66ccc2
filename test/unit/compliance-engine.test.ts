/**
 * The duty check, on cases computed by hand. Times are written out in full so that each expected number can be
 * checked with a pencil: core hours are 08:00–18:30 London time, which is 08:00–18:30Z in winter (GMT) and
 * 07:00–17:30Z in summer (BST).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CoreHoursCalendar, londonDate } from "~/domain/calendar";
import { computeDay, type ApprovedPause, type AvailabilityInterval, type IntervalCategory } from "~/domain/compliance";
import { parseInstant } from "~/domain/instants";

const calendar = new CoreHoursCalendar();

function at(text: string): number {
  const p = parseInstant(text);
  if (!p.ok) throw new Error(`bad time in test: ${text}`);
  return p.minute;
}

function interval(start: string, end: string, status: "open" | "closed", category: IntervalCategory = "all", reason: string | null = null): AvailabilityInterval {
  return { start: at(start), end: at(end), status, category, reason };
}

function day(date: string, intervals: AvailabilityInterval[], pauses: ApprovedPause[] = []) {
  const window = calendar.coreWindow(date);
  if (!window) throw new Error(`${date} is not a core day`);
  return computeDay(window, intervals, pauses);
}

describe("core-hours calendar", () => {
  it("has 630 core minutes on a weekday, whatever the season", () => {
    for (const date of ["2026-01-14", "2026-03-27", "2026-03-30", "2026-07-15", "2026-10-23", "2026-10-26"]) {
      const w = calendar.coreWindow(date)!;
      expect(w.end - w.start).toBe(630);
    }
  });

  it("places core hours at 08:00–18:30 London time across the clock changes", () => {
    // Friday before the spring change (GMT) and Monday after it (BST).
    expect(calendar.coreWindow("2026-03-27")).toEqual({ start: at("2026-03-27T08:00:00Z"), end: at("2026-03-27T18:30:00Z") });
    expect(calendar.coreWindow("2026-03-30")).toEqual({ start: at("2026-03-30T07:00:00Z"), end: at("2026-03-30T17:30:00Z") });
    // Friday before the autumn change (BST) and Monday after it (GMT).
    expect(calendar.coreWindow("2026-10-23")).toEqual({ start: at("2026-10-23T07:00:00Z"), end: at("2026-10-23T17:30:00Z") });
    expect(calendar.coreWindow("2026-10-26")).toEqual({ start: at("2026-10-26T08:00:00Z"), end: at("2026-10-26T18:30:00Z") });
  });

  it("leaves out weekends, bank holidays and substitute days", () => {
    expect(calendar.isCoreDay("2026-03-28")).toBe(false); // Saturday
    expect(calendar.isCoreDay("2026-04-03")).toBe(false); // Good Friday
    expect(calendar.isCoreDay("2026-04-06")).toBe(false); // Easter Monday
    expect(calendar.isCoreDay("2026-12-25")).toBe(false); // Christmas Day, a Friday
    expect(calendar.isCoreDay("2026-12-28")).toBe(false); // Boxing Day (substitute day), a Monday
    expect(calendar.isCoreDay("2027-12-27")).toBe(false); // Christmas Day (substitute day)
    expect(calendar.isCoreDay("2027-12-28")).toBe(false); // Boxing Day (substitute day)
    expect(calendar.isCoreDay("2028-01-03")).toBe(false); // New Year's Day (substitute day)
    expect(calendar.isCoreDay("2026-12-29")).toBe(true);
    expect(calendar.coreDays("2026-12-21", "2027-01-04")).toEqual(["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-04"]);
  });

  it("extends with imported bank holidays", () => {
    const withExtra = new CoreHoursCalendar([{ date: "2026-06-15", title: "A special bank holiday" }]);
    expect(withExtra.isCoreDay("2026-06-15")).toBe(false);
    expect(calendar.isCoreDay("2026-06-15")).toBe(true);
  });

  it("finds the London date of an instant either side of midnight and of the clock changes", () => {
    expect(londonDate(at("2026-06-01T23:30:00Z"))).toBe("2026-06-02"); // 00:30 BST
    expect(londonDate(at("2026-12-01T23:30:00Z"))).toBe("2026-12-01"); // 23:30 GMT
    expect(londonDate(at("2026-03-29T00:30:00Z"))).toBe("2026-03-29");
    expect(londonDate(at("2026-10-25T00:30:00Z"))).toBe("2026-10-25"); // 01:30 BST, the first time round
    expect(londonDate(at("2026-10-24T23:30:00Z"))).toBe("2026-10-25"); // 00:30 BST
  });

  it("lists the core days an interval touches", () => {
    expect(calendar.coreDaysTouched(at("2026-04-02 17:00"), at("2026-04-07 09:00"))).toEqual(["2026-04-02", "2026-04-07"]);
    expect(calendar.coreDaysTouched(at("2026-04-02 18:30"), at("2026-04-07 08:00"))).toEqual([]);
  });
});

describe("supplier times", () => {
  it("reads local London times and times with offsets as the same minute", () => {
    expect(at("2026-03-30 08:00")).toBe(at("2026-03-30T07:00:00Z"));
    expect(at("2026-03-30 08:00")).toBe(at("2026-03-30T08:00:00+01:00"));
    expect(at("2026-01-12 08:00")).toBe(at("2026-01-12T08:00Z"));
    expect(at("2026-01-12 08:00:59")).toBe(at("2026-01-12 08:00"));
  });

  it("reads ISO local times (T, no offset) as London, and offsets written with a space, without a colon or as hours", () => {
    const utc7 = at("2026-03-30T07:00:00Z");
    expect(at("2026-03-30T08:00")).toBe(utc7);
    expect(at("2026-03-30T08:00:00.250")).toBe(utc7);
    expect(at("2026-03-30 08:00+01:00")).toBe(utc7);
    expect(at("2026-03-30 08:00:00+0100")).toBe(utc7);
    expect(at("2026-03-30T08:00+01")).toBe(utc7);
    expect(at("2026-03-30 07:00Z")).toBe(utc7);
    expect(at("2026-03-30T02:00-05")).toBe(utc7);
    // In winter London is on GMT: a local 08:00 is 08:00 UTC.
    expect(at("2026-01-12T08:00")).toBe(at("2026-01-12T08:00:00Z"));
  });

  it("refuses impossible times and other layouts", () => {
    for (const bad of [
      "2026-02-30 08:00",
      "2026-03-30 25:00",
      "2026-02-30T08:00+01:00",
      "2026-03-30T08:00+1",
      "2026-03-30T08:00+01:0",
      "2026-03-30T08:00+25:00",
      "2026-03-30  08:00",
      "30/03/2026 08:00",
      "",
      "tomorrow",
    ]) {
      expect(parseInstant(bad).ok).toBe(false);
    }
  });
});

describe("one core day", () => {
  it("counts a fully open day as 630 open minutes", () => {
    const r = day("2026-01-14", [interval("2026-01-14 07:30", "2026-01-14 19:00", "open")]);
    expect(r).toMatchObject({ coreMinutes: 630, open: 630, closed: 0, excepted: 0, unknown: 0, episodes: [] });
  });

  it("counts minutes no interval covers as no data", () => {
    const r = day("2026-01-14", [interval("2026-01-14 09:00", "2026-01-14 17:00", "open")]);
    expect(r).toMatchObject({ open: 480, closed: 0, unknown: 150 });
  });

  it("drops seconds: an interval covers its start minute up to, not including, its end minute", () => {
    const r = day("2026-01-14", [
      interval("2026-01-14 07:00", "2026-01-14 19:00", "open"),
      interval("2026-01-14 12:00:59", "2026-01-14 12:30:30", "closed"),
    ]);
    expect(r.closed).toBe(30);
    expect(r.episodes).toEqual([{ start: at("2026-01-14 12:00"), end: at("2026-01-14 12:30"), minutes: 30, category: "all", excepted: false, reasons: [], pauseIds: [] }]);
  });

  it("lets closed win where intervals overlap, counting each minute once", () => {
    const r = day("2026-01-14", [
      interval("2026-01-14 08:00", "2026-01-14 18:30", "open"),
      interval("2026-01-14 10:00", "2026-01-14 11:00", "closed", "all", "first"),
      interval("2026-01-14 10:30", "2026-01-14 11:30", "closed", "all", "second"),
      interval("2026-01-14 11:15", "2026-01-14 12:00", "open"),
    ]);
    expect(r).toMatchObject({ open: 540, closed: 90, unknown: 0 });
    expect(r.episodes).toHaveLength(1);
    expect(r.episodes[0]).toMatchObject({ minutes: 90, reasons: ["first", "second"] });
  });

  it("splits by kind of request: the tool is open only when both clinical and admin requests can be made", () => {
    const r = day("2026-01-14", [
      interval("2026-01-14 08:00", "2026-01-14 18:30", "open"),
      interval("2026-01-14 12:00", "2026-01-14 13:00", "closed", "clinical", "clinical lunch"),
      interval("2026-01-14 12:30", "2026-01-14 13:30", "closed", "admin", "admin lunch"),
    ]);
    expect(r).toMatchObject({ open: 540, closed: 90, unknown: 0 });
    expect(r.clinical).toEqual({ open: 570, closed: 60, excepted: 0, unknown: 0 });
    expect(r.admin).toEqual({ open: 570, closed: 60, excepted: 0, unknown: 0 });
    expect(r.episodes.map((e) => [e.category, e.minutes])).toEqual([
      ["clinical", 30],
      ["all", 30],
      ["admin", 30],
    ]);
  });

  it("counts a minute with one kind open and the other unknown as no data, not open", () => {
    const r = day("2026-01-14", [interval("2026-01-14 08:00", "2026-01-14 18:30", "open", "clinical")]);
    expect(r).toMatchObject({ open: 0, closed: 0, unknown: 630 });
    expect(r.clinical.open).toBe(630);
    expect(r.admin.unknown).toBe(630);
  });

  it("counts a minute with one kind closed and the other unknown as closed", () => {
    const r = day("2026-01-14", [interval("2026-01-14 15:00", "2026-01-14 18:30", "closed", "clinical")]);
    expect(r).toMatchObject({ open: 0, closed: 210, unknown: 420 });
  });

  it("excepts closed minutes inside an approved pause for the kinds it covers", () => {
    const open = interval("2026-01-14 08:00", "2026-01-14 18:30", "open");
    const lunch = interval("2026-01-14 12:00", "2026-01-14 13:00", "closed", "all", "training");
    const pauseAll: ApprovedPause = { id: 7, start: at("2026-01-14 11:30"), end: at("2026-01-14 12:45"), category: "all" };
    const r = day("2026-01-14", [open, lunch], [pauseAll]);
    expect(r).toMatchObject({ open: 570, closed: 15, excepted: 45, unknown: 0 });
    expect(r.episodes.map((e) => [e.minutes, e.excepted, e.pauseIds])).toEqual([
      [45, true, [7]],
      [15, false, []],
    ]);

    // A pause for clinical requests only does not cover admin requests that were closed too.
    const pauseClinical: ApprovedPause = { id: 8, start: at("2026-01-14 12:00"), end: at("2026-01-14 13:00"), category: "clinical" };
    const r2 = day("2026-01-14", [open, lunch], [pauseClinical]);
    expect(r2).toMatchObject({ closed: 60, excepted: 0 });
    expect(r2.clinical).toMatchObject({ closed: 0, excepted: 60 });
    expect(r2.admin).toMatchObject({ closed: 60, excepted: 0 });
  });

  it("treats a pause over open minutes as changing nothing", () => {
    const r = day("2026-01-14", [interval("2026-01-14 08:00", "2026-01-14 18:30", "open")], [
      { id: 1, start: at("2026-01-14 08:00"), end: at("2026-01-14 18:30"), category: "all" },
    ]);
    expect(r).toMatchObject({ open: 630, excepted: 0 });
  });

  it("clips multi-day intervals to each day's core hours", () => {
    // Closed from Thursday 17:00 to Tuesday 09:00 across Easter 2026 (Good Friday and Easter Monday are bank holidays).
    const closure = interval("2026-04-02 17:00", "2026-04-07 09:00", "closed", "all", "Easter");
    const open = interval("2026-04-01 07:00", "2026-04-08 20:00", "open");
    expect(day("2026-04-02", [open, closure])).toMatchObject({ open: 540, closed: 90 });
    expect(day("2026-04-07", [open, closure])).toMatchObject({ open: 570, closed: 60 });
  });

  it("gives the same answer for a UTC log and a London-time log across the spring clock change", () => {
    // Closed from Friday 27 March 2026 08:00Z (08:00 GMT) to Monday 30 March 08:00Z (09:00 BST).
    const utc = interval("2026-03-27T08:00:00Z", "2026-03-30T08:00:00Z", "closed");
    const local = interval("2026-03-27 08:00", "2026-03-30 09:00", "closed");
    for (const i of [utc, local]) {
      expect(day("2026-03-27", [i])).toMatchObject({ closed: 630, unknown: 0 });
      expect(day("2026-03-30", [i])).toMatchObject({ closed: 60, unknown: 570 });
    }
  });

  it("counts the autumn change the same way: core hours stay 630 minutes of London time", () => {
    // Closed 17:30–18:30 London time on the Friday before (BST) and the Monday after (GMT).
    expect(day("2026-10-23", [interval("2026-10-23T16:30:00Z", "2026-10-23T17:30:00Z", "closed")])).toMatchObject({ closed: 60 });
    expect(day("2026-10-26", [interval("2026-10-26T17:30:00Z", "2026-10-26T18:30:00Z", "closed")])).toMatchObject({ closed: 60 });
  });
});

describe("open + closed + excepted + no data = core minutes", () => {
  const DATE = "2026-03-30";
  const window = calendar.coreWindow(DATE)!;
  const minute = fc.integer({ min: window.start - 120, max: window.end + 120 });
  const category = fc.constantFrom<IntervalCategory>("all", "clinical", "admin");
  const arbInterval = fc
    .record({ a: minute, b: minute, status: fc.constantFrom<"open" | "closed">("open", "closed"), category, reason: fc.option(fc.string({ maxLength: 5 })) })
    .map(({ a, b, status, category, reason }) => ({ start: Math.min(a, b), end: Math.max(a, b), status, category, reason }));
  const arbPause = fc.record({ id: fc.nat(), a: minute, b: minute, category }).map(({ id, a, b, category }) => ({ id, start: Math.min(a, b), end: Math.max(a, b), category }));

  it("holds for the tool and for each kind of request, on random logs and pauses", () => {
    fc.assert(
      fc.property(fc.array(arbInterval, { maxLength: 12 }), fc.array(arbPause, { maxLength: 3 }), (intervals, pauses) => {
        const r = computeDay(window, intervals, pauses);
        expect(r.open + r.closed + r.excepted + r.unknown).toBe(630);
        for (const kind of [r.clinical, r.admin]) expect(kind.open + kind.closed + kind.excepted + kind.unknown).toBe(630);
        expect(r.episodes.filter((e) => !e.excepted).reduce((s, e) => s + e.minutes, 0)).toBe(r.closed);
        expect(r.episodes.filter((e) => e.excepted).reduce((s, e) => s + e.minutes, 0)).toBe(r.excepted);
      }),
      { numRuns: 500, seed: 20251001 },
    );
  });

  it("agrees with a plain minute-by-minute count", () => {
    fc.assert(
      fc.property(fc.array(arbInterval, { maxLength: 10 }), fc.array(arbPause, { maxLength: 3 }), (intervals, pauses) => {
        const r = computeDay(window, intervals, pauses);
        const count = { open: 0, closed: 0, excepted: 0, unknown: 0 };
        const perKind = { clinical: { open: 0, closed: 0, excepted: 0, unknown: 0 }, admin: { open: 0, closed: 0, excepted: 0, unknown: 0 } };
        for (let m = window.start; m < window.end; m++) {
          const state = (kind: "clinical" | "admin") => {
            const here = intervals.filter((i) => i.start <= m && m < i.end && (i.category === "all" || i.category === kind));
            return here.some((i) => i.status === "closed") ? "closed" : here.length ? "open" : "none";
          };
          const paused = (kind: "clinical" | "admin") => pauses.some((p) => p.start <= m && m < p.end && (p.category === "all" || p.category === kind));
          const c = state("clinical");
          const a = state("admin");
          for (const [kind, st] of [["clinical", c], ["admin", a]] as const) {
            if (st === "closed") perKind[kind][paused(kind) ? "excepted" : "closed"]++;
            else perKind[kind][st === "open" ? "open" : "unknown"]++;
          }
          const closedKinds = (["clinical", "admin"] as const).filter((k) => (k === "clinical" ? c : a) === "closed");
          if (closedKinds.length) {
            if (closedKinds.every(paused)) count.excepted++;
            else count.closed++;
          }
          else if (c === "open" && a === "open") count.open++;
          else count.unknown++;
        }
        expect({ open: r.open, closed: r.closed, excepted: r.excepted, unknown: r.unknown }).toEqual(count);
        expect({ clinical: r.clinical, admin: r.admin }).toEqual(perKind);
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});

describe("London wall-clock times on the clock-change Sundays", () => {
  it("shows the time the clocks showed", async () => {
    const { londonTime } = await import("~/domain/calendar");
    expect(londonTime(at("2026-03-29T00:30:00Z"))).toBe("00:30"); // before the change, GMT
    expect(londonTime(at("2026-03-29T01:30:00Z"))).toBe("02:30"); // after it, BST
    expect(londonTime(at("2026-10-25T00:30:00+01:00"))).toBe("00:30");
    expect(londonTime(at("2026-10-25T01:30:00Z"))).toBe("01:30"); // the second 01:30, GMT
    expect(londonTime(at("2026-07-01T16:45:00Z"))).toBe("17:45");
    expect(londonTime(at("2026-12-01T16:45:00Z"))).toBe("16:45");
  });
});
