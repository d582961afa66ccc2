/**
 * `compliance rebuild` (app/services/compliance-rebuild.server.ts) recomputes from scratch exactly what the imports
 * stored incrementally; over a long range it writes without the secondary indexes and builds them again (ADR 14),
 * which must leave the schema exactly as the migrations made it.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { rebuildCompliance, SECONDARY_INDEXES } from "../../app/services/compliance-rebuild.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { writeAvailabilityLog } from "../support/availability-log";
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
  return {
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
});
