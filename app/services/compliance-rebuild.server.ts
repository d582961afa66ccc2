import type { Kysely } from "kysely";
import { Worker } from "node:worker_threads";
import { recordAudit } from "../../db/audit";
import type { Database } from "../../db/schema";
import { addDays, localMinute, londonDate } from "~/domain/calendar";
import { DayWriter, loadCalendar, RecomputeSet, type PackedDays } from "./compliance.server";
import { clearComplianceWeeks, partialWeeks, refreshComplianceWeeks } from "./compliance-weeks.server";
import type { RebuildWorkerInput, RebuildWorkerMessage } from "./compliance-worker";

/**
 * Recomputes `compliance_days` and `closure_episodes` from the stored availability intervals and approved pauses,
 * for every practice with intervals in the range (`npm run cli -- compliance rebuild [--from D --to D]`), through
 * the same `RecomputeSet` the importers use. "From scratch": every stored day in the range is deleted first, so a day
 * whose intervals have all gone loses its row too. One transaction: readers see the old days or the new ones.
 *
 * Without `from`/`to` the range is everything: each practice's days from its first interval to its last.
 */
export interface RebuildOptions {
  from?: string;
  to?: string;
  actor: string;
  ip?: string | null;
  /**
   * The database file. Given, a long range is read and computed on a worker thread with its own read-only
   * connection while this one writes (ADR 17); without it (or for `:memory:`) everything runs on this thread.
   */
  databasePath?: string;
}

export interface RebuildResult {
  practices: number;
  /** Practice-days stored (days with any interval in core hours). */
  days: number;
  /** The dates recomputed (null when there was nothing to recompute). */
  from: string | null;
  to: string | null;
  /** Wall time of the recompute itself (reading intervals, computing, storing), in seconds. */
  seconds: number;
}

/** Ranges longer than this are rebuilt without the secondary indexes, which are built again at the end. */
const REINDEX_DAYS = 90;

/** The secondary indexes of the stored days, exactly as the migrations create them (a test compares the two). */
export const SECONDARY_INDEXES = [
  { name: "compliance_days_date_idx", table: "compliance_days", columns: ["date", "practice_code"] },
  { name: "compliance_days_closed_idx", table: "compliance_days", columns: ["practice_code", "closed_minutes", "date"] },
  { name: "closure_episodes_practice_idx", table: "closure_episodes", columns: ["practice_code", "date"] },
] as const;

function datesBetweenCount(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

interface Span {
  practice_code: string;
  first: number;
  last: number;
}

/** Each practice's first interval start and last interval end. */
function allSpans(db: Kysely<Database>): Promise<Span[]> {
  return db
    .selectFrom("availability_intervals")
    .select((eb) => ["practice_code", eb.fn.min<number>("start_min").as("first"), eb.fn.max<number>("end_min").as("last")])
    .groupBy("practice_code")
    .execute();
}

/**
 * The same for the intervals that overlap a window. Filtering the whole table by time read every interval of every
 * practice (220 ms for one day of England, a quarter of the day's recompute). Instead the practice codes are walked
 * one index seek at a time (a recursive CTE, the "loose index scan") and each practice's intervals are read from its
 * (practice_code, end_min) index entries after the window's start: 58 ms for the latest day (ADR 17).
 */
function spansInWindow(db: Kysely<Database>, from: string | undefined, to: string | undefined): Promise<Span[]> {
  const start = from ? localMinute(from, 0) : Number.MIN_SAFE_INTEGER;
  const end = to ? localMinute(addDays(to, 1), 0) : Number.MAX_SAFE_INTEGER;
  return db
    .withRecursive("codes(code)", (qb) =>
      qb
        .selectFrom("availability_intervals")
        .select((eb) => eb.fn.min<string | null>("practice_code").as("code"))
        .unionAll((qb) =>
          qb
            .selectFrom("codes")
            .select((eb) =>
              eb
                .selectFrom("availability_intervals")
                .select((eb) => eb.fn.min<string>("practice_code").as("code"))
                .whereRef("availability_intervals.practice_code", ">", "codes.code")
                .as("code"),
            )
            .where("codes.code", "is not", null),
        ),
    )
    .selectFrom("codes")
    .innerJoin("availability_intervals as a", "a.practice_code", "codes.code")
    .where("a.end_min", ">", start)
    .where("a.start_min", "<", end)
    .select((eb) => ["codes.code as practice_code", eb.fn.min<number>("a.start_min").as("first"), eb.fn.max<number>("a.end_min").as("last")])
    .groupBy("codes.code")
    .execute() as Promise<Span[]>;
}

export async function rebuildCompliance(db: Kysely<Database>, options: RebuildOptions): Promise<RebuildResult> {
  const began = performance.now();
  return db.transaction().execute(async (trx) => {
    const spans = options.from || options.to ? await spansInWindow(trx, options.from, options.to) : await allSpans(trx);

    const set = new RecomputeSet();
    let from: string | null = null;
    let to: string | null = null;
    for (const span of spans) {
      if (Number(span.last) <= Number(span.first)) continue;
      let first = londonDate(Number(span.first));
      let last = londonDate(Number(span.last) - 1);
      if (options.from && first < options.from) first = options.from;
      if (options.to && last > options.to) last = options.to;
      if (first > last) continue;
      set.add(span.practice_code, first, last);
      if (from === null || first < from) from = first;
      if (to === null || last > to) to = last;
    }

    let clearDays = trx.deleteFrom("compliance_days");
    let clearEpisodes = trx.deleteFrom("closure_episodes");
    if (options.from) {
      clearDays = clearDays.where("date", ">=", options.from);
      clearEpisodes = clearEpisodes.where("date", ">=", options.from);
    }
    if (options.to) {
      clearDays = clearDays.where("date", "<=", options.to);
      clearEpisodes = clearEpisodes.where("date", "<=", options.to);
    }
    // A long range rewrites most of the table: deleting and writing it without the secondary indexes and building
    // them again after (one sort each) took 17 s instead of 39 s for England (ADR 14). Plain DDL, inside the transaction.
    const wide = from !== null && to !== null && datesBetweenCount(from, to) > REINDEX_DAYS;
    if (wide) for (const index of SECONDARY_INDEXES) await trx.schema.dropIndex(index.name).execute();
    await clearDays.execute();
    await clearEpisodes.execute();
    const cleared = { from: options.from ?? null, to: options.to ?? null };
    await clearComplianceWeeks(trx, null, cleared.from, cleared.to);

    const calendar = await loadCalendar(trx);
    const inWorker = wide && options.databasePath !== undefined && options.databasePath !== ":memory:";
    const result = inWorker ? await runInWorkers(trx, set, options.databasePath!, cleared) : await set.run(trx, calendar, { cleared });
    if (wide) {
      for (const index of SECONDARY_INDEXES) await trx.schema.createIndex(index.name).on(index.table).columns([...index.columns]).execute();
    }
    // The first and last weeks of a bounded range hold days outside it, which were kept: regroup them from the days.
    const partial = partialWeeks(cleared.from, cleared.to);
    if (partial.length > 0) await refreshComplianceWeeks(trx, calendar, partial);
    const seconds = (performance.now() - began) / 1000;
    await recordAudit(trx, {
      actor: options.actor,
      ip: options.ip ?? null,
      action: "compliance.rebuilt",
      entityType: "compliance",
      entityId: null,
      detail: { from: options.from ?? null, to: options.to ?? null, practices: result.practices, days: result.days },
    });
    return { practices: result.practices, days: result.days, from, to, seconds };
  });
}

/** The workers' young generation: the read and compute allocate many short-lived objects (V8's default is 16 MB). */
const YOUNG_GENERATION_MB = 48;

/**
 * Worker threads reading and computing. With one, this thread waited for it a third of the time (England: it writes
 * in about 6 s what one worker reads and computes in 8); two keep it busy.
 */
const WORKERS = 2;

/** One worker thread and the messages it has sent and this thread has not yet taken. */
class RebuildWorker {
  private readonly worker: Worker;
  private readonly queue: RebuildWorkerMessage[] = [];
  private failure: Error | null = null;
  private exited = false;
  private wake: (() => void) | null = null;

  constructor(input: RebuildWorkerInput) {
    // In the bundled CLI the worker sits beside this chunk. Run from source (tsx, Vitest) it is TypeScript, loaded
    // through tsx's loader, registered in the worker first (a worker does not take `--import` from execArgv).
    const fromSource = import.meta.url.endsWith(".ts");
    const url = new URL(fromSource ? "./compliance-worker.ts" : "./compliance-worker.js", import.meta.url);
    const options = { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } };
    this.worker = fromSource
      ? new Worker(`import("tsx/esm/api").then((tsx) => tsx.register()).then(() => import(${JSON.stringify(url.href)}))`, { ...options, eval: true })
      : new Worker(url, options);
    this.worker.on("message", (m: RebuildWorkerMessage) => {
      this.queue.push(m);
      this.notify();
    });
    this.worker.on("error", (error) => {
      this.failure = error;
      this.notify();
    });
    this.worker.on("exit", () => {
      this.exited = true;
      this.notify();
    });
  }

  private notify(): void {
    this.wake?.();
    this.wake = null;
  }

  /** The next group's days; throws if the worker failed or stopped. Asks it for one more group. */
  async next(): Promise<PackedDays> {
    for (;;) {
      const m = this.queue.shift();
      if (m?.kind === "group") {
        this.worker.postMessage("more");
        return m.packed;
      }
      if (m?.kind === "failed") throw Object.assign(new Error(`The compliance rebuild's worker failed: ${m.message}`), { stack: m.stack });
      if (this.failure) throw this.failure;
      if (this.exited) throw new Error("The compliance rebuild's worker thread stopped before it finished");
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * `RecomputeSet.run` for a rebuild, over several threads: workers (compliance-worker.ts) read and compute the groups
 * of practices, taking turns, while this thread writes them in order. The rows written are the same, in the same order.
 */
async function runInWorkers(
  trx: Kysely<Database>,
  set: RecomputeSet,
  path: string,
  cleared: { from: string | null; to: string | null },
): Promise<{ practices: number; days: number }> {
  const groups = set.groups();
  const count = Math.max(1, Math.min(WORKERS, groups.length));
  const workers = Array.from({ length: count }, (_, w) => new RebuildWorker({ path, groups: groups.filter((_, i) => i % count === w) }));
  const writer = new DayWriter(trx, set.wholeWeek(cleared));
  let days = 0;
  try {
    for (let i = 0; i < groups.length; i++) days += await writer.addPacked(await workers[i % count]!.next());
    await writer.flush();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { practices: set.size, days };
}
