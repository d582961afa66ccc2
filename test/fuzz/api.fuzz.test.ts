/**
 * Fuzzing the push API, POST /api/v1/availability, through the real built app: 1,000 mutated bodies (JSON structure
 * and types changed, text truncated and bytes flipped, other encodings, deep nesting, huge strings and arrays,
 * injection strings, another ICB's practices, event ids reused with other content) and mangled headers.
 *
 * Every answer is JSON with a 2xx or 4xx status, never 5xx; a refusal names what was wrong (`error`, `details`) and
 * leaves every table exactly as it was. Deterministic: a failure names its iteration and mutations.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueSupplier } from "../../app/services/suppliers.server";
import { startTestApp, type TestApp } from "../support/app";
import { dumpTables } from "../support/db";
import { seedSmallWorld } from "../support/small-world";
import { deepJson, FILE_MUTATIONS, INJECTIONS, mutateJson, prng, type Rng } from "./mutate";

const BODIES = 1000;
const FUZZ_SEED = 7_2026_11;

let app: TestApp;
let token: string;
const SUPPLIER = "Fuzz supplier";

beforeAll(async () => {
  app = await startTestApp();
  await seedSmallWorld(app.open.db);
  token = (await issueSupplier(app.open.db, { name: SUPPLIER, icbCodes: ["DEMO1"] }, { actor: "test", userId: null, ip: null })).token;
});

afterAll(async () => {
  await app?.open.close();
});

let nextId = 0;
/** A valid event for one of the token's practices, with a fresh id and a random half-hour in March 2026. */
function event(rng: Rng): Record<string, string> {
  const day = 2 + rng.int(20);
  const hour = 8 + rng.int(10);
  const start = `2026-03-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00Z`;
  const end = `2026-03-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:30:00Z`;
  const e: Record<string, string> = {
    event_id: `fuzz-${nextId++}`,
    practice_code: rng.pick(["DEM001", "DEM002", "dem001"]),
    start,
    end,
    status: rng.pick(["open", "closed", "CLOSED"]),
  };
  if (rng.chance(0.5)) e.category = rng.pick(["all", "clinical", "admin"]);
  if (rng.chance(0.3)) e.reason = rng.pick(["Capacity reached", "Staff training", ""]);
  if (rng.chance(0.2)) e.source = SUPPLIER;
  return e;
}

function validBody(rng: Rng): unknown {
  return rng.chance(0.4) ? event(rng) : { events: Array.from({ length: 1 + rng.int(4) }, () => event(rng)) };
}

interface Request {
  what: string;
  body: Buffer | string;
  headers: Record<string, string>;
}

const accepted: Record<string, string>[] = [];

/** One request: mostly a mutated body with the right headers, sometimes the right body with wrong headers. */
function request(rng: Rng, i: number): Request {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const what: string[] = [];
  let value = validBody(rng);
  let body: Buffer | string | undefined;
  const kind = rng.int(20);
  if (kind < 8) {
    const n = 1 + rng.int(3);
    for (let k = 0; k < n; k++) value = mutateJson(value, rng);
    what.push(`JSON structure ×${n}`);
  } else if (kind < 12) {
    const m = rng.pick(FILE_MUTATIONS);
    body = m.apply(Buffer.from(JSON.stringify(value) ?? "", "utf8"), rng);
    what.push(`bytes: ${m.name}`);
  } else if (kind === 12) {
    const e = event(rng);
    e.practice_code = rng.pick(["DEM110", "A81001", "Z99999"]);
    value = rng.chance(0.5) ? e : { events: [event(rng), e] };
    what.push("a practice the token may not report for");
  } else if (kind === 13 && accepted.length > 0) {
    const earlier = { ...rng.pick(accepted) };
    earlier.status = earlier.status?.toLowerCase() === "open" ? "closed" : "open";
    value = { events: [earlier] };
    what.push("an accepted event_id with other content");
  } else if (kind === 14) {
    const special = rng.int(7);
    if (special === 0) body = deepJson(1_000 + rng.int(100_000));
    else if (special === 1) body = JSON.stringify({ events: Array.from({ length: 1001 }, () => event(rng)) });
    else if (special === 2) body = JSON.stringify({ events: [event(rng)], padding: "x".repeat(1024 * 1024) });
    else if (special === 3) body = JSON.stringify({ ...event(rng), reason: "r".repeat(600) });
    else if (special === 4) body = JSON.stringify({ ...event(rng), event_id: rng.pick(INJECTIONS) + "x".repeat(rng.int(300)) });
    else if (special === 5) body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(event(rng)))]);
    else body = rng.pick(["", "null", "[]", "{}", '{"events":[]}', '{"events":{}}', "0", '"x"', "true", "{", "]"]);
    what.push(`special ${special}`);
  } else if (kind === 15) {
    const h = rng.int(7);
    if (h === 0) delete headers.Authorization;
    else if (h === 1) headers.Authorization = `Bearer ${token.slice(0, -1)}x`;
    else if (h === 2) headers.Authorization = `Basic ${Buffer.from("user:pass").toString("base64")}`;
    else if (h === 3) headers["Content-Type"] = rng.pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp"]);
    else if (h === 4) delete headers["Content-Type"];
    else if (h === 5) headers.Authorization = `Bearer ${token} ${token}`;
    else headers.Authorization = `Bearer ${rng.pick(INJECTIONS).replace(/[^\x20-\x7e]/g, "")}`; // what HTTP can carry
    what.push(`header ${h}`);
  } else {
    what.push("valid");
  }
  return { what: `body ${i}: ${what.join(", ")}`, body: body ?? JSON.stringify(value) ?? "", headers };
}

describe("fuzzing POST /api/v1/availability", () => {
  it("refuses JSON nested 100,000 deep with 400, wherever it is (it used to overflow the stack: 500)", async () => {
    const deep = deepJson(100_000);
    for (const body of [deep, `{"events":[${deep}]}`, `{"event_id":"d1","practice_code":"DEM001","start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z","status":${deep}}`]) {
      const before = dumpTables(app.open);
      const res = await app.fetch("/api/v1/availability", { method: "POST", body, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" } });
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { details: string[] };
      expect(answer.details[0]).toMatch(/got \[\[\[\[\[…\]\]\]\]\]$/);
      expect(dumpTables(app.open)).toEqual(before);
    }
  });

  it(`answers ${BODIES} mutated requests with JSON, 2xx or 4xx and never 5xx, and changes nothing when it refuses`, async () => {
    const rng = prng(FUZZ_SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < BODIES; i++) {
      const req = request(rng, i);
      const before = dumpTables(app.open);
      const res = await app.fetch("/api/v1/availability", { method: "POST", body: typeof req.body === "string" ? req.body : new Uint8Array(req.body), headers: req.headers });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const context = `${req.what} → ${res.status} ${text.slice(0, 300)}`;
      expect(res.status, context).toBeLessThan(500);
      expect(res.headers.get("content-type"), context).toMatch(/^application\/json/);
      let answer: { error?: unknown; details?: unknown; accepted?: unknown; duplicates?: unknown };
      try {
        answer = JSON.parse(text);
      } catch {
        throw new Error(`${context}: the answer is not JSON`);
      }
      if (res.status === 201) {
        expect(typeof answer.accepted, context).toBe("number");
        expect(typeof answer.duplicates, context).toBe("number");
        try {
          const parsed = JSON.parse(typeof req.body === "string" ? req.body : req.body.toString("utf8")) as { events?: Record<string, string>[] };
          for (const e of parsed.events ?? [parsed as Record<string, string>]) if (typeof e?.event_id === "string") accepted.push(e);
        } catch {
          // a body with a BOM: accepted by the app, not by JSON.parse here
        }
        continue;
      }
      expect(res.status, context).toBeGreaterThanOrEqual(400);
      expect(typeof answer.error === "string" && answer.error.length > 0, context).toBe(true);
      expect(Array.isArray(answer.details) && answer.details.every((d) => typeof d === "string"), context).toBe(true);
      expect(text, context).not.toMatch(/\n\s+at |node_modules|SqliteError/);
      expect(dumpTables(app.open), `${context}: a refused request changed the database`).toEqual(before);
    }
    const seen = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
    // The fuzzer reached every kind of answer: stored, invalid, unauthorised, forbidden, conflict, too large, wrong type.
    for (const status of [201, 400, 401, 403, 409, 413, 415]) expect(seen[status] ?? 0, `${status} in ${JSON.stringify(seen)}`).toBeGreaterThan(0);
    expect(seen[400]!, JSON.stringify(seen)).toBeGreaterThan(BODIES / 4);
  }, 120_000);
});
