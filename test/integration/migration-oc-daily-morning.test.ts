/**
 * Migration 2026-12-07_01: `oc_daily.total_0800_1000` is filled, for the days already stored, with each day's
 * submissions in the hours starting 08:00 and 09:00 of `oc_hourly`; a day with none there gets 0.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMigrator, migrateToLatest, openDatabase, type OpenDatabase } from "../../db/connection";

let open: OpenDatabase | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe("migration 2026-12-07_01_oc_daily_morning", () => {
  it("fills total_0800_1000 from the stored hours", async () => {
    open = openDatabase(":memory:");
    const { error } = await createMigrator(open.db).migrateTo("2026-12-06_05_measure_distributions");
    expect(error).toBeUndefined();
    const hour = (practice_code: string, date: string, hour: number, total: number) => ({ practice_code, date, hour, clinical: total, admin: 0, other: 0, total, import_id: 1 });
    const hours = [hour("A81001", "2026-03-02", 7, 50), hour("A81001", "2026-03-02", 8, 5), hour("A81001", "2026-03-02", 9, 4), hour("A81001", "2026-03-02", 10, 3), hour("A81001", "2026-03-03", 13, 2), hour("A81065", "2026-03-02", 9, 6)];
    open.sqlite.pragma("foreign_keys = OFF");
    const insert = open.sqlite.prepare("insert into oc_hourly (practice_code, date, hour, clinical, admin, other, total, import_id) values (@practice_code, @date, @hour, @clinical, @admin, @other, @total, @import_id)");
    for (const h of hours) insert.run(h);
    const day = open.sqlite.prepare("insert into oc_daily (practice_code, date, clinical, admin, other, total, week) values (?, ?, 0, 0, 0, ?, '2026-03-02')");
    day.run("A81001", "2026-03-02", 62);
    day.run("A81001", "2026-03-03", 2);
    day.run("A81065", "2026-03-02", 6);

    const applied = await migrateToLatest(open.db);
    expect(applied.map((r) => r.migrationName)).toContain("2026-12-07_01_oc_daily_morning");
    const rows = open.sqlite.prepare("select practice_code, date, total, total_0800_1000 from oc_daily order by practice_code, date").all();
    expect(rows).toEqual([
      { practice_code: "A81001", date: "2026-03-02", total: 62, total_0800_1000: 9 },
      { practice_code: "A81001", date: "2026-03-03", total: 2, total_0800_1000: 0 },
      { practice_code: "A81065", date: "2026-03-02", total: 6, total_0800_1000: 6 },
    ]);
  });
});
