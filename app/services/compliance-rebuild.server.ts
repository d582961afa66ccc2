import type { Kysely } from "kysely";
import { recordAudit } from "../../db/audit";
import type { Database } from "../../db/schema";
import { addDays, localMinute, londonDate } from "~/domain/calendar";
import { loadCalendar, RecomputeSet } from "./compliance.server";

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

    const result = await set.run(trx, await loadCalendar(trx), { cleared: true });
    if (wide) {
      for (const index of SECONDARY_INDEXES) await trx.schema.createIndex(index.name).on(index.table).columns([...index.columns]).execute();
    }
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
