/**
 * Pause requests through the real app: a practice manager asks, a commissioner of its ICB decides, and the
 * closed minutes inside an approved pause become excepted minutes in compliance_days. Refused callers change
 * nothing. Data is crafted for October 2025 (British Summer Time).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localMinute } from "~/domain/calendar";
import { loadCalendar, recomputePracticeDays } from "~/services/compliance.server";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { dumpTables } from "../support/db";
import { startTestApp, type TestApp } from "../support/app";
import { seedSmallWorld } from "../support/small-world";

let app: TestApp;
const cookie: Record<string, string> = {};
let practiceA: { name: string; postcode: string };

const MON = "2025-10-06";
const TUE = "2025-10-07";
const WED = "2025-10-08";
const at = (date: string, hhmm: string) => localMinute(date, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));

beforeAll(async () => {
  app = await startTestApp();
  const { db } = app.open;
  await seedSmallWorld(db);
  for (const [who, email] of [
    ["managerA", "manager.dem001@demo.example"],
    ["managerB", "manager.dem002@demo.example"],
    ["commissionerX", "commissioner@demo.example"],
    ["commissionerY", "commissioner@vale.demo.example"],
    ["admin", "admin@demo.example"],
  ] as const) {
    cookie[who] = await app.signIn(email, DEMO_PASSWORD);
  }
  const p = await db.selectFrom("practices").select(["name", "postcode"]).where("ods_code", "=", "DEM001").executeTakeFirstOrThrow();
  practiceA = { name: p.name, postcode: p.postcode! };

  // DEM001: open all of core hours on three days, with closures:
  //   Mon 09:00–10:00 all, Mon 15:00–16:30 clinical only, Tue 12:00–12:45 all, Wed 14:00–15:00 all.
  await db.deleteFrom("availability_intervals").where("practice_code", "=", "DEM001").where("start_min", "<", at("2025-10-09", "00:00")).execute();
  const rows: [number, number, "open" | "closed", "all" | "clinical"][] = [
    [at(MON, "08:00"), at(MON, "18:30"), "open", "all"],
    [at(MON, "09:00"), at(MON, "10:00"), "closed", "all"],
    [at(MON, "15:00"), at(MON, "16:30"), "closed", "clinical"],
    [at(TUE, "08:00"), at(TUE, "18:30"), "open", "all"],
    [at(TUE, "12:00"), at(TUE, "12:45"), "closed", "all"],
    [at(WED, "08:00"), at(WED, "18:30"), "open", "all"],
    [at(WED, "14:00"), at(WED, "15:00"), "closed", "all"],
  ];
  await db
    .insertInto("availability_intervals")
    .values(
      rows.map(([start_min, end_min, status, category]) => ({
        practice_code: "DEM001",
        source: "test",
        start_min,
        end_min,
        status,
        category,
        reason: null,
        received_at: new Date().toISOString(),
      })),
    )
    .execute();
  await recomputePracticeDays(db, await loadCalendar(db), "DEM001", MON, WED);
});

afterAll(async () => {
  await app?.open.close();
});

function post(path: string, who: string, fields: Record<string, string>) {
  return app.fetch(path, {
    method: "POST",
    cookie: cookie[who],
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
}

async function day(date: string) {
  return app.open.db
    .selectFrom("compliance_days")
    .select(["open_minutes", "closed_minutes", "excepted_minutes", "unknown_minutes", "clinical_closed", "clinical_excepted", "admin_closed", "admin_excepted"])
    .where("practice_code", "=", "DEM001")
    .where("date", "=", date)
    .executeTakeFirstOrThrow();
}

async function pause(id: number) {
  return app.open.db.selectFrom("pause_requests").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

/** Every table but sessions (whose last-seen time a request may move). */
function snapshot() {
  const { sessions: _sessions, ...rest } = dumpTables(app.open);
  return rest;
}

async function requestAsManagerA(fields: Partial<Record<string, string>> = {}): Promise<number> {
  const res = await post("/practices/DEM001/pauses", "managerA", {
    intent: "request",
    category: "all",
    start: "2025-10-06T09:30",
    end: "2025-10-07T12:30",
    kind: "outage",
    reason: "Supplier outage confirmed by the supplier's status page",
    ...fields,
  } as Record<string, string>);
  expect(res.status).toBe(302);
  const location = res.headers.get("location")!;
  expect(location).toMatch(/^\/practices\/DEM001\/pauses\?done=requested&pause=\d+$/);
  return Number(new URL(location, "http://x").searchParams.get("pause"));
}

describe("pause requests", () => {
  it("starts from the crafted closures, all counted as closed", async () => {
    expect(await day(MON)).toMatchObject({ open_minutes: 480, closed_minutes: 150, excepted_minutes: 0, unknown_minutes: 0, clinical_closed: 150, admin_closed: 60 });
    expect(await day(TUE)).toMatchObject({ open_minutes: 585, closed_minutes: 45, excepted_minutes: 0 });
    expect(await day(WED)).toMatchObject({ open_minutes: 570, closed_minutes: 60, excepted_minutes: 0 });
  });

  it("a manager asks, a commissioner approves, and the closed minutes inside the pause become excepted", async () => {
    const id = await requestAsManagerA();
    const asked = await pause(id);
    expect(asked).toMatchObject({
      practice_code: "DEM001",
      category: "all",
      kind: "outage",
      status: "pending",
      // London time in BST: 09:30 is 08:30 UTC.
      start_min: Date.UTC(2025, 9, 6, 8, 30) / 60_000,
      end_min: Date.UTC(2025, 9, 7, 11, 30) / 60_000,
      decided_by: null,
    });
    // A pending request changes nothing yet.
    expect(await day(MON)).toMatchObject({ closed_minutes: 150, excepted_minutes: 0 });

    const page = await (await app.fetch("/practices/DEM001/pauses", { cookie: cookie.commissionerX })).text();
    expect(page).toContain('name="intent" value="approve"');
    expect(page).toContain("Supplier outage confirmed by the supplier&#x27;s status page");

    const approved = await post("/practices/DEM001/pauses", "commissionerX", { intent: "approve", pauseId: String(id), note: "" });
    expect(approved.status).toBe(302);
    expect(approved.headers.get("location")).toBe(`/practices/DEM001/pauses?done=approved&pause=${id}`);
    expect(await pause(id)).toMatchObject({ status: "approved", decision_note: null });

    // Monday: 09:30–10:00 of the all-closure (30) and all of the clinical closure 15:00–16:30 (90) are excepted;
    // 09:00–09:30 is before the pause and stays closed. Tuesday: 12:00–12:30 excepted, 12:30–12:45 closed.
    expect(await day(MON)).toMatchObject({ open_minutes: 480, closed_minutes: 30, excepted_minutes: 120, unknown_minutes: 0, clinical_excepted: 120, admin_excepted: 30 });
    expect(await day(TUE)).toMatchObject({ open_minutes: 585, closed_minutes: 15, excepted_minutes: 30 });
    expect(await day(WED)).toMatchObject({ closed_minutes: 60, excepted_minutes: 0 });
    const episodes = await app.open.db
      .selectFrom("closure_episodes")
      .select(["date", "start_min", "end_min", "excepted", "pause_ids"])
      .where("practice_code", "=", "DEM001")
      .where("date", "in", [MON, TUE])
      .orderBy("start_min")
      .execute();
    expect(episodes).toEqual([
      { date: MON, start_min: at(MON, "09:00"), end_min: at(MON, "09:30"), excepted: 0, pause_ids: "[]" },
      { date: MON, start_min: at(MON, "09:30"), end_min: at(MON, "10:00"), excepted: 1, pause_ids: `[${id}]` },
      { date: MON, start_min: at(MON, "15:00"), end_min: at(MON, "16:30"), excepted: 1, pause_ids: `[${id}]` },
      { date: TUE, start_min: at(TUE, "12:00"), end_min: at(TUE, "12:30"), excepted: 1, pause_ids: `[${id}]` },
      { date: TUE, start_min: at(TUE, "12:30"), end_min: at(TUE, "12:45"), excepted: 0, pause_ids: "[]" },
    ]);

    // The banner after the redirect says what the approval did.
    const after = await (await app.fetch(`/practices/DEM001/pauses?done=approved&pause=${id}`, { cookie: cookie.commissionerX })).text();
    expect(after).toContain("Pause approved");
    expect(after).toMatch(/150 minutes closed between 6 October 2025( at|,) 09:30 and 7 October 2025( at|,) 12:30 now count as excepted\./);

    // Both sides see who asked and who decided.
    const managerView = await (await app.fetch("/practices/DEM001/pauses", { cookie: cookie.managerA })).text();
    expect(managerView).toContain("Sam Taylor");
    expect(managerView).toContain("Alex Morgan");
    expect(managerView).not.toContain('value="approve"');

    const audit = await app.open.db.selectFrom("audit_log").select(["actor", "action", "entity_id"]).where("entity_type", "=", "pause_request").where("entity_id", "=", String(id)).orderBy("id").execute();
    expect(audit).toEqual([
      { actor: "manager.dem001@demo.example", action: "pause.requested", entity_id: String(id) },
      { actor: "commissioner@demo.example", action: "pause.approved", entity_id: String(id) },
    ]);
  });

  it("a declined pause leaves its closed minutes closed, and says so", async () => {
    const id = await requestAsManagerA({ start: "2025-10-08T14:00", end: "2025-10-08T15:00", reason: "Fire alarm evacuation of the whole building" });
    const declined = await post("/practices/DEM001/pauses", "commissionerX", { intent: "decline", pauseId: String(id), note: "Not exceptional: the tool runs off-site" });
    expect(declined.status).toBe(302);
    expect(await pause(id)).toMatchObject({ status: "declined", decision_note: "Not exceptional: the tool runs off-site" });
    expect(await day(WED)).toMatchObject({ open_minutes: 570, closed_minutes: 60, excepted_minutes: 0 });
    const page = await (await app.fetch(`/practices/DEM001/pauses?done=declined&pause=${id}`, { cookie: cookie.managerA })).text();
    expect(page).toContain("Pause declined");
    expect(page).toMatch(/60 minutes closed between .* still count as closed\./);
    expect(page).toContain("Not exceptional: the tool runs off-site");
  });

  it("a clinical-only pause does not except a closure of both kinds", async () => {
    const id = await requestAsManagerA({ category: "clinical", start: "2025-10-08T13:30", end: "2025-10-08T15:30" });
    expect((await post("/practices/DEM001/pauses", "commissionerX", { intent: "approve", pauseId: String(id), note: "Agreed" })).status).toBe(302);
    expect(await day(WED)).toMatchObject({ closed_minutes: 60, excepted_minutes: 0 });
    const page = await (await app.fetch(`/practices/DEM001/pauses?done=approved&pause=${id}`, { cookie: cookie.commissionerX })).text();
    expect(page).toMatch(/0 minutes closed between .* now count as excepted\. 60 minutes in the window still count as closed/);
  });

  it("declining needs a note, and a decided request cannot be decided again", async () => {
    const id = await requestAsManagerA({ start: "2025-10-06T11:00", end: "2025-10-06T11:30" });
    const before = snapshot();
    const noNote = await post("/practices/DEM001/pauses", "commissionerX", { intent: "decline", pauseId: String(id), note: "  " });
    expect(noNote.status).toBe(400);
    expect(await noNote.text()).toContain("Enter why the request is declined");
    expect(snapshot()).toEqual(before);

    expect((await post("/practices/DEM001/pauses", "managerA", { intent: "withdraw", pauseId: String(id) })).status).toBe(302);
    expect((await pause(id)).status).toBe("withdrawn");
    const again = await post("/practices/DEM001/pauses", "commissionerX", { intent: "approve", pauseId: String(id) });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("This request is already withdrawn");
    expect((await pause(id)).status).toBe("withdrawn");
  });

  it("validates a request with NHS error messages and stores nothing", async () => {
    const before = snapshot();
    const cases: [Record<string, string>, string][] = [
      [{ reason: "Too short" }, "The reason must be at least 10 characters"],
      [{ end: "2025-10-06T09:00" }, "The end must be after the start"],
      [{ kind: "planned" }, "A planned pause must start in the future"],
      [{ start: "2025-02-30T09:00" }, "Enter the start as a real date and time"],
      [{ category: "" }, "Select which requests the pause is for"],
    ];
    for (const [fields, message] of cases) {
      const res = await post("/practices/DEM001/pauses", "managerA", {
        intent: "request",
        category: "all",
        start: "2025-10-06T09:30",
        end: "2025-10-07T12:30",
        kind: "outage",
        reason: "Supplier outage confirmed by the supplier",
        ...fields,
      });
      expect(res.status, message).toBe(400);
      const body = await res.text();
      expect(body).toContain(message);
      expect(body).toContain("nhsuk-error-summary");
    }
    expect(snapshot()).toEqual(before);
  });

  it("refuses everyone else, changing nothing", async () => {
    const id = await requestAsManagerA({ start: "2025-10-07T16:00", end: "2025-10-07T17:00" });
    // A request of another practice (DEM002), to try through DEM001's page.
    const otherId = (
      await app.open.db
        .insertInto("pause_requests")
        .values({
          practice_code: "DEM002",
          category: "all",
          start_min: at(TUE, "16:00"),
          end_min: at(TUE, "17:00"),
          reason: "Another practice's request",
          kind: "outage",
          status: "pending",
          requested_by: null,
          requested_at: new Date().toISOString(),
          decided_by: null,
          decided_at: null,
          decision_note: null,
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    const before = snapshot();
    const attempts: [string, string, Record<string, string>, number][] = [
      ["managerB", "/practices/DEM001/pauses", { intent: "withdraw", pauseId: String(id) }, 404],
      ["managerB", "/practices/DEM001/pauses", { intent: "request", category: "all", start: "2025-10-07T16:00", end: "2025-10-07T17:00", kind: "outage", reason: "Asking for another practice" }, 404],
      ["commissionerY", "/practices/DEM001/pauses", { intent: "approve", pauseId: String(id) }, 404],
      ["managerA", "/practices/DEM001/pauses", { intent: "approve", pauseId: String(id) }, 403],
      ["managerA", "/practices/DEM001/pauses", { intent: "decline", pauseId: String(id), note: "Declining my own" }, 403],
      ["commissionerX", "/practices/DEM001/pauses", { intent: "request", category: "all", start: "2025-10-07T16:00", end: "2025-10-07T17:00", kind: "outage", reason: "On the practice's behalf" }, 403],
      ["commissionerX", "/practices/DEM001/pauses", { intent: "withdraw", pauseId: String(id) }, 403],
      ["admin", "/practices/DEM001/pauses", { intent: "approve", pauseId: String(id) }, 403],
      ["admin", "/practices/DEM001/pauses", { intent: "request", category: "all", start: "2025-10-07T16:00", end: "2025-10-07T17:00", kind: "outage", reason: "An admin asking for a pause" }, 403],
      // DEM002's request cannot be decided through DEM001's page.
      ["commissionerX", "/practices/DEM001/pauses", { intent: "approve", pauseId: String(otherId) }, 404],
    ];
    for (const [who, path, fields, status] of attempts) {
      const res = await post(path, who, fields);
      expect(res.status, `${who} ${fields.intent}`).toBe(status);
      const body = await res.text();
      if (who !== "managerA") {
        expect(body).not.toContain(practiceA.name);
        expect(body).not.toContain(practiceA.postcode);
      }
      expect(body).not.toContain("Supplier outage confirmed");
    }
    expect(snapshot()).toEqual(before);
    expect((await pause(id)).status).toBe("pending");
    expect((await pause(otherId)).status).toBe("pending");
  });

  it("lists the ICB's requests for its commissioners, pending first, with a CSV", async () => {
    const page = await app.fetch("/icb/DEMO1/pauses?status=pending", { cookie: cookie.commissionerX });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('href="/practices/DEM001/pauses"');
    expect(html).not.toContain("Approved</strong>");
    const csv = await app.fetch("/icb/DEMO1/pauses?format=csv", { cookie: cookie.commissionerX });
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe("ODS code,Practice,Status,Pause of,Start (London time),End (London time),Kind,Reason,Asked by,Asked at,Decided by,Decided at,Decision note");
    const statuses = lines.slice(1).map((l) => /,(Pending|Approved|Declined|Withdrawn),(?:All|Clinical|Admin) requests,/.exec(l)?.[1]);
    expect(statuses).not.toContain(undefined);
    const firstDecided = statuses.findIndex((s) => s !== "Pending");
    expect(statuses.slice(firstDecided).includes("Pending")).toBe(false);
    expect(lines).toContainEqual(expect.stringMatching(/^DEM001,.*,Declined,All requests,2025-10-08 14:00,2025-10-08 15:00,After the fact \(outage\),Fire alarm evacuation of the whole building,Sam Taylor,/));
    // DEMO2's commissioner sees none of DEMO1's requests.
    const other = await app.fetch("/icb/DEMO1/pauses?format=csv", { cookie: cookie.commissionerY });
    expect(other.status).toBe(404);
  });
});
