/**
 * db/waiting-driver.ts (ADR 18): while another connection holds the write lock (an import's one transaction), a
 * write waits for it without blocking the process (timers fire, reads are answered), succeeds once the lock is
 * free, and after `busyWaitMs` fails with DatabaseBusyError having changed nothing. Transactions begin IMMEDIATE.
 */
import { rmSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type OpenDatabase } from "../../db/connection";
import { DatabaseBusyError } from "../../db/waiting-driver";
import { copyTemplateDatabase, dumpTables } from "../support/db";

const NOW = "2026-12-06T12:00:00.000Z";
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("waiting for another process's write lock", () => {
  let dir: string;
  let holder: OpenDatabase;
  let waiter: OpenDatabase;

  beforeEach(async () => {
    const copy = copyTemplateDatabase();
    dir = copy.dir;
    holder = openDatabase(copy.path);
    waiter = openDatabase(copy.path, { busyWaitMs: 5_000 });
    await holder.db.insertInto("regions").values({ code: "Y01", name: "Before", ons_code: null, updated_at: NOW }).execute();
  });

  afterEach(async () => {
    if (holder.sqlite.inTransaction) holder.sqlite.exec("rollback");
    await holder.close();
    await waiter.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("waits without blocking the event loop, answers reads meanwhile, and writes once the lock is free", async () => {
    holder.sqlite.exec("begin immediate");
    holder.sqlite.prepare("update regions set name = 'Held' where code = 'Y01'").run();

    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const started = Date.now();
    let writeDoneAt = 0;
    const write = waiter.db
      .updateTable("regions")
      .set({ name: "Waiter" })
      .where("code", "=", "Y01")
      .executeTakeFirst()
      .then((result) => {
        writeDoneAt = Date.now();
        return result;
      });

    await sleep(150);
    // The write is still waiting, and the process went on: timers fired and a read through the same connection ran,
    // seeing the last committed state (WAL).
    expect(writeDoneAt).toBe(0);
    expect(ticks).toBeGreaterThan(5);
    const read = await waiter.db.selectFrom("regions").select("name").where("code", "=", "Y01").executeTakeFirstOrThrow();
    expect(read.name).toBe("Before");
    expect(writeDoneAt).toBe(0);

    holder.sqlite.exec("commit");
    const result = await write;
    clearInterval(ticker);
    expect(Number(result.numUpdatedRows)).toBe(1);
    expect(writeDoneAt - started).toBeGreaterThanOrEqual(140);
    const after = await holder.db.selectFrom("regions").select("name").where("code", "=", "Y01").executeTakeFirstOrThrow();
    expect(after.name).toBe("Waiter");
  });

  it("a transaction waits at its begin, takes the lock at once (IMMEDIATE), and runs whole once the lock is free", async () => {
    holder.sqlite.exec("begin immediate");
    let begun = false;
    const transaction = waiter.db.transaction().execute(async (trx) => {
      begun = true;
      // Holding the write lock from the start: the other connection cannot take it now.
      expect(() => holder.sqlite.exec("begin immediate")).toThrow(/locked|busy/i);
      await trx.insertInto("regions").values({ code: "Y02", name: "In a transaction", ons_code: null, updated_at: NOW }).execute();
      await trx.updateTable("regions").set({ name: "Changed in it" }).where("code", "=", "Y01").execute();
    });
    await sleep(100);
    expect(begun).toBe(false);
    holder.sqlite.exec("commit");
    await transaction;
    expect(begun).toBe(true);
    const rows = await holder.db.selectFrom("regions").select(["code", "name"]).orderBy("code").execute();
    expect(rows).toEqual([
      { code: "Y01", name: "Changed in it" },
      { code: "Y02", name: "In a transaction" },
    ]);
  });

  it("gives up after busyWaitMs with DatabaseBusyError and changes nothing", async () => {
    await waiter.close();
    waiter = openDatabase(holder.path, { busyWaitMs: 120 });
    const before = dumpTables(holder);
    holder.sqlite.exec("begin immediate");

    const started = Date.now();
    const write = waiter.db.insertInto("regions").values({ code: "Y03", name: "Never", ons_code: null, updated_at: NOW }).execute();
    await expect(write).rejects.toBeInstanceOf(DatabaseBusyError);
    await expect(write).rejects.toMatchObject({ code: "DATABASE_BUSY", message: expect.stringMatching(/locked by another process/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);

    const transaction = waiter.db.transaction().execute(async (trx) => {
      await trx.insertInto("regions").values({ code: "Y04", name: "Never either", ons_code: null, updated_at: NOW }).execute();
    });
    await expect(transaction).rejects.toBeInstanceOf(DatabaseBusyError);

    holder.sqlite.exec("commit");
    expect(dumpTables(holder)).toEqual(before);
    // The connection that gave up works as before once the lock is free.
    await waiter.db.insertInto("regions").values({ code: "Y05", name: "Afterwards", ons_code: null, updated_at: NOW }).execute();
    const codes = (await holder.db.selectFrom("regions").select("code").orderBy("code").execute()).map((r) => r.code);
    expect(codes).toEqual(["Y01", "Y05"]);
  });

  it("does not retry a statement that failed inside a transaction for another reason", async () => {
    const transaction = waiter.db.transaction().execute(async (trx) => {
      await trx.insertInto("regions").values({ code: "Y06", name: "First", ons_code: null, updated_at: NOW }).execute();
      await trx.insertInto("regions").values({ code: "Y01", name: "Duplicate key", ons_code: null, updated_at: NOW }).execute();
    });
    await expect(transaction).rejects.toThrow(/UNIQUE constraint failed/);
    expect(waiter.sqlite.inTransaction).toBe(false);
    const codes = (await holder.db.selectFrom("regions").select("code").orderBy("code").execute()).map((r) => r.code);
    expect(codes).toEqual(["Y01"]);
  });

  it("hands the connection on first come, first served: queries queued behind a transaction run in the order asked", async () => {
    const order: number[] = [];
    let queued: Promise<void>[] = [];
    await waiter.db.transaction().execute(async (trx) => {
      await trx.insertInto("regions").values({ code: "Y07", name: "Held", ons_code: null, updated_at: NOW }).execute();
      // Asked for while the transaction holds the one connection: each waits for its turn.
      queued = Array.from({ length: 12 }, (_, i) =>
        waiter.db
          .selectFrom("regions")
          .select("code")
          .execute()
          .then(() => void order.push(i)),
      );
      await sleep(20);
      expect(order).toEqual([]);
    });
    await Promise.all(queued);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("streams rows in chunks of the size asked, all of them in order, and frees the connection when the reader stops", async () => {
    const codes = Array.from({ length: 10 }, (_, i) => `Z${String(i).padStart(2, "0")}`);
    await waiter.db.insertInto("regions").values(codes.map((code) => ({ code, name: code, ons_code: null, updated_at: NOW }))).execute();
    const query = waiter.db.selectFrom("regions").select("code").where("code", "like", "Z%").orderBy("code");

    const chunks: string[][] = [];
    for await (const result of waiter.db.getExecutor().stream<{ code: string }>(query.compile(), 4)) chunks.push(result.rows.map((r) => r.code));
    expect(chunks).toEqual([codes.slice(0, 4), codes.slice(4, 8), codes.slice(8)]);

    const seen: string[] = [];
    for await (const row of query.stream(3)) {
      seen.push(row.code);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual(codes.slice(0, 5));
    // The statement was closed: the one connection answers the next query.
    expect((await query.execute()).map((r) => r.code)).toEqual(codes);
  });
});
