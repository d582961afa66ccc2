/**
 * Migration 2026-12-07_03: `compliance_weeks` is filled from the days already stored, one row per practice and ISO
 * week, and `compliance_days.week` is dropped; the days themselves are kept as they were.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMigrator, migrateToLatest, openDatabase, type OpenDatabase } from "../../db/connection";

let open: OpenDatabase | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe("migration 2026-12-07_03_compliance_weeks", () => {
  it("sums the stored days per practice and week, then drops the days' week column", async () => {
    open = openDatabase(":memory:");
    const { error } = await createMigrator(open.db).migrateTo("2026-12-07_02_oc_weekly");
    expect(error).toBeUndefined();
    const day = open.sqlite.prepare(
      `insert into compliance_days (practice_code, date, core_minutes, open_minutes, closed_minutes, excepted_minutes, unknown_minutes,
         clinical_open, clinical_closed, clinical_excepted, clinical_unknown, admin_open, admin_closed, admin_excepted, admin_unknown, computed_at, week)
       values (?, ?, 630, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, '2026-12-07T00:00:00.000Z', ?)`,
    );
    day.run("A81001", "2026-03-02", 600, 30, 0, 0, "2026-03-02");
    day.run("A81001", "2026-03-04", 500, 0, 100, 30, "2026-03-02");
    day.run("A81001", "2026-03-09", 0, 0, 0, 630, "2026-03-09");
    day.run("A81065", "2026-03-03", 630, 0, 0, 0, "2026-03-02");

    const applied = await migrateToLatest(open.db);
    expect(applied.map((r) => r.migrationName)).toContain("2026-12-07_03_compliance_weeks");
    expect(open.sqlite.prepare("select * from compliance_weeks order by practice_code, week").all()).toEqual([
      { practice_code: "A81001", week: "2026-03-02", open_minutes: 1100, closed_minutes: 30, excepted_minutes: 100, least_unknown: 0, days: 2 },
      { practice_code: "A81001", week: "2026-03-09", open_minutes: 0, closed_minutes: 0, excepted_minutes: 0, least_unknown: 630, days: 1 },
      { practice_code: "A81065", week: "2026-03-02", open_minutes: 630, closed_minutes: 0, excepted_minutes: 0, least_unknown: 0, days: 1 },
    ]);
    const columns = (open.sqlite.prepare("pragma table_info(compliance_days)").all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain("week");
    expect(open.sqlite.prepare("select count(*) as n from compliance_days").get()).toEqual({ n: 4 });
  });
});
