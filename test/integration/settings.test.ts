/** `/icb/:icbCode/settings`: the ICB's own commissioners change its flagging policy; admins only look. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { dumpTables } from "../support/db";
import { startTestApp, type TestApp } from "../support/app";
import { seedSmallWorld } from "../support/small-world";

let app: TestApp;
const cookie: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  await seedSmallWorld(app.open.db);
  for (const [who, email] of [
    ["commissionerX", "commissioner@demo.example"],
    ["commissionerX2", "commissioner2@demo.example"],
    ["commissionerY", "commissioner@vale.demo.example"],
    ["managerA", "manager.dem001@demo.example"],
    ["admin", "admin@demo.example"],
  ] as const) {
    cookie[who] = await app.signIn(email, DEMO_PASSWORD);
  }
});

afterAll(async () => {
  await app?.open.close();
});

function save(who: string, fields: Record<string, string>, icb = "DEMO1") {
  return app.fetch(`/icb/${icb}/settings`, {
    method: "POST",
    cookie: cookie[who],
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
}

function snapshot() {
  const { sessions: _sessions, ...rest } = dumpTables(app.open);
  return rest;
}

const page = async (who: string, icb = "DEMO1") => (await app.fetch(`/icb/${icb}/settings`, { cookie: cookie[who] })).text();

describe("ICB settings", () => {
  it("shows the defaults until the ICB sets its own", async () => {
    const html = await page("commissionerX");
    expect(html).toContain("This ICB uses the defaults.");
    expect(html).toContain("at least 30 closed minutes on at least 3 core days in any 28 days");
    expect(html).toMatch(/name="closedMinutesPerDay"[^>]*value="30"|value="30"[^>]*name="closedMinutesPerDay"/);
  });

  it("saves a commissioner's change, audits it, and shows who changed it to the ICB's other commissioners", async () => {
    const res = await save("commissionerX", { closedMinutesPerDay: "45", flaggedDays: "2", windowDays: "14" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/icb/DEMO1/settings?saved=1");
    const row = await app.open.db.selectFrom("icb_policies").selectAll().where("icb_code", "=", "DEMO1").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ closed_minutes_per_day: 45, flagged_days: 2, window_days: 14, updated_by: "commissioner@demo.example" });

    const audit = await app.open.db.selectFrom("audit_log").select(["actor", "entity_id", "detail"]).where("action", "=", "policy.updated").execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: "commissioner@demo.example", entity_id: "DEMO1" });
    expect(JSON.parse(audit[0]!.detail!)).toEqual({
      before: { closedMinutesPerDay: 30, flaggedDays: 3, windowDays: 28 },
      after: { closedMinutesPerDay: 45, flaggedDays: 2, windowDays: 14 },
    });

    const saved = await (await app.fetch("/icb/DEMO1/settings?saved=1", { cookie: cookie.commissionerX })).text();
    expect(saved).toContain("Policy saved");
    const other = await page("commissionerX2");
    expect(other).toContain("at least 45 closed minutes on at least 2 core days in any 14 days");
    expect(other).toContain("Last changed by commissioner@demo.example on");
    // Another ICB keeps its defaults.
    expect(await page("commissionerY", "DEMO2")).toContain("This ICB uses the defaults.");
  });

  it("refuses values outside the rules with NHS error messages, changing nothing", async () => {
    const before = snapshot();
    const cases: [Record<string, string>, string[]][] = [
      [{ closedMinutesPerDay: "700", flaggedDays: "2", windowDays: "14" }, ["Closed minutes cannot be more than a core day&#x27;s 630"]],
      [{ closedMinutesPerDay: "ten", flaggedDays: "0", windowDays: "1.5" }, ["Enter the closed minutes as a number", "The number of days must be at least 1", "Enter the window as a whole number of days"]],
      [{ closedMinutesPerDay: "30", flaggedDays: "3", windowDays: "400" }, ["The window must be 366 days or fewer"]],
    ];
    for (const [fields, messages] of cases) {
      const res = await save("commissionerX", fields);
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain("nhsuk-error-summary");
      for (const m of messages) expect(html).toContain(m);
    }
    expect(snapshot()).toEqual(before);
  });

  it("lets an admin look but not change, and refuses other ICBs and practice managers", async () => {
    const adminView = await page("admin");
    expect(adminView).toContain("at least 45 closed minutes");
    expect(adminView).not.toContain('name="closedMinutesPerDay"');
    expect(adminView).toContain("Only the ICB&#x27;s commissioners can change its policy.");

    const before = snapshot();
    const attempts: [string, number][] = [
      ["admin", 403],
      ["commissionerY", 404],
      ["managerA", 404],
    ];
    for (const [who, status] of attempts) {
      const res = await save(who, { closedMinutesPerDay: "1", flaggedDays: "1", windowDays: "1" });
      expect(res.status, who).toBe(status);
      const body = await res.text();
      if (who !== "admin") expect(body).not.toContain("NHS Demo Shire Integrated Care Board");
    }
    expect(snapshot()).toEqual(before);
    expect((await app.fetch("/icb/DEMO1/settings", { cookie: cookie.managerA })).status).toBe(404);
  });
});
