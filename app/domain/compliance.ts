import type { Window } from "./calendar";

/**
 * The duty check for one practice on one core day, minute by minute (computed as a sweep over the points where
 * anything changes, which gives the same answer as walking all 630 minutes).
 *
 * For each core minute and each kind of request (clinical, admin):
 * - closed if any interval covering the minute says closed (closed wins over open);
 * - otherwise open if an interval says open;
 * - otherwise no data.
 * An interval of category `all` speaks for both kinds.
 *
 * The tool as a whole, in a minute:
 * - closed if either kind is closed, unless every closed kind is inside an approved pause for it: then excepted;
 * - open only if both kinds are open;
 * - otherwise no data (one kind open and the other unknown is not evidence either way).
 * So open + closed + excepted + no data = core minutes, always.
 */

export type RequestKind = "clinical" | "admin";
export type IntervalCategory = "all" | RequestKind;
export type Status = "open" | "closed";

export interface AvailabilityInterval {
  /** Epoch minutes, inclusive. */
  start: number;
  /** Epoch minutes, exclusive. */
  end: number;
  status: Status;
  category: IntervalCategory;
  reason: string | null;
}

export interface ApprovedPause {
  id: number;
  start: number;
  end: number;
  category: IntervalCategory;
}

export interface Minutes {
  open: number;
  closed: number;
  excepted: number;
  unknown: number;
}

export interface ClosureEpisode {
  start: number;
  end: number;
  minutes: number;
  /** Which kinds of request could not be made: both (`all`), or only one. */
  category: IntervalCategory;
  /** Inside an approved pause. */
  excepted: boolean;
  reasons: string[];
  pauseIds: number[];
}

export interface DayResult extends Minutes {
  coreMinutes: number;
  clinical: Minutes;
  admin: Minutes;
  episodes: ClosureEpisode[];
}

const NONE = 0;
const OPEN = 1;
const CLOSED = 2;

function covers(category: IntervalCategory, kind: RequestKind): boolean {
  return category === "all" || category === kind;
}

function emptyMinutes(): Minutes {
  return { open: 0, closed: 0, excepted: 0, unknown: 0 };
}

/**
 * Computes one core day. `intervals` and `pauses` may extend beyond the window (they are clipped) and may be in
 * any order; `pauses` are the approved ones only.
 */
export function computeDay(window: Window, intervals: readonly AvailabilityInterval[], pauses: readonly ApprovedPause[]): DayResult {
  // Called for every practice-day of a rebuild (1.6 million for England), so written without allocating per
  // stretch: states are small integers, and reasons and pause ids are gathered only for closed stretches. The
  // rules are exactly those of the minute-by-minute count in test/unit/compliance-engine.test.ts.
  const ws = window.start;
  const we = window.end;
  const relevantIntervals: AvailabilityInterval[] = [];
  for (const i of intervals) if (i.start < we && i.end > ws && i.end > i.start) relevantIntervals.push(i);
  const relevantPauses: ApprovedPause[] = [];
  for (const p of pauses) if (p.start < we && p.end > ws && p.end > p.start) relevantPauses.push(p);

  const points: number[] = [ws, we];
  for (const i of relevantIntervals) points.push(i.start > ws ? i.start : ws, i.end < we ? i.end : we);
  for (const p of relevantPauses) points.push(p.start > ws ? p.start : ws, p.end < we ? p.end : we);
  points.sort((a, b) => a - b);

  const total: Minutes = emptyMinutes();
  const clinical: Minutes = emptyMinutes();
  const admin: Minutes = emptyMinutes();
  const episodes: ClosureEpisode[] = [];
  let current: ClosureEpisode | null = null;

  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k]!;
    const b = points[k + 1]!;
    if (b === a) continue;
    const len = b - a;
    // Everything constant on [a, b): read the state at a.
    let clinicalState = NONE;
    let adminState = NONE;
    for (const i of relevantIntervals) {
      if (i.start > a || i.end <= a) continue;
      const value = i.status === "closed" ? CLOSED : OPEN;
      if (i.category !== "admin" && value > clinicalState) clinicalState = value;
      if (i.category !== "clinical" && value > adminState) adminState = value;
    }
    let clinicalPaused = false;
    let adminPaused = false;
    for (const p of relevantPauses) {
      if (p.start > a || p.end <= a) continue;
      if (p.category !== "admin") clinicalPaused = true;
      if (p.category !== "clinical") adminPaused = true;
    }
    count(clinical, clinicalState, clinicalPaused, len);
    count(admin, adminState, adminPaused, len);

    const clinicalClosed = clinicalState === CLOSED;
    const adminClosed = adminState === CLOSED;
    if (clinicalClosed || adminClosed) {
      const excepted = (!clinicalClosed || clinicalPaused) && (!adminClosed || adminPaused);
      if (excepted) total.excepted += len;
      else total.closed += len;
      const category: IntervalCategory = clinicalClosed && adminClosed ? "all" : clinicalClosed ? "clinical" : "admin";
      let ep: ClosureEpisode = current ?? { start: a, end: b, minutes: 0, category, excepted, reasons: [], pauseIds: [] };
      if (current && !(current.end === a && current.category === category && current.excepted === excepted)) {
        episodes.push(current);
        ep = { start: a, end: b, minutes: 0, category, excepted, reasons: [], pauseIds: [] };
      }
      ep.end = b;
      ep.minutes += len;
      // The closed intervals' reasons and (when excepted) the pauses' ids, each once, in the order given.
      for (const i of relevantIntervals) {
        if (i.start > a || i.end <= a || i.status !== "closed" || !i.reason) continue;
        if (!ep.reasons.includes(i.reason)) ep.reasons.push(i.reason);
      }
      if (excepted) {
        for (const p of relevantPauses) {
          if (p.start > a || p.end <= a) continue;
          if (!ep.pauseIds.includes(p.id)) ep.pauseIds.push(p.id);
        }
      }
      current = ep;
    } else {
      if (current) episodes.push(current);
      current = null;
      if (clinicalState === OPEN && adminState === OPEN) total.open += len;
      else total.unknown += len;
    }
  }
  if (current) episodes.push(current);
  return { coreMinutes: we - ws, ...total, clinical, admin, episodes };
}

/** Adds a stretch of `len` minutes to one kind of request's minutes. */
function count(m: Minutes, state: number, paused: boolean, len: number): void {
  if (state === CLOSED) {
    if (paused) m.excepted += len;
    else m.closed += len;
  } else if (state === OPEN) m.open += len;
  else m.unknown += len;
}

/** The tool's state in a stretch of one core day, as `computeDay` counts it minute by minute. */
export type SegmentState = "open" | "closed" | "excepted" | "unknown";

export interface DaySegment {
  /** Epoch minutes, inclusive. */
  start: number;
  /** Epoch minutes, exclusive. */
  end: number;
  state: SegmentState;
  /** For closed and excepted stretches: which kinds of request could not be made (`all` for both). */
  category: IntervalCategory | null;
  /** Reasons given by the closed intervals (closed and excepted stretches only). */
  reasons: string[];
  /** The approved pauses that excepted it (excepted stretches only). */
  pauseIds: number[];
}

/**
 * One core day as consecutive stretches of open, closed, excepted and no-data minutes covering the whole window,
 * for a timeline. It applies exactly `computeDay`'s rules, so the minutes in each state add up to its totals and
 * the closed and excepted stretches are its closure episodes.
 */
export function daySegments(window: Window, intervals: readonly AvailabilityInterval[], pauses: readonly ApprovedPause[]): DaySegment[] {
  const { start: ws, end: we } = window;
  const relevantIntervals = intervals.filter((i) => i.start < we && i.end > ws && i.end > i.start);
  const relevantPauses = pauses.filter((p) => p.start < we && p.end > ws && p.end > p.start);
  const points = new Set<number>([ws, we]);
  for (const i of relevantIntervals) {
    points.add(Math.max(i.start, ws));
    points.add(Math.min(i.end, we));
  }
  for (const p of relevantPauses) {
    points.add(Math.max(p.start, ws));
    points.add(Math.min(p.end, we));
  }
  const sorted = [...points].sort((a, b) => a - b);
  const segments: DaySegment[] = [];

  for (let k = 0; k + 1 < sorted.length; k++) {
    const a = sorted[k]!;
    const b = sorted[k + 1]!;
    const state: Record<RequestKind, number> = { clinical: NONE, admin: NONE };
    const reasons: string[] = [];
    for (const i of relevantIntervals) {
      if (i.start > a || i.end <= a) continue;
      const value = i.status === "closed" ? CLOSED : OPEN;
      for (const kind of ["clinical", "admin"] as const) {
        if (covers(i.category, kind) && value > state[kind]) state[kind] = value;
      }
      if (i.status === "closed" && i.reason && !reasons.includes(i.reason)) reasons.push(i.reason);
    }
    const paused: Record<RequestKind, boolean> = { clinical: false, admin: false };
    const pauseIds: number[] = [];
    for (const p of relevantPauses) {
      if (p.start > a || p.end <= a) continue;
      if (covers(p.category, "clinical")) paused.clinical = true;
      if (covers(p.category, "admin")) paused.admin = true;
      if (!pauseIds.includes(p.id)) pauseIds.push(p.id);
    }

    const closedKinds = (["clinical", "admin"] as const).filter((kind) => state[kind] === CLOSED);
    let next: DaySegment;
    if (closedKinds.length > 0) {
      const excepted = closedKinds.every((kind) => paused[kind]);
      next = {
        start: a,
        end: b,
        state: excepted ? "excepted" : "closed",
        category: closedKinds.length === 2 ? "all" : closedKinds[0]!,
        reasons,
        pauseIds: excepted ? pauseIds : [],
      };
    } else {
      const open = state.clinical === OPEN && state.admin === OPEN;
      next = { start: a, end: b, state: open ? "open" : "unknown", category: null, reasons: [], pauseIds: [] };
    }

    const last = segments.at(-1);
    if (last && last.end === a && last.state === next.state && last.category === next.category) {
      last.end = b;
      for (const r of next.reasons) if (!last.reasons.includes(r)) last.reasons.push(r);
      for (const id of next.pauseIds) if (!last.pauseIds.includes(id)) last.pauseIds.push(id);
    } else segments.push(next);
  }
  return segments;
}
