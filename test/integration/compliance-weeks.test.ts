/**
 * `compliance_weeks` (ADR 17) stays in step with the stored days however they are written: an availability import,
 * a later import that rewrites one day in the middle of a week (the week is regrouped from the days), a pause
 * approved after the fact, and a bank holiday imported for a date that already has days (the week loses that day).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { writeAvailabilityLog } from "../support/availability-log";
import { storedWeeks, weeksFromDays } from "../support/compliance-weeks";
import { runImport, TempDir } from "../importers/helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

type Week = { practice_code: string; week: string; closed_minutes: number; days: number };
const week = (code: string, monday: string) => (storedWeeks(t.sqlite) as Week[]).find((w) => w.practice_code === code && w.week === monday);

describe("compliance_weeks", () => {
  it("after an import, a revision of one mid-week day and a new bank holiday, equals the stored days summed per week", async () => {
    // Two practices, 15 weekdays from Monday 5 January 2026: three whole weeks; 08:00–18:00 in hours, every third closed.
    const first = tmp.path("three-weeks.csv");
    await writeAvailabilityLog(first, { practices: 2, days: 15 });
    await runImport(t, "availability", first);
    expect(storedWeeks(t.sqlite)).toEqual(weeksFromDays(t.sqlite));
    expect(storedWeeks(t.sqlite)).toHaveLength(6);
    expect(week("Q00000", "2026-01-05")).toMatchObject({ days: 5 });
    const closedBefore = week("Q00000", "2026-01-12")!.closed_minutes;

    // Wednesday 14 January of Q00000 closed from another source for two more hours: only that day is recomputed, and
    // its week (whose other days were not) is regrouped from the stored days.
    const revision = tmp.write("revision.csv", "practice_code,start,end,status,category,reason,source\nQ00000,2026-01-14 10:00,2026-01-14 12:00,closed,all,Staff training,other-supplier\n");
    await runImport(t, "availability", revision);
    expect(storedWeeks(t.sqlite)).toEqual(weeksFromDays(t.sqlite));
    expect(week("Q00000", "2026-01-12")!.closed_minutes).toBeGreaterThan(closedBefore);
    expect(week("Q00001", "2026-01-12")!.closed_minutes).toBe(closedBefore);

    // Thursday 8 January becomes a bank holiday: its days go, and its week keeps four.
    const holidays = tmp.write(
      "bank-holidays.json",
      JSON.stringify({ "england-and-wales": { division: "england-and-wales", events: [{ title: "A new holiday", date: "2026-01-08", notes: "", bunting: false }] } }),
    );
    await runImport(t, "bank-holidays", holidays);
    expect(storedWeeks(t.sqlite)).toEqual(weeksFromDays(t.sqlite));
    expect(week("Q00000", "2026-01-05")).toMatchObject({ days: 4 });
    expect(week("Q00001", "2026-01-05")).toMatchObject({ days: 4 });
  });
});
