import { z } from "zod";
import { londonDate, londonTime } from "./calendar";
import { describePolicy, evaluateFlags, type Policy } from "./policy";

/**
 * The evidence for a case period, frozen: what the compliance figures said at one moment. Every case event and every
 * notice version keeps its own copy, so later imports, corrections or approved pauses never change what a decision
 * was based on. Built from the same rows as the compliance CLI (`complianceRows`: one per core day, a day without
 * stored data counted as 630 minutes of no data), so its totals are the CLI's totals.
 */

export interface EvidenceDayInput {
  date: string;
  core_minutes: number;
  open_minutes: number;
  closed_minutes: number;
  excepted_minutes: number;
  unknown_minutes: number;
}

export interface EvidenceEpisodeInput {
  date: string;
  start_min: number;
  end_min: number;
  minutes: number;
  category: "all" | "clinical" | "admin";
  excepted: boolean;
  reasons: string[];
  pauseIds: number[];
}

export interface EvidencePauseInput {
  id: number;
  category: "all" | "clinical" | "admin";
  start_min: number;
  end_min: number;
  reason: string;
  kind: "planned" | "outage";
  decided_at: string | null;
}

export const EvidenceSnapshotSchema = z.object({
  practiceCode: z.string(),
  from: z.string(),
  to: z.string(),
  takenAt: z.string(),
  /** Core days with stored data (days without are in `coverage` as no data). */
  days: z.array(
    z.object({
      date: z.string(),
      coreMinutes: z.number(),
      open: z.number(),
      closed: z.number(),
      excepted: z.number(),
      unknown: z.number(),
    }),
  ),
  totals: z.object({ coreMinutes: z.number(), open: z.number(), closed: z.number(), excepted: z.number(), unknown: z.number() }),
  coverage: z.object({ coreDays: z.number(), daysWithData: z.number(), minutesWithNoData: z.number() }),
  episodes: z.array(
    z.object({
      date: z.string(),
      from: z.string(),
      to: z.string(),
      minutes: z.number(),
      category: z.enum(["all", "clinical", "admin"]),
      excepted: z.boolean(),
      reasons: z.array(z.string()),
      pauseIds: z.array(z.number()),
    }),
  ),
  pauses: z.array(
    z.object({
      id: z.number(),
      category: z.enum(["all", "clinical", "admin"]),
      /** London date and time, `YYYY-MM-DD HH:MM`. */
      from: z.string(),
      to: z.string(),
      reason: z.string(),
      kind: z.enum(["planned", "outage"]),
      decidedAt: z.string().nullable(),
    }),
  ),
  policy: z.object({ closedMinutesPerDay: z.number(), flaggedDays: z.number(), windowDays: z.number() }),
  policyText: z.string(),
  flaggedDates: z.array(z.string()),
  flagged: z.boolean(),
});
export type EvidenceSnapshot = z.infer<typeof EvidenceSnapshotSchema>;

const londonDateTime = (minute: number) => `${londonDate(minute)} ${londonTime(minute)}`;

/**
 * The snapshot from one row per core day of the period (as `complianceRows` gives them), the dates that have stored
 * data, the closure episodes and the approved pauses overlapping the period, and the ICB's policy.
 */
export function buildEvidence(args: {
  practiceCode: string;
  from: string;
  to: string;
  takenAt: string;
  rows: readonly EvidenceDayInput[];
  datesWithData: ReadonlySet<string>;
  episodes: readonly EvidenceEpisodeInput[];
  pauses: readonly EvidencePauseInput[];
  policy: Policy;
}): EvidenceSnapshot {
  const coreDates = new Set(args.rows.map((r) => r.date));
  const totals = { coreMinutes: 0, open: 0, closed: 0, excepted: 0, unknown: 0 };
  for (const r of args.rows) {
    totals.coreMinutes += r.core_minutes;
    totals.open += r.open_minutes;
    totals.closed += r.closed_minutes;
    totals.excepted += r.excepted_minutes;
    totals.unknown += r.unknown_minutes;
  }
  const days = args.rows
    .filter((r) => args.datesWithData.has(r.date))
    .map((r) => ({
      date: r.date,
      coreMinutes: r.core_minutes,
      open: r.open_minutes,
      closed: r.closed_minutes,
      excepted: r.excepted_minutes,
      unknown: r.unknown_minutes,
    }));
  const flags = evaluateFlags(
    args.rows.map((r) => ({ date: r.date, closedMinutes: r.closed_minutes })),
    args.policy,
  );
  return {
    practiceCode: args.practiceCode,
    from: args.from,
    to: args.to,
    takenAt: args.takenAt,
    days,
    totals,
    coverage: { coreDays: args.rows.length, daysWithData: days.length, minutesWithNoData: totals.unknown },
    episodes: args.episodes
      .filter((e) => coreDates.has(e.date))
      .slice()
      .sort((a, b) => a.start_min - b.start_min)
      .map((e) => ({
        date: e.date,
        from: londonTime(e.start_min),
        to: londonTime(e.end_min),
        minutes: e.minutes,
        category: e.category,
        excepted: e.excepted,
        reasons: e.reasons,
        pauseIds: e.pauseIds,
      })),
    pauses: args.pauses
      .slice()
      .sort((a, b) => a.start_min - b.start_min)
      .map((p) => ({
        id: p.id,
        category: p.category,
        from: londonDateTime(p.start_min),
        to: londonDateTime(p.end_min),
        reason: p.reason,
        kind: p.kind,
        decidedAt: p.decided_at,
      })),
    policy: { ...args.policy },
    policyText: describePolicy(args.policy),
    flaggedDates: flags.flaggedDates,
    flagged: flags.flagged,
  };
}

/** Days of the period with closed minutes (not excepted), for the evidence table. */
export function affectedDays(evidence: EvidenceSnapshot): { date: string; closed: number; excepted: number }[] {
  return evidence.days.filter((d) => d.closed > 0).map((d) => ({ date: d.date, closed: d.closed, excepted: d.excepted }));
}
