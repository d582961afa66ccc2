/**
 * `recomputeMeasures` writes only what changed (ADR 17): a value that differs is updated, one no longer computed is
 * deleted, an unchanged one is left with its `computed_at`; and what is stored is always what a recompute from
 * nothing stores.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { recomputeMeasures } from "~/services/measures.server";
import { createTestDatabase, type TestDatabase } from "../support/db";

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
  t.sqlite.pragma("foreign_keys = OFF");
  vi.useFakeTimers({ toFake: ["Date"] });
});
afterEach(async () => {
  vi.useRealTimers();
  await t.dispose();
});

const MONTH = "2026-04-01";

function oc(practice: string, total: number, admin: number, patients: number) {
  t.sqlite
    .prepare(
      `insert into oc_monthly (practice_code, month, publication, suppliers, total, clinical, admin, other, patients_registered, rate_per_1000, import_id)
       values (?, ?, ?, 'S', ?, ?, ?, 0, ?, null, 1)
       on conflict (practice_code, month) do update set total = excluded.total, clinical = excluded.clinical, admin = excluded.admin`,
    )
    .run(practice, MONTH, MONTH, total, total - admin, admin, patients);
}

type Stored = { measure_id: string; practice_code: string; numerator: number | null; denominator: number | null; value: number | null; computed_at: string };
const stored = () => t.sqlite.prepare("select measure_id, practice_code, numerator, denominator, value, computed_at from measure_values order by practice_code, measure_id").all() as Stored[];
const withoutTimes = (rows: Stored[]) => rows.map(({ computed_at: _, ...r }) => r);
const distributions = () => t.sqlite.prepare("select measure_id, scope, ranked_values from measure_distributions where month = ? order by measure_id, scope").all(MONTH);

describe("recomputeMeasures", () => {
  it("updates what changed, deletes what is gone, keeps what is unchanged, and stores what a full recompute stores", async () => {
    oc("A81001", 100, 30, 5000);
    oc("A81002", 40, 10, 2000);
    vi.setSystemTime(new Date("2026-05-01T09:00:00Z"));
    expect(await recomputeMeasures(t.db, { months: [MONTH] })).toBeGreaterThan(0);
    const first = stored();
    expect(first.find((r) => r.practice_code === "A81002" && r.measure_id === "oc_per_1000")).toMatchObject({ numerator: 40, denominator: 2000, value: 20 });

    // Nothing changed: nothing written, not even a new computed_at.
    vi.setSystemTime(new Date("2026-05-02T09:00:00Z"));
    expect(await recomputeMeasures(t.db, { months: [MONTH] })).toBe(0);
    expect(stored()).toEqual(first);

    // A81002's total is revised: its OC measures change, A81001's rows are not touched.
    oc("A81002", 60, 10, 2000);
    vi.setSystemTime(new Date("2026-05-03T09:00:00Z"));
    const changed = await recomputeMeasures(t.db, { months: [MONTH], practices: ["A81002"] });
    const second = stored();
    expect(second.filter((r) => r.practice_code === "A81001")).toEqual(first.filter((r) => r.practice_code === "A81001"));
    const per1000 = second.find((r) => r.practice_code === "A81002" && r.measure_id === "oc_per_1000")!;
    expect(per1000).toMatchObject({ numerator: 60, denominator: 2000, value: 30, computed_at: "2026-05-03T09:00:00.000Z" });
    expect(changed).toBe(second.filter((r) => r.computed_at === "2026-05-03T09:00:00.000Z").length);
    expect(distributions()).toContainEqual(expect.objectContaining({ measure_id: "oc_per_1000", ranked_values: JSON.stringify([20, 30]) }));

    // A81001's month is withdrawn: its values go.
    t.sqlite.prepare("delete from oc_monthly where practice_code = 'A81001'").run();
    await recomputeMeasures(t.db, { months: [MONTH], practices: ["A81001"] });
    const third = stored();
    expect(third.filter((r) => r.practice_code === "A81001")).toEqual([]);
    expect(distributions()).toContainEqual(expect.objectContaining({ measure_id: "oc_per_1000", ranked_values: JSON.stringify([30]) }));

    // The same as a recompute from nothing.
    t.sqlite.prepare("delete from measure_values").run();
    await recomputeMeasures(t.db, { months: [MONTH] });
    expect(withoutTimes(stored())).toEqual(withoutTimes(third));
  });
});
