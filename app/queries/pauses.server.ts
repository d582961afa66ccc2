import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database, IntervalCategory, PauseKind, PauseStatus } from "../../db/schema";
import { londonDate } from "~/domain/calendar";
import { loadCalendar } from "~/services/compliance.server";

/** One pause request as the pages show it (both sides see the same fields). */
export interface PauseRow {
  id: number;
  practice_code: string;
  practice_name: string | null;
  category: IntervalCategory;
  start_min: number;
  end_min: number;
  kind: PauseKind;
  reason: string;
  status: PauseStatus;
  requested_by_name: string | null;
  requested_at: string;
  decided_by_name: string | null;
  decided_at: string | null;
  decision_note: string | null;
}

function pauseQuery(db: Kysely<Database>) {
  return db
    .selectFrom("pause_requests")
    .innerJoin("practices", "practices.ods_code", "pause_requests.practice_code")
    .leftJoin("users as requester", "requester.id", "pause_requests.requested_by")
    .leftJoin("users as decider", "decider.id", "pause_requests.decided_by")
    .select([
      "pause_requests.id",
      "pause_requests.practice_code",
      "practices.name as practice_name",
      "pause_requests.category",
      "pause_requests.start_min",
      "pause_requests.end_min",
      "pause_requests.kind",
      "pause_requests.reason",
      "pause_requests.status",
      "requester.name as requested_by_name",
      "pause_requests.requested_at",
      "decider.name as decided_by_name",
      "pause_requests.decided_at",
      "pause_requests.decision_note",
    ])
    .select((eb) => eb.case().when("pause_requests.status", "=", "pending").then(0).else(1).end().as("pending_last"));
}

const strip = ({ pending_last: _p, ...row }: PauseRow & { pending_last: unknown }): PauseRow => row;

/** A practice's pause requests: pending ones first, then the latest first. */
export async function practicePauses(db: Kysely<Database>, practiceCode: string): Promise<PauseRow[]> {
  const rows = await pauseQuery(db)
    .where("pause_requests.practice_code", "=", practiceCode)
    .orderBy("pending_last")
    .orderBy("pause_requests.start_min", "desc")
    .orderBy("pause_requests.id", "desc")
    .execute();
  return rows.map(strip);
}

/** Every pause request from the ICB's practices (optionally of one status): pending first, then the latest first. */
export async function icbPauses(db: Kysely<Database>, icbCode: string, status: PauseStatus | null): Promise<PauseRow[]> {
  let query = pauseQuery(db).where("practices.icb_code", "=", icbCode);
  if (status) query = query.where("pause_requests.status", "=", status);
  const rows = await query.orderBy("pending_last").orderBy("pause_requests.start_min", "desc").orderBy("pause_requests.id", "desc").execute();
  return rows.map(strip);
}

export interface PauseEffect {
  /** Closed minutes inside the window that this pause turns into excepted minutes. */
  excepted: number;
  /** Closed minutes inside the window that still count as closed. */
  closed: number;
  /** Core days the window touches, and how many of them have any availability data. */
  coreDays: number;
  daysWithData: number;
}

const PauseIds = z.array(z.number());

/** What a pause does to the practice's stored compliance now (after any recompute). */
export async function pauseEffect(db: Kysely<Database>, pause: { id: number; practice_code: string; start_min: number; end_min: number }): Promise<PauseEffect> {
  const from = londonDate(pause.start_min);
  const to = londonDate(pause.end_min - 1);
  const calendar = await loadCalendar(db);
  const core = calendar.coreDaysTouched(pause.start_min, pause.end_min);
  const [episodes, days] = await Promise.all([
    db
      .selectFrom("closure_episodes")
      .select(["start_min", "end_min", "excepted", "pause_ids"])
      .where("practice_code", "=", pause.practice_code)
      .where("date", ">=", from)
      .where("date", "<=", to)
      .where("start_min", "<", pause.end_min)
      .where("end_min", ">", pause.start_min)
      .execute(),
    core.length === 0
      ? Promise.resolve([])
      : db.selectFrom("compliance_days").select("date").where("practice_code", "=", pause.practice_code).where("date", "in", core).execute(),
  ]);
  let excepted = 0;
  let closed = 0;
  for (const e of episodes) {
    const overlap = Math.min(e.end_min, pause.end_min) - Math.max(e.start_min, pause.start_min);
    if (overlap <= 0) continue;
    if (!e.excepted) closed += overlap;
    else if (PauseIds.parse(JSON.parse(e.pause_ids)).includes(pause.id)) excepted += overlap;
  }
  return { excepted, closed, coreDays: core.length, daysWithData: days.length };
}
