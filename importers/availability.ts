import { DateTime } from "luxon";
import { AvailabilityFields, type AvailabilityRecord } from "~/domain/availability-format";
import { addDays, londonDate, localMinute, ZONE } from "~/domain/calendar";
import { countOverlaps, replaceEarlier, type NewInterval } from "~/services/availability.server";
import { loadCalendar, RecomputeSet } from "~/services/compliance.server";
import { BulkInsert } from "./core/bulk";
import { matchHeader, readCsvBatches, type HeaderIndex } from "./core/csv";
import { ImportError } from "./core/errors";
import { fastPracticeCode, requireWidth, validateRecord, type FieldColumns } from "./core/fields";
import { countUnknownPractices } from "./core/practices";
import type { Importer } from "./core/run";

/**
 * Suppliers' availability logs (docs/formats/availability.md): `practice_code,start,end,status,category,reason,source`.
 *
 * Options:
 * - `covers` (`--covers FROM..TO`): a closures-only log. Inside those London dates (inclusive) every minute not
 *   listed as closed counts as open, for each practice in the file.
 * - `source` (`--source NAME`): the source for rows whose `source` is empty (default `unspecified`).
 *
 * A later file from the same source for the same practice and period replaces the earlier one; overlapping
 * intervals are kept (closed wins over open) and counted as a data-quality note. The practice-days touched are
 * recomputed in the same transaction.
 */
export interface AvailabilityOptions {
  covers?: { from: string; to: string };
  source?: string;
}

const SPEC = {
  practice_code: { names: ["PRACTICE_CODE"], required: true },
  start: { names: ["START"], required: true },
  end: { names: ["END"], required: true },
  status: { names: ["STATUS"], required: true },
  category: { names: ["CATEGORY"], required: false },
  reason: { names: ["REASON"], required: false },
  source: { names: ["SOURCE"], required: false },
} as const;

export const DEFAULT_SOURCE = "unspecified";

type Key = keyof typeof SPEC;

/** Years outside 2015–2099 are refused by the schema; the fast path leaves them to it. */
const EARLIEST_MS = Date.UTC(2015, 0, 1);
const LATEST_MS = Date.UTC(2100, 0, 1);
const PLAIN_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
/** UTC (`Z`) or a `±hh:mm` offset, as suppliers' systems write ISO 8601. */
const PLAIN_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** London's UTC offset in minutes for a whole date, or null for a date when the clocks change (or no such date). */
const offsetByDate = new Map<string, number | null>();
function londonOffsetAllDay(y: number, mo: number, d: number): number | null {
  const key = `${y}-${mo}-${d}`;
  let offset = offsetByDate.get(key);
  if (offset === undefined) {
    const first = DateTime.fromObject({ year: y, month: mo, day: d, hour: 0, minute: 0 }, { zone: ZONE });
    const last = DateTime.fromObject({ year: y, month: mo, day: d, hour: 23, minute: 59 }, { zone: ZONE });
    offset = first.isValid && first.day === d && first.month === mo && first.offset === last.offset ? first.offset : null;
    if (offsetByDate.size > 20000) offsetByDate.clear();
    offsetByDate.set(key, offset);
  }
  return offset;
}

/**
 * `parseInstant`'s milliseconds for the common spellings (London `2026-03-30 08:00[:ss]` on a day the clocks do not
 * change, UTC `2026-03-30T07:00[:ss]Z` and offset `2026-03-30T08:00[:ss]+01:00`), without Luxon per row; null for
 * anything else, which the schema then reads (or refuses, with its message).
 */
export function fastInstantMs(raw: string): number | null {
  let m = PLAIN_LOCAL.exec(raw);
  let offset = 0;
  if (m) {
    const o = londonOffsetAllDay(Number(m[1]), Number(m[2]), Number(m[3]));
    if (o === null) return null;
    offset = o;
  } else {
    m = PLAIN_OFFSET.exec(raw);
    if (!m) return null;
    if (m[7] !== undefined) {
      const oh = Number(m[8]);
      const om = Number(m[9]);
      // parseInstant's bounds: offsets up to 14 hours, minutes under 60.
      if (oh > 14 || om > 59) return null;
      offset = (m[7] === "-" ? -1 : 1) * (oh * 60 + om);
    }
    const check = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (check.getUTCDate() !== Number(m[3]) || check.getUTCMonth() !== Number(m[2]) - 1) return null;
  }
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  if (h > 23 || mi > 59 || sec > 59) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), h, mi, sec) - offset * 60_000;
  return ms >= EARLIEST_MS && ms < LATEST_MS ? ms : null;
}

const STATUSES = new Set(["open", "closed"]);
const CATEGORIES = new Set(["all", "clinical", "admin"]);

/** `AvailabilityFields`' result for an ordinary row without Zod; null to let the schema decide (and word any error). */
function fastRecord(fields: string[], h: HeaderIndex<Key>): AvailabilityRecord | null {
  const practiceCode = fastPracticeCode(fields[h.practice_code]!);
  if (practiceCode === null) return null;
  const startMs = fastInstantMs(fields[h.start]!);
  const endMs = fastInstantMs(fields[h.end]!);
  if (startMs === null || endMs === null || endMs <= startMs) return null;
  const status = fields[h.status]!.trim().toLowerCase();
  if (!STATUSES.has(status)) return null;
  const category = h.category < 0 ? "all" : fields[h.category]!.trim().toLowerCase() || "all";
  if (!CATEGORIES.has(category)) return null;
  const reason = h.reason < 0 ? "" : fields[h.reason]!.trim();
  const source = h.source < 0 ? "" : fields[h.source]!.trim();
  if (reason.length > 500 || source.length > 100) return null;
  return {
    practiceCode,
    start: Math.floor(startMs / 60_000),
    end: Math.floor(endMs / 60_000),
    status: status as AvailabilityRecord["status"],
    category: category as AvailabilityRecord["category"],
    reason: reason === "" ? null : reason,
    source: source === "" ? null : source,
  };
}

/** Availability intervals written in batches (ADR 14); the same rows `IntervalWriter` writes. */
class ImportedIntervals {
  private readonly bulk: BulkInsert<"availability_intervals">;
  private readonly receivedAt = new Date().toISOString();
  constructor(trx: ConstructorParameters<typeof BulkInsert>[0]) {
    this.bulk = new BulkInsert(trx, "availability_intervals", [
      "practice_code",
      "source",
      "start_min",
      "end_min",
      "status",
      "category",
      "reason",
      "import_id",
      "supplier_id",
      "event_id",
      "received_at",
    ]);
  }
  add(r: NewInterval): Promise<void> {
    return this.bulk.add([r.practiceCode, r.source, r.start, r.end, r.status, r.category, r.reason, r.importId ?? null, null, null, this.receivedAt]);
  }
  flush(): Promise<void> {
    return this.bulk.flush();
  }
}

export const availabilityImporter: Importer<AvailabilityOptions> = {
  source: "availability",
  title: "Suppliers' availability logs: practice_code,start,end,status,category,reason,source (.csv or .zip)",
  async run(ctx) {
    const writer = new ImportedIntervals(ctx.trx);
    const defaultSource = ctx.options.source?.trim() || DEFAULT_SOURCE;
    const covers = ctx.options.covers;
    const coverStart = covers ? localMinute(covers.from, 0) : null;
    const coverEnd = covers ? localMinute(addDays(covers.to, 1), 0) : null;
    // Per source and practice: the span this file speaks for.
    const spans = new Map<string, { source: string; practice: string; start: number; end: number }>();

    for (const member of ctx.input.members) {
      let header: ReturnType<typeof matchHeader<keyof typeof SPEC>> | null = null;
      let columns: FieldColumns<keyof typeof SPEC> | null = null;
      for await (const csvBatch of readCsvBatches(await member.open(), member.label))
      for (const record of csvBatch) {
        ctx.tick();
        if (!header) {
          header = matchHeader(record, SPEC, member.label, "availability log");
          const h = header;
          columns = Object.fromEntries(
            (Object.keys(SPEC) as (keyof typeof SPEC)[]).map((k) => [k, { index: h[k], name: h.names[h[k]] ?? k }]),
          ) as FieldColumns<keyof typeof SPEC>;
          continue;
        }
        ctx.counts.read++;
        requireWidth(record, header.width, member.label, "availability log");
        const row = fastRecord(record.fields, header) ?? validateRecord(AvailabilityFields, record, columns!, member.label);
        const source = row.source ?? defaultSource;
        if (row.end <= row.start) {
          ctx.warn("Interval shorter than a minute once seconds are dropped (covers no minute)");
        }
        await writer.add({ ...row, source, importId: ctx.importId });
        ctx.counts.inserted++;
        const key = `${source}\u0001${row.practiceCode}`;
        const span = spans.get(key);
        if (!span) spans.set(key, { source, practice: row.practiceCode, start: row.start, end: row.end });
        else {
          span.start = Math.min(span.start, row.start);
          span.end = Math.max(span.end, row.end);
        }
      }
      if (!header) throw new ImportError({ file: member.label, line: 1, expected: "an availability log header row", got: "an empty file" });
    }

    await writer.flush();
    // Overlaps among the file's own rows (before the closures-only log's implied open interval is added).
    const overlaps = await countOverlaps(ctx.trx, ctx.importId);
    if (overlaps > 0) ctx.warn("Intervals overlapping another for the same practice and kind of request (where open and closed overlap, closed counts)", overlaps);

    if (coverStart !== null && coverEnd !== null) {
      for (const span of spans.values()) {
        await writer.add({
          practiceCode: span.practice,
          start: coverStart,
          end: coverEnd,
          status: "open",
          category: "all",
          reason: null,
          source: span.source,
          importId: ctx.importId,
        });
        span.start = Math.min(span.start, coverStart);
        span.end = Math.max(span.end, coverEnd);
      }
      ctx.warn("Closures-only log: minutes not listed as closed count as open inside the covered dates", spans.size);
    }
    await writer.flush();

    const recompute = new RecomputeSet();
    let replaced = 0;
    for (const span of spans.values()) {
      replaced += await replaceEarlier(ctx.trx, { ...span, practiceCode: span.practice, importId: ctx.importId });
      if (span.end > span.start) recompute.add(span.practice, londonDate(span.start), londonDate(span.end - 1));
    }
    if (replaced > 0) ctx.warn("Earlier intervals from the same source replaced or cut for the same practice and period", replaced);

    const unknown = await countUnknownPractices(ctx.trx, [...spans.values()].map((s) => s.practice));
    if (unknown > 0) ctx.warn("Practices not in the practice data (kept; import epraccur to name them)", unknown);

    await recompute.run(ctx.trx, await loadCalendar(ctx.trx));
  },
};
