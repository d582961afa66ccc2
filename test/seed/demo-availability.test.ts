import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localMinute, type CoreHoursCalendar } from "~/domain/calendar";
import { complianceRows, loadCalendar } from "~/services/compliance.server";
import { DEMO_GAP_MONTHS, DEMO_OUTAGE, DEMO_SWITCH_OFF, ocSupplierOf } from "../../db/seed/demo-behaviours";
import { seedDemo } from "../../db/seed/demo";
import { CLOSURES_ONLY_SUPPLIER, DEMO_OUTAGE_PAUSE_PRACTICE, DEMO_PLANNED_PAUSE } from "../../db/seed/demo-availability";
import { createTestDatabase, type TestDatabase } from "../support/db";

let first: TestDatabase;
let second: TestDatabase;
let calendar: CoreHoursCalendar;
const messages: string[] = [];

beforeAll(async () => {
  first = createTestDatabase();
  second = createTestDatabase();
  for (const t of [first, second]) {
    // The demo seed writes the availability after the organisations, list sizes and users.
    await seedDemo(t.db, { log: (m) => messages.push(m) });
  }
  calendar = await loadCalendar(first.db);
});

afterAll(async () => {
  await first?.dispose();
  await second?.dispose();
});

async function day(practice: string, date: string) {
  const [row] = await complianceRows(first.db, calendar, [practice], date, date);
  return row!;
}

async function episodes(practice: string, date: string) {
  return first.db
    .selectFrom("closure_episodes")
    .select(["start_min", "end_min", "minutes", "category", "excepted", "reasons", "pause_ids"])
    .where("practice_code", "=", practice)
    .where("date", "=", date)
    .orderBy("start_min")
    .execute();
}

describe("the demo's availability", () => {
  it("loads every supplier's monthly logs through the availability importer", async () => {
    const logs = await first.db.selectFrom("import_log").select(["file_name", "rows_inserted", "warnings"]).where("source", "=", "availability").execute();
    // 13 London months from 24 November 2025 to 20 November 2026, three suppliers.
    expect(logs).toHaveLength(39);
    expect(logs.every((l) => l.rows_inserted > 0)).toBe(true);
    const cedar = logs.filter((l) => l.file_name.includes(CLOSURES_ONLY_SUPPLIER));
    expect(cedar).toHaveLength(13);
    expect(cedar.every((l) => l.warnings.includes("Closures-only log"))).toBe(true);
    // Both time formats appear: London local time and ISO 8601 with an offset.
    const sources = await first.db.selectFrom("availability_intervals").select("source").distinct().orderBy("source").execute();
    expect(sources.map((s) => s.source)).toEqual(["demo-acme", "demo-beacon", "demo-cedar"]);
    expect(messages.some((m) => m.startsWith("Demo: availability for 118 practices, 13 months"))).toBe(true);
  });

  it("has a compliant practice open throughout core hours on a normal day", async () => {
    expect(await day("DEM004", "2026-03-10")).toMatchObject({ open_minutes: 630, closed_minutes: 0, excepted_minutes: 0, unknown_minutes: 0 });
    // Its rare reconnects are a minute or two, far below the default 30-minute threshold.
    const rows = await complianceRows(first.db, calendar, ["DEM004"], "2025-11-24", "2026-11-20");
    expect(rows).toHaveLength(252);
    expect(rows.every((r) => r.unknown_minutes === 0 && r.closed_minutes <= 2 && r.open_minutes + r.closed_minutes === 630)).toBe(true);
    expect(rows.filter((r) => r.closed_minutes > 0).length).toBeLessThan(15);
  });

  it("has DEM002 closed for exactly the lunch hour, excepted on its approved pause day", async () => {
    expect(await day("DEM002", "2026-09-15")).toMatchObject({ open_minutes: 570, closed_minutes: 60, excepted_minutes: 0, unknown_minutes: 0 });
    const lunch = await episodes("DEM002", "2026-09-15");
    expect(lunch).toEqual([expect.objectContaining({ start_min: localMinute("2026-09-15", 13 * 60), minutes: 60, category: "all", excepted: 0 })]);

    expect(await day("DEM002", DEMO_PLANNED_PAUSE.date)).toMatchObject({ open_minutes: 570, closed_minutes: 0, excepted_minutes: 60, unknown_minutes: 0 });
    const pause = await first.db.selectFrom("pause_requests").selectAll().where("practice_code", "=", "DEM002").executeTakeFirstOrThrow();
    expect(pause).toMatchObject({ status: "approved", kind: "planned" });
    const [paused] = await episodes("DEM002", DEMO_PLANNED_PAUSE.date);
    expect(paused).toMatchObject({ minutes: 60, excepted: 1, pause_ids: JSON.stringify([pause.id]) });
  });

  it("has DEM007 closed all day on every core day of its switch-off, and open either side", async () => {
    const rows = await complianceRows(first.db, calendar, ["DEM007"], DEMO_SWITCH_OFF.from, DEMO_SWITCH_OFF.to);
    expect(rows).toHaveLength(25);
    for (const r of rows) expect(r).toMatchObject({ closed_minutes: 630, open_minutes: 0, unknown_minutes: 0 });
    const [episode] = await episodes("DEM007", "2026-06-17");
    expect(JSON.parse(episode!.reasons)).toEqual([DEMO_SWITCH_OFF.reason]);
    expect((await day("DEM007", "2026-05-29")).closed_minutes).toBe(0);
    expect((await day("DEM007", "2026-07-06")).closed_minutes).toBe(0);
  });

  it("leaves a gaps practice without data in its gap months", async () => {
    for (const practice of ["DEM011", "DEM020"]) {
      for (const month of DEMO_GAP_MONTHS) {
        const stored = await first.db
          .selectFrom("compliance_days")
          .select("date")
          .where("practice_code", "=", practice)
          .where("date", ">=", `${month}-01`)
          .where("date", "<=", `${month}-31`)
          .execute();
        expect(stored).toEqual([]);
      }
      const feb = await complianceRows(first.db, calendar, [practice], "2026-02-01", "2026-02-28");
      expect(feb).toHaveLength(20);
      expect(feb.every((r) => r.unknown_minutes === 630)).toBe(true);
      // The months either side have data.
      expect((await day(practice, "2026-01-30")).unknown_minutes).toBe(0);
      expect((await day(practice, "2026-03-02")).unknown_minutes).toBe(0);
    }
  });

  it("shows the supplier outage on its day, excepted only where a pause was approved", async () => {
    expect(ocSupplierOf("DEM012")).toBe(DEMO_OUTAGE.supplier);
    expect(await day("DEM012", DEMO_OUTAGE.date)).toMatchObject({ open_minutes: 480, closed_minutes: 150, excepted_minutes: 0 });
    const [outage] = await episodes("DEM012", DEMO_OUTAGE.date);
    expect(outage).toMatchObject({ start_min: localMinute(DEMO_OUTAGE.date, 9 * 60 + 10), end_min: localMinute(DEMO_OUTAGE.date, 11 * 60 + 40), minutes: 150, excepted: 0 });
    expect(JSON.parse(outage!.reasons)).toEqual([DEMO_OUTAGE.reason]);

    expect(ocSupplierOf(DEMO_OUTAGE_PAUSE_PRACTICE)).toBe(DEMO_OUTAGE.supplier);
    expect(await day(DEMO_OUTAGE_PAUSE_PRACTICE, DEMO_OUTAGE.date)).toMatchObject({ open_minutes: 480, closed_minutes: 0, excepted_minutes: 150 });
    // A practice on another supplier is untouched that day.
    expect(await day("DEM004", DEMO_OUTAGE.date)).toMatchObject({ open_minutes: 630, closed_minutes: 0 });
  });

  it("counts a closures-only practice open where its log lists no closure", async () => {
    expect(ocSupplierOf("DEM008")).toBe(CLOSURES_ONLY_SUPPLIER);
    expect(await day("DEM008", "2026-03-10")).toMatchObject({ open_minutes: 630, closed_minutes: 0, unknown_minutes: 0 });
    const logged = await first.db
      .selectFrom("availability_intervals")
      .select(["status"])
      .distinct()
      .where("practice_code", "=", "DEM008")
      .where("start_min", "<", localMinute("2026-03-11", 0))
      .where("end_min", ">", localMinute("2026-03-10", 0))
      .execute();
    // The covered month's open interval and the night-time closures either side; no closure in core hours.
    expect(logged.map((r) => r.status).sort()).toEqual(["closed", "open"]);
    expect(await episodes("DEM008", "2026-03-10")).toEqual([]);
  });

  it("has clinical-afternoon closures and daily caps mostly on Mondays", async () => {
    const clinical = await first.db.selectFrom("compliance_days").selectAll().where("practice_code", "=", "DEM009").where("date", "=", "2026-03-10").executeTakeFirstOrThrow();
    expect(clinical).toMatchObject({ open_minutes: 420, closed_minutes: 210, clinical_closed: 210, admin_open: 630, admin_closed: 0 });
    const capped = await first.db.selectFrom("compliance_days").select("date").where("practice_code", "=", "DEM005").where("closed_minutes", ">=", 30).execute();
    const mondays = capped.filter((d) => new Date(`${d.date}T12:00:00Z`).getUTCDay() === 1).length;
    expect(mondays).toBeGreaterThan(30);
    expect(capped.length - mondays).toBeGreaterThan(20);
    expect(capped.length - mondays).toBeLessThan(70);
  });

  it("records the demo's pause requests through the service, audit-logged", async () => {
    const pauses = await first.db.selectFrom("pause_requests").select(["practice_code", "status", "kind", "reason", "decision_note"]).orderBy("id").execute();
    expect(pauses.map((p) => [p.practice_code, p.status, p.kind])).toEqual([
      ["DEM002", "approved", "planned"],
      [DEMO_OUTAGE_PAUSE_PRACTICE, "approved", "outage"],
      ["DEM005", "declined", "planned"],
      ["DEM001", "pending", "planned"],
      ["DEM001", "withdrawn", "planned"],
    ]);
    expect(pauses[2]!.reason).toBe("Demand exceeds our capacity");
    expect(pauses[2]!.decision_note).toMatch(/support/);
    const audit = await first.db.selectFrom("audit_log").select(["action", "actor"]).where("action", "like", "pause.%").orderBy("id").execute();
    expect(audit.filter((a) => a.action === "pause.requested")).toHaveLength(5);
    expect(audit.filter((a) => a.action === "pause.approved").map((a) => a.actor)).toEqual(["commissioner@demo.example", "commissioner@demo.example"]);
    expect(audit.filter((a) => a.action === "pause.withdrawn").map((a) => a.actor)).toEqual(["manager.dem001@demo.example"]);
  });

  it("gives no data to the closed and dormant practices", async () => {
    const rows = await first.db.selectFrom("compliance_days").select("practice_code").where("practice_code", "in", ["DEM013", "DEM026"]).execute();
    expect(rows).toEqual([]);
  });

  it("is the same on every run", async () => {
    const dump = (t: TestDatabase) =>
      t.sqlite
        .prepare(
          `select practice_code, date, core_minutes, open_minutes, closed_minutes, excepted_minutes, unknown_minutes,
                  clinical_open, clinical_closed, clinical_excepted, clinical_unknown, admin_open, admin_closed, admin_excepted, admin_unknown
           from compliance_days order by practice_code, date`,
        )
        .all();
    const a = dump(first);
    expect(a.length).toBeGreaterThan(29_000);
    expect(dump(second)).toEqual(a);
    const episodesOf = (t: TestDatabase) =>
      t.sqlite.prepare("select practice_code, date, start_min, end_min, category, excepted, reasons, pause_ids from closure_episodes order by practice_code, start_min, category").all();
    expect(episodesOf(second)).toEqual(episodesOf(first));
  });
});
