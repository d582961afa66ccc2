/**
 * The suppliers' availability log importer (docs/formats/availability.md) end to end on small files: the three
 * spellings of a time (London, UTC, a `±hh:mm` offset) store the same minutes; practices not in the practice data are
 * kept and counted once each; a bad time is refused with its file, line and column, changing nothing; and the same
 * file again is a no-op.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { expectRefused, expectUnchanged, fixturePath, rows, runImport, TempDir } from "./helpers";

const tmp = new TempDir();
afterAll(() => tmp.remove());

let t: TestDatabase;
beforeEach(() => {
  t = createTestDatabase();
});
afterEach(async () => {
  await t.dispose();
});

const HEADER = "practice_code,start,end,status,category,reason,source";
const OVERLAPS = "Intervals overlapping another for the same practice and kind of request (where open and closed overlap, closed counts)";
const UNKNOWN = "Practices not in the practice data (kept; import epraccur to name them)";

function log(name: string, lines: string[]): string {
  return tmp.write(name, [HEADER, ...lines].join("\n") + "\n");
}

describe("availability logs", () => {
  it("stores a London time, its UTC spelling and its offset spelling as the same minute", async () => {
    // 2 March 2026 is GMT and 30 March BST: London 08:00 is 08:00Z and 07:00Z.
    await runImport(t, "epraccur", fixturePath("epraccur-current.csv"));
    const result = await runImport(
      t,
      "availability",
      log("offsets.csv", [
        "A81001,2026-03-02 08:00,2026-03-02 18:30,open,all,,london",
        "A81001,2026-03-02T08:00:00Z,2026-03-02T18:30:00Z,open,all,,utc",
        "A81001,2026-03-02T08:00:00+00:00,2026-03-02T18:30:00+00:00,open,all,,offset",
        "A81001,2026-03-30 08:00,2026-03-30 18:30,open,all,,london",
        "A81001,2026-03-30T07:00Z,2026-03-30T17:30Z,open,all,,utc",
        "A81001,2026-03-30T08:00:00+01:00,2026-03-30T18:30:00+01:00,open,all,,offset",
        "A81001,2026-03-30T02:00:00-05:00,2026-03-30T12:30:00-05:00,open,all,,offset-west",
        "Z99998,2026-03-30T08:00+01:00,2026-03-30T18:30+01:00,open,all,,offset",
        "Z99999,2026-03-30T08:00+01:00,2026-03-30T09:00+01:00,open,all,,offset",
        "Z99999,2026-03-30T09:00+01:00,2026-03-30T18:30+01:00,closed,all,Capacity,offset",
      ]),
    );
    expect(result.status).toBe("imported");
    expect(result.counts.inserted).toBe(10);
    // Each practice-day's later spellings overlap its first (2 on 2 March, 3 on 30 March). Z99998 and Z99999 are
    // not in epraccur; Z99999 counts once for its two rows.
    expect(result.warnings).toEqual([
      { message: OVERLAPS, count: 5 },
      { message: UNKNOWN, count: 2 },
    ]);

    const stored = rows(t, "availability_intervals", "id").filter((r) => r.practice_code === "A81001");
    const minutes = (source: string) => stored.filter((r) => r.source === source).map((r) => [r.start_min, r.end_min]);
    const march2 = Date.UTC(2026, 2, 2, 8, 0) / 60_000;
    const march30 = Date.UTC(2026, 2, 30, 7, 0) / 60_000;
    expect(minutes("london")).toEqual([
      [march2, march2 + 630],
      [march30, march30 + 630],
    ]);
    expect(minutes("utc")).toEqual(minutes("london"));
    expect(minutes("offset")).toEqual(minutes("london"));
    expect(minutes("offset-west")).toEqual([[march30, march30 + 630]]);
  });

  it("refuses an impossible offset with its file, line and column, changing nothing, and a repeat is a no-op", async () => {
    const good = log("good.csv", ["A81001,2026-03-30T08:00+01:00,2026-03-30T18:30+01:00,open,all,,offset"]);
    await runImport(t, "availability", good);
    await expectUnchanged(t, "availability", good);

    const bad = log("bad.csv", [
      "A81001,2026-03-31T08:00+01:00,2026-03-31T18:30+01:00,open,all,,offset",
      "A81001,2026-04-01T08:00+15:00,2026-04-01T18:30+01:00,open,all,,offset",
    ]);
    const error = await expectRefused(t, "availability", bad);
    expect(error.file).toBe("bad.csv");
    expect(error.line).toBe(3);
    expect(error.column).toBe(2);
    expect(error.columnName).toBe("START");
  });
});
