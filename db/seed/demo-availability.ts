import type { Kysely } from "kysely";
import { DateTime } from "luxon";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addDays,
  datesBetween,
  localMinute,
  londonDate,
  londonOffset,
  MINUTES_PER_DAY,
  weekday,
  ZONE,
  type CoreHoursCalendar,
} from "../../app/domain/calendar";
import { loadCalendar } from "../../app/services/compliance.server";
import { approvePause, declinePause, requestPause, withdrawPause, type Actor } from "../../app/services/pauses.server";
import { availabilityImporter, type AvailabilityOptions } from "../../importers/availability";
import { importFile } from "../../importers/core/run";
import type { Database, IntervalCategory, IntervalStatus } from "../schema";
import {
  behaviourOf,
  DEMO_GAP_MONTHS,
  DEMO_OC_SUPPLIERS,
  DEMO_OUTAGE,
  DEMO_PERIOD,
  DEMO_SWITCH_OFF,
  ocSupplierOf,
  type DemoBehaviour,
} from "./demo-behaviours";
import { demoPractices } from "./demo-organisations";
import { createRandom, type Random } from "./random";

/**
 * The demo's twelve months of availability (DEMO_PERIOD), written as the suppliers' monthly logs and loaded
 * through the real availability importer, then the demo's pause requests through the pause service.
 *
 * - demo-acme sends full logs in London local time, demo-beacon full logs in ISO 8601 with an offset: the tool
 *   open from the morning (07:30–07:59) to the evening (18:45–20:00) in one or a few intervals, closures as
 *   separate `closed` rows.
 * - demo-cedar sends a closures-only suspension log, imported with `covers` for each month: every time the tool
 *   was closed, including each night and weekend, clipped to the month; every other minute counts as open.
 */

type Supplier = (typeof DEMO_OC_SUPPLIERS)[number];

/** The supplier whose logs are closures-only (imported with `covers`). */
export const CLOSURES_ONLY_SUPPLIER: Supplier = "demo-cedar";
/** The supplier whose logs give times in ISO 8601 with an offset (the others use London local time). */
const ISO_SUPPLIER: Supplier = "demo-beacon";

interface Row {
  start: number;
  end: number;
  status: IntervalStatus;
  category: IntervalCategory;
  reason: string | null;
}

/** A closure on one day, in London minutes of the day (end may run past 18:30 up to the evening close). */
interface DayClosure {
  from: number;
  to: number;
  category: IntervalCategory;
  reason: string | null;
}

/** The demo's planned pause for DEM002: one lunchtime closure day, approved, so its closed minutes are excepted. */
export const DEMO_PLANNED_PAUSE = { practice: "DEM002", date: "2026-09-16", from: "12:30", to: "14:30" } as const;
/** The practice on the outage supplier whose after-the-fact outage pause was approved. */
export const DEMO_OUTAGE_PAUSE_PRACTICE = "DEM006";
/** The daily-cap practice whose pause was declined. */
export const DEMO_DECLINED_PAUSE_PRACTICE = "DEM005";

const hm = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));

function seedOf(code: string): number {
  let h = 2166136261;
  for (const ch of `availability:${code}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

function overlaps(list: DayClosure[], c: DayClosure): boolean {
  return list.some((x) => c.from < x.to && c.to > x.from);
}

/** The behaviour's closures on one core day (minutes of the London day), consuming the random stream in a fixed order. */
function behaviourClosures(behaviour: DemoBehaviour, date: string, random: Random, openTo: number): DayClosure[] {
  const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
  switch (behaviour) {
    case "compliant":
    case "gaps": {
      // A rare, short reconnect, well below any sensible policy threshold.
      if (!random.chance(0.02)) return [];
      const from = random.int(8 * 60, 18 * 60);
      return [{ from, to: from + random.int(1, 2), category: "all", reason: "Reconnecting" }];
    }
    case "lunchtime":
      return [{ from: 13 * 60, to: 14 * 60, category: "all", reason: random.chance(0.85) ? "Lunchtime closure" : null }];
    case "daily-cap": {
      const capped = dow === 1 ? random.chance(0.8) : random.chance(0.2);
      const from = dow === 1 ? random.int(10 * 60 + 30, 11 * 60 + 30) : random.int(12 * 60, 13 * 60);
      const reason = random.chance(0.9) ? "Daily capacity reached" : null;
      return capped ? [{ from, to: openTo, category: "all", reason }] : [];
    }
    case "clinical-afternoons":
      return [{ from: 15 * 60, to: 18 * 60 + 30, category: "clinical", reason: "Clinical triage capacity" }];
    case "occasional": {
      if (!random.chance(1 / 15)) return [];
      const length = random.int(20, 90);
      const from = random.int(8 * 60 + 15, 18 * 60 + 30 - length);
      return [{ from, to: from + length, category: "all", reason: random.pick(["Staff sickness", "IT problem", null]) }];
    }
    case "switched-off":
      return [];
  }
}

/** One practice's log over the demo period, as a full log (open and closed rows). */
function practiceLog(code: string, calendar: CoreHoursCalendar): Row[] {
  const random = createRandom(seedOf(code));
  const behaviour = behaviourOf(code);
  const supplier = ocSupplierOf(code);
  const rows: Row[] = [];
  for (const date of calendar.coreDays(DEMO_PERIOD.from, DEMO_PERIOD.to)) {
    // Drawn every day whatever happens, so one day's story does not shift the next day's.
    const openFrom = random.int(7 * 60 + 30, 7 * 60 + 59);
    const openTo = random.int(18 * 60 + 45, 20 * 60);
    const splits = random.chance(0.25) ? [random.int(9 * 60, 17 * 60)] : [];
    if (random.chance(0.1)) splits.push(random.int(9 * 60, 17 * 60));
    const closures: DayClosure[] = [];
    if (supplier === DEMO_OUTAGE.supplier && date === DEMO_OUTAGE.date) {
      closures.push({ from: hm(DEMO_OUTAGE.from), to: hm(DEMO_OUTAGE.to), category: "all", reason: DEMO_OUTAGE.reason });
    }
    for (const c of behaviourClosures(behaviour, date, random, openTo)) if (!overlaps(closures, c)) closures.push(c);

    if (behaviour === "gaps" && (DEMO_GAP_MONTHS as readonly string[]).includes(date.slice(0, 7))) continue;
    if (behaviour === "switched-off" && date >= DEMO_SWITCH_OFF.from && date <= DEMO_SWITCH_OFF.to) {
      if (date === DEMO_SWITCH_OFF.from) {
        // One long closure from that morning to the evening of the last day, across nights and weekends.
        const lastDay = calendar.coreDays(DEMO_SWITCH_OFF.from, DEMO_SWITCH_OFF.to).at(-1)!;
        rows.push({ start: localMinute(date, openFrom), end: localMinute(lastDay, openTo), status: "closed", category: "all", reason: DEMO_SWITCH_OFF.reason });
      }
      continue;
    }

    closures.sort((a, b) => a.from - b.from);
    for (const c of closures) {
      const to = Math.min(c.to, openTo);
      rows.push({ start: localMinute(date, c.from), end: localMinute(date, to), status: "closed", category: c.category, reason: c.reason });
      // A closure of one kind leaves the other kind open.
      if (c.category !== "all") {
        rows.push({ start: localMinute(date, c.from), end: localMinute(date, to), status: "open", category: c.category === "clinical" ? "admin" : "clinical", reason: null });
      }
    }
    // Open throughout the rest of the day, in one or a few intervals.
    const cuts = [...new Set([openFrom, openTo, ...splits, ...closures.flatMap((c) => [c.from, Math.min(c.to, openTo)])])].sort((a, b) => a - b);
    for (let k = 0; k + 1 < cuts.length; k++) {
      const a = cuts[k]!;
      const b = cuts[k + 1]!;
      if (closures.some((c) => a >= c.from && a < c.to)) continue;
      rows.push({ start: localMinute(date, a), end: localMinute(date, b), status: "open", category: "all", reason: null });
    }
  }
  return rows.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * The same log as a closures-only suspension log: its closed rows, plus the tool being closed every night and
 * weekend (from each evening's close to the next morning's open), for the covered dates.
 */
function closuresOnly(full: Row[]): Row[] {
  const closed = full.filter((r) => r.status === "closed");
  const opens = full.filter((r) => r.status === "open" && r.category === "all");
  // The tool's open stretches: runs of touching open-or-closed rows form a day; between days it was closed.
  const spans: { start: number; end: number }[] = [];
  for (const r of [...opens, ...closed].sort((a, b) => a.start - b.start)) {
    const last = spans.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else spans.push({ start: r.start, end: r.end });
  }
  const out = [...closed];
  const periodStart = localMinute(DEMO_PERIOD.from, 0);
  const periodEnd = localMinute(addDays(DEMO_PERIOD.to, 1), 0);
  let previousEnd = periodStart;
  for (const s of spans) {
    if (s.start > previousEnd) out.push({ start: previousEnd, end: s.start, status: "closed", category: "all", reason: "Outside opening hours" });
    previousEnd = s.end;
  }
  if (previousEnd < periodEnd) out.push({ start: previousEnd, end: periodEnd, status: "closed", category: "all", reason: "Outside opening hours" });
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** The London months of the demo period, with the dates each month's log covers. */
function periodMonths(): { month: string; from: string; to: string }[] {
  const out: { month: string; from: string; to: string }[] = [];
  for (const date of datesBetween(DEMO_PERIOD.from, DEMO_PERIOD.to)) {
    const month = date.slice(0, 7);
    const last = out.at(-1);
    if (last && last.month === month) last.to = date;
    else out.push({ month, from: date, to: date });
  }
  return out;
}

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * London's wall clock at an epoch minute: the cached noon offset of the day, except on Sundays, when the clocks
 * may change (at 01:00 UTC), so the offset is looked up for the instant itself.
 */
function londonClock(minute: number): { date: string; hhmm: string; offset: number } {
  const date = londonDate(minute);
  const offset = weekday(date) === 0 ? DateTime.fromMillis(minute * 60_000, { zone: ZONE }).offset : londonOffset(date);
  const m = (((minute + offset) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  return { date, hhmm: `${pad(Math.floor(m / 60))}:${pad(m % 60)}`, offset };
}

/** `2026-03-30 08:00`, London local time. */
function localTime(minute: number): string {
  const { date, hhmm } = londonClock(minute);
  return `${date} ${hhmm}`;
}

/** `2026-03-30T08:00:00+01:00`: ISO 8601 with London's offset at that instant. */
function isoTime(minute: number): string {
  const { date, hhmm, offset } = londonClock(minute);
  return `${date}T${hhmm}:00+${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
}

function csvLine(code: string, row: Row, supplier: Supplier): string {
  const time = supplier === ISO_SUPPLIER ? isoTime : localTime;
  return [code, time(row.start), time(row.end), row.status, row.category, row.reason ?? "", supplier].map(csvField).join(",");
}

async function userActor(db: Kysely<Database>, email: string): Promise<Actor> {
  const user = await db.selectFrom("users").select(["id", "email"]).where("email", "=", email).executeTakeFirst();
  if (!user) throw new Error(`Demo user ${email} is missing: seed the demo users first`);
  return { userId: user.id, actor: user.email, ip: "cli" };
}

export async function seedDemoAvailability(db: Kysely<Database>, log: (m: string) => void): Promise<void> {
  const began = Date.now();
  const calendar = await loadCalendar(db);
  const practices = demoPractices().filter((p) => p.status === "ACTIVE");
  const months = periodMonths();

  // Each practice's log, by supplier, in practice order.
  const logs = new Map<Supplier, { code: string; rows: Row[]; months: Set<string> }[]>(DEMO_OC_SUPPLIERS.map((s) => [s, []]));
  for (const p of practices) {
    const supplier = ocSupplierOf(p.code);
    const full = practiceLog(p.code, calendar);
    // The months the supplier sent anything for this practice (a "gaps" practice has months without).
    const months = new Set(full.map((r) => londonDate(r.start).slice(0, 7)));
    logs.get(supplier)!.push({ code: p.code, rows: supplier === CLOSURES_ONLY_SUPPLIER ? closuresOnly(full) : full, months });
  }

  const dir = mkdtempSync(join(tmpdir(), "icb-demo-availability-"));
  let files = 0;
  let rowsWritten = 0;
  let importMs = 0;
  try {
    for (const { month, from, to } of months) {
      const monthStart = localMinute(from, 0);
      const monthEnd = localMinute(addDays(to, 1), 0);
      for (const supplier of DEMO_OC_SUPPLIERS) {
        const closuresOnlyLog = supplier === CLOSURES_ONLY_SUPPLIER;
        const lines = ["practice_code,start,end,status,category,reason,source"];
        for (const { code, rows, months: sent } of logs.get(supplier)!) {
          if (!sent.has(month)) continue;
          for (const row of rows) {
            if (closuresOnlyLog) {
              // A suspension log speaks for its covered dates only: closures are clipped to the month.
              const start = Math.max(row.start, monthStart);
              const end = Math.min(row.end, monthEnd);
              if (end > start) lines.push(csvLine(code, { ...row, start, end }, supplier));
            } else if (row.start >= monthStart && row.start < monthEnd) {
              // A full log lists the intervals that start in its month (the switch-off runs on into July).
              lines.push(csvLine(code, row, supplier));
            }
          }
        }
        const file = join(dir, `availability-${supplier}-${month}.csv`);
        writeFileSync(file, lines.join("\n") + "\n");
        const options: AvailabilityOptions = closuresOnlyLog ? { covers: { from, to } } : {};
        const importBegan = Date.now();
        await importFile(db, availabilityImporter, file, { actor: "demo-seed", ip: "cli", options });
        importMs += Date.now() - importBegan;
        files++;
        rowsWritten += lines.length - 1;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log(`Demo: availability for ${practices.length} practices, ${months.length} months (${files} supplier logs, ${rowsWritten} rows) in ${((Date.now() - began) / 1000).toFixed(1)} s, ${(importMs / 1000).toFixed(1)} s of it importing`);

  const pausesBegan = Date.now();
  const commissioner = await userActor(db, "commissioner@demo.example");
  const commissioner2 = await userActor(db, "commissioner2@demo.example");
  const manager1 = await userActor(db, "manager.dem001@demo.example");
  const manager2 = await userActor(db, "manager.dem002@demo.example");

  // When each step happened (the audit log itself records the seed's real time).
  const on = (actor: Actor, date: string, time: string): Actor => ({ ...actor, at: new Date(localMinute(date, hm(time)) * 60_000).toISOString() });

  // Planned, ahead of time: DEM002's lunchtime closure on a staff training day, approved.
  const p = DEMO_PLANNED_PAUSE;
  const planned = await requestPause(
    db,
    { practiceCode: p.practice, category: "all", start: localMinute(p.date, hm(p.from)), end: localMinute(p.date, hm(p.to)), reason: "Whole-team training session over lunch (protected learning time)", kind: "planned" },
    on(manager2, addDays(p.date, -14), "10:12"),
  );
  await approvePause(db, planned, "Agreed: protected learning time, notified in advance and shown on the practice website.", on(commissioner, addDays(p.date, -13), "09:40"));

  // After the fact: the supplier's outage, recorded by a commissioner for the practice and approved by the other.
  const outage = await requestPause(
    db,
    {
      practiceCode: DEMO_OUTAGE_PAUSE_PRACTICE,
      category: "all",
      start: localMinute(DEMO_OUTAGE.date, hm(DEMO_OUTAGE.from)),
      end: localMinute(DEMO_OUTAGE.date, hm(DEMO_OUTAGE.to)),
      reason: `${DEMO_OUTAGE.reason}: ${DEMO_OUTAGE.supplier} confirmed the incident; reported by the practice by email the same day`,
      kind: "outage",
    },
    on(commissioner2, DEMO_OUTAGE.date, "15:05"),
  );
  await approvePause(db, outage, "Supplier-wide outage outside the practice's control; confirmed by the supplier's incident report.", on(commissioner, addDays(DEMO_OUTAGE.date, 1), "09:30"));

  // A daily cap is not an exceptional circumstance: declined, with a pointer to support.
  const declined = await requestPause(
    db,
    {
      practiceCode: DEMO_DECLINED_PAUSE_PRACTICE,
      category: "all",
      start: localMinute("2026-10-05", 11 * 60),
      end: localMinute("2026-10-05", 18 * 60 + 30),
      reason: "Demand exceeds our capacity",
      kind: "planned",
    },
    on(commissioner2, "2026-10-01", "16:20"),
  );
  await declinePause(
    db,
    declined,
    "Not an exceptional circumstance: the tool must stay open throughout core hours. Please contact the primary care team about demand and capacity support (triage and workforce support are available).",
    on(commissioner, "2026-10-02", "11:05"),
  );

  // Pending: DEM001 asks ahead of a move to new premises.
  await requestPause(
    db,
    { practiceCode: "DEM001", category: "all", start: localMinute("2026-12-02", 13 * 60), end: localMinute("2026-12-02", 17 * 60), reason: "Relocation to new premises: clinical systems offline during the move", kind: "planned" },
    on(manager1, "2026-11-18", "14:30"),
  );

  // Withdrawn: DEM001 asked, then found cover.
  const withdrawn = await requestPause(
    db,
    { practiceCode: "DEM001", category: "clinical", start: localMinute("2026-03-11", 14 * 60), end: localMinute("2026-03-11", 18 * 60 + 30), reason: "Staff sickness: no clinician to triage this afternoon", kind: "planned" },
    on(manager1, "2026-03-11", "08:20"),
  );
  await withdrawPause(db, withdrawn, on(manager1, "2026-03-11", "10:45"));
  log(`Demo: 5 pause requests (approved, approved outage, declined, pending, withdrawn) in ${((Date.now() - pausesBegan) / 1000).toFixed(1)} s`);
}
