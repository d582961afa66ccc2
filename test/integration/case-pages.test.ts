/**
 * The case and notice pages through the built app: a commissioner finds a suggested case, opens it, records the
 * informal steps and a support plan, drafts a remedial notice, edits it, has it approved by a second commissioner
 * (never the author) and issues it; the practice's manager sees only the issued notice and acknowledges it, responds
 * and asks for a review; the DOCX and the print page; and every other organisation gets "Page not found".
 * Data: the crafted availability of test/support/case-world.ts (DEM001, 19 October to 6 November 2026).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays } from "~/domain/calendar";
import { londonToday } from "~/domain/compliance-report";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { startTestApp, type TestApp } from "../support/app";
import { CASE_PERIOD, docxText, seedCraftedAvailability } from "../support/case-world";
import { mainText, parseCsv, table } from "../support/html";
import { seedSmallWorld } from "../support/small-world";

let app: TestApp;
const cookie: Record<string, string> = {};
const userId: Record<string, number> = {};
const PRACTICE = "NORTHGATE HEALTH CENTRE";
const CAPTION = "Cases in NHS Demo Shire Integrated Care Board";

beforeAll(async () => {
  app = await startTestApp();
  const { db } = app.open;
  await seedSmallWorld(db);
  await seedCraftedAvailability(db);
  for (const [who, email] of [
    ["commissioner", "commissioner@demo.example"],
    ["commissioner2", "commissioner2@demo.example"],
    ["vale", "commissioner@vale.demo.example"],
    ["managerA", "manager.dem001@demo.example"],
    ["managerB", "manager.dem002@demo.example"],
    ["admin", "admin@demo.example"],
  ] as const) {
    cookie[who] = await app.signIn(email, DEMO_PASSWORD);
    userId[who] = (await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
  }
}, 300_000);

afterAll(async () => {
  await app?.open.close();
});

function get(path: string, who: string) {
  return app.fetch(path, { cookie: cookie[who] });
}

async function page(path: string, who: string): Promise<string> {
  const res = await get(path, who);
  expect(res.status, `GET ${path} as ${who}`).toBe(200);
  return res.text();
}

function post(path: string, who: string, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  return app.fetch(path, { method: "POST", cookie: cookie[who], headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });
}

/** A POST that must succeed: the redirect's location. */
async function step(path: string, who: string, fields: Record<string, string | string[]>): Promise<string> {
  const res = await post(path, who, fields);
  if (res.status !== 302) throw new Error(`POST ${path} (${String(fields.intent)}) as ${who}: ${res.status} ${mainText(await res.text()).slice(0, 600)}`);
  return res.headers.get("location")!;
}

/** The error summary's entries: [link target, message]. */
function errorSummary(html: string): [string, string][] {
  const box = /<div class="nhsuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? "";
  return [...box.matchAll(/<a href="#([^"]+)">([\s\S]*?)<\/a>/g)].map((m) => [m[1]!, mainText(`<main>${m[2]!}</main>`)]);
}

const db = () => app.open.db;
const caseRow = (id: number) => db().selectFrom("cases").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const noticeRow = (id: number) => db().selectFrom("notices").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

let caseId: number;
let noticeId: number;
const today = londonToday();

describe("the ICB's case list and suggestions", () => {
  it("suggests DEM001 (flagged, no open case) and shows the form that opens a case for it", async () => {
    const html = await page(`/icb/DEMO1/cases?from=${CASE_PERIOD.from}&to=${CASE_PERIOD.to}`, "commissioner");
    const suggested = table(html, "Practices flagged without an open case");
    expect(suggested.rows.map((r) => r[0])).toEqual([`${PRACTICE} (DEM001)`]);
    // Six days of concern; 435 minutes closed (the 60 in the approved pause are excepted, not closed).
    expect(suggested.rows[0]![2]).toBe("6");
    expect(mainText(html)).toContain("0 cases");

    const form = await page(`/icb/DEMO1/cases?open=DEM001&from=${CASE_PERIOD.from}&to=${CASE_PERIOD.to}`, "commissioner");
    expect(mainText(form)).toContain(`Open a case for ${PRACTICE}`);
    expect(form).toContain('name="practiceCode" value="DEM001"');
    expect(form).toMatch(/id="open-from"[^>]*value="2026-10-19"|value="2026-10-19"[^>]*id="open-from"/);
    // An admin looks but does not open.
    const adminView = await page(`/icb/DEMO1/cases?open=DEM001&from=${CASE_PERIOD.from}&to=${CASE_PERIOD.to}`, "admin");
    expect(adminView).not.toContain('name="intent" value="open"');
  });

  it("links the practice's compliance page to opening a case", async () => {
    const html = await page(`/practices/DEM001/compliance?from=${CASE_PERIOD.from}&to=${CASE_PERIOD.to}`, "commissioner");
    expect(html).toContain(`href="/icb/DEMO1/cases?open=DEM001&amp;from=${CASE_PERIOD.from}&amp;to=${CASE_PERIOD.to}"`);
    const manager = await page(`/practices/DEM001/compliance?from=${CASE_PERIOD.from}&to=${CASE_PERIOD.to}`, "managerA");
    expect(manager).not.toContain("/icb/DEMO1/cases?open=");
  });

  it("refuses an incomplete form with an error summary linking to each field, and opens none", async () => {
    const res = await post("/icb/DEMO1/cases", "commissioner", { intent: "open", practiceCode: "DEM001", from: CASE_PERIOD.from, to: "2026-13-01", summary: "", ownerId: String(userId.commissioner) });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(errorSummary(html)).toEqual([
      ["open-to", "Enter the period's last day as a real date, for example 2026-11-23"],
      ["open-summary", "Enter a summary of the concern"],
    ]);
    expect(await db().selectFrom("cases").select("id").execute()).toEqual([]);
    // Another ICB's practice: not found, whoever asks.
    const other = await post("/icb/DEMO1/cases", "commissioner", { intent: "open", practiceCode: "DEM110", from: CASE_PERIOD.from, to: CASE_PERIOD.to, summary: "x", ownerId: String(userId.commissioner) });
    expect(other.status).toBe(404);
    // An admin may not open one.
    expect((await post("/icb/DEMO1/cases", "admin", { intent: "open" })).status).toBe(403);
  });

  it("opens a case, owned by the second commissioner, and lists it (and as CSV)", async () => {
    const location = await step("/icb/DEMO1/cases", "commissioner", {
      intent: "open",
      practiceCode: "DEM001",
      from: CASE_PERIOD.from,
      to: CASE_PERIOD.to,
      summary: "Tool closed on six days in three weeks, mostly at busy times.",
      ownerId: String(userId.commissioner2),
      nextReviewDate: "2026-12-01",
    });
    const m = /^\/cases\/(\d+)\?done=opened$/.exec(location);
    expect(m).not.toBeNull();
    caseId = Number(m![1]);
    expect(await caseRow(caseId)).toMatchObject({
      practice_code: "DEM001",
      stage: "concern_noted",
      opened_by: userId.commissioner,
      owner_id: userId.commissioner2,
      period_from: CASE_PERIOD.from,
      period_to: CASE_PERIOD.to,
      next_review_date: "2026-12-01",
    });

    const html = await page("/icb/DEMO1/cases", "commissioner");
    const t = table(html, CAPTION);
    expect(t.rows).toHaveLength(1);
    const row = Object.fromEntries(t.headers.map((h, i) => [h, t.rows[0]![i]]));
    expect(row).toMatchObject({ Case: `Case ${caseId}`, "ODS code": "DEM001", Practice: PRACTICE, Stage: "Concern noted", Owner: "Chris Patel", "Next review": "1 December 2026" });
    // No longer suggested.
    const after = await page(`/icb/DEMO1/cases?from=${CASE_PERIOD.from}&to=${CASE_PERIOD.to}`, "commissioner");
    expect(after).toContain("No practice is flagged without an open case.");

    const csv = await get("/icb/DEMO1/cases?stage=open&format=csv", "commissioner");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toContain("DEMO1-cases-open.csv");
    const rows = parseCsv(await csv.text());
    expect(rows[0]).toEqual(t.headers.map((h) => h));
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[4]])).toEqual([[String(caseId), "DEM001", PRACTICE, "Concern noted", "Chris Patel"]]);

    // Filters: none closed; one at "concern noted"; owned by Alex Morgan none.
    expect(table(await page("/icb/DEMO1/cases?stage=closed", "commissioner"), CAPTION).rows).toHaveLength(0);
    expect(table(await page("/icb/DEMO1/cases?stage=concern_noted", "commissioner"), CAPTION).rows).toHaveLength(1);
    expect(table(await page(`/icb/DEMO1/cases?owner=${userId.commissioner}`, "commissioner"), CAPTION).rows).toHaveLength(0);
    expect((await get("/icb/DEMO1/cases?format=csv", "vale")).status).toBe(404);
  });
});

describe("a case, support first", () => {
  it("shows the case to the ICB and logs the view", async () => {
    const html = await page(`/cases/${caseId}?done=opened`, "commissioner");
    const text = mainText(html);
    expect(text).toContain("Case opened");
    expect(text).toContain(`Case ${caseId} Concern noted`);
    expect(text).toContain("Tool closed on six days in three weeks, mostly at busy times.");
    const views = await db().selectFrom("audit_log").select(["actor", "action"]).where("entity_type", "=", "case").where("entity_id", "=", String(caseId)).where("action", "=", "case.viewed").execute();
    expect(views).toEqual([{ actor: "commissioner@demo.example", action: "case.viewed" }]);
  });

  it("refuses a notice or a notice stage before the informal contact and support", async () => {
    const html = await page(`/cases/${caseId}`, "commissioner");
    expect(mainText(html)).toContain("A notice cannot be drafted yet:");
    const draft = await post(`/cases/${caseId}`, "commissioner", { intent: "draft-notice", type: "remedial", from: CASE_PERIOD.from, to: CASE_PERIOD.to, periodDays: "28" });
    expect(draft.status).toBe(400);
    expect(errorSummary(await draft.text())).toEqual([
      ["draft-type", "Record an informal contact (a call or meeting) before a remedial notice, or record a patient-safety reason"],
      ["draft-type", "Offer support (a support plan) before a remedial notice, or record a patient-safety reason"],
    ]);
    const move = await post(`/cases/${caseId}`, "commissioner", { intent: "move", to: "remedial_notice", reason: "Repeated closures" });
    expect(move.status).toBe(400);
    expect(errorSummary(await move.text()).length).toBeGreaterThan(0);
    expect((await caseRow(caseId)).stage).toBe("concern_noted");
    expect(await db().selectFrom("notices").select("id").execute()).toEqual([]);
    // The practice's manager may not take the ICB's steps.
    expect((await post(`/cases/${caseId}`, "managerA", { intent: "move", to: "informal_contact", reason: "x" })).status).toBe(403);
  });

  it("records an informal contact: the case moves on, recording who, when and why, with the evidence frozen", async () => {
    const form = { intent: "informal-contact", date: "2026-11-10", kind: "call", attendees: "Sam Taylor (practice manager); Alex Morgan (ICB)", notes: "Closures at busy times; the practice will review its triage." };
    const bad = await post(`/cases/${caseId}`, "commissioner", { ...form, kind: "" });
    expect(bad.status).toBe(400);
    expect(errorSummary(await bad.text())).toEqual([["contact-kind", "Choose whether it was a call or a meeting"]]);
    expect(await step(`/cases/${caseId}`, "commissioner", form)).toBe(`/cases/${caseId}?done=contact`);
    expect((await caseRow(caseId)).stage).toBe("informal_contact");
    const moved = await db().selectFrom("case_events").select(["actor", "from_stage", "to_stage", "text", "evidence"]).where("case_id", "=", caseId).where("kind", "=", "moved").executeTakeFirstOrThrow();
    expect(moved).toMatchObject({ actor: "commissioner@demo.example", from_stage: "concern_noted", to_stage: "informal_contact", text: "Informal contact recorded: call on 2026-11-10" });
    const evidence = JSON.parse(moved.evidence!) as { practiceCode: string; from: string; to: string };
    expect(evidence).toMatchObject({ practiceCode: "DEM001", from: CASE_PERIOD.from, to: CASE_PERIOD.to });
    const text = mainText(await page(`/cases/${caseId}`, "commissioner"));
    expect(text).toContain("Sam Taylor (practice manager); Alex Morgan (ICB)");
  });

  it("offers support from the suggested actions, each with an owner, a due date and a review date", async () => {
    const html = await page(`/cases/${caseId}`, "commissioner");
    expect(html).toMatch(/name="actionId" type="checkbox"[^>]*value="triage_model_review"/);
    // The practice's closures were given as capacity reached: the review of demand and capacity is suggested.
    expect(mainText(html)).toContain("Demand and capacity review Suggested: Closures given as capacity or demand reached");
    const due = addDays(today, 21);
    const review = addDays(today, 35);
    expect(await step(`/cases/${caseId}`, "commissioner", { intent: "add-support", actionId: ["triage_model_review", "care_navigation_training"], owner: "ICB primary care team", dueDate: due, reviewDate: review })).toBe(
      `/cases/${caseId}?done=support`,
    );
    const items = await db().selectFrom("support_plan_items").select(["action_id", "owner", "due_date", "review_date", "status"]).where("case_id", "=", caseId).orderBy("id").execute();
    expect(items).toEqual([
      { action_id: "triage_model_review", owner: "ICB primary care team", due_date: due, review_date: review, status: "planned" },
      { action_id: "care_navigation_training", owner: "ICB primary care team", due_date: due, review_date: review, status: "planned" },
    ]);
    expect((await caseRow(caseId)).stage).toBe("support_offered");
    const bad = await post(`/cases/${caseId}`, "commissioner", { intent: "add-support", dueDate: due, reviewDate: addDays(due, -1) });
    expect(bad.status).toBe(400);
    expect(errorSummary(await bad.text())).toEqual([
      ["support-actionId", "Choose at least one support action, or describe another"],
      ["support-reviewDate", "The review date must not be before the due date"],
    ]);
  });

  it("records the LMC consultation, a patient-safety reason and a new owner, each in the record and the audit log", async () => {
    const future = addDays(today, 1);
    const early = await post(`/cases/${caseId}`, "commissioner", { intent: "lmc", date: future, note: "Spoke to the LMC secretary" });
    expect(early.status).toBe(400);
    expect(errorSummary(await early.text())).toEqual([["lmc-date", "The consultation cannot be in the future"]]);
    expect(await step(`/cases/${caseId}`, "commissioner", { intent: "lmc", date: "2026-11-11", note: "Spoke to the LMC secretary about the support offered." })).toBe(`/cases/${caseId}?done=lmc`);
    const short = await post(`/cases/${caseId}`, "commissioner", { intent: "safety-reason", reason: "Unsafe" });
    expect(short.status).toBe(400);
    expect(errorSummary(await short.text())).toEqual([["safety-reason", "The patient-safety reason must be at least 10 characters"]]);
    expect(await step(`/cases/${caseId}`, "commissioner", { intent: "safety-reason", reason: "Patients told to call 111 for routine requests while the tool was closed." })).toBe(`/cases/${caseId}?done=safety`);
    expect(await step(`/cases/${caseId}`, "commissioner", { intent: "update", ownerId: String(userId.commissioner), nextReviewDate: "2026-12-08", reason: "Alex leads from now on" })).toBe(`/cases/${caseId}?done=updated`);
    expect(await caseRow(caseId)).toMatchObject({
      lmc_consulted_at: "2026-11-11",
      lmc_consulted_by: userId.commissioner,
      patient_safety_reason: "Patients told to call 111 for routine requests while the tool was closed.",
      owner_id: userId.commissioner,
      next_review_date: "2026-12-08",
    });
    const audit = await db().selectFrom("audit_log").select("action").where("entity_type", "=", "case").where("entity_id", "=", String(caseId)).where("action", "in", ["case.lmc_consultation", "case.patient_safety_reason", "case.updated"]).orderBy("id").execute();
    expect(audit.map((a) => a.action)).toEqual(["case.lmc_consultation", "case.patient_safety_reason", "case.updated"]);
    const facts = mainText((/data-testid="case-facts"[\s\S]*?<\/dl>/.exec(await page(`/cases/${caseId}`, "commissioner")) ?? [""])[0].replace(/^/, "<main><dl ") + "</main>");
    expect(facts).toContain("Patient-safety reason Patients told to call 111 for routine requests while the tool was closed.");
    expect(facts).toContain("LMC consultation 11 November 2026: Spoke to the LMC secretary about the support offered.");
  });

  it("lets the practice's manager record progress on its plan, seen by the ICB", async () => {
    const item = await db().selectFrom("support_plan_items").select("id").where("case_id", "=", caseId).orderBy("id").executeTakeFirstOrThrow();
    const list = await page("/practices/DEM001/cases", "managerA");
    expect(list).toContain(`name="itemId" value="${item.id}"`);
    expect(await step("/practices/DEM001/cases", "managerA", { intent: "progress", caseId: String(caseId), itemId: String(item.id), status: "in_progress", note: "Triage review booked with the PCN." })).toBe(
      `/practices/DEM001/cases?done=progress#case-${caseId}`,
    );
    const progress = await db().selectFrom("support_progress").select(["side", "status", "note", "by_user"]).where("item_id", "=", item.id).execute();
    expect(progress).toEqual([{ side: "practice", status: "in_progress", note: "Triage review booked with the PCN.", by_user: userId.managerA }]);
    expect(mainText(await page(`/cases/${caseId}`, "commissioner"))).toContain("Triage review booked with the PCN.");
    // Another practice's manager cannot, even naming this item on their own page.
    expect((await post("/practices/DEM002/cases", "managerB", { intent: "progress", caseId: String(caseId), itemId: String(item.id), status: "done", note: "Not ours to say" })).status).toBe(404);
  });
});

describe("a remedial notice: draft, edit, second approval, issue", () => {
  it("refuses a period shorter than 28 days without a reason", async () => {
    const res = await post(`/cases/${caseId}`, "commissioner", { intent: "draft-notice", type: "remedial", from: CASE_PERIOD.from, to: CASE_PERIOD.to, periodDays: "14", shorterReason: "" });
    expect(res.status).toBe(400);
    expect(errorSummary(await res.text())).toEqual([["draft-shorterReason", "Choose the reason for a period shorter than 28 days"]]);
  });

  it("drafts the notice, which the practice cannot see", async () => {
    const location = await step(`/cases/${caseId}`, "commissioner", { intent: "draft-notice", type: "remedial", from: CASE_PERIOD.from, to: CASE_PERIOD.to, periodDays: "28", shorterReason: "" });
    const m = new RegExp(`^/cases/${caseId}/notices/(\\d+)\\?done=drafted$`).exec(location);
    expect(m).not.toBeNull();
    noticeId = Number(m![1]);
    expect(await noticeRow(noticeId)).toMatchObject({ type: "remedial", status: "draft", author_id: userId.commissioner, current_version: 1, remedy_period_days: 28 });
    const html = await page(location, "commissioner");
    expect(mainText(html)).toContain("Notice drafted");
    expect(mainText(html)).toContain(PRACTICE);
    expect(html).toContain('data-testid="author-cannot-approve"');
    expect(html).not.toContain('name="intent" value="approve"');
    // Hidden from the practice: the notice page, its files and the case page's list.
    for (const path of [`/cases/${caseId}/notices/${noticeId}`, `/cases/${caseId}/notices/${noticeId}/docx`, `/cases/${caseId}/notices/${noticeId}/print`]) {
      expect((await get(path, "managerA")).status, path).toBe(404);
    }
    expect(mainText(await page(`/cases/${caseId}`, "managerA"))).toContain("No notice has been issued in this case.");
    expect(mainText(await page("/practices/DEM001/cases", "managerA"))).not.toContain(`Remedial notice ${noticeId}`);
  });

  it("saves an edit as a new version, keeping the first", async () => {
    const html = await page(`/cases/${caseId}/notices/${noticeId}`, "commissioner");
    const field = (name: string) => {
      const m = new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
      return mainText(`<main>${m?.[1] ?? ""}</main>`);
    };
    const steps = `${field("stepsRequired")} Keep the tool open from 08:00 to 18:30 on every core day.`;
    expect(
      await step(`/cases/${caseId}/notices/${noticeId}`, "commissioner", {
        intent: "edit",
        covering: field("covering"),
        breachDetail: field("breachDetail"),
        stepsRequired: steps,
        closing: field("closing"),
        periodDays: "28",
        shorterReason: "",
        note: "Steps made explicit",
      }),
    ).toBe(`/cases/${caseId}/notices/${noticeId}?done=edited`);
    expect((await noticeRow(noticeId)).current_version).toBe(2);
    const versions = await db().selectFrom("notice_versions").select("version").where("notice_id", "=", noticeId).orderBy("version").execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    const after = mainText(await page(`/cases/${caseId}/notices/${noticeId}`, "commissioner"));
    expect(after).toContain("Keep the tool open from 08:00 to 18:30 on every core day.");
    expect(mainText(await page(`/cases/${caseId}/notices/${noticeId}?version=1`, "commissioner"))).not.toContain("Keep the tool open from 08:00 to 18:30 on every core day.");
  });

  it("refuses approval by its author, and takes the second commissioner's", async () => {
    const byAuthor = await post(`/cases/${caseId}/notices/${noticeId}`, "commissioner", { intent: "approve" });
    expect([400, 403]).toContain(byAuthor.status);
    expect((await noticeRow(noticeId)).status).toBe("draft");
    expect((await post(`/cases/${caseId}/notices/${noticeId}`, "admin", { intent: "approve" })).status).toBe(403);
    expect((await post(`/cases/${caseId}/notices/${noticeId}`, "vale", { intent: "approve" })).status).toBe(404);

    const html = await page(`/cases/${caseId}/notices/${noticeId}`, "commissioner2");
    expect(html).toContain('name="intent" value="approve"');
    expect(await step(`/cases/${caseId}/notices/${noticeId}`, "commissioner2", { intent: "approve" })).toBe(`/cases/${caseId}/notices/${noticeId}?done=approved`);
    expect(await noticeRow(noticeId)).toMatchObject({ status: "approved", approver_id: userId.commissioner2 });
    const audit = await db().selectFrom("audit_log").select(["actor", "action"]).where("entity_type", "=", "notice").where("entity_id", "=", String(noticeId)).where("action", "=", "notice.approved").execute();
    expect(audit).toEqual([{ actor: "commissioner2@demo.example", action: "notice.approved" }]);
  });

  it("issues it with a date: the remedy-by date is 28 days later", async () => {
    const bad = await post(`/cases/${caseId}/notices/${noticeId}`, "commissioner", { intent: "issue", issueDate: "not a date" });
    expect(bad.status).toBe(400);
    expect(errorSummary(await bad.text())).toEqual([["issue-issueDate", "Enter the date of issue as a real date, for example 2026-11-23"]]);
    expect(await step(`/cases/${caseId}/notices/${noticeId}`, "commissioner", { intent: "issue", issueDate: today })).toBe(`/cases/${caseId}/notices/${noticeId}?done=issued`);
    const remedyBy = addDays(today, 28);
    expect(await noticeRow(noticeId)).toMatchObject({ status: "issued", issue_date: today, remedy_by: remedyBy, issued_version: 3 });
    expect((await caseRow(caseId)).stage).toBe("remedial_notice");
    const html = await page(`/cases/${caseId}/notices/${noticeId}?done=issued`, "commissioner");
    expect(html).toContain('data-testid="issued-banner"');
    expect(mainText(html)).toMatch(/The steps must be taken by \d{1,2} [A-Z][a-z]+ \d{4}\./);
  });
});

describe("the practice's side of an issued notice", () => {
  it("lists the issued notice on the practice's cases page, as the practice knows the case", async () => {
    const html = await page("/practices/DEM001/cases", "managerA");
    const text = mainText(html);
    expect(text).toContain(`Case ${caseId} Remedial notice`);
    expect(text).toContain(`Remedial notice ${noticeId}`);
    expect(html).toContain(`href="/cases/${caseId}/notices/${noticeId}"`);
    // The ICB's internal steps are not there: no draft, no approval.
    const notice = mainText(await page(`/cases/${caseId}/notices/${noticeId}`, "managerA"));
    expect(notice).toContain("The notice as issued");
    expect(notice).not.toContain("Drafted by");
    expect(notice).not.toContain("Chris Patel");
  });

  it("acknowledges, responds in writing and asks for a review, all logged and shown to the ICB", async () => {
    expect(await step("/practices/DEM001/cases", "managerA", { intent: "acknowledge", caseId: String(caseId), noticeId: String(noticeId) })).toBe(
      `/practices/DEM001/cases?done=acknowledged#case-${caseId}`,
    );
    expect((await noticeRow(noticeId)).acknowledged_by).toBe(userId.managerA);
    // Twice is refused.
    const again = await post(`/cases/${caseId}/notices/${noticeId}`, "managerA", { intent: "acknowledge" });
    expect(again.status).toBe(400);

    const short = await post(`/cases/${caseId}/notices/${noticeId}`, "managerA", { intent: "respond", text: "No." });
    expect(short.status).toBe(400);
    expect(errorSummary(await short.text())).toEqual([["respond-text", "Your response must be at least 10 characters"]]);
    expect(await step(`/cases/${caseId}/notices/${noticeId}`, "managerA", { intent: "respond", text: "We have extended the tool's hours and added a second triager." })).toBe(
      `/cases/${caseId}/notices/${noticeId}?done=responded`,
    );
    expect(await step(`/cases/${caseId}`, "managerA", { intent: "review", text: "Two of the closures were a supplier fault; please review the period." })).toBe(`/cases/${caseId}?done=review`);

    const responses = await db().selectFrom("practice_responses").select(["kind", "notice_id", "text", "by_user"]).where("case_id", "=", caseId).orderBy("id").execute();
    expect(responses).toEqual([
      { kind: "acknowledgement", notice_id: noticeId, text: "", by_user: userId.managerA },
      { kind: "response", notice_id: noticeId, text: "We have extended the tool's hours and added a second triager.", by_user: userId.managerA },
      { kind: "review_request", notice_id: null, text: "Two of the closures were a supplier fault; please review the period.", by_user: userId.managerA },
    ]);
    const audit = await db().selectFrom("audit_log").select("action").where("actor", "=", "manager.dem001@demo.example").where("action", "like", "case.practice_%").orderBy("id").execute();
    expect(audit.map((a) => a.action)).toEqual(["case.practice_acknowledgement", "case.practice_response", "case.practice_review_request"]);

    const icb = mainText(await page(`/cases/${caseId}`, "commissioner"));
    expect(icb).toContain("We have extended the tool's hours and added a second triager.");
    expect(icb).toContain("Two of the closures were a supplier fault; please review the period.");
    // The ICB cannot answer for the practice.
    expect((await post(`/cases/${caseId}`, "commissioner", { intent: "respond", text: "Writing for the practice" })).status).toBe(403);
  });

  it("downloads the notice as a real DOCX naming the practice, and as a print-ready page", async () => {
    for (const who of ["managerA", "commissioner"]) {
      const res = await get(`/cases/${caseId}/notices/${noticeId}/docx`, who);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="[^"]+\.docx"$/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
      const text = await docxText(bytes);
      expect(text).toContain(PRACTICE);
      expect(text).toContain("Keep the tool open from 08:00 to 18:30 on every core day.");
    }
    const print = await get(`/cases/${caseId}/notices/${noticeId}/print`, "managerA");
    expect(print.status).toBe(200);
    expect(print.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await print.text();
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain(PRACTICE);
    expect(html).toContain('nonce="test-nonce"');
    const downloads = await db().selectFrom("audit_log").select(["actor", "detail"]).where("action", "=", "notice.downloaded").where("entity_id", "=", String(noticeId)).orderBy("id").execute();
    expect(downloads.map((d) => [d.actor, (JSON.parse(d.detail!) as { format: string }).format])).toEqual([
      ["manager.dem001@demo.example", "docx"],
      ["commissioner@demo.example", "docx"],
      ["manager.dem001@demo.example", "print"],
    ]);
  });

  it("marks the notice remedied and closes the case", async () => {
    expect(await step(`/cases/${caseId}/notices/${noticeId}`, "commissioner", { intent: "remedied", note: "Open throughout core hours since the notice." })).toBe(`/cases/${caseId}/notices/${noticeId}?done=remedied`);
    expect((await noticeRow(noticeId)).status).toBe("remedied");
    expect(await step(`/cases/${caseId}`, "commissioner", { intent: "close", outcome: "remedied", reason: "Steps taken; open throughout core hours." })).toBe(`/cases/${caseId}?done=closed`);
    expect(await caseRow(caseId)).toMatchObject({ stage: "closed", outcome: "remedied" });
    expect(table(await page("/icb/DEMO1/cases?stage=closed", "commissioner"), CAPTION).rows.map((r) => r[0])).toEqual([`Case ${caseId}`]);
  });
});

describe("other organisations", () => {
  it("get Page not found for the case, its notice and files, and learn nothing", async () => {
    const paths = [`/cases/${caseId}`, `/cases/${caseId}/notices/${noticeId}`, `/cases/${caseId}/notices/${noticeId}/docx`, `/cases/${caseId}/notices/${noticeId}/print`];
    for (const who of ["vale", "managerB"]) {
      for (const path of [...paths, `/cases/${caseId + 1000}`]) {
        const res = await get(path, who);
        expect(res.status, `${path} as ${who}`).toBe(404);
        const body = await res.text();
        expect(body).not.toContain(PRACTICE);
        expect(body).not.toContain("DM1 1AA");
      }
    }
    expect((await get("/practices/DEM001/cases", "managerB")).status).toBe(404);
    expect((await get("/icb/DEMO1/cases", "vale")).status).toBe(404);
    // A notice of another case under this case's address: 404 too.
    expect((await get(`/cases/${caseId}/notices/${noticeId + 1}`, "commissioner")).status).toBe(404);
    const seen = await db().selectFrom("audit_log").select("actor").where("action", "=", "case.viewed").where("entity_id", "=", String(caseId)).execute();
    expect(seen.map((s) => s.actor)).not.toContain("commissioner@vale.demo.example");
    expect(seen.map((s) => s.actor)).not.toContain("manager.dem002@demo.example");
  });
});
