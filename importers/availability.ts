import { AvailabilityFields } from "~/domain/availability-format";
import { addDays, londonDate, localMinute } from "~/domain/calendar";
import { countOverlaps, IntervalWriter, replaceEarlier } from "~/services/availability.server";
import { loadCalendar, RecomputeSet } from "~/services/compliance.server";
import { matchHeader, readCsv } from "./core/csv";
import { ImportError } from "./core/errors";
import { requireWidth, validateRecord, type FieldColumns } from "./core/fields";
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

export const availabilityImporter: Importer<AvailabilityOptions> = {
  source: "availability",
  title: "Suppliers' availability logs: practice_code,start,end,status,category,reason,source (.csv or .zip)",
  async run(ctx) {
    const writer = new IntervalWriter(ctx.trx);
    const defaultSource = ctx.options.source?.trim() || DEFAULT_SOURCE;
    const covers = ctx.options.covers;
    const coverStart = covers ? localMinute(covers.from, 0) : null;
    const coverEnd = covers ? localMinute(addDays(covers.to, 1), 0) : null;
    // Per source and practice: the span this file speaks for.
    const spans = new Map<string, { source: string; practice: string; start: number; end: number }>();

    for (const member of ctx.input.members) {
      let header: ReturnType<typeof matchHeader<keyof typeof SPEC>> | null = null;
      let columns: FieldColumns<keyof typeof SPEC> | null = null;
      for await (const record of readCsv(await member.open(), member.label)) {
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
        const row = validateRecord(AvailabilityFields, record, columns!, member.label);
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

    const practices = [...new Set([...spans.values()].map((s) => s.practice))];
    const known = new Set<string>();
    for (let i = 0; i < practices.length; i += 500) {
      const rows = await ctx.trx.selectFrom("practices").select("ods_code").where("ods_code", "in", practices.slice(i, i + 500)).execute();
      for (const r of rows) known.add(r.ods_code);
    }
    const unknown = practices.filter((p) => !known.has(p)).length;
    if (unknown > 0) ctx.warn("Practices not in the practice data (kept; import epraccur to name them)", unknown);

    await recompute.run(ctx.trx, await loadCalendar(ctx.trx));
  },
};
