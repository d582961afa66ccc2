/** The demo's cases (db/seed/demo-cases.ts), made through the case services at the end of the demo seed. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCaseForIcb, getCaseForPractice, listIcbCases, suggestSupportForCase, type CaseActor } from "~/services/cases.server";
import { getNoticeForIcb } from "~/services/notices.server";
import { seedDemo } from "../../db/seed/demo";
import { behaviourOf } from "../../db/seed/demo-behaviours";
import { DEMO_CASES } from "../../db/seed/demo-cases";
import { createTestDatabase, type TestDatabase } from "../support/db";

let t: TestDatabase;
const who: Record<string, CaseActor> = {};
const userIds: Record<string, number> = {};

beforeAll(async () => {
  t = createTestDatabase();
  await seedDemo(t.db);
  for (const [name, email] of [
    ["alex", "commissioner@demo.example"],
    ["chris", "commissioner2@demo.example"],
    ["priya", "manager.dem002@demo.example"],
  ] as const) {
    userIds[name] = (await t.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
    who[name] = { user: { id: userIds[name] }, ip: null };
  }
}, 600_000);

afterAll(async () => {
  await t?.dispose();
});

const caseOf = async (practice: string) => {
  const rows = await t.db.selectFrom("cases").selectAll().where("practice_code", "=", practice).execute();
  expect(rows).toHaveLength(1);
  return rows[0]!;
};

describe("the demo's cases", () => {
  it("makes exactly three cases, all in DEMO1, none in DEMO2", async () => {
    const list = await listIcbCases(t.db, who.alex!, "DEMO1");
    expect(list.map((r) => [r.practiceCode, r.stage]).sort()).toEqual([
      ["DEM002", "support_offered"],
      ["DEM005", "support_offered"],
      ["DEM066", "remedial_notice"],
    ]);
    expect(await t.db.selectFrom("cases").select("id").execute()).toHaveLength(3);
    expect(behaviourOf("DEM005")).toBe("daily-cap");
    expect(behaviourOf("DEM066")).toBe("switched-off");
    expect(behaviourOf("DEM002")).toBe("lunchtime");
  });

  it("DEM005: capacity pressure, at support offered with a plan whose owners and dates are set", async () => {
    const c = await caseOf("DEM005");
    expect(c).toMatchObject({ period_from: DEMO_CASES.capacity.from, period_to: DEMO_CASES.capacity.to, owner_id: userIds.chris, opened_at: "2026-10-27T10:00:00.000Z" });
    const support = await suggestSupportForCase(t.db, who.alex!, c.id);
    expect(support.classification).toBe("capacity_pressure");
    const view = await getCaseForIcb(t.db, who.alex!, c.id);
    expect(view.supportItems.map((i) => i.action_id)).toEqual(support.suggestions.slice(0, 3).map((s) => s.action.id));
    for (const i of view.supportItems) {
      expect(i.owner.length).toBeGreaterThan(0);
      expect([i.due_date, i.review_date]).toEqual(["2026-12-01", "2026-12-15"]);
    }
    expect(view.supportItems[0]!.progress.map((p) => [p.side, p.status])).toEqual([["icb", "in_progress"]]);
    expect(view.notices).toEqual([]);
    // The frozen evidence of the opening step shows the closures it is about.
    const opened = await t.db.selectFrom("case_events").select("evidence").where("case_id", "=", c.id).where("kind", "=", "opened").executeTakeFirstOrThrow();
    const evidence = JSON.parse(opened.evidence!) as { totals: { closed: number } };
    expect(evidence.totals.closed).toBeGreaterThan(0);
  });

  it("DEM066: switched off without pressure, a remedial notice approved by a second commissioner and issued with 28 days", async () => {
    const c = await caseOf("DEM066");
    const support = await suggestSupportForCase(t.db, who.alex!, c.id);
    expect(support.classification).toBe("no_evident_pressure");
    const notices = await t.db.selectFrom("notices").selectAll().where("case_id", "=", c.id).execute();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      type: "remedial",
      status: "issued",
      author_id: userIds.alex,
      approver_id: userIds.chris,
      issue_date: "2026-07-15",
      remedy_by: "2026-08-12",
      remedy_period_days: 28,
    });
    const view = await getNoticeForIcb(t.db, who.alex!, notices[0]!.id);
    expect(view.document.issued).toBe(true);
    expect(view.document.contractor.name).toBe((await t.db.selectFrom("practices").select("name").where("ods_code", "=", "DEM066").executeTakeFirstOrThrow()).name);
  });

  it("DEM002: a draft awaiting a second commissioner, which the practice does not see", async () => {
    const c = await caseOf("DEM002");
    expect((await suggestSupportForCase(t.db, who.alex!, c.id)).classification).toBe("no_evident_pressure");
    const notices = await t.db.selectFrom("notices").selectAll().where("case_id", "=", c.id).execute();
    expect(notices.map((n) => [n.type, n.status, n.author_id, n.approver_id])).toEqual([["remedial", "draft", userIds.alex, null]]);
    const byAuthor = await getNoticeForIcb(t.db, who.alex!, notices[0]!.id);
    expect(byAuthor.can.approve).toBe(false);
    const bySecond = await getNoticeForIcb(t.db, who.chris!, notices[0]!.id);
    expect(bySecond.can.approve).toBe(true);
    const practiceView = await getCaseForPractice(t.db, who.priya!, c.id);
    expect(practiceView.notices).toEqual([]);
    // The practice's manager recorded progress on the plan.
    expect(practiceView.supportItems[0]!.progress.map((p) => [p.side, p.status, p.by_user])).toEqual([["practice", "not_done", userIds.priya]]);
  });

  it("records each step in the audit log at the seed's times", async () => {
    const c = await caseOf("DEM066");
    const audit = await t.db.selectFrom("audit_log").select(["actor", "action", "detail"]).where("action", "in", ["notice.approved", "notice.issued"]).orderBy("id").execute();
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      ["commissioner2@demo.example", "notice.approved"],
      ["commissioner@demo.example", "notice.issued"],
    ]);
    expect((JSON.parse(audit[1]!.detail!) as { caseId: number; stepAt: string })).toMatchObject({ caseId: c.id, stepAt: "2026-07-15T10:00:00.000Z" });
  });
});
