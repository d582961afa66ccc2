/**
 * The stored measure distributions (ADR 17) against the ranking worked out from every value (`measureTable`,
 * `rankWithin`, `decileLines`): ranks, deciles and decile lines on random values with ties, nulls and suppressed
 * denominators, before and after a practice changes ICB in epraccur.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { importFile } from "../../importers/core/run";
import { epraccurImporter } from "../../importers/epraccur";
import { decileLines, MEASURES } from "~/domain/measures";
import { practiceBenchmarks, practiceMeasureHistory } from "~/queries/demand.server";
import { isSuppressed, latestMeasureMonth, measureTable } from "~/services/benchmarks.server";
import { writeMeasureDistributions } from "~/services/measures.server";
import { createRandom } from "../../db/seed/random";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { epraccurFixtureRows, epraccurLine, fixturePath, TempDir, withFields } from "../importers/helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(async () => {
  t = createTestDatabase();
  // A81001, A81003 and A81065 in ICB QHM.
  await importFile(t.db, epraccurImporter, fixturePath("epraccur-current.csv"), { actor: "test" });
});
afterEach(async () => {
  await t.dispose();
});

const MONTHS = ["2026-01-01", "2026-02-01", "2026-03-01"];
// Y02960 and the Z codes are in no practice data: counted among all practices, in no ICB.
const CODES = ["A81001", "A81003", "A81065", "Y02960", ...Array.from({ length: 30 }, (_, i) => `Z${String(i).padStart(5, "0")}`)];

async function storeRandomValues(seed: number) {
  const random = createRandom(seed);
  const rows = [];
  for (const month of MONTHS)
    for (const def of MEASURES)
      for (const code of CODES) {
        if (random.next() < 0.1) continue;
        // Few distinct values, so that ties are common; some null, some under the minimum denominator.
        const value = random.next() < 0.1 ? null : Math.floor(random.next() * 6) / 2;
        const denominator = random.next() < 0.15 ? Math.max(0, def.minDenominator - 1) : def.minDenominator + Math.floor(random.next() * 500);
        rows.push({ measure_id: def.id, month, practice_code: code, numerator: value, denominator, value, computed_at: "2026-12-06T00:00:00Z" });
      }
  for (let i = 0; i < rows.length; i += 300) await t.db.insertInto("measure_values").values(rows.slice(i, i + 300)).execute();
  await writeMeasureDistributions(t.db);
}

/** What the demand page must show for a practice, worked out from every value with the ranking's own functions. */
async function expectedFor(code: string, icbCode: string | null) {
  const benchmarks = [];
  for (const month of MONTHS) {
    const all = await measureTable(t.db, { month });
    const icb = icbCode ? await measureTable(t.db, { month, icb: icbCode }) : [];
    for (const def of MEASURES) {
      const own = all.find((r) => r.practice_code === code && r.measure_id === def.id);
      const inIcb = icb.find((r) => r.practice_code === code && r.measure_id === def.id);
      const rank = (r: typeof own) => (r && r.rank !== null ? { rank: r.rank, decile: r.decile, of: r.of } : null);
      benchmarks.push({ month, measureId: def.id, value: own?.value ?? null, suppressed: own?.suppressed ?? false, icb: rank(inIcb), all: rank(own) });
    }
  }
  return benchmarks;
}

async function expectPagesMatch(code: string, icbCode: string | null) {
  const expected = await expectedFor(code, icbCode);
  for (const month of MONTHS) {
    const got = await practiceBenchmarks(t.db, code, icbCode, month);
    expect(got.benchmarks.map((b) => ({ month, measureId: b.measureId, value: b.value, suppressed: b.suppressed, icb: b.icb, all: b.all }))).toEqual(
      expected.filter((e) => e.month === month),
    );
  }
  const history = await practiceMeasureHistory(t.db, code, icbCode);
  for (const def of MEASURES) {
    for (const point of history[def.id]!) {
      const all = await measureTable(t.db, { month: point.month, measureIds: [def.id] });
      const ranked = (rows: typeof all) => rows.filter((r) => !isSuppressed(def, r.value, r.denominator)).map((r) => r.value!);
      const icb = icbCode ? await measureTable(t.db, { month: point.month, icb: icbCode, measureIds: [def.id] }) : [];
      expect(point.all).toEqual(decileLines(ranked(all)));
      expect(point.icb).toEqual(decileLines(ranked(icb)));
    }
    expect(history[def.id]!.length).toBeGreaterThan(0);
  }
}

describe("measure distributions", () => {
  it("give every practice's rank, decile and decile lines exactly as ranking every value does", async () => {
    await storeRandomValues(7);
    let ranked = 0;
    for (const code of ["A81001", "A81065", "Y02960", "Z00003"]) {
      const icb = code.startsWith("A") ? "QHM" : null;
      await expectPagesMatch(code, icb);
      for (const month of MONTHS) ranked += (await practiceBenchmarks(t.db, code, icb, month)).benchmarks.filter((b) => b.all !== null).length;
    }
    // Not a vacuous match of nulls: most values are ranked.
    expect(ranked).toBeGreaterThan(MONTHS.length * MEASURES.length * 2);
    expect((await practiceBenchmarks(t.db, "A81001", "QHM", MONTHS[0]!)).icbsWithData).toBe(1);
    // Values counted, ranked or not, per scope: what "the latest month with a value among the peers" reads.
    const counts = t.sqlite
      .prepare(
        `select m.measure_id, m.month, s.scope, count(m.value) as n from measure_values m left join practices p on p.ods_code = m.practice_code
         join (select '' as scope union all select 'QHM') s on s.scope = '' or s.scope = p.icb_code group by 1, 2, 3 order by 1, 2, 3`,
      )
      .all();
    expect(t.sqlite.prepare("select measure_id, month, scope, valued_count as n from measure_distributions order by 1, 2, 3").all()).toEqual(counts);
    expect([await latestMeasureMonth(t.db, "QHM"), await latestMeasureMonth(t.db), await latestMeasureMonth(t.db, "QZZ")]).toEqual(["2026-03-01", "2026-03-01", null]);
  });

  it("follow a practice that changes ICB in epraccur", async () => {
    await storeRandomValues(11);
    const current = epraccurFixtureRows("epraccur-current.csv");
    const moved = tmp.write(
      "epraccur-moved.csv",
      [current.get("A81001")!, withFields(current.get("A81065")!, { 3: "QXX" }), current.get("A81003")!].map(epraccurLine).join("\n") + "\n",
    );
    await importFile(t.db, epraccurImporter, moved, { actor: "test" });
    await expectPagesMatch("A81065", "QXX");
    await expectPagesMatch("A81001", "QHM");
    expect((await practiceBenchmarks(t.db, "A81001", "QHM", MONTHS[0]!)).icbsWithData).toBe(2);
  });
});
