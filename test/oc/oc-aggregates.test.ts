/**
 * The By Day and Time aggregates (ADR 17): `oc_daily`, `oc_weekly` and `oc_icb_hourly` always equal the sums of `oc_hourly`
 * worked out here independently, after a first import, a restated file, a practice moving ICB, and a refused file.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { isoWeekStart } from "~/domain/compliance-report";
import { factsForMonth } from "~/services/measures.server";
import { rebuildOcAggregates } from "~/services/oc-aggregates.server";
import { importFile } from "../../importers/core/run";
import { epraccurImporter } from "../../importers/epraccur";
import { createTestDatabase, dumpTables, type TestDatabase } from "../support/db";
import { epraccurFixtureRows, epraccurLine, fixturePath, withFields } from "../importers/helpers";
import { DATED_HEADER, expectRefused, importOc, rows, TempDir } from "./helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(async () => {
  t = createTestDatabase();
  // A81001 and A81065 in ICB QHM (A81003 too, closed, with no submissions).
  await importFile(t.db, epraccurImporter, fixturePath("epraccur-current.csv"), { actor: "test" });
});
afterEach(async () => {
  await t.dispose();
});

const GEO = "U89141,STOCKTON PCN,16C,QHM,NHS North East and North Cumbria Integrated Care Board,Y63,North East and Yorkshire";

function dated(date: string, weekday: string, hour: number, code: string, supplier: string, c: number, a: number, o: number): string {
  const time = `${String(hour).padStart(2, "0")}:00-${String(hour).padStart(2, "0")}:59`;
  return [date, weekday, time, code, `"SURGERY ${code}"`, supplier, GEO, c, a, o, c + a + o].join(",");
}

function csv(name: string, lines: string[]): string {
  return tmp.write(name, [DATED_HEADER, ...lines].join("\r\n") + "\r\n");
}

/** What the aggregates must hold, summed here from every `oc_hourly` row and each practice's current ICB. */
function expected() {
  const hourly = rows(t, "oc_hourly", "practice_code, date, hour") as { practice_code: string; date: string; hour: number; clinical: number; admin: number; other: number; total: number }[];
  const icbOf = new Map((rows(t, "practices", "ods_code") as { ods_code: string; icb_code: string | null }[]).map((p) => [p.ods_code, p.icb_code]));
  const daily = new Map<string, { practice_code: string; date: string; clinical: number; admin: number; other: number; total: number; total_0800_1000: number; week: string }>();
  const icb = new Map<string, { icb_code: string; date: string; hour: number; clinical: number; total: number; practices: number }>();
  for (const h of hourly) {
    const d = daily.get(`${h.practice_code}|${h.date}`) ?? { practice_code: h.practice_code, date: h.date, clinical: 0, admin: 0, other: 0, total: 0, total_0800_1000: 0, week: isoWeekStart(h.date) };
    d.clinical += h.clinical;
    d.admin += h.admin;
    d.other += h.other;
    d.total += h.total;
    if (h.hour === 8 || h.hour === 9) d.total_0800_1000 += h.total;
    daily.set(`${h.practice_code}|${h.date}`, d);
    const code = icbOf.get(h.practice_code);
    if (!code) continue;
    const key = `${code}|${h.date}|${String(h.hour).padStart(2, "0")}`;
    const i = icb.get(key) ?? { icb_code: code, date: h.date, hour: h.hour, clinical: 0, total: 0, practices: 0 };
    i.clinical += h.clinical;
    i.total += h.total;
    i.practices += 1;
    icb.set(key, i);
  }
  const weekly = new Map<string, { practice_code: string; week: string; total: number; days: number }>();
  for (const d of daily.values()) {
    const w = weekly.get(`${d.practice_code}|${d.week}`) ?? { practice_code: d.practice_code, week: d.week, total: 0, days: 0 };
    w.total += d.total;
    w.days += 1;
    weekly.set(`${d.practice_code}|${d.week}`, w);
  }
  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return { daily: byKey(daily), weekly: byKey(weekly), icb: byKey(icb) };
}

function stored() {
  return {
    daily: rows(t, "oc_daily", "practice_code, date"),
    weekly: rows(t, "oc_weekly", "practice_code, week"),
    icb: rows(t, "oc_icb_hourly", "icb_code, date, hour"),
  };
}

const FIRST = [
  dated("02/03/2026", "Monday", 8, "A81001", "S1", 5, 2, 0),
  dated("02/03/2026", "Monday", 8, "A81001", "S2", 1, 1, 1),
  dated("02/03/2026", "Monday", 9, "A81001", "S1", 4, 0, 0),
  dated("02/03/2026", "Monday", 8, "A81065", "S1", 3, 3, 0),
  dated("03/03/2026", "Tuesday", 13, "A81001", "S1", 0, 0, 2),
  dated("03/03/2026", "Tuesday", 13, "A81065", "S1", 7, 1, 0),
  // Not in the practice data: in oc_daily, in no ICB's sums.
  dated("02/03/2026", "Monday", 8, "Y02960", "S1", 7, 3, 0),
];

describe("oc_daily, oc_weekly and oc_icb_hourly", () => {
  it("a first import writes both, equal to the sums of oc_hourly", async () => {
    await importOc(t, csv("first.csv", FIRST));
    const s = stored();
    expect(s).toEqual(expected());
    expect(s.daily).toContainEqual({ practice_code: "A81001", date: "2026-03-02", clinical: 10, admin: 3, other: 1, total: 14, total_0800_1000: 14, week: "2026-03-02" });
    expect(s.daily).toContainEqual({ practice_code: "Y02960", date: "2026-03-02", clinical: 7, admin: 3, other: 0, total: 10, total_0800_1000: 10, week: "2026-03-02" });
    expect(s.icb).toEqual([
      { icb_code: "QHM", date: "2026-03-02", hour: 8, clinical: 9, total: 16, practices: 2 },
      { icb_code: "QHM", date: "2026-03-02", hour: 9, clinical: 4, total: 4, practices: 1 },
      { icb_code: "QHM", date: "2026-03-03", hour: 13, clinical: 7, total: 10, practices: 2 },
    ]);
  });

  it("the month's measures read their 08:00–10:00 share from oc_daily, equal to the hourly rows' sums, after a restatement too", async () => {
    await importOc(t, csv("first.csv", FIRST));
    let facts = await factsForMonth(t.db, "2026-03-01");
    // A81001: 2 March 14 (all at 08:00 and 09:00), 3 March 2 at 13:00. A81065: 6 at 08:00, 8 at 13:00.
    expect(facts.get("A81001")).toMatchObject({ oc_timed_total: 16, oc_0800_1000: 14 });
    expect(facts.get("A81065")).toMatchObject({ oc_timed_total: 14, oc_0800_1000: 6 });
    await importOc(t, csv("later.csv", [dated("02/03/2026", "Monday", 8, "A81001", "S1", 1, 0, 0), dated("02/03/2026", "Monday", 11, "A81001", "S1", 2, 0, 0)]));
    facts = await factsForMonth(t.db, "2026-03-01");
    expect(facts.get("A81001")).toMatchObject({ oc_timed_total: 5, oc_0800_1000: 1 });
  });

  it("a restated file changes only the practice-dates it holds, and both aggregates follow", async () => {
    await importOc(t, csv("first.csv", FIRST));
    // 2 March for A81001: 08:00 revised, 09:00 gone, 11:00 new. 3 March and A81065 not in this file.
    await importOc(t, csv("later.csv", [dated("02/03/2026", "Monday", 8, "A81001", "S1", 1, 0, 0), dated("02/03/2026", "Monday", 11, "A81001", "S1", 2, 0, 0)]));
    const s = stored();
    expect(s).toEqual(expected());
    expect(s.daily.find((d) => d.practice_code === "A81001" && d.date === "2026-03-02")).toMatchObject({ total: 3 });
    expect(s.icb.filter((r) => r.date === "2026-03-02")).toEqual([
      { icb_code: "QHM", date: "2026-03-02", hour: 8, clinical: 4, total: 7, practices: 2 },
      { icb_code: "QHM", date: "2026-03-02", hour: 11, clinical: 2, total: 2, practices: 1 },
    ]);
  });

  it("a practice moving ICB in epraccur takes its hours from the old ICB's sums to the new one's", async () => {
    await importOc(t, csv("first.csv", FIRST));
    const current = epraccurFixtureRows("epraccur-current.csv");
    const moved = tmp.write(
      "epraccur-moved.csv",
      [current.get("A81001")!, withFields(current.get("A81065")!, { 3: "QXX" }), withFields(current.get("A81003")!, { 3: "QYY" })].map(epraccurLine).join("\n") + "\n",
    );
    await importFile(t.db, epraccurImporter, moved, { actor: "test" });
    const s = stored();
    expect(s).toEqual(expected());
    expect(s.icb.filter((r) => r.date === "2026-03-03")).toEqual([
      { icb_code: "QHM", date: "2026-03-03", hour: 13, clinical: 0, total: 2, practices: 1 },
      { icb_code: "QXX", date: "2026-03-03", hour: 13, clinical: 7, total: 8, practices: 1 },
    ]);
    // A81003 has no submissions: its move leaves no row for QYY.
    expect(s.icb.some((r) => r.icb_code === "QYY")).toBe(false);
  });

  it("a file of another day in the same week rewrites that week's row, summing both files' days", async () => {
    await importOc(t, csv("first.csv", FIRST));
    await importOc(t, csv("wednesday.csv", [dated("04/03/2026", "Wednesday", 10, "A81001", "S1", 3, 0, 0)]));
    const s = stored();
    expect(s).toEqual(expected());
    // A81001: 14 on Monday 2 March and 2 on Tuesday (the first file), 3 on Wednesday (the second).
    expect(s.weekly.filter((w) => w.practice_code === "A81001")).toEqual([{ practice_code: "A81001", week: "2026-03-02", total: 19, days: 3 }]);
  });

  it("rebuilt from oc_hourly, the aggregates are the rows the importer kept", async () => {
    await importOc(t, csv("first.csv", FIRST));
    await importOc(t, csv("wednesday.csv", [dated("04/03/2026", "Wednesday", 10, "A81001", "S1", 3, 0, 0), dated("09/03/2026", "Monday", 8, "A81065", "S1", 1, 0, 0)]));
    const kept = stored();
    expect(kept.weekly.map((w) => [w.practice_code, w.week])).toEqual([["A81001", "2026-03-02"], ["A81065", "2026-03-02"], ["A81065", "2026-03-09"], ["Y02960", "2026-03-02"]]);
    await rebuildOcAggregates(t.db);
    expect(stored()).toEqual(kept);
  });

  it("a refused file leaves both exactly as they were", async () => {
    await importOc(t, csv("first.csv", FIRST));
    const before = dumpTables(t);
    await expectRefused(t, csv("bad.csv", [dated("02/03/2026", "Monday", 8, "A81001", "S1", 9, 0, 0), "02/03/2026,Monday,08:00-08:59,A81065,S,S1," + GEO + ",1,x,0,1"]));
    expect(dumpTables(t)).toEqual(before);
    expect(stored()).toEqual(expected());
  });
});
