/**
 * `compliance rebuild` (app/services/compliance-rebuild.server.ts) recomputes from scratch exactly what the imports
 * stored incrementally; over a long range it writes without the secondary indexes and builds them again (ADR 14),
 * which must leave the schema exactly as the migrations made it.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { rebuildCompliance, SECONDARY_INDEXES } from "../../app/services/compliance-rebuild.server";
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

function stored(t: TestDatabase) {
  // The weekly sums are in step with the days wherever days are written (ADR 17).
  expect(storedWeeks(t.sqlite)).toEqual(weeksFromDays(t.sqlite));
  return {
    weeks: storedWeeks(t.sqlite),
    days: t.sqlite.prepare("select * from compliance_days order by practice_code, date").all().map((r) => ({ ...(r as object), computed_at: null })),
    episodes: t.sqlite
      .prepare("select practice_code, date, start_min, end_min, minutes, category, excepted, reasons, pause_ids from closure_episodes order by practice_code, date, start_min")
      .all(),
  };
}

function indexes(t: TestDatabase) {
  return t.sqlite.prepare("select name, tbl_name, sql from sqlite_master where type = 'index' and tbl_name in ('compliance_days', 'closure_episodes') order by name").all();
}

describe("compliance rebuild", () => {
  it("stores exactly what the imports stored, and leaves the indexes as the migrations made them (a long range)", async () => {
    const path = tmp.path("long.csv");
    await writeAvailabilityLog(path, { practices: 3, days: 100 });
    await runImport(t, "availability", path);
    const before = stored(t);
    const schema = indexes(t);
    expect(before.days.length).toBeGreaterThan(280); // 100 weekdays × 3, less bank holidays
    expect(before.episodes.length).toBeGreaterThan(0);
    expect(schema.map((r) => (r as { name: string }).name)).toEqual(expect.arrayContaining(SECONDARY_INDEXES.map((i) => i.name)));

    const result = await rebuildCompliance(t.db, { actor: "test" });
    expect(result.days).toBe(before.days.length);
    expect(stored(t)).toEqual(before);
    expect(indexes(t)).toEqual(schema);
  });

  it("recomputes a short range the same way, keeping the indexes", async () => {
    const path = tmp.path("short.csv");
    await writeAvailabilityLog(path, { practices: 2, days: 10 });
    await runImport(t, "availability", path);
    const before = stored(t);
    const schema = indexes(t);
    await rebuildCompliance(t.db, { actor: "test", from: "2026-01-07", to: "2026-01-09" });
    expect(stored(t)).toEqual(before);
    expect(indexes(t)).toEqual(schema);
  });

  it("finds the practices with intervals in a window, and only those (the window's practices are walked by index)", async () => {
    const early = tmp.path("early.csv");
    const late = tmp.path("late.csv");
    // Q00000 and Q00001: 5 to 16 January; Q00002: from 19 January.
    await writeAvailabilityLog(early, { practices: 2, days: 10 });
    await writeAvailabilityLog(late, { practices: 1, days: 5, codes: ["Q00002"], firstDay: "2026-01-19", source: "late" });
    await runImport(t, "availability", early);
    await runImport(t, "availability", late);
    const before = stored(t);

    const first = await rebuildCompliance(t.db, { actor: "test", from: "2026-01-14", to: "2026-01-20" });
    expect(first).toMatchObject({ practices: 3, days: 2 * 3 + 2, from: "2026-01-14", to: "2026-01-20" });
    const inside = await rebuildCompliance(t.db, { actor: "test", from: "2026-01-10", to: "2026-01-14" });
    expect(inside).toMatchObject({ practices: 2, days: 2 * 3, from: "2026-01-12", to: "2026-01-14" });
    const outside = await rebuildCompliance(t.db, { actor: "test", from: "2026-03-01", to: "2026-03-31" });
    expect(outside).toMatchObject({ practices: 0, days: 0, from: null, to: null });
    const open = await rebuildCompliance(t.db, { actor: "test", from: "2026-01-16" });
    expect(open).toMatchObject({ practices: 3, days: 2 + 5, from: "2026-01-16", to: "2026-01-23" });
    expect(stored(t)).toEqual(before);
  });

  it("computes a long range on a worker thread, given the database file, storing exactly the same rows", async () => {
    const path = tmp.path("worker.csv");
    await writeAvailabilityLog(path, { practices: 3, days: 100 });
    await runImport(t, "availability", path);
    // An approved pause over two of Q00000's closed hours, so that some episodes are excepted and carry its id.
    await t.db
      .insertInto("practices")
      .values({ ods_code: "Q00000", name: "Q PRACTICE", status: "active", source: "test", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const { id } = await t.db
      .insertInto("pause_requests")
      .values({
        practice_code: "Q00000",
        category: "all",
        start_min: Date.parse("2026-01-06T09:00:00Z") / 60_000,
        end_min: Date.parse("2026-01-06T13:00:00Z") / 60_000,
        reason: "Clinical system migration",
        kind: "planned",
        status: "approved",
        requested_at: "2026-01-01T09:00:00Z",
        decided_at: "2026-01-02T09:00:00Z",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await rebuildCompliance(t.db, { actor: "test" });
    const onThisThread = stored(t);
    expect(onThisThread.episodes.filter((e) => (e as { pause_ids: string }).pause_ids === JSON.stringify([id]))).toHaveLength(2);
    const ids = t.sqlite.prepare("select id from closure_episodes order by id").all();

    const result = await rebuildCompliance(t.db, { actor: "test", databasePath: t.path });
    expect(result.days).toBe(onThisThread.days.length);
    expect(stored(t)).toEqual(onThisThread);
    expect(t.sqlite.prepare("select id from closure_episodes order by id").all()).toHaveLength(ids.length);
  });

  it("shares the groups of practices between two worker threads and writes them in order (three groups of 250)", async () => {
    // 510 practices, one interval a weekday for 95 weekdays from Monday 5 January 2026, closed on every seventh day.
    const insert = t.sqlite.prepare(
      "insert into availability_intervals (practice_code, source, start_min, end_min, status, category, reason, received_at) values (?, 'direct', ?, ?, ?, 'all', ?, '2026-06-01T00:00:00Z')",
    );
    t.sqlite.transaction(() => {
      for (let p = 0; p < 510; p++) {
        for (let d = 0, day = 0; d < 95; day++) {
          const midnight = Date.parse("2026-01-05T00:00:00Z") / 60_000 + day * 1440;
          const weekday = new Date(midnight * 60_000).getUTCDay();
          if (weekday === 0 || weekday === 6) continue;
          d++;
          const closed = (p + d) % 7 === 0;
          insert.run(`W${String(p).padStart(5, "0")}`, midnight + 6 * 60, midnight + 20 * 60, closed ? "closed" : "open", closed ? `Reason ${p % 3}` : null);
        }
      }
    })();
    await rebuildCompliance(t.db, { actor: "test" });
    const onThisThread = stored(t);
    const ids = t.sqlite.prepare("select id, practice_code, date from closure_episodes order by id").all();
    expect(new Set(onThisThread.days.map((d) => (d as unknown as { practice_code: string }).practice_code)).size).toBe(510);

    const result = await rebuildCompliance(t.db, { actor: "test", databasePath: t.path });
    expect(result.days).toBe(onThisThread.days.length);
    expect(stored(t)).toEqual(onThisThread);
    // The same episodes under the same ids: the groups were written in the same order.
    const first = (ids[0] as { id: number }).id;
    const again = t.sqlite.prepare("select id, practice_code, date from closure_episodes order by id").all() as { id: number }[];
    const offset = again[0]!.id - first;
    expect(again.map((r) => ({ ...r, id: r.id - offset }))).toEqual(ids);
  });

  it("changes nothing when the worker thread fails", async () => {
    const path = tmp.path("worker-fails.csv");
    await writeAvailabilityLog(path, { practices: 2, days: 100 });
    await runImport(t, "availability", path);
    const before = stored(t);
    const schema = indexes(t);
    await expect(rebuildCompliance(t.db, { actor: "test", databasePath: tmp.path("no-such.db") })).rejects.toThrow(/worker failed: SQLITE_CANTOPEN/);
    expect(stored(t)).toEqual(before);
    expect(indexes(t)).toEqual(schema);
  });
});
