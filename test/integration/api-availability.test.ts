/**
 * `POST /api/v1/availability` through the real app: suppliers push events with a bearer token; the events become
 * intervals, the practice-days are recomputed, pushes are idempotent per (supplier, event_id), and every refused
 * call leaves every table exactly as it was.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localMinute } from "~/domain/calendar";
import { issueSupplier, revokeSupplier } from "~/services/suppliers.server";
import { dumpTables } from "../support/db";
import { startTestApp, type TestApp } from "../support/app";
import { seedSmallWorld, SMALL_WORLD } from "../support/small-world";

let app: TestApp;
const token: Record<"x" | "y" | "revoked", string> = { x: "", y: "", revoked: "" };
const SUPPLIER_X = "Acme Online Consult";

beforeAll(async () => {
  // Short, so that the "database busy" answer below comes quickly (ADR 18); read at the app's boot.
  process.env.DB_BUSY_WAIT_MS = "300";
  app = await startTestApp();
  const { db } = app.open;
  await seedSmallWorld(db);
  const by = { actor: "test", userId: null, ip: null };
  token.x = (await issueSupplier(db, { name: SUPPLIER_X, icbCodes: ["DEMO1"] }, by)).token;
  token.y = (await issueSupplier(db, { name: "Vale Triage", icbCodes: ["DEMO2"] }, by)).token;
  token.revoked = (await issueSupplier(db, { name: "Old Supplier", icbCodes: ["DEMO1", "DEMO2"] }, by)).token;
  await revokeSupplier(db, { name: "Old Supplier" }, by);
});

afterAll(async () => {
  await app?.open.close();
});

function push(body: unknown, opts: { token?: string | null; contentType?: string; raw?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { "Content-Type": opts.contentType ?? "application/json", ...opts.headers };
  const t = opts.token === undefined ? token.x : opts.token;
  if (t !== null) headers.Authorization = `Bearer ${t}`;
  return app.fetch("/api/v1/availability", { method: "POST", headers, body: opts.raw ?? JSON.stringify(body) });
}

async function day(practice: string, date: string) {
  return app.open.db
    .selectFrom("compliance_days")
    .select(["open_minutes", "closed_minutes", "excepted_minutes", "unknown_minutes", "clinical_closed", "admin_closed"])
    .where("practice_code", "=", practice)
    .where("date", "=", date)
    .executeTakeFirst();
}

/** Sends a call that must be refused, and checks that it changed nothing at all. */
async function refused(call: () => Promise<Response>, status: number) {
  const before = dumpTables(app.open);
  const res = await call();
  const body = (await res.json()) as { error: string; details: string[] };
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(typeof body.error).toBe("string");
  expect(dumpTables(app.open)).toEqual(before);
  return { res, body };
}

// Monday 2 March 2026 (GMT) for DEM001; Monday 1 June 2026 (BST) for DEM002.
const BATCH = {
  events: [
    { event_id: "acme-1", practice_code: "DEM001", start: "2026-03-02 08:00", end: "2026-03-02 18:30", status: "open" },
    { event_id: "acme-2", practice_code: "dem001", start: "2026-03-02T09:00:00Z", end: "2026-03-02T10:00:00Z", status: "CLOSED", category: "all", reason: "Capacity reached" },
    { event_id: "acme-3", practice_code: "DEM001", start: "2026-03-02 15:00", end: "2026-03-02 16:30", status: "closed", category: "clinical", reason: null },
    { event_id: "acme-4", practice_code: "DEM002", start: "2026-06-01T08:00:00+01:00", end: "2026-06-01T18:30:00+01:00", status: "open", source: SUPPLIER_X },
    { event_id: "acme-5", practice_code: "DEM002", start: "2026-06-01T12:00:00+01:00", end: "2026-06-01T13:00:00+01:00", status: "closed" },
  ],
};

describe("POST /api/v1/availability", () => {
  it("stores a batch, recomputes the days it touches, and audits the push", async () => {
    const res = await push(BATCH);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ accepted: 5, duplicates: 0 });

    const intervals = await app.open.db
      .selectFrom("availability_intervals")
      .select(["practice_code", "source", "start_min", "end_min", "status", "category", "reason", "event_id", "import_id"])
      .orderBy("event_id")
      .execute();
    expect(intervals).toEqual([
      { practice_code: "DEM001", source: SUPPLIER_X, start_min: localMinute("2026-03-02", 480), end_min: localMinute("2026-03-02", 1110), status: "open", category: "all", reason: null, event_id: "acme-1", import_id: null },
      { practice_code: "DEM001", source: SUPPLIER_X, start_min: Date.UTC(2026, 2, 2, 9) / 60_000, end_min: Date.UTC(2026, 2, 2, 10) / 60_000, status: "closed", category: "all", reason: "Capacity reached", event_id: "acme-2", import_id: null },
      { practice_code: "DEM001", source: SUPPLIER_X, start_min: localMinute("2026-03-02", 900), end_min: localMinute("2026-03-02", 990), status: "closed", category: "clinical", reason: null, event_id: "acme-3", import_id: null },
      { practice_code: "DEM002", source: SUPPLIER_X, start_min: Date.UTC(2026, 5, 1, 7) / 60_000, end_min: Date.UTC(2026, 5, 1, 17, 30) / 60_000, status: "open", category: "all", reason: null, event_id: "acme-4", import_id: null },
      { practice_code: "DEM002", source: SUPPLIER_X, start_min: Date.UTC(2026, 5, 1, 11) / 60_000, end_min: Date.UTC(2026, 5, 1, 12) / 60_000, status: "closed", category: "all", reason: null, event_id: "acme-5", import_id: null },
    ]);

    // 630 core minutes: 60 closed for all, 90 more closed for clinical requests only (the tool counts as open only
    // when both kinds are open).
    expect(await day("DEM001", "2026-03-02")).toEqual({ open_minutes: 480, closed_minutes: 150, excepted_minutes: 0, unknown_minutes: 0, clinical_closed: 150, admin_closed: 60 });
    expect(await day("DEM002", "2026-06-01")).toEqual({ open_minutes: 570, closed_minutes: 60, excepted_minutes: 0, unknown_minutes: 0, clinical_closed: 60, admin_closed: 60 });

    const audit = await app.open.db.selectFrom("audit_log").select(["actor", "action", "entity_type", "detail", "user_id"]).where("action", "=", "availability.pushed").execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: `supplier:${SUPPLIER_X}`, entity_type: "supplier", user_id: null });
    expect(JSON.parse(audit[0]!.detail!)).toEqual({ accepted: 5, duplicates: 0, practices: ["DEM001", "DEM002"] });
  });

  it("is idempotent: the same events again are duplicates and change no data", async () => {
    const intervalsBefore = await app.open.db.selectFrom("availability_intervals").selectAll().execute();
    const daysBefore = await app.open.db.selectFrom("compliance_days").select(["practice_code", "date", "open_minutes", "closed_minutes"]).execute();
    const res = await push(BATCH);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 5 });
    expect(await app.open.db.selectFrom("availability_intervals").selectAll().execute()).toEqual(intervalsBefore);
    expect(await app.open.db.selectFrom("compliance_days").select(["practice_code", "date", "open_minutes", "closed_minutes"]).execute()).toEqual(daysBefore);

    // The same event written another way (UTC instead of London time) is the same event.
    const same = await push({ event_id: "acme-1", practice_code: "DEM001", start: "2026-03-02T08:00:00Z", end: "2026-03-02T18:30:00+00:00", status: "open", category: "" });
    expect(same.status).toBe(201);
    expect(await same.json()).toEqual({ accepted: 0, duplicates: 1 });

    // A repeat within one body counts once.
    const twice = await push({ events: [
      { event_id: "acme-6", practice_code: "DEM001", start: "2026-03-03 09:00", end: "2026-03-03 09:20", status: "closed" },
      { event_id: "acme-6", practice_code: "DEM001", start: "2026-03-03 09:00", end: "2026-03-03 09:20", status: "closed" },
    ] });
    expect(await twice.json()).toEqual({ accepted: 1, duplicates: 1 });
    expect(await app.open.db.selectFrom("availability_intervals").select("id").where("event_id", "=", "acme-6").execute()).toHaveLength(1);
  });

  it("keeps event ids per supplier: another supplier may use the same id", async () => {
    const res = await push({ event_id: "acme-1", practice_code: "DEM110", start: "2026-03-02 08:00", end: "2026-03-02 18:30", status: "open" }, { token: token.y });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await day("DEM110", "2026-03-02")).toMatchObject({ open_minutes: 630, closed_minutes: 0, unknown_minutes: 0 });
  });

  it("answers 409 for an event_id sent before with different content", async () => {
    const { body } = await refused(
      () => push({ events: [
        { event_id: "acme-7", practice_code: "DEM001", start: "2026-03-04 09:00", end: "2026-03-04 09:10", status: "closed" },
        { event_id: "acme-2", practice_code: "DEM001", start: "2026-03-02T09:00:00Z", end: "2026-03-02T10:30:00Z", status: "closed", reason: "Capacity reached" },
      ] }),
      409,
    );
    expect(body.details).toEqual(['events[1].event_id: "acme-2" was received before with different content']);
  });

  it("answers 400 naming each event and field that is wrong, and stores none of the batch", async () => {
    const { body } = await refused(
      () => push({ events: [
        { event_id: "ok-1", practice_code: "DEM001", start: "2026-03-05 09:00", end: "2026-03-05 10:00", status: "closed" },
        { event_id: "bad-1", practice_code: "DEM001", start: "yesterday", end: "2026-03-05 10:00", status: "closed" },
        { event_id: "bad-2", practice_code: "DEM001", start: "2026-03-05 10:00", end: "2026-03-05 09:00", status: "closed" },
        { event_id: "bad-3", practice_code: "DEM001", start: "2026-03-05 09:00", end: "2026-03-05 10:00", status: "shut" },
        { practice_code: 42, start: "2026-03-05 09:00", end: "2026-03-05 10:00", colour: "red" },
        { event_id: "x".repeat(201), practice_code: "DEM001", start: "2026-03-05 09:00", end: "2026-03-05 10:00", status: "open", source: "Someone else" },
        { event_id: "ok-1", practice_code: "DEM001", start: "2026-03-05 09:00", end: "2026-03-05 11:00", status: "closed" },
      ] }),
      400,
    );
    expect(body.error).toBe("Invalid events; nothing was stored");
    expect(body.details).toEqual([
      'events[1].start: expected a time like 2026-03-30T08:00:00+01:00, 2026-03-30T07:00:00Z or 2026-03-30 08:00 (London time), got "yesterday"',
      'events[2].end: expected an end after the start, got "2026-03-05 09:00"',
      'events[3].status: expected a status of open or closed, got "shut"',
      "events[4].colour: not a field of an event (the fields are event_id, practice_code, start, end, status, category, reason, source)",
      "events[4].event_id: required, got nothing",
      "events[4].practice_code: expected a string, got 42",
      "events[4].status: required, got nothing",
      "events[5].event_id: expected 1 to 200 characters, got 201",
      'events[5].source: expected this token\'s supplier name "Acme Online Consult" or nothing, got "Someone else"',
      'events[6].event_id: "ok-1" is also events[0], with different content',
    ]);
  });

  it("answers 400 for a body that is not an event or a batch, or not JSON", async () => {
    expect((await refused(() => push([1, 2]), 400)).body.details).toEqual(['expected one event object or {"events": [...]}, got [1,2]']);
    expect((await refused(() => push({ events: [] }), 400)).body.details).toEqual(["events: expected at least one event, got none"]);
    expect((await refused(() => push(null, { raw: '{"events": [' }), 400)).body.error).toBe("The body is not valid JSON");
    // A single event names its fields without an index.
    expect((await refused(() => push({ event_id: "s-1", practice_code: "DEM001", start: "2026-03-05 09:00", end: "2026-03-05 10:00", status: "ajar" }), 400)).body.details).toEqual([
      'status: expected a status of open or closed, got "ajar"',
    ]);
  });

  it("refuses a whole batch with any practice outside the supplier's ICBs (403), saying the same for one that does not exist", async () => {
    const { body } = await refused(
      () => push({ events: [
        { event_id: "icb-1", practice_code: "DEM001", start: "2026-03-05 09:00", end: "2026-03-05 10:00", status: "closed" },
        { event_id: "icb-2", practice_code: "DEM110", start: "2026-03-05 09:00", end: "2026-03-05 10:00", status: "closed" },
        { event_id: "icb-3", practice_code: "DEM999", start: "2026-03-05 09:00", end: "2026-03-05 10:00", status: "closed" },
      ] }),
      403,
    );
    expect(body.details).toEqual([
      'events[1].practice_code: "DEM110" is not a practice this token may report for',
      'events[2].practice_code: "DEM999" is not a practice this token may report for',
    ]);
    const text = JSON.stringify(body);
    for (const p of SMALL_WORLD.practices) {
      expect(text).not.toContain(p.name);
      expect(text).not.toContain(p.postcode);
    }
    expect(text).not.toContain("DEMO2");
  });

  it("answers 401 without a valid token, with WWW-Authenticate", async () => {
    const event = { event_id: "auth-1", practice_code: "DEM001", start: "2026-03-05 09:00", end: "2026-03-05 10:00", status: "closed" };
    for (const t of [null, token.revoked, "icbam_" + "A".repeat(43), "not-a-token", token.x.slice(0, -1)]) {
      const { res } = await refused(() => push(event, { token: t }), 401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="ICB Access Monitor"/);
    }
    // A session cookie is not a token.
    const { res } = await refused(() => app.fetch("/api/v1/availability", { method: "POST", headers: { "Content-Type": "application/json", Cookie: "icb_session=x" }, body: JSON.stringify(event) }), 401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers 413 for a body over 1 MB or over 1,000 events, 415 for a body that is not JSON", async () => {
    const big = { event_id: "big-1", practice_code: "DEM001", start: "2026-03-05 09:00", end: "2026-03-05 10:00", status: "closed", reason: "x".repeat(1024 * 1024) };
    await refused(() => push(big), 413);
    // Content-Length alone is enough to refuse before reading.
    await refused(() => push({ event_id: "big-2" }, { headers: { "Content-Length": String(2 * 1024 * 1024) } }), 413);
    const many = {
      events: Array.from({ length: 1001 }, (_, i) => ({ event_id: `many-${i}`, practice_code: "DEM001", start: "2026-03-05 09:00", end: "2026-03-05 09:01", status: "open" })),
    };
    expect((await refused(() => push(many), 413)).body.error).toBe("Too many events: at most 1000 per request");
    await refused(() => push(null, { contentType: "text/csv", raw: "practice_code,start,end,status\nDEM001,2026-03-05 09:00,2026-03-05 10:00,closed\n" }), 415);
    await refused(() => push({ event_id: "f-1" }, { contentType: "application/x-www-form-urlencoded" }), 415);
  });

  it("takes exactly 1,000 events in one request", async () => {
    const events = Array.from({ length: 1000 }, (_, i) => {
      const start = localMinute("2026-03-06", 480) + i;
      const iso = (m: number) => new Date(m * 60_000).toISOString();
      return { event_id: `k-${i}`, practice_code: "DEM001", start: iso(start), end: iso(start + 1), status: i % 2 ? "open" : "closed" };
    });
    const res = await push({ events });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ accepted: 1000, duplicates: 0 });
    // 08:00–00:40 the next day, alternating: within core hours (630 minutes) 315 closed and 315 open.
    expect(await day("DEM001", "2026-03-06")).toMatchObject({ open_minutes: 315, closed_minutes: 315, unknown_minutes: 0 });
  });

  it("does what docs/formats/availability.md says of its own examples", async () => {
    // The doc's practice A81001, in ICB X for this test.
    const now = new Date().toISOString();
    await app.open.db
      .insertInto("practices")
      .values({ ods_code: "A81001", name: "DOC EXAMPLE PRACTICE", status: "active", icb_code: "DEMO1", source: "test", created_at: now, updated_at: now, address_line1: null, address_line2: null, address_line3: null, address_line4: null, address_line5: null, postcode: null, phone: null, open_date: null, close_date: null, region_code: null, sub_icb_code: null, pcn_code: null, contract_type: null })
      .execute();
    const doc = readFileSync("docs/formats/availability.md", "utf8");
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const single = JSON.parse(blocks.find((b) => b.startsWith('{ "event_id"'))!);
    const batch = JSON.parse(blocks.find((b) => b.startsWith('{\n  "events"'))!);
    expect(batch.events).toHaveLength(3);

    const first = await push(batch);
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0 });
    expect(await day("A81001", "2026-03-30")).toMatchObject({ open_minutes: 480, closed_minutes: 150, unknown_minutes: 0 });
    const again = await push(batch);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 3 });
    // The single-event example is the batch's lunch closure, written in another way.
    const one = await push(single);
    expect(one.status).toBe(201);
    expect(await one.json()).toEqual({ accepted: 0, duplicates: 1 });
  });

  it("answers 503 with Retry-After, storing nothing, when an import holds the write lock for longer than DB_BUSY_WAIT_MS", async () => {
    const before = dumpTables(app.open);
    app.open.sqlite.exec("begin immediate");
    let res: Response;
    try {
      res = await push({ event_id: "busy-1", practice_code: "DEM001", start: "2026-03-04 09:00", end: "2026-03-04 09:30", status: "closed" });
    } finally {
      app.open.sqlite.exec("commit");
    }
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("60");
    expect(await res.json()).toEqual({ error: expect.stringMatching(/busy with an import; nothing was stored/), details: [] });
    expect(dumpTables(app.open)).toEqual(before);

    // Sent again once the lock is free, it is stored.
    const again = await push({ event_id: "busy-1", practice_code: "DEM001", start: "2026-03-04 09:00", end: "2026-03-04 09:30", status: "closed" });
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual({ accepted: 1, duplicates: 0 });
  });

  it("answers 405 to GET", async () => {
    const res = await app.fetch("/api/v1/availability");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});
