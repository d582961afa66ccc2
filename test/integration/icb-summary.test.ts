/**
 * The ICB overview's per-practice summary, which the database sums (ADR 17), against the same figures worked out
 * here day by day from random stored days: totals, no-data minutes, flagged days and flag, and the weekly trend
 * (read apart, for the rows a page shows).
 * Rows for a day that is not a core day (a weekend, a bank holiday) must not count.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CORE_MINUTES_PER_DAY, datesBetween } from "~/domain/calendar";
import { isoWeekStart, lastWeeks } from "~/domain/compliance-report";
import { evaluateFlags, type Policy } from "~/domain/policy";
import { icbComplianceSummary, icbOpenShares, weeklyClosed } from "~/queries/compliance.server";
import { loadCalendar } from "~/services/compliance.server";
import { refreshComplianceWeeks } from "~/services/compliance-weeks.server";
import { createRandom } from "../../db/seed/random";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { seedSmallWorld } from "../support/small-world";

let t: TestDatabase;
beforeAll(async () => {
  t = createTestDatabase();
  await seedSmallWorld(t.db);
});
afterAll(async () => {
  await t.dispose();
});

interface Day {
  practice_code: string;
  date: string;
  open: number;
  closed: number;
  excepted: number;
}

describe("icbComplianceSummary", () => {
  it("equals the day-by-day totals, flags and weekly trend for random stored days", async () => {
    const random = createRandom(20261206);
    const calendar = await loadCalendar(t.db);
    const range = { from: "2026-03-02", to: "2026-06-05" };
    // Every date of the range and a little beyond, weekends and the May bank holidays included; some days missing.
    const days: Day[] = [];
    for (const code of ["DEM001", "DEM002", "DEM110"]) {
      for (const date of datesBetween("2026-02-23", "2026-06-12")) {
        if (random.next() < 0.15) continue;
        const closed = random.next() < 0.3 ? Math.floor(random.next() * 120) : 0;
        const excepted = random.next() < 0.1 ? Math.floor(random.next() * 60) : 0;
        const unknown = random.next() < 0.1 ? CORE_MINUTES_PER_DAY - closed - excepted : Math.floor(random.next() * 40);
        days.push({ practice_code: code, date, closed, excepted, open: CORE_MINUTES_PER_DAY - closed - excepted - unknown });
      }
    }
    const now = new Date().toISOString();
    for (let i = 0; i < days.length; i += 200) {
      await t.db
        .insertInto("compliance_days")
        .values(
          days.slice(i, i + 200).map((d) => ({
            practice_code: d.practice_code,
            date: d.date,
            core_minutes: CORE_MINUTES_PER_DAY,
            open_minutes: d.open,
            closed_minutes: d.closed,
            excepted_minutes: d.excepted,
            unknown_minutes: CORE_MINUTES_PER_DAY - d.open - d.closed - d.excepted,
            clinical_open: 0,
            clinical_closed: 0,
            clinical_excepted: 0,
            clinical_unknown: 0,
            admin_open: 0,
            admin_closed: 0,
            admin_excepted: 0,
            admin_unknown: 0,
            computed_at: now,
          })),
        )
        .execute();
    }
    // Their weeks, as the compliance engine keeps them; a stored row for a day that is not a core day is left out.
    const weeks = new Set(days.map((d) => isoWeekStart(d.date)));
    await refreshComplianceWeeks(t.db, calendar, weeks);
    const policy: Policy = { closedMinutesPerDay: 45, flaggedDays: 3, windowDays: 28 };
    const summary = await icbComplianceSummary(t.db, calendar, "DEMO1", range, policy);
    const trends = await weeklyClosed(t.db, calendar, range, summary.map((r) => r.odsCode));

    const coreDays = new Set(calendar.coreDays(range.from, range.to));
    expect(coreDays.has("2026-05-04")).toBe(false); // the early May bank holiday, stored above like any other day
    expect(summary.map((r) => r.odsCode)).toEqual(["DEM001", "DEM002"]);
    for (const row of summary) {
      const own = days.filter((d) => d.practice_code === row.odsCode && coreDays.has(d.date));
      const coreMinutes = coreDays.size * CORE_MINUTES_PER_DAY;
      const open = own.reduce((s, d) => s + d.open, 0);
      const closed = own.reduce((s, d) => s + d.closed, 0);
      const excepted = own.reduce((s, d) => s + d.excepted, 0);
      const flags = evaluateFlags(own.map((d) => ({ date: d.date, closedMinutes: d.closed })), policy);
      const weekly = lastWeeks(range).map((w) => {
        const inWeek = own.filter((d) => d.date >= w.from && d.date <= w.to);
        const known = inWeek.some((d) => d.open + d.closed + d.excepted > 0);
        return { week: w.week, closed: known ? inWeek.reduce((s, d) => s + d.closed, 0) : null };
      });
      expect(row).toMatchObject({
        coreDays: coreDays.size,
        coreMinutes,
        open,
        closed,
        excepted,
        unknown: coreMinutes - open - closed - excepted,
        flaggedDays: flags.flaggedDates.length,
        flagged: flags.flagged,
      });
      expect(row.closed).toBeGreaterThan(0);
      expect(trends.get(row.odsCode)).toEqual(weekly);
      expect(weekly).toHaveLength(12);
      expect(weekly.filter((w) => w.closed === null).length).toBeLessThan(12);
    }
    // The practice page's lighter read for the peer position gives the same shares.
    expect(await icbOpenShares(t.db, calendar, "DEMO1", range)).toEqual(summary.map((r) => ({ odsCode: r.odsCode, openShare: r.openShare, enoughData: r.enoughData })));
    expect(summary.every((r) => r.openShare !== null && r.openShare > 0)).toBe(true);
  });
});
