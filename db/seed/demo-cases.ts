import type { Kysely } from "kysely";
import { addSupportPlanItems, openCase, recordInformalContact, recordProgress, suggestSupportForCase, type CaseActor } from "../../app/services/cases.server";
import { approveNotice, draftNotice, issueNotice } from "../../app/services/notices.server";
import type { Database } from "../schema";
import { DEMO_SWITCH_OFF, behaviourOf } from "./demo-behaviours";

/**
 * The demo's cases in NHS Demo Shire ICB (DEMO1), built through the real services (so each step has its record
 * entry, frozen evidence and audit entry) at fixed times, after the availability they are about:
 *
 * | practice | behaviour    | the case                                                                                    |
 * |----------|--------------|---------------------------------------------------------------------------------------------|
 * | DEM005   | daily-cap    | capacity pressure: informal call, support offered (the suggested actions), ICB progress     |
 * | DEM066   | switched-off | tool off for five weeks with ordinary demand: support, then a remedial notice, issued       |
 * | DEM002   | lunchtime    | closed every lunchtime: support not taken up; a remedial notice drafted by Alex Morgan,     |
 * |          |              | awaiting a second commissioner's approval (commissioner2@demo.example)                      |
 */
export const DEMO_CASES = {
  capacity: { practice: "DEM005", from: "2026-09-28", to: "2026-10-23" },
  switchedOff: { practice: "DEM066", from: DEMO_SWITCH_OFF.from, to: DEMO_SWITCH_OFF.to, issueDate: "2026-07-15" },
  awaitingApproval: { practice: "DEM002", from: "2026-10-05", to: "2026-10-30" },
} as const;

const at = (date: string, hhmm = "10:00") => `${date}T${hhmm}:00.000Z`;

export async function seedDemoCases(db: Kysely<Database>, log: (m: string) => void = () => {}): Promise<void> {
  const began = Date.now();
  for (const c of Object.values(DEMO_CASES)) {
    if (behaviourOf(c.practice) === "compliant") throw new Error(`Demo case for ${c.practice}, which is compliant`);
  }
  const ids = new Map<string, number>();
  for (const email of ["commissioner@demo.example", "commissioner2@demo.example", "manager.dem002@demo.example"]) {
    ids.set(email, (await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id);
  }
  const as = (email: string, date: string, hhmm?: string): CaseActor => ({ user: { id: ids.get(email)! }, ip: "cli", at: at(date, hhmm) });
  const alex = "commissioner@demo.example";
  const chris = "commissioner2@demo.example";
  /** The first `n` support actions suggested for the case (from its can't/won't classification and closure reasons). */
  const suggested = async (caseId: number, n: number) => (await suggestSupportForCase(db, as(alex, "2026-11-20"), caseId)).suggestions.slice(0, n).map((s) => s.action.id);

  // DEM005: capacity pressure. Support first, and nothing more yet.
  {
    const c = DEMO_CASES.capacity;
    const id = await openCase(db, as(chris, "2026-10-27"), {
      practiceCode: c.practice,
      from: c.from,
      to: c.to,
      summary: "The online consultation tool was switched off most Monday mornings once a daily cap was reached. Demand is well above the practice's capacity.",
      ownerId: ids.get(chris),
      nextReviewDate: "2026-12-15",
    });
    await recordInformalContact(db, as(chris, "2026-10-29"), id, {
      date: "2026-10-29",
      kind: "call",
      attendees: "Practice manager and GP partner (DEM005); Chris Patel (ICB)",
      notes: "The practice caps online requests when the duty doctor's list is full. It wants help with Monday demand rather than a notice.",
    });
    const items = await addSupportPlanItems(
      db,
      as(chris, "2026-11-03"),
      id,
      (await suggested(id, 3)).map((actionId) => ({ actionId, dueDate: "2026-12-01", reviewDate: "2026-12-15" })),
    );
    await recordProgress(db, as(chris, "2026-11-12"), items[0]!, { status: "in_progress", note: "First session held with the practice; Monday rota under review." });
  }

  // DEM066: switched off for five weeks without evident pressure. Support offered, then a remedial notice, issued.
  {
    const c = DEMO_CASES.switchedOff;
    const id = await openCase(db, as(alex, "2026-07-06"), {
      practiceCode: c.practice,
      from: c.from,
      to: c.to,
      summary: "The online consultation tool was switched off throughout core hours for five weeks, with demand at ordinary levels and no pause agreed.",
      nextReviewDate: "2026-08-12",
    });
    await recordInformalContact(db, as(alex, "2026-07-08"), id, {
      date: "2026-07-08",
      kind: "meeting",
      attendees: "Practice manager (DEM066); Alex Morgan and Chris Patel (ICB)",
      notes: "The practice switched the tool off during staff leave and did not ask for a pause. It has switched it back on.",
    });
    await addSupportPlanItems(
      db,
      as(alex, "2026-07-09"),
      id,
      (await suggested(id, 2)).map((actionId) => ({ actionId, dueDate: "2026-07-31", reviewDate: "2026-08-12" })),
    );
    const notice = await draftNotice(db, as(alex, "2026-07-13"), id, { type: "remedial" });
    await approveNotice(db, as(chris, "2026-07-14"), notice);
    await issueNotice(db, as(alex, c.issueDate), notice, { issueDate: c.issueDate });
  }

  // DEM002: closed every lunchtime. Support offered and not taken up; a remedial notice drafted, awaiting approval.
  {
    const c = DEMO_CASES.awaitingApproval;
    const id = await openCase(db, as(alex, "2026-11-02"), {
      practiceCode: c.practice,
      from: c.from,
      to: c.to,
      summary: "The online consultation tool is switched off from 13:00 to 14:00 on every core day.",
      nextReviewDate: "2026-12-01",
    });
    await recordInformalContact(db, as(alex, "2026-11-04"), id, {
      date: "2026-11-04",
      kind: "meeting",
      attendees: "Priya Shah (practice manager, DEM002); Alex Morgan (ICB)",
      notes: "The practice closes the tool while reception staff take lunch. Options to cover the hour were discussed.",
    });
    const items = await addSupportPlanItems(
      db,
      as(alex, "2026-11-06"),
      id,
      (await suggested(id, 2)).map((actionId) => ({ actionId, dueDate: "2026-11-13", reviewDate: "2026-11-18" })),
    );
    await recordProgress(db, as("manager.dem002@demo.example", "2026-11-13"), items[0]!, {
      status: "not_done",
      note: "We cannot cover the lunch hour without extra reception staff.",
    });
    await draftNotice(db, as(alex, "2026-11-18"), id, { type: "remedial" });
  }
  log(`Demo: ${Object.keys(DEMO_CASES).length} cases in DEMO1 (one at support offered, one with an issued remedial notice, one draft awaiting approval) in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}
