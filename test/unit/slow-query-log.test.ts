import { sql } from "kysely";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDatabase } from "../../db/connection";

describe("the slow query log (SLOW_QUERY_MS)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("logs each query at or over the threshold with its SQL, and none when the threshold is unset", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((m: unknown) => void lines.push(String(m)));

    const logged = openDatabase(":memory:", { slowQueryMs: 0 });
    const one = await sql<{ n: number }>`select 41 + 1 as n`.execute(logged.db);
    expect(one.rows[0]!.n).toBe(42);
    await logged.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^slow query \d+\.\d ms: select 41 \+ 1 as n$/);

    lines.length = 0;
    const quiet = openDatabase(":memory:");
    await sql`select 1`.execute(quiet.db);
    await quiet.close();
    const high = openDatabase(":memory:", { slowQueryMs: 60_000 });
    await sql`select 1`.execute(high.db);
    await high.close();
    expect(lines).toEqual([]);
  });
});
