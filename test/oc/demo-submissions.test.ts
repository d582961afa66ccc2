/** The demo's By Day and Time files: published layout, realistic volumes, and the behaviours visible in them. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreHoursCalendar, datesBetween, localMinute, weekday } from "~/domain/calendar";
import { silentHoursForPractice } from "~/services/silent-hours.server";
import { seedDemo } from "../../db/seed/demo";
import { DEMO_BEHAVIOURS, DEMO_GAP_MONTHS, DEMO_OUTAGE, DEMO_PERIOD, DEMO_SWITCH_OFF, ocSupplierOf } from "../../db/seed/demo-behaviours";
import { demoPractices } from "../../db/seed/demo-organisations";
import { closuresFromAvailability, demoCapMinute, demoSubmissionDay, publicationName } from "../../db/seed/demo-submissions";
import { createTestDatabase, type TestDatabase } from "../support/db";

let t: TestDatabase;
const messages: string[] = [];
const calendar = new CoreHoursCalendar();

beforeAll(async () => {
  t = createTestDatabase();
  // The demo seed loads organisations, list sizes, users, availability, then these submissions.
  await seedDemo(t.db, { log: (m) => messages.push(m) });
}, 600_000);

afterAll(async () => {
  await t?.dispose();
});

interface HourRow {
  date: string;
  hour: number;
  clinical: number;
  admin: number;
  other: number;
  total: number;
}

function practiceRows(code: string): Promise<HourRow[]> {
  return t.db.selectFrom("oc_hourly").select(["date", "hour", "clinical", "admin", "other", "total"]).where("practice_code", "=", code).orderBy("date").orderBy("hour").execute();
}

function byDate(rows: HourRow[]): Map<string, HourRow[]> {
  const out = new Map<string, HourRow[]>();
  for (const r of rows) out.set(r.date, [...(out.get(r.date) ?? []), r]);
  return out;
}

const behaving = (b: string) => Object.entries(DEMO_BEHAVIOURS).filter(([, v]) => v === b).map(([k]) => k);

describe("demo submissions", () => {
  it("were written as one published zip per month and imported through the importer", async () => {
    const log = await t.db.selectFrom("import_log").select(["source", "file_name", "rows_read", "rows_inserted"]).where("source", "=", "oc-by-day-time").orderBy("id").execute();
    const months = [...new Set(datesBetween(DEMO_PERIOD.from, DEMO_PERIOD.to).map((d) => `${d.slice(0, 7)}-01`))];
    expect(log.map((r) => r.file_name)).toEqual(months.map((m) => `${publicationName(m)}.zip`));
    expect(log[0]!.file_name).toBe("Submissions via OC Systems By Day and Time - November 2025.zip");
    expect(log.every((r) => r.rows_read > 0 && r.rows_inserted > 0)).toBe(true);
    expect(messages.join("\n")).toMatch(/online consultation submissions by day and time/);
  });

  it("cover both ICBs (north and south members) and only the demo period", async () => {
    const range = await t.db
      .selectFrom("oc_hourly")
      .select((eb) => [eb.fn.min("date").as("first"), eb.fn.max("date").as("last"), eb.fn.count<number>("practice_code").distinct().as("practices")])
      .executeTakeFirstOrThrow();
    expect(range.first >= DEMO_PERIOD.from && String(range.last) <= DEMO_PERIOD.to).toBe(true);
    // Every active practice (118 of 120: one closed, one dormant).
    expect(Number(range.practices)).toBe(118);
    const icbs = await t.db
      .selectFrom("oc_hourly")
      .innerJoin("practices", "practices.ods_code", "oc_hourly.practice_code")
      .select("practices.icb_code")
      .distinct()
      .orderBy("practices.icb_code")
      .execute();
    expect(icbs.map((r) => r.icb_code)).toEqual(["DEMO1", "DEMO2"]);
  });

  it("have realistic volumes: about 135 per 1,000 patients a month, two thirds clinical, 30% 08:00–10:00, Mondays busiest", async () => {
    const from = "2026-03-01";
    const to = "2026-03-31";
    const rows = await t.db
      .selectFrom("oc_hourly")
      .select(["practice_code", "date", "hour", "clinical", "total"])
      .where("date", ">=", from)
      .where("date", "<=", to)
      .execute();
    const listSize = new Map(demoPractices().map((p) => [p.code, p.baseListSize]));
    const practices = new Set(rows.map((r) => r.practice_code));
    const patients = [...practices].reduce((a, c) => a + listSize.get(c)!, 0);
    const total = rows.reduce((a, r) => a + r.total, 0);
    const rate = (1000 * total) / patients;
    expect(rate).toBeGreaterThan(115);
    expect(rate).toBeLessThan(165);
    const clinical = rows.reduce((a, r) => a + r.clinical, 0) / total;
    expect(clinical).toBeGreaterThan(0.6);
    expect(clinical).toBeLessThan(0.72);
    const morning = rows.filter((r) => r.hour === 8 || r.hour === 9).reduce((a, r) => a + r.total, 0) / total;
    expect(morning).toBeGreaterThan(0.25);
    expect(morning).toBeLessThan(0.35);
    const perWeekday = [0, 0, 0, 0, 0, 0, 0];
    const days = [0, 0, 0, 0, 0, 0, 0];
    for (const d of datesBetween(from, to)) days[weekday(d)]!++;
    for (const r of rows) perWeekday[weekday(r.date)]! += r.total;
    const perDay = perWeekday.map((n, w) => (days[w] ? n / days[w]! : 0));
    expect(perDay[1]).toBe(Math.max(...perDay));
    // Nothing at weekends or at night: the tool is open on core days from about 07:30 to 18:45–20:00.
    expect(perDay[0]).toBe(0);
    expect(perDay[6]).toBe(0);
    expect(rows.every((r) => r.hour >= 7 && r.hour <= 19)).toBe(true);
  });

  it("DEM005 (daily cap) has nothing after its cap on at least 60% of Mondays, and never after the cap", async () => {
    const days = byDate(await practiceRows("DEM005"));
    const mondays = calendar.coreDays(DEMO_PERIOD.from, DEMO_PERIOD.to).filter((d) => weekday(d) === 1);
    const silentAfternoon = mondays.filter((d) => (days.get(d) ?? []).filter((r) => r.hour >= 12).every((r) => r.total === 0));
    expect(silentAfternoon.length / mondays.length).toBeGreaterThanOrEqual(0.6);
    // The cap's minute: from the stored availability when the demo has it (seedDemo loads it first), else the generator's own.
    const stored = await closuresFromAvailability(t.db, ["DEM005"]);
    let capped = 0;
    for (const date of calendar.coreDays(DEMO_PERIOD.from, DEMO_PERIOD.to)) {
      const cap = stored
        ? ((stored.get(`DEM005|${date}`) ?? []).find((c) => c.category === "all" && c.to === 1440)?.from ?? null)
        : demoCapMinute("DEM005", date);
      if (cap === null) continue;
      capped++;
      const after = (days.get(date) ?? []).filter((r) => r.hour * 60 >= cap);
      expect(after, `DEM005 on ${date} after ${cap}`).toEqual([]);
    }
    expect(capped).toBeGreaterThan(mondays.length * 0.6);
    // High demand: well above an ordinary practice of its size.
    const mondayMorning = mondays.map((d) => (days.get(d) ?? []).filter((r) => r.hour === 8).reduce((a, r) => a + r.total, 0));
    expect(mondayMorning.reduce((a, b) => a + b, 0) / mondays.length).toBeGreaterThan(20);
  });

  it("DEM007 (switched off) has no submissions during the switch-off, and some either side of it", async () => {
    const rows = await practiceRows("DEM007");
    expect(rows.filter((r) => r.date >= DEMO_SWITCH_OFF.from && r.date <= DEMO_SWITCH_OFF.to)).toEqual([]);
    expect(rows.filter((r) => r.date >= "2026-05-01" && r.date < DEMO_SWITCH_OFF.from).length).toBeGreaterThan(100);
    expect(rows.filter((r) => r.date > DEMO_SWITCH_OFF.to && r.date <= "2026-07-31").length).toBeGreaterThan(100);
  });

  it("lunchtime practices have nothing in the 13:00 hour; clinical-afternoons practices no clinical from 15:00 but admin", async () => {
    for (const code of behaving("lunchtime")) {
      const rows = await practiceRows(code);
      expect(rows.length, code).toBeGreaterThan(1000);
      expect(rows.filter((r) => r.hour === 13), code).toEqual([]);
    }
    for (const code of behaving("clinical-afternoons")) {
      const late = (await practiceRows(code)).filter((r) => r.hour >= 15);
      expect(late.filter((r) => r.clinical > 0), code).toEqual([]);
      expect(late.reduce((a, r) => a + r.admin, 0), code).toBeGreaterThan(100);
    }
  });

  it("gaps practices have no rows in the gap months; the outage supplier's practices none during the outage", async () => {
    for (const code of behaving("gaps")) {
      const rows = await practiceRows(code);
      for (const month of DEMO_GAP_MONTHS) expect(rows.filter((r) => r.date.startsWith(month)), `${code} ${month}`).toEqual([]);
      expect(rows.filter((r) => r.date.startsWith("2026-03")).length).toBeGreaterThan(50);
    }
    const hour10 = await t.db
      .selectFrom("oc_hourly")
      .select(["practice_code", "total"])
      .where("date", "=", DEMO_OUTAGE.date)
      .where("hour", "=", 10)
      .execute();
    const acme = demoPractices().filter((p) => p.status === "ACTIVE" && ocSupplierOf(p.code) === DEMO_OUTAGE.supplier).map((p) => p.code);
    expect(acme.length).toBeGreaterThan(30);
    expect(hour10.filter((r) => acme.includes(r.practice_code))).toEqual([]);
    expect(hour10.filter((r) => !acme.includes(r.practice_code)).length).toBeGreaterThan(50);
  });

  it("the silent-hours screen finds DEM005's Monday cap and nothing strong at an ordinary practice", async () => {
    const capped = await silentHoursForPractice(t.db, "DEM005", DEMO_PERIOD.from, DEMO_PERIOD.to);
    expect(capped.strongest).toMatchObject({ category: "all", weekday: 1, strength: "strong" });
    expect(capped.strongest!.hour).toBeGreaterThanOrEqual(11);
    const ordinary = await silentHoursForPractice(t.db, "DEM004", DEMO_PERIOD.from, DEMO_PERIOD.to);
    expect(ordinary.signals.filter((s) => s.strength !== "weak")).toEqual([]);
    expect(ordinary.daysWithData).toBe(ordinary.coreDays);
  });
});

describe("the generator's parts", () => {
  const practice = demoPractices().find((p) => p.code === "DEM004")!;

  it("is deterministic", () => {
    expect(demoSubmissionDay(practice, "2026-03-02", calendar, [])).toEqual(demoSubmissionDay(practice, "2026-03-02", calendar, []));
    expect(demoSubmissionDay(practice, "2026-03-02", calendar, [])).not.toEqual(demoSubmissionDay(practice, "2026-03-03", calendar, []));
  });

  it("takes nothing in a closed stretch, and no clinical in a clinical closure", () => {
    const closedFrom10 = demoSubmissionDay(practice, "2026-03-02", calendar, [{ from: 600, to: 1440, category: "all" }]);
    expect(closedFrom10.map((h) => h.hour)).toEqual(expect.arrayContaining([8, 9]));
    expect(closedFrom10.every((h) => h.hour < 10)).toBe(true);
    expect(demoSubmissionDay(practice, "2026-03-02", calendar, []).some((h) => h.hour >= 10)).toBe(true);
    const noClinical = demoSubmissionDay(practice, "2026-03-02", calendar, [{ from: 0, to: 1440, category: "clinical" }]);
    expect(noClinical.every((h) => h.clinical === 0)).toBe(true);
    expect(noClinical.reduce((a, h) => a + h.admin, 0)).toBeGreaterThan(5);
    expect(demoSubmissionDay(practice, "2026-03-07", calendar, [])).toEqual([]); // a Saturday
    expect(demoSubmissionDay(practice, "2026-04-03", calendar, [])).toEqual([]); // Good Friday
  });

  it("reads the closures from the stored availability when there is some, stretched to the day's ends", async () => {
    const d = createTestDatabase();
    try {
      expect(await closuresFromAvailability(d.db, ["DEM005"])).toBeNull();
      const date = "2026-03-02";
      await d.db
        .insertInto("availability_intervals")
        .values({ practice_code: "DEM005", source: "test", start_min: localMinute(date, 0), end_min: localMinute(date, 1440), status: "open", category: "all", reason: null, import_id: null, supplier_id: null, event_id: null, received_at: "2026-03-02T00:00:00Z" })
        .execute();
      await d.db
        .insertInto("closure_episodes")
        .values([
          { practice_code: "DEM005", date, start_min: localMinute(date, 13 * 60), end_min: localMinute(date, 14 * 60), minutes: 60, category: "all", excepted: 0, reasons: "[]", pause_ids: "[]" },
          { practice_code: "DEM005", date, start_min: localMinute(date, 16 * 60 + 5), end_min: localMinute(date, 18 * 60 + 30), minutes: 145, category: "clinical", excepted: 0, reasons: "[]", pause_ids: "[]" },
        ])
        .execute();
      const closures = await closuresFromAvailability(d.db, ["DEM005"]);
      expect(closures?.get(`DEM005|${date}`)).toEqual([
        { from: 13 * 60, to: 14 * 60, category: "all" },
        { from: 16 * 60 + 5, to: 1440, category: "clinical" },
      ]);
    } finally {
      await d.dispose();
    }
  });
});
