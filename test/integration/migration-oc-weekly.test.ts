/**
 * Migration 2026-12-07_02: `oc_weekly` is filled from the `oc_daily` rows already stored, one row per practice and
 * ISO week with the week's total and its number of days; a week with no day stored has no row.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMigrator, migrateToLatest, openDatabase, type OpenDatabase } from "../../db/connection";

let open: OpenDatabase | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe("migration 2026-12-07_02_oc_weekly", () => {
  it("sums the stored days per practice and week", async () => {
    open = openDatabase(":memory:");
    const { error } = await createMigrator(open.db).migrateTo("2026-12-07_01_oc_daily_morning");
    expect(error).toBeUndefined();
    const day = open.sqlite.prepare("insert into oc_daily (practice_code, date, clinical, admin, other, total, week) values (?, ?, 0, 0, 0, ?, ?)");
    day.run("A81001", "2026-03-02", 62, "2026-03-02");
    day.run("A81001", "2026-03-08", 5, "2026-03-02");
    day.run("A81001", "2026-03-16", 2, "2026-03-16");
    day.run("A81065", "2026-03-03", 6, "2026-03-02");

    const applied = await migrateToLatest(open.db);
    expect(applied.map((r) => r.migrationName)).toContain("2026-12-07_02_oc_weekly");
    expect(open.sqlite.prepare("select * from oc_weekly order by practice_code, week").all()).toEqual([
      { practice_code: "A81001", week: "2026-03-02", total: 67, days: 2 },
      { practice_code: "A81001", week: "2026-03-16", total: 2, days: 1 },
      { practice_code: "A81065", week: "2026-03-02", total: 6, days: 1 },
    ]);
  });
});
