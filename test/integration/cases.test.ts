/**
 * Cases and notices through the services, on crafted availability imported by the real importer (across the end of
 * British Summer Time, with an approved pause): support first, the second approver, the notice period, what the
 * practice may see, the frozen evidence, the audit log, and the DOCX the practice receives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daysBetween } from "~/domain/calendar";
import { DUTY_WORDING, renderNoticeHtml } from "~/domain/notice-document";
import {
  addSupportPlanItems,
  CaseError,
  closeCase,
  getCaseForIcb,
  getCaseForPractice,
  listIcbCases,
  listPracticeCases,
  moveStage,
  openCase,
  recordInformalContact,
  recordLmcConsultation,
  recordPatientSafetyReason,
  recordPracticeResponse,
  recordProgress,
  suggestCases,
  suggestSupportForCase,
  type CaseActor,
} from "~/services/cases.server";
import { complianceRows, loadCalendar } from "~/services/compliance.server";
import {
  approveNotice,
  draftNotice,
  editNotice,
  getNoticeForIcb,
  getNoticeForPractice,
  issueNotice,
  markLapsed,
  markRemedied,
  noticeDocx,
  withdrawNotice,
} from "~/services/notices.server";
import { createUser } from "../../app/utils/users.server";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { approveCraftedPause, CASE_PERIOD, docxText, EXPECTED, isoFromLong, seedCraftedAvailability } from "../support/case-world";
import { seedSmallWorld } from "../support/small-world";

let t: TestDatabase;
const who: Record<string, CaseActor> = {};
const ids: Record<string, number> = {};
let pauseId: number;
const IP = "203.0.113.5";

/** An actor at a given London day (10:00 UTC): the steps of the story happen on the dates it says. */
const on = (name: string, date: string): CaseActor => ({ ...who[name]!, at: `${date}T10:00:00.000Z` });

async function refused(p: Promise<unknown>, kind: CaseError["kind"]): Promise<CaseError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CaseError);
  expect((e as CaseError).kind).toBe(kind);
  return e as CaseError;
}

beforeAll(async () => {
  t = createTestDatabase();
  await seedSmallWorld(t.db);
  await createUser(t.db, { email: "commissioner3@demo.example", name: "Ola Third", role: "icb", icbCode: "DEMO1", password: DEMO_PASSWORD }, { actor: "test", ip: null });
  await t.db.updateTable("practices").set({ contract_type: "GMS", address_line1: "1 NORTHGATE", address_line2: "DEMOTON" }).where("ods_code", "=", "DEM001").execute();
  for (const [name, email] of [
    ["commissioner", "commissioner@demo.example"],
    ["commissioner2", "commissioner2@demo.example"],
    ["commissioner3", "commissioner3@demo.example"],
    ["vale", "commissioner@vale.demo.example"],
    ["managerA", "manager.dem001@demo.example"],
    ["managerB", "manager.dem002@demo.example"],
    ["admin", "admin@demo.example"],
  ] as const) {
    const u = await t.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow();
    ids[name] = u.id;
    who[name] = { user: { id: u.id }, ip: IP };
  }
  // The pause is asked for now and approved only after the case is opened (the evidence must freeze).
  pauseId = await seedCraftedAvailability(t.db, { approvePause: false });
});

afterAll(async () => {
  await t?.dispose();
});

describe("suggesting a case", () => {
  it("lists a practice flagged under the ICB's policy with no open case, and only its ICB's", async () => {
    const s = await suggestCases(t.db, "DEMO1", CASE_PERIOD);
    expect(s.map((x) => x.odsCode)).toEqual(["DEM001"]);
    expect(s[0]).toMatchObject({ flaggedDays: 6, closedMinutes: EXPECTED.closed + EXPECTED.excepted, unknownMinutes: EXPECTED.unknown });
    expect(await suggestCases(t.db, "DEMO2", CASE_PERIOD)).toEqual([]);
  });
});

let caseId: number;
let noticeId: number;

describe("a case, support first", () => {
  it("is opened only by a commissioner of the practice's ICB", async () => {
    const input = { practiceCode: "DEM001", from: CASE_PERIOD.from, to: CASE_PERIOD.to, summary: "Tool closed on six days in three weeks." };
    await refused(openCase(t.db, on("vale", "2026-11-09"), input), "not_found");
    await refused(openCase(t.db, on("managerB", "2026-11-09"), input), "not_found");
    await refused(openCase(t.db, on("managerA", "2026-11-09"), input), "forbidden");
    await refused(openCase(t.db, on("admin", "2026-11-09"), input), "forbidden");
    await refused(openCase(t.db, on("commissioner", "2026-11-09"), { ...input, to: "2026-11-10" }), "invalid");
    await refused(openCase(t.db, on("commissioner", "2026-11-09"), { ...input, ownerId: ids.vale }), "invalid");
    caseId = await openCase(t.db, on("commissioner", "2026-11-09"), input);
    const c = await getCaseForIcb(t.db, who.commissioner!, caseId);
    expect(c.case).toMatchObject({ stage: "concern_noted", owner_id: ids.commissioner, practice_code: "DEM001", period_from: "2026-10-19" });
    expect(await suggestCases(t.db, "DEMO1", CASE_PERIOD)).toEqual([]);
    await refused(openCase(t.db, on("commissioner2", "2026-11-09"), input), "invalid");
  });

  it("refuses a notice before an informal contact and support", async () => {
    const e = await refused(draftNotice(t.db, on("commissioner", "2026-11-09"), caseId, { type: "remedial" }), "invalid");
    expect(e.problems).toEqual([
      "Record an informal contact (a call or meeting) before a remedial notice, or record a patient-safety reason",
      "Offer support (a support plan) before a remedial notice, or record a patient-safety reason",
    ]);
    await refused(moveStage(t.db, on("commissioner", "2026-11-09"), caseId, { to: "remedial_notice", reason: "Closures" }), "invalid");
    expect((await getCaseForIcb(t.db, who.commissioner!, caseId)).case.stage).toBe("concern_noted");
  });

  it("freezes the evidence as it stood: approving the pause later changes new snapshots, not old ones", async () => {
    await approveCraftedPause(t.db, pauseId);
    await recordInformalContact(t.db, on("commissioner", "2026-11-10"), caseId, {
      date: "2026-11-10",
      kind: "call",
      attendees: "Sam Taylor (practice manager); Alex Morgan (ICB)",
      notes: "Closures are at busy times; the practice will look at its triage.",
    });
    const events = await t.db.selectFrom("case_events").select(["kind", "evidence", "to_stage"]).where("case_id", "=", caseId).orderBy("id").execute();
    expect(events.map((e) => [e.kind, e.to_stage])).toEqual([
      ["opened", "concern_noted"],
      ["informal_contact", null],
      ["moved", "informal_contact"],
    ]);
    const opened = JSON.parse(events[0]!.evidence!);
    const contact = JSON.parse(events[1]!.evidence!);
    expect(opened.totals).toMatchObject({ closed: EXPECTED.closed + EXPECTED.excepted, excepted: 0, unknown: EXPECTED.unknown });
    expect(contact.totals).toMatchObject({ closed: EXPECTED.closed, excepted: EXPECTED.excepted, unknown: EXPECTED.unknown });
    expect(contact.coverage).toEqual({ coreDays: EXPECTED.coreDays, daysWithData: EXPECTED.daysWithData, minutesWithNoData: EXPECTED.unknown });
    expect(Object.fromEntries(contact.days.filter((d: { closed: number }) => d.closed > 0).map((d: { date: string; closed: number }) => [d.date, d.closed]))).toEqual(EXPECTED.closedByDay);
    expect(contact.pauses).toEqual([expect.objectContaining({ id: pauseId, from: "2026-10-28 12:30", to: "2026-10-28 13:30" })]);
    // The record is append-only, like the audit log.
    expect(() => t.sqlite.prepare("update case_events set text = 'changed' where case_id = ?").run(caseId)).toThrow(/append-only/);
    expect(() => t.sqlite.prepare("delete from case_events where case_id = ?").run(caseId)).toThrow(/append-only/);
  });

  it("still refuses a notice until support is offered, then allows it", async () => {
    await refused(draftNotice(t.db, on("commissioner", "2026-11-11"), caseId, { type: "remedial" }), "invalid");
    const suggestions = await suggestSupportForCase(t.db, who.commissioner!, caseId);
    expect(suggestions.suggestions.map((s) => s.action.id)).toContain("oc_configuration_review");
    await refused(addSupportPlanItems(t.db, on("managerA", "2026-11-11"), caseId, [{ actionId: "triage_model_review" }]), "forbidden");
    await refused(addSupportPlanItems(t.db, on("commissioner", "2026-11-11"), caseId, [{ actionId: "made_up" }]), "invalid");
    const [item] = await addSupportPlanItems(t.db, on("commissioner", "2026-11-11"), caseId, [
      { actionId: "triage_model_review", dueDate: "2026-11-25", reviewDate: "2026-11-27" },
      { actionId: "other", title: "Weekly check-in call", owner: "Alex Morgan", dueDate: "2026-11-30" },
    ]);
    ids.item = item!;
    const c = await getCaseForIcb(t.db, who.commissioner!, caseId);
    expect(c.case.stage).toBe("support_offered");
    expect(c.supportItems.map((i) => [i.action_id, i.title, i.owner, i.status])).toEqual([
      ["triage_model_review", "Triage model review", "Practice clinical lead, with the ICB clinical lead", "planned"],
      ["other", "Weekly check-in call", "Alex Morgan", "planned"],
    ]);
    expect(c.nextStages).toEqual(["remedial_notice", "breach_notice", "closed"]);
  });

  it("lets the practice record progress on its plan, and no other practice", async () => {
    await refused(recordProgress(t.db, on("managerB", "2026-11-12"), ids.item!, { status: "in_progress", note: "Started" }), "not_found");
    await recordProgress(t.db, on("managerA", "2026-11-12"), ids.item!, { status: "in_progress", note: "Triage rota redrafted; trial from Monday." });
    const p = await t.db.selectFrom("support_progress").selectAll().where("item_id", "=", ids.item!).execute();
    expect(p).toMatchObject([{ side: "practice", status: "in_progress", by_user: ids.managerA }]);
  });
});

describe("a remedial notice", () => {
  it("keeps the 28-day rule when drafting: 27 days refused without a reason", async () => {
    const e = await refused(draftNotice(t.db, on("commissioner", "2026-11-16"), caseId, { type: "remedial", periodDays: 27 }), "invalid");
    expect(e.problems[0]).toMatch(/at least 28 days from the date of issue/);
    await refused(draftNotice(t.db, on("commissioner", "2026-11-16"), caseId, { type: "breach", periodDays: 28 }), "invalid");
    noticeId = await draftNotice(t.db, on("commissioner", "2026-11-16"), caseId, { type: "remedial" });
    await refused(draftNotice(t.db, on("commissioner", "2026-11-16"), caseId, { type: "breach" }), "invalid");
    const n = await getNoticeForIcb(t.db, who.commissioner!, noticeId);
    expect(n.notice).toMatchObject({ status: "draft", remedy_period_days: 28, current_version: 1, author_id: ids.commissioner });
    expect(n.document.evidence.totals.closed).toBe(EXPECTED.closed);
    expect(n.can).toMatchObject({ edit: true, approve: false, issue: false, withdraw: true });
  });

  it("is edited as new versions, in the contract's terms only", async () => {
    const e = await refused(editNotice(t.db, on("commissioner", "2026-11-17"), noticeId, { text: { covering: "Please treat this as a warning notice." } }), "invalid");
    expect(e.problems[0]).toMatch(/use the contract's terms/);
    const v = await editNotice(t.db, on("commissioner", "2026-11-17"), noticeId, {
      text: { stepsRequired: "1. Keep the online consultation tool open throughout core hours.\n2. Tell us in writing what you changed." },
      note: "Shorter steps",
    });
    expect(v).toBe(2);
    const n = await getNoticeForIcb(t.db, who.commissioner2!, noticeId);
    expect(n.versions.map((x) => [x.version, x.note])).toEqual([
      [1, "drafted"],
      [2, "edited"],
    ]);
    expect(n.document.text.stepsRequired).toMatch(/^1\. Keep the online consultation tool open/);
    expect(n.can.approve).toBe(true);
  });

  it("is approved by a second commissioner of the practice's ICB: never the author, another ICB, the practice or an admin", async () => {
    const author = await refused(approveNotice(t.db, on("commissioner", "2026-11-20"), noticeId), "forbidden");
    expect(author.message).toBe("A draft must be approved by a second commissioner, not its author");
    await refused(approveNotice(t.db, on("vale", "2026-11-20"), noticeId), "not_found");
    await refused(approveNotice(t.db, on("managerA", "2026-11-20"), noticeId), "not_found");
    await refused(approveNotice(t.db, on("managerB", "2026-11-20"), noticeId), "not_found");
    await refused(approveNotice(t.db, on("admin", "2026-11-20"), noticeId), "forbidden");
    await refused(issueNotice(t.db, on("commissioner", "2026-11-20"), noticeId, { issueDate: "2026-12-01" }), "invalid");
    expect((await getNoticeForIcb(t.db, who.commissioner!, noticeId)).notice.status).toBe("draft");
    await approveNotice(t.db, on("commissioner2", "2026-11-20"), noticeId);
    const n = await getNoticeForIcb(t.db, who.commissioner!, noticeId);
    expect(n.notice).toMatchObject({ status: "approved", approver_id: ids.commissioner2 });
    await refused(editNotice(t.db, on("commissioner", "2026-11-21"), noticeId, { text: { closing: "x" } }), "invalid");
  });

  it("is never shown to the practice before it is issued", async () => {
    const view = await getCaseForPractice(t.db, who.managerA!, caseId);
    expect(view.notices).toEqual([]);
    expect(view.events.map((e) => e.kind)).not.toEqual(expect.arrayContaining(["notice_drafted"]));
    expect(view.events.some((e) => e.kind.startsWith("notice_"))).toBe(false);
    expect(view.stage).toBe("support_offered");
    expect((await listPracticeCases(t.db, who.managerA!, "DEM001"))[0]).toMatchObject({ id: caseId, latestNotice: null });
    await refused(getNoticeForPractice(t.db, who.managerA!, noticeId), "not_found");
    await refused(noticeDocx(t.db, who.managerA!, noticeId, { forPractice: true }), "not_found");
    await refused(noticeDocx(t.db, who.managerA!, noticeId, { forPractice: false }), "not_found");
    await refused(getNoticeForIcb(t.db, who.managerA!, noticeId), "not_found");
    await refused(getCaseForIcb(t.db, who.managerA!, caseId), "forbidden");
    await refused(getCaseForPractice(t.db, who.managerB!, caseId), "not_found");
    await refused(getCaseForIcb(t.db, who.vale!, caseId), "not_found");
    // The ICB sees the draft steps.
    const icb = await getCaseForIcb(t.db, who.admin!, caseId);
    expect(icb.notices.map((n) => n.status)).toEqual(["approved"]);
    expect(icb.nextStages).toEqual([]);
  });

  it("is issued with a remedy-by date 28 days after the date of issue, and moves the case", async () => {
    await refused(issueNotice(t.db, on("commissioner", "2026-12-01"), noticeId, { issueDate: "2026-11-19" }), "invalid");
    await refused(issueNotice(t.db, on("commissioner", "2026-12-01"), noticeId, { issueDate: "2026-02-30" }), "invalid");
    const remedyBy = await issueNotice(t.db, on("commissioner", "2026-12-01"), noticeId, { issueDate: "2026-12-01" });
    expect(remedyBy).toBe("2026-12-29");
    const n = await getNoticeForIcb(t.db, who.commissioner!, noticeId);
    expect(n.notice).toMatchObject({ status: "issued", issue_date: "2026-12-01", remedy_by: "2026-12-29", issued_version: 3, current_version: 3 });
    expect(n.document.issued).toBe(true);
    const c = await getCaseForIcb(t.db, who.commissioner!, caseId);
    expect(c.case.stage).toBe("remedial_notice");
    expect(c.events.slice(-2).map((e) => [e.kind, e.to_stage])).toEqual([
      ["notice_issued", null],
      ["moved", "remedial_notice"],
    ]);
    await refused(withdrawNotice(t.db, on("commissioner", "2026-12-02"), noticeId, "Changed our mind"), "invalid");
  });

  it("is then seen by the practice, as issued, and acknowledged by it", async () => {
    const view = await getCaseForPractice(t.db, who.managerA!, caseId);
    expect(view.stage).toBe("remedial_notice");
    expect(view.notices).toMatchObject([{ id: noticeId, status: "issued", remedyBy: "2026-12-29", currentVersion: 3, authorName: null }]);
    const n = await getNoticeForPractice(t.db, who.managerA!, noticeId);
    expect(n.version).toBe(3);
    expect(n.document.issueDate).toBe("2026-12-01");
    expect(n.can.acknowledge).toBe(true);
    await refused(recordPracticeResponse(t.db, on("commissioner", "2026-12-02"), caseId, { kind: "acknowledgement", noticeId, text: "" }), "forbidden");
    await refused(getNoticeForIcb(t.db, who.managerA!, noticeId), "forbidden");
    await recordPracticeResponse(t.db, on("managerA", "2026-12-02"), caseId, { kind: "acknowledgement", noticeId, text: "" });
    await refused(recordPracticeResponse(t.db, on("managerA", "2026-12-02"), caseId, { kind: "acknowledgement", noticeId, text: "" }), "invalid");
    await recordPracticeResponse(t.db, on("managerA", "2026-12-03"), caseId, { kind: "response", noticeId, text: "We have changed our triage rota and will keep the tool open." });
    await recordPracticeResponse(t.db, on("managerA", "2026-12-04"), caseId, { kind: "review_request", text: "Please review: two closures were a supplier fault." });
    const after = await getNoticeForPractice(t.db, who.managerA!, noticeId);
    expect(after.notice.acknowledged_by).toBe(ids.managerA);
    expect(after.can.acknowledge).toBe(false);
    const icb = await getCaseForIcb(t.db, who.commissioner!, caseId);
    expect(icb.responses.map((r) => r.kind)).toEqual(["acknowledgement", "response", "review_request"]);
  });

  it("gives the practice a DOCX naming it, stating the duty, the dates and the compliance engine's closed minutes", async () => {
    const file = await noticeDocx(t.db, who.managerA!, noticeId, { forPractice: true });
    expect(file.fileName).toBe("remedial-notice-DEM001-2026-12-01.docx");
    const text = await docxText(file.bytes);
    expect(text).toContain("NORTHGATE HEALTH CENTRE (practice code DEM001)");
    expect(text).toContain("1 NORTHGATE, DEMOTON, DM1 1AA");
    expect(text).toContain(DUTY_WORDING);
    expect(text).toContain("19 October 2026 to 6 November 2026");
    expect(text).not.toMatch(/warning\s+notice/i);
    const m = /that is by (\d{1,2} [A-Z][a-z]+ \d{4}) \(date of issue: (\d{1,2} [A-Z][a-z]+ \d{4})\)/.exec(text);
    expect(m).not.toBeNull();
    const [remedyBy, issued] = [isoFromLong(m![1]!), isoFromLong(m![2]!)];
    expect(issued).toBe("2026-12-01");
    expect(remedyBy).toBe("2026-12-29");
    expect(daysBetween(issued, remedyBy)).toBeGreaterThanOrEqual(28);

    // The evidence table's total against the compliance CLI's rows for the same practice and period.
    const rows = await complianceRows(t.db, await loadCalendar(t.db), ["DEM001"], CASE_PERIOD.from, CASE_PERIOD.to);
    const cliTotal = rows.reduce((s, r) => s + r.closed_minutes, 0);
    expect(cliTotal).toBe(EXPECTED.closed);
    const lines = text.split("\n");
    const total = lines.indexOf("Total");
    expect(total).toBeGreaterThan(0);
    expect(Number(lines[total + 1]!.replace(/,/g, ""))).toBe(cliTotal);
    expect(text).toContain(`Total closed minutes in core hours: ${cliTotal}.`);
    // Each affected day with its minutes, as the engine counted them across the clock change.
    for (const [date, minutes] of Object.entries(EXPECTED.closedByDay)) {
      const label = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${date}T12:00:00Z`)).replace(",", "");
      const at = lines.indexOf(label);
      expect(at, label).toBeGreaterThan(0);
      expect(lines[at + 1]).toBe(String(minutes));
    }
    // The closure on the Monday after the clocks went back, in London (GMT) time, and the approved pause.
    expect(text).toMatch(/Monday 26 October 2026\n08:00\n08:45\n45\nAll requests\nIT failure\nClosed/);
    expect(text).toMatch(/Friday 23 October 2026\n18:00\n18:30\n30\nAll requests\nnone given\nClosed/);
    expect(text).toContain(`Excepted (approved pause #${pauseId})`);
    expect(text).toContain("Staff training agreed with the ICB");
    expect(text).toContain("Triage model review");
    expect(text).toContain("Closures are at busy times");

    const html = renderNoticeHtml((await getNoticeForPractice(t.db, who.managerA!, noticeId)).document);
    expect(html).toContain(`Total closed minutes in core hours: ${cliTotal}.`);
    expect(html).not.toMatch(/warning\s+notice/i);
  });
});

describe("after the remedy period", () => {
  it("marks the notice lapsed only after its remedy-by date", async () => {
    const e = await refused(markLapsed(t.db, on("commissioner", "2026-12-29"), noticeId), "invalid");
    expect(e.message).toMatch(/runs to 2026-12-29/);
    await refused(markLapsed(t.db, on("managerA", "2026-12-30"), noticeId), "forbidden");
    await markLapsed(t.db, on("commissioner", "2026-12-30"), noticeId, "Closures continued in December");
    await refused(markRemedied(t.db, on("commissioner", "2026-12-30"), noticeId), "invalid");
    expect((await getNoticeForPractice(t.db, who.managerA!, noticeId)).notice.status).toBe("lapsed");
  });

  it("considers termination only with the LMC consulted and the cumulative effect of the earlier notices stated", async () => {
    const e = await refused(moveStage(t.db, on("commissioner", "2027-01-05"), caseId, { to: "termination_considered", reason: "Breach not remedied" }), "invalid");
    expect(e.problems).toEqual([
      "Record the consultation with the Local Medical Committee before considering termination",
      "State the cumulative effect of the case's earlier notices (1 issued)",
    ]);
    await recordLmcConsultation(t.db, on("commissioner", "2027-01-06"), caseId, { date: "2027-01-06", note: "LMC secretary consulted; supports a further conversation first." });
    await moveStage(t.db, on("commissioner", "2027-01-07"), caseId, {
      to: "termination_considered",
      reason: "Breach not remedied",
      cumulativeEffect: "One remedial notice, lapsed; closures continue at the same times.",
    });
    const moved = await t.db
      .selectFrom("case_events")
      .select(["detail"])
      .where("case_id", "=", caseId)
      .where("to_stage", "=", "termination_considered")
      .executeTakeFirstOrThrow();
    const detail = JSON.parse(moved.detail!);
    expect(detail.issuedNoticesInCase).toBe(1);
    expect(detail.earlierNotices).toEqual([{ id: noticeId, caseId, type: "remedial", status: "lapsed", issueDate: "2026-12-01", remedyBy: "2026-12-29" }]);
    expect(detail.cumulativeEffect).toBe("One remedial notice, lapsed; closures continue at the same times.");
  });

  it("closes with an outcome", async () => {
    await refused(closeCase(t.db, on("commissioner", "2027-01-20"), caseId, { outcome: undefined as never, reason: "Done" }), "invalid");
    await closeCase(t.db, on("commissioner", "2027-01-20"), caseId, { outcome: "no_further_action", reason: "Contract conversation concluded" });
    const c = await getCaseForIcb(t.db, who.commissioner!, caseId);
    expect(c.case).toMatchObject({ stage: "closed", outcome: "no_further_action" });
    await refused(recordInformalContact(t.db, on("commissioner", "2027-01-21"), caseId, { date: "2027-01-21", kind: "call", attendees: "x", notes: "y" }), "invalid");
  });

  it("has every step in the audit log, one entry for each entry in the case's record, with who and where from", async () => {
    const events = await t.db.selectFrom("case_events").select(["kind", "user_id"]).where("case_id", "=", caseId).orderBy("id").execute();
    const audit = (await t.db.selectFrom("audit_log").selectAll().where("action", "like", "case.%").orderBy("id").execute())
      .concat(await t.db.selectFrom("audit_log").selectAll().where("action", "like", "notice.%").orderBy("id").execute())
      .filter((a) => JSON.parse(a.detail ?? "{}").caseId === caseId)
      .sort((a, b) => a.id - b.id);
    expect(audit.map((a) => a.action)).toEqual([
      "case.opened",
      "case.informal_contact",
      "case.moved",
      "case.support_offered",
      "case.moved",
      "case.support_progress",
      "notice.drafted",
      "notice.edited",
      "notice.approved",
      "notice.issued",
      "case.moved",
      "case.practice_acknowledgement",
      "case.practice_response",
      "case.practice_review_request",
      "notice.lapsed",
      "case.lmc_consultation",
      "case.moved",
      "case.closed",
    ]);
    expect(events.map((e) => e.kind)).toEqual([
      "opened",
      "informal_contact",
      "moved",
      "support_items_added",
      "moved",
      "support_progress",
      "notice_drafted",
      "notice_edited",
      "notice_approved",
      "notice_issued",
      "moved",
      "acknowledgement",
      "response",
      "review_request",
      "notice_lapsed",
      "lmc_consultation",
      "moved",
      "closed",
    ]);
    expect(audit.map((a) => a.user_id)).toEqual(events.map((e) => e.user_id));
    for (const a of audit) {
      expect(a.ip).toBe(IP);
      expect(a.actor).toMatch(/@demo\.example$/);
    }
    // Refused steps left nothing behind.
    expect(audit.some((a) => a.user_id === ids.vale || a.user_id === ids.admin || a.user_id === ids.managerB)).toBe(false);
  });
});

describe("a patient-safety case", () => {
  let safetyCase: number;
  let safetyNotice: number;

  it("may go straight to a notice with a patient-safety reason, and a shorter period with it", async () => {
    safetyCase = await openCase(t.db, on("commissioner", "2026-11-09"), { practiceCode: "DEM002", from: CASE_PERIOD.from, to: CASE_PERIOD.to, summary: "Urgent requests left unanswered." });
    await refused(draftNotice(t.db, on("commissioner", "2026-11-09"), safetyCase, { type: "remedial" }), "invalid");
    await recordPatientSafetyReason(t.db, on("commissioner", "2026-11-09"), safetyCase, "Urgent online requests were not seen for two days.");
    // The ICB's own decision to move to a notice stage is not shown to the practice until a notice is issued.
    await moveStage(t.db, on("commissioner", "2026-11-09"), safetyCase, { to: "remedial_notice", reason: "Patient safety" });
    expect((await getCaseForPractice(t.db, who.managerB!, safetyCase)).stage).toBe("concern_noted");
    expect((await getCaseForIcb(t.db, who.commissioner!, safetyCase)).case.stage).toBe("remedial_notice");

    await refused(draftNotice(t.db, on("commissioner", "2026-11-09"), safetyCase, { type: "remedial", periodDays: 27 }), "invalid");
    safetyNotice = await draftNotice(t.db, on("commissioner", "2026-11-09"), safetyCase, {
      type: "remedial",
      periodDays: 27,
      shorter: { reason: "patient_safety", explanation: "" },
    });
    const n = await getNoticeForIcb(t.db, who.commissioner!, safetyNotice);
    expect(n.notice).toMatchObject({ remedy_period_days: 27, shorter_period_reason: "patient_safety", shorter_period_explanation: "Urgent online requests were not seen for two days." });
  });

  it("is not approved by a commissioner who edited it, even though another wrote it", async () => {
    await editNotice(t.db, on("commissioner3", "2026-11-10"), safetyNotice, { text: { closing: "Signed for the ICB" } });
    await refused(approveNotice(t.db, on("commissioner3", "2026-11-10"), safetyNotice), "forbidden");
    await approveNotice(t.db, on("commissioner2", "2026-11-10"), safetyNotice);
  });

  it("counts a leap day in the remedy period", async () => {
    expect(await issueNotice(t.db, on("commissioner2", "2028-02-01"), safetyNotice, { issueDate: "2028-02-01" })).toBe("2028-02-28");
    const n = await getNoticeForPractice(t.db, who.managerB!, safetyNotice);
    expect(n.notice.remedy_by).toBe("2028-02-28");
    expect(n.document.remedy).toMatchObject({ periodDays: 27, shorterReason: "patient_safety", remedyBy: "2028-02-28" });
    expect((await getCaseForPractice(t.db, who.managerB!, safetyCase)).stage).toBe("remedial_notice");
  });

  it("is listed for the ICB with filters", async () => {
    const all = await listIcbCases(t.db, who.commissioner!, "DEMO1");
    expect(all.map((r) => r.id)).toEqual([safetyCase, caseId]);
    expect((await listIcbCases(t.db, on("commissioner", "2028-02-10"), "DEMO1", { noticeEndingWithinDays: 30 })).map((r) => r.id)).toEqual([safetyCase]);
    expect((await listIcbCases(t.db, who.commissioner!, "DEMO1", { stage: "closed" })).map((r) => r.id)).toEqual([caseId]);
    expect((await listIcbCases(t.db, who.commissioner!, "DEMO1", { stage: "open" })).map((r) => r.id)).toEqual([safetyCase]);
    await refused(listIcbCases(t.db, who.vale!, "DEMO1"), "not_found");
    await refused(listIcbCases(t.db, who.managerA!, "DEMO1"), "not_found");
    expect(await listIcbCases(t.db, who.vale!, "DEMO2")).toEqual([]);
  });
});
