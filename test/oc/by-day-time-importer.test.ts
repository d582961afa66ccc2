/** The "Submissions via OC Systems By Day and Time" importer: both editions, zips, summing, replacement and refusals. */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { monthFromName, parseHour, parseWeekday } from "../../importers/oc-by-day-time";
import { createTestDatabase, dumpTables, type TestDatabase } from "../support/db";
import { DATED_HEADER, expectRefused, expectUnchanged, importOc, rows, TempDir, WEEKDAY_HEADER } from "./helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

const GEO = "U89141,STOCKTON PCN,16C,QHM,NHS North East and North Cumbria Integrated Care Board,Y63,North East and Yorkshire";
const GEO_SOUTH = "U12345,\"SOUTH, COAST PCN\",15N,QJK,NHS Devon Integrated Care Board,Y58,South West";

/** A dated row: DATE,WEEKDAY,SUBMISSION_TIME,GP_CODE,GP_NAME,SUPPLIER,<geography>,CLINICAL,ADMIN,UNKNOWN_OTHER,TOTAL. */
function dated(date: string, weekday: string, time: string, code: string, supplier: string, c: number | string, a: number | string, o: number | string, total?: number | string, geo = GEO): string {
  const sum = total ?? Number(c) + Number(a) + Number(o);
  return [date, weekday, time, code, `"SURGERY ${code}"`, supplier, geo, c, a, o, sum].join(",");
}

function weekdayRow(weekday: string, time: string, code: string, supplier: string, c: number, a: number, o: number): string {
  return [weekday, time, code, `SURGERY ${code}`, supplier, GEO, c, a, o, c + a + o].join(",");
}

function csv(name: string, header: string, lines: string[], eol = "\r\n"): string {
  return tmp.write(name, [header, ...lines].join(eol) + eol);
}

const NAME = "Submissions via OC Systems By Day and Time - March 2026";

function hourly() {
  return t.db
    .selectFrom("oc_hourly")
    .select(["practice_code", "date", "hour", "clinical", "admin", "other", "total"])
    .orderBy("practice_code")
    .orderBy("date")
    .orderBy("hour")
    .execute();
}

function weekdayHourly() {
  return t.db
    .selectFrom("oc_weekday_hourly")
    .select(["practice_code", "month", "weekday", "hour", "clinical", "admin", "other", "total"])
    .orderBy("practice_code")
    .orderBy("month")
    .orderBy("weekday")
    .orderBy("hour")
    .execute();
}

describe("field parsers", () => {
  it("reads the hour from every SUBMISSION_TIME shape and refuses what is not one hour", () => {
    for (const s of ["08", "8", "08:00", "8:00", "08:00-08:59", "08:00 - 08:59", "08:00:00", "08:00-09:00", "08-09"]) expect(parseHour(s), s).toBe(8);
    expect(parseHour("00:00-00:59")).toBe(0);
    expect(parseHour("23:00-23:59")).toBe(23);
    for (const s of ["24", "24:00", "8:60", "08:00-09:59", "08:00-07:59", "08h", "eight", "", "-1", "08:00-"]) expect(parseHour(s), s).toBeNull();
  });

  it("reads weekday names and their abbreviations", () => {
    expect(["Monday", "MON", "mon", "Tues", "Wednesday", "thu", "Fri", "Saturday", "Sun"].map(parseWeekday)).toEqual([1, 1, 1, 2, 3, 4, 5, 6, 7]);
    expect(["Mo", "Funday", "1", ""].map(parseWeekday)).toEqual([null, null, null, null]);
  });

  it("reads the month from a published name", () => {
    expect(monthFromName("Submissions via OC Systems By Day and Time - October 2025_north_regions.csv")).toBe("2025-10-01");
    expect(monthFromName("Submissions via OC Systems By Day and Time - Sept 2024.zip")).toBe("2024-09-01");
    expect(monthFromName("oc_by_day_time_Mar2025.csv")).toBe("2025-03-01");
    expect(monthFromName("by-day-and-time_south_regions.csv")).toBeNull();
    expect(monthFromName("Summary 2025.csv")).toBeNull();
  });
});

describe("dated edition", () => {
  it("loads a CSV, summing several suppliers' rows for one practice-hour", async () => {
    const file = csv("dated.csv", DATED_HEADER, [
      dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "SUPPLIER A", 5, 2, 0),
      dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "SUPPLIER B", 1, 1, 1),
      dated("02/03/2026", "Monday", "09:00-09:59", "A81001", "SUPPLIER A", 4, 0, 0),
      dated("03/03/2026", "Tuesday", "13:00-13:59", "A81001", "SUPPLIER A", 0, 0, 2),
      dated("02/03/2026", "Monday", "08:00-08:59", "Y02960", "SUPPLIER C", 7, 3, 0),
    ]);
    const result = await importOc(t, file);
    expect(result.status).toBe("imported");
    expect(result.counts).toEqual({ read: 5, inserted: 4, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.warnings).toEqual([{ message: "Submissions kept for practices not yet in the practice data (import epraccur to name them)", count: 2 }]);
    expect(rows(t, "oc_hourly", "practice_code, date, hour")).toEqual([
      { practice_code: "A81001", date: "2026-03-02", hour: 8, clinical: 6, admin: 3, other: 1, total: 10, import_id: result.importId },
      { practice_code: "A81001", date: "2026-03-02", hour: 9, clinical: 4, admin: 0, other: 0, total: 4, import_id: result.importId },
      { practice_code: "A81001", date: "2026-03-03", hour: 13, clinical: 0, admin: 0, other: 2, total: 2, import_id: result.importId },
      { practice_code: "Y02960", date: "2026-03-02", hour: 8, clinical: 7, admin: 3, other: 0, total: 10, import_id: result.importId },
    ]);
    expect(rows(t, "oc_weekday_hourly", "practice_code")).toEqual([]);
    expect(rows(t, "import_log", "id").map((r) => [r.source, r.file_name, r.rows_read, r.rows_inserted])).toEqual([["oc-by-day-time", "dated.csv", 5, 4]]);
  });

  it("accepts every SUBMISSION_TIME and DATE shape, columns in any order, and an empty WEEKDAY", async () => {
    const header = "GP_CODE,TOTAL,SUBMISSION_TIME,UNKNOWN_OTHER,ADMIN,CLINICAL,DATE,WEEKDAY,SUPPLIER";
    const file = csv("shapes.csv", header, [
      "A81001,1,08,0,0,1,2026-03-02,Monday,S",
      "A81001,2,9,0,0,2,02/03/2026,,S",
      "A81001,3,10:00,0,0,3,02MAR2026,Mon,S",
      "A81001,4,11:00 - 11:59,0,0,4,02/03/2026,MONDAY,S",
      "A81001,5,12:00-12:59,0,0,5,2026-03-02,,S",
    ]);
    const result = await importOc(t, file);
    expect(result.counts).toMatchObject({ read: 5, inserted: 5 });
    expect((await hourly()).map((r) => [r.date, r.hour, r.clinical, r.total])).toEqual([
      ["2026-03-02", 8, 1, 1],
      ["2026-03-02", 9, 2, 2],
      ["2026-03-02", 10, 3, 3],
      ["2026-03-02", 11, 4, 4],
      ["2026-03-02", 12, 5, 5],
    ]);
  });

  it("stores a row written unusually (padded, lower case) exactly as the same row written plainly", async () => {
    const file = csv("unusual.csv", DATED_HEADER, [
      dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S", 5, 2, 1),
      dated(" 02/03/2026 ", " monday ", " 08:00-08:59 ", " a81002 ", " S ", " 5", "2 ", " 1 ", " 8 "),
    ]);
    const result = await importOc(t, file);
    expect(result.counts).toMatchObject({ read: 2, inserted: 2 });
    expect((await hourly()).map((r) => [r.practice_code, r.date, r.hour, r.clinical, r.admin, r.other, r.total])).toEqual([
      ["A81001", "2026-03-02", 8, 5, 2, 1, 8],
      ["A81002", "2026-03-02", 8, 5, 2, 1, 8],
    ]);
  });

  it("loads every CSV member of the published zip (north and south regions)", async () => {
    const zip = await tmp.zip(`${NAME}.zip`, [
      { name: `${NAME}_north_regions.csv`, data: [DATED_HEADER, dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S1", 3, 1, 0)].join("\n") + "\n" },
      { name: `${NAME}_south_regions.csv`, data: [DATED_HEADER, dated("02/03/2026", "Monday", "08:00-08:59", "L83642", "S2", 2, 2, 2, undefined, GEO_SOUTH)].join("\n") + "\n" },
      { name: "readme.txt", data: "not a CSV" },
    ]);
    const result = await importOc(t, zip);
    expect(result.fileName).toBe(`${NAME}.zip`);
    expect(result.counts).toEqual({ read: 2, inserted: 2, updated: 0, unchanged: 0, rejected: 0 });
    expect((await hourly()).map((r) => [r.practice_code, r.total])).toEqual([
      ["A81001", 4],
      ["L83642", 6],
    ]);
  });

  it("sums one practice-hour split across the north and south members", async () => {
    const zip = await tmp.zip("split.zip", [
      { name: `${NAME}_north_regions.csv`, data: [DATED_HEADER, dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S1", 3, 1, 0)].join("\n") },
      { name: `${NAME}_south_regions.csv`, data: [DATED_HEADER, dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S2", 2, 0, 0)].join("\n") },
    ]);
    await importOc(t, zip);
    expect(await hourly()).toEqual([{ practice_code: "A81001", date: "2026-03-02", hour: 8, clinical: 5, admin: 1, other: 0, total: 6 }]);
  });

  it("the same file again is a no-op", async () => {
    const file = csv("again.csv", DATED_HEADER, [dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S", 1, 2, 3)]);
    await importOc(t, file);
    await expectUnchanged(t, file);
    expect(await hourly()).toHaveLength(1);
  });

  it("a later file replaces the stored hours of the practice-dates it holds, and leaves other dates alone", async () => {
    const first = await importOc(t, csv("first.csv", DATED_HEADER, [
        dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S", 5, 0, 0),
        dated("02/03/2026", "Monday", "09:00-09:59", "A81001", "S", 4, 0, 0),
        dated("02/03/2026", "Monday", "10:00-10:59", "A81001", "S", 3, 0, 0),
        dated("03/03/2026", "Tuesday", "08:00-08:59", "A81001", "S", 9, 0, 0),
      ]),
    );
    const later = await importOc(t, csv("later.csv", DATED_HEADER, [
        // 08:00 unchanged, 09:00 revised, 10:00 gone (now no submissions), 11:00 new; 3 March not in this file.
        dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S", 5, 0, 0),
        dated("02/03/2026", "Monday", "09:00-09:59", "A81001", "S", 6, 1, 0),
        dated("02/03/2026", "Monday", "11:00-11:59", "A81001", "S", 2, 0, 0),
      ]),
    );
    expect(later.counts).toEqual({ read: 3, inserted: 1, updated: 2, unchanged: 1, rejected: 0 });
    expect(later.warnings).toContainEqual({ message: "Hours stored from an earlier file for the same practice and date but not in this one removed", count: 1 });
    expect(rows(t, "oc_hourly", "date, hour").map((r) => [r.date, r.hour, r.total, r.import_id])).toEqual([
      ["2026-03-02", 8, 5, first.importId],
      ["2026-03-02", 9, 7, later.importId],
      ["2026-03-02", 11, 2, later.importId],
      ["2026-03-03", 8, 9, first.importId],
    ]);
  });

  it("accepts a row repeated exactly once, with a warning", async () => {
    const row = dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S", 1, 1, 1);
    const result = await importOc(t, csv("repeat.csv", DATED_HEADER, [row, row]));
    expect(result.counts).toMatchObject({ read: 2, inserted: 1 });
    expect(result.warnings).toContainEqual({ message: "Duplicate row (identical to an earlier line for the same practice, hour and supplier) ignored", count: 1 });
    expect((await hourly())[0]!.total).toBe(3);
  });

  it("keeps memory bounded: a file of thousands of rows is staged in batches and summed exactly", async () => {
    const lines: string[] = [];
    let expected = 0;
    for (let day = 1; day <= 28; day++) {
      const date = `${String(day).padStart(2, "0")}/02/2026`;
      const wd = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][new Date(Date.UTC(2026, 1, day)).getUTCDay()]!;
      for (let h = 0; h < 24; h++) {
        for (const [i, code] of ["A81001", "A81002", "A82003"].entries()) {
          // Two suppliers per practice-hour, the second row far from the first in the file.
          lines.push(dated(date, wd, `${String(h).padStart(2, "0")}:00-${String(h).padStart(2, "0")}:59`, code, "S1", h, i, 1));
          expected += h + i + 1;
        }
      }
    }
    for (const line of [...lines]) lines.push(line.replace(",S1,", ",S2,"));
    const result = await importOc(t, csv("big.csv", DATED_HEADER, lines));
    expect(result.counts).toEqual({ read: lines.length, inserted: 28 * 24 * 3, updated: 0, unchanged: 0, rejected: 0 });
    const sum = await t.db.selectFrom("oc_hourly").select((eb) => eb.fn.sum<number>("total").as("n")).executeTakeFirstOrThrow();
    expect(Number(sum.n)).toBe(2 * expected);
  });
});

describe("weekday-aggregated edition", () => {
  const OCT = "Submissions via OC Systems By Day and Time - October 2025";

  it("takes its month from the zip members' names and writes oc_weekday_hourly", async () => {
    const zip = await tmp.zip("by-day-time-weekday.zip", [
      {
        name: `${OCT}_north_regions.csv`,
        data:
          [
            WEEKDAY_HEADER,
            weekdayRow("Monday", "08:00-08:59", "A81001", "S1", 40, 10, 2),
            weekdayRow("Monday", "08:00-08:59", "A81001", "S2", 1, 1, 0),
            weekdayRow("Sunday", "23:00-23:59", "A81001", "S1", 0, 1, 0),
          ].join("\n") + "\n",
      },
      { name: `${OCT}_south_regions.csv`, data: [WEEKDAY_HEADER, weekdayRow("Fri", "17", "L83642", "S1", 3, 0, 0)].join("\n") + "\n" },
    ]);
    const result = await importOc(t, zip);
    expect(result.counts).toEqual({ read: 4, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    expect(await weekdayHourly()).toEqual([
      { practice_code: "A81001", month: "2025-10-01", weekday: 1, hour: 8, clinical: 41, admin: 11, other: 2, total: 54 },
      { practice_code: "A81001", month: "2025-10-01", weekday: 7, hour: 23, clinical: 0, admin: 1, other: 0, total: 1 },
      { practice_code: "L83642", month: "2025-10-01", weekday: 5, hour: 17, clinical: 3, admin: 0, other: 0, total: 3 },
    ]);
    expect(await hourly()).toEqual([]);
  });

  it("takes the month from the file name of a plain CSV", async () => {
    await importOc(t, csv(`${OCT}.csv`, WEEKDAY_HEADER, [weekdayRow("Tuesday", "09", "A81001", "S", 1, 0, 0)]));
    expect((await weekdayHourly()).map((r) => [r.month, r.weekday, r.hour])).toEqual([["2025-10-01", 2, 9]]);
  });

  it("takes the month from the month option when the name does not say it, and lets the option win", async () => {
    const file = csv("by-day-time.csv", WEEKDAY_HEADER, [weekdayRow("Tuesday", "09", "A81001", "S", 1, 0, 0)]);
    await importOc(t, file, { month: "2025-09" });
    const named = csv(`${OCT}_south_regions.csv`, WEEKDAY_HEADER, [weekdayRow("Tuesday", "09", "A81001", "S", 2, 0, 0)]);
    const overridden = await importOc(t, named, { month: "2025-08" });
    expect(overridden.warnings).toContainEqual({ message: "Month taken from the month option, not from the file name", count: 1 });
    expect((await weekdayHourly()).map((r) => [r.month, r.total])).toEqual([
      ["2025-08-01", 2],
      ["2025-09-01", 1],
    ]);
  });

  it("refuses a weekday edition whose month nothing gives, changing nothing", async () => {
    const file = csv("by-day-time.csv", WEEKDAY_HEADER, [weekdayRow("Tuesday", "09", "A81001", "S", 1, 0, 0)]);
    const error = await expectRefused(t, file);
    expect(error.message).toMatch(/^by-day-time\.csv:1: expected the month of this weekday-aggregated edition/);
    expect(error.message).toContain("--month 2025-10");
  });

  it("refuses a malformed month option", async () => {
    const file = csv("by-day-time.csv", WEEKDAY_HEADER, [weekdayRow("Tuesday", "09", "A81001", "S", 1, 0, 0)]);
    const before = dumpTables(t);
    await expect(importOc(t, file, { month: "2025-13" })).rejects.toThrow(
      'by-day-time.csv: expected a month option like 2025-10 (YYYY-MM), got "2025-13"',
    );
    expect(dumpTables(t)).toEqual(before);
  });

  it("a later edition of the month replaces its cells and removes cells it no longer has", async () => {
    await importOc(t, csv(`${OCT} a.csv`, WEEKDAY_HEADER, [weekdayRow("Monday", "08", "A81001", "S", 10, 0, 0), weekdayRow("Monday", "13", "A81001", "S", 5, 0, 0)]),
    );
    const later = await importOc(t, csv(`${OCT} b.csv`, WEEKDAY_HEADER, [weekdayRow("Monday", "08", "A81001", "S", 12, 0, 0)]));
    expect(later.counts).toEqual({ read: 1, inserted: 0, updated: 2, unchanged: 0, rejected: 0 });
    expect((await weekdayHourly()).map((r) => [r.weekday, r.hour, r.total])).toEqual([[1, 8, 12]]);
  });
});

describe("refusals: file, line and column, and nothing changed", () => {
  const good = dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S", 1, 1, 1);

  async function refuse(lines: string[], header = DATED_HEADER): Promise<string> {
    // A good file first, so that "nothing changed" covers stored data too.
    await importOc(t, csv("good.csv", DATED_HEADER, [dated("01/03/2026", "Sunday", "10", "A81002", "S", 1, 0, 0)]));
    const error = await expectRefused(t, csv("bad.csv", header, lines));
    return error.message;
  }

  it("a missing count column", async () => {
    const header = DATED_HEADER.replace(",TOTAL", "");
    expect(await refuse([good.replace(/,3$/, "")], header)).toMatch(/^bad\.csv:1: expected a By Day and Time header with the column TOTAL, got "DATE,WEEKDAY,/);
  });

  it("neither DATE nor WEEKDAY", async () => {
    const header = DATED_HEADER.replace("DATE,WEEKDAY,", "DAY,NAME,");
    expect(await refuse([good], header)).toMatch(/^bad\.csv:1: expected a By Day and Time header with a DATE column \(dated edition\) or a WEEKDAY column/);
  });

  it("a bad hour", async () => {
    expect(await refuse([good, dated("02/03/2026", "Monday", "25:00-25:59", "A81001", "S", 1, 0, 0)])).toBe(
      'bad.csv:3:3 (SUBMISSION_TIME): expected an hour from 00 to 23, like 08, 08:00 or 08:00-08:59, got "25:00-25:59"',
    );
  });

  it("a bad date", async () => {
    expect(await refuse([good, dated("31/02/2026", "Monday", "08", "A81001", "S", 1, 0, 0)])).toBe(
      'bad.csv:3:1 (DATE): expected a date like 2026-03-02, 02/03/2026 or 02MAR2026, got "31/02/2026"',
    );
  });

  it("a weekday that disagrees with the date", async () => {
    expect(await refuse([dated("02/03/2026", "Tuesday", "08", "A81001", "S", 1, 0, 0)])).toBe(
      'bad.csv:2:2 (WEEKDAY): expected the weekday of DATE (2026-03-02 is a Monday), got "Tuesday"',
    );
  });

  it("TOTAL not the sum of its parts", async () => {
    expect(await refuse([good, dated("02/03/2026", "Monday", "09", "A81001", "S", 5, 2, 1, 9)])).toBe(
      'bad.csv:3:17 (TOTAL): expected TOTAL equal to CLINICAL + ADMIN + UNKNOWN_OTHER (5 + 2 + 1 = 8), got "9"',
    );
  });

  it("a negative count", async () => {
    expect(await refuse([dated("02/03/2026", "Monday", "08", "A81001", "S", 1, -1, 0, 0)])).toBe(
      'bad.csv:2:15 (ADMIN): expected ADMIN as a whole number of 0 or more, got "-1"',
    );
  });

  it("a count that is not a number", async () => {
    expect(await refuse([good, good.replace(",08:00-08:59,", ",09:00-09:59,").replace(/,1,1,1,3$/, ",1,1,x,3")])).toBe(
      'bad.csv:3:16 (UNKNOWN_OTHER): expected UNKNOWN_OTHER as a whole number of 0 or more, got "x"',
    );
  });

  it("an empty count (missing is not zero)", async () => {
    expect(await refuse([dated("02/03/2026", "Monday", "08", "A81001", "S", "", 1, 1, 2)])).toBe(
      "bad.csv:2:14 (CLINICAL): expected CLINICAL as a whole number of 0 or more, got an empty value",
    );
  });

  it("a GP_CODE that is not a practice code", async () => {
    expect(await refuse([good, dated("02/03/2026", "Monday", "08", "Unassigned", "S", 1, 0, 0)])).toBe(
      'bad.csv:3:4 (GP_CODE): expected a practice ODS code like A81001, got "Unassigned"',
    );
  });

  it("a short row", async () => {
    expect(await refuse([good, "02/03/2026,Monday,08,A81001"])).toBe('bad.csv:3:5: expected 17 fields in each By Day and Time row, got "4 fields"');
  });

  it("the same practice, hour and supplier twice with other counts, within a batch", async () => {
    expect(await refuse([good, dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S", 2, 1, 1)])).toBe(
      'bad.csv:3:17 (TOTAL): expected one row per practice, hour and supplier; A81001 2026-03-02 08:00 (supplier S) is also on line 2 with other counts, got "4"',
    );
  });

  it("the same practice, hour and supplier twice with other counts, far apart (across batches)", async () => {
    const filler = Array.from({ length: 900 }, (_, i) => dated("03/03/2026", "Tuesday", "08", `A8${String(1000 + i).padStart(4, "0")}`, "S", 1, 0, 0));
    const message = await refuse([good, ...filler, dated("02/03/2026", "Monday", "08:00-08:59", "A81001", "S", 2, 1, 1)]);
    expect(message).toBe(
      'bad.csv:903: expected one row per practice, hour and supplier; A81001 2026-03-02 08:00 (supplier S) is also on line 2 with other counts, got "A81001"',
    );
  });

  it("a bad row in a zip member is located in that member", async () => {
    await importOc(t, csv("good.csv", DATED_HEADER, [good]));
    const zip = await tmp.zip("bad.zip", [
      { name: `${NAME}_north_regions.csv`, data: [DATED_HEADER, dated("02/03/2026", "Monday", "09", "A81001", "S", 1, 0, 0)].join("\n") },
      { name: `${NAME}_south_regions.csv`, data: [DATED_HEADER, dated("02/03/2026", "Monday", "09", "L83642", "S", 1, 0, 0, 5)].join("\n") },
    ]);
    const error = await expectRefused(t, zip);
    expect(error.message).toBe(`bad.zip!${NAME}_south_regions.csv:2:17 (TOTAL): expected TOTAL equal to CLINICAL + ADMIN + UNKNOWN_OTHER (1 + 0 + 0 = 1), got "5"`);
  });

  it("an empty file", async () => {
    expect(await refuse([], "")).toMatch(/^bad\.csv:1: expected a By Day and Time header row, got an empty value|^bad\.csv:1: expected a By Day and Time header/);
  });
});
