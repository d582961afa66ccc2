/**
 * The access matrix: every route in the app's own route table, for every kind of caller, allowed or refused.
 * A route that is added without an entry here fails the first test, so the matrix cannot go stale.
 */
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo, DEMO_PASSWORD } from "../../db/seed/demo";
import { issueSupplier } from "../../app/services/suppliers.server";
import { addSupportPlanItems, openCase, recordInformalContact, type CaseActor } from "../../app/services/cases.server";
import { approveNotice, draftNotice, issueNotice } from "../../app/services/notices.server";
import { createUser } from "../../app/utils/users.server";
import { startTestApp, type TestApp } from "../support/app";

type Caller = "anonymous" | "managerA" | "managerB" | "commissionerX" | "commissionerY" | "admin" | "supplierX" | "supplierY";
const CALLERS: Caller[] = ["anonymous", "managerA", "managerB", "commissionerX", "commissionerY", "admin", "supplierX", "supplierY"];
/** Suppliers call with a bearer token and no session: to every page they are signed out. */
const SUPPLIERS = { supplierX: { name: "Matrix supplier X", icb: "DEMO1" }, supplierY: { name: "Matrix supplier Y", icb: "DEMO2" } } as const;
const SESSIONLESS: Caller[] = ["anonymous", "supplierX", "supplierY"];
const SIGN_IN: Record<Exclude<Caller, "anonymous" | keyof typeof SUPPLIERS>, string> = {
  managerA: "manager.dem001@demo.example",
  managerB: "manager.dem002@demo.example",
  commissionerX: "commissioner@demo.example",
  commissionerY: "commissioner@vale.demo.example",
  admin: "admin@demo.example",
};

interface Case {
  url: string;
  /**
   * Callers who get the page (200, or a redirect to where they belong); everyone else is refused. For a POST,
   * allowed callers get past the guards: 201, a redirect, or 400 for the deliberately incomplete form.
   */
  allowed: Caller[] | "everyone";
  /** Text that a refused caller must not see (names, postcodes of the protected organisation). */
  secrets?: string[];
  /** A POST of these form fields (a page's action; `intent` picks which) instead of a GET. */
  form?: Record<string, string>;
  /** A POST of this value as JSON (the API) instead of a GET. */
  json?: unknown;
  /** Every caller gets exactly this status (a method the route does not take). */
  status?: number;
  /** The request ends every session of an allowed caller (answered with a redirect to /login); they sign in again after it. */
  signsOut?: boolean;
}

// Demo fixtures: practice A (DEM001) and B (DEM002) are in ICB X (DEMO1); DEM110 is in ICB Y (DEMO2).
const PRACTICE_A = { code: "DEM001" };
const PRACTICE_B = { code: "DEM002" };
const PRACTICE_Y = { code: "DEM110" };
const SIGNED_IN: Caller[] = ["managerA", "managerB", "commissionerX", "commissionerY", "admin"];

function practiceCases(path: (code: string) => string): Case[] {
  return [
    { url: path(PRACTICE_A.code), allowed: ["managerA", "commissionerX", "admin"], secrets: ["@A"] },
    { url: path(PRACTICE_B.code), allowed: ["managerB", "commissionerX", "admin"], secrets: ["@B"] },
    { url: path(PRACTICE_Y.code), allowed: ["commissionerY", "admin"], secrets: ["@Y"] },
    { url: path("DEM999"), allowed: [] },
  ];
}

function icbCases(path: (code: string) => string): Case[] {
  return [
    { url: path("DEMO1"), allowed: ["commissionerX", "admin"], secrets: ["NHS Demo Shire Integrated Care Board", "@A", "@B"] },
    { url: path("DEMO2"), allowed: ["commissionerY", "admin"], secrets: ["NHS Demo Vale Integrated Care Board", "@Y"] },
    { url: path("NOPE9"), allowed: [] },
  ];
}

/**
 * The pause page's intents, posted without their fields: the practice's own manager asks and withdraws, a
 * commissioner of its ICB approves and declines; nobody acts for the other side, and admins only look.
 */
function pauseIntentCases(): Case[] {
  const cases: Case[] = [];
  for (const intent of ["request", "withdraw", "approve", "decline"]) {
    const practiceSide = intent === "request" || intent === "withdraw";
    cases.push(
      { url: "/practices/DEM001/pauses", form: { intent }, allowed: [practiceSide ? "managerA" : "commissionerX"], secrets: ["@A"] },
      { url: "/practices/DEM110/pauses", form: { intent }, allowed: practiceSide ? [] : ["commissionerY"], secrets: ["@Y"] },
    );
  }
  return cases;
}

/**
 * Cases and notices made in beforeAll (their ids are known only then): `{caseA}` is a case of practice A (DEM001,
 * ICB X) with an issued remedial notice `{noticeA}`; `{caseY}` a case of DEM110 (ICB Y) with a draft `{noticeY}`
 * by another commissioner of ICB Y.
 */
const IDS: Record<string, number> = {};
const fill = (url: string) => url.replace(/\{(\w+)\}/g, (_, k: string) => String(IDS[k] ?? 0));

/** A case's pages and files: the case's practice's manager, its ICB's commissioners and admins; nobody else. */
function caseCases(path: (c: { caseId: string; noticeId: string }) => string): Case[] {
  return [
    { url: path({ caseId: "{caseA}", noticeId: "{noticeA}" }), allowed: ["managerA", "commissionerX", "admin"], secrets: ["@A"] },
    { url: path({ caseId: "{caseY}", noticeId: "{noticeY}" }), allowed: ["commissionerY", "admin"], secrets: ["@Y"] },
    // A notice under another case's address, and a case that does not exist.
    { url: path({ caseId: "{caseA}", noticeId: "{noticeY}" }), allowed: [], secrets: ["@A", "@Y"] },
    { url: path({ caseId: "99999", noticeId: "99999" }), allowed: [] },
  ];
}

/** Which side posts each form: "icb" (a commissioner of the practice's ICB), "practice" (its own manager), "either". */
const CASE_PAGE_INTENTS = {
  update: "icb",
  "informal-contact": "icb",
  "safety-reason": "icb",
  lmc: "icb",
  "add-support": "icb",
  "update-item": "icb",
  progress: "either",
  move: "icb",
  close: "icb",
  "draft-notice": "icb",
  acknowledge: "practice",
  respond: "practice",
  review: "practice",
} as const;
const NOTICE_PAGE_INTENTS = {
  edit: "icb",
  approve: "icb",
  issue: "icb",
  remedied: "icb",
  lapsed: "icb",
  withdraw: "icb",
  acknowledge: "practice",
  respond: "practice",
  review: "practice",
} as const;

/**
 * Every form of a case's page or a notice's page, posted without its fields (or, for the notice already acted on,
 * refused by its rules): allowed callers get 400 or a redirect, everyone else 403/404. DEM110 has no manager.
 */
function caseIntentCases(url: (c: { caseId: string; noticeId: string }) => string, intents: Record<string, "icb" | "practice" | "either">): Case[] {
  const cases: Case[] = [];
  for (const [intent, side] of Object.entries(intents)) {
    const a: Caller[] = side === "icb" ? ["commissionerX"] : side === "practice" ? ["managerA"] : ["managerA", "commissionerX"];
    const y: Caller[] = side === "practice" ? [] : ["commissionerY"];
    cases.push(
      { url: url({ caseId: "{caseA}", noticeId: "{noticeA}" }), form: { intent }, allowed: a, secrets: ["@A"] },
      { url: url({ caseId: "{caseY}", noticeId: "{noticeY}" }), form: { intent }, allowed: y, secrets: ["@Y"] },
    );
  }
  return cases;
}

/** The practice's own forms on its cases page: only its own manager. */
function practiceCaseIntentCases(): Case[] {
  return ["progress", "acknowledge"].flatMap((intent): Case[] => [
    { url: "/practices/DEM001/cases", form: { intent, caseId: "{caseA}" }, allowed: ["managerA"], secrets: ["@A"] },
    { url: "/practices/DEM110/cases", form: { intent, caseId: "{caseY}" }, allowed: [], secrets: ["@Y"] },
  ]);
}

/** One availability event for a practice, as a supplier pushes it. */
const pushFor = (practice: string) => ({
  event_id: `matrix-${practice}`,
  practice_code: practice,
  start: "2026-03-02T09:00:00Z",
  end: "2026-03-02T09:30:00Z",
  status: "closed",
});

/** Every route id in the app, with the requests that exercise it. */
const MATRIX: Record<string, Case[]> = {
  root: [],
  "routes/_index": [{ url: "/", allowed: SIGNED_IN }],
  "routes/login": [{ url: "/login", allowed: "everyone" }],
  "routes/logout": [{ url: "/logout", allowed: SIGNED_IN }],
  "routes/account": [
    { url: "/account", allowed: SIGNED_IN },
    // The form without its fields: 400 for every signed-in user (their own account only; there is no other to name).
    { url: "/account", form: { intent: "change-password" }, allowed: SIGNED_IN },
    { url: "/account", form: { intent: "sign-out-everywhere" }, allowed: SIGNED_IN, signsOut: true },
  ],
  "routes/about": [{ url: "/about", allowed: "everyone" }],
  "routes/$": [{ url: "/no/such/page", allowed: [] }],
  "routes/admin._index": [
    { url: "/admin", allowed: ["admin"], secrets: ["NHS Demo Vale Integrated Care Board", "NHS Demo Shire Integrated Care Board"] },
  ],
  "routes/admin.imports": [
    { url: "/admin/imports", allowed: ["admin"], secrets: ["epraccur-demo.csv"] },
    { url: "/admin/imports?format=csv", allowed: ["admin"], secrets: ["epraccur-demo.csv"] },
  ],
  "routes/icb.$icbCode._index": icbCases((c) => `/icb/${c}`),
  "routes/icb.$icbCode.practices": [
    ...icbCases((c) => `/icb/${c}/practices`),
    ...icbCases((c) => `/icb/${c}/practices?format=csv`),
  ],
  "routes/practices.$odsCode._index": practiceCases((c) => `/practices/${c}`),
  "routes/practices.$odsCode.compliance": [
    ...practiceCases((c) => `/practices/${c}/compliance`),
    ...practiceCases((c) => `/practices/${c}/compliance?from=2026-03-02&to=2026-03-27&day=2026-03-03`),
    ...practiceCases((c) => `/practices/${c}/compliance?format=csv`),
  ],
  "routes/icb.$icbCode.compliance": [
    ...icbCases((c) => `/icb/${c}/compliance`),
    ...icbCases((c) => `/icb/${c}/compliance?flag=flagged&format=csv`),
  ],
  "routes/icb.$icbCode.demand": [
    ...icbCases((c) => `/icb/${c}/demand`),
    ...icbCases((c) => `/icb/${c}/demand?month=2026-03&approach=capacity_pressure`),
    ...icbCases((c) => `/icb/${c}/demand?format=csv`),
  ],
  "routes/practices.$odsCode.demand": [
    ...practiceCases((c) => `/practices/${c}/demand`),
    ...practiceCases((c) => `/practices/${c}/demand?month=2026-03`),
  ],
  "routes/practices.$odsCode.pauses": [...practiceCases((c) => `/practices/${c}/pauses`), ...pauseIntentCases()],
  "routes/icb.$icbCode.screening": [
    ...icbCases((c) => `/icb/${c}/screening`),
    ...icbCases((c) => `/icb/${c}/screening?from=2026-09-01&to=2026-11-20&pcn=DEMPCN02&format=csv`),
  ],
  "routes/icb.$icbCode.pauses": [...icbCases((c) => `/icb/${c}/pauses`), ...icbCases((c) => `/icb/${c}/pauses?status=pending&format=csv`)],
  "routes/icb.$icbCode.settings": [
    ...icbCases((c) => `/icb/${c}/settings`),
    // Only the ICB's own commissioners change its policy; admins look.
    { url: "/icb/DEMO1/settings", form: { closedMinutesPerDay: "x" }, allowed: ["commissionerX"], secrets: ["NHS Demo Shire Integrated Care Board"] },
    { url: "/icb/DEMO2/settings", form: { closedMinutesPerDay: "x" }, allowed: ["commissionerY"], secrets: ["NHS Demo Vale Integrated Care Board"] },
    // The classification thresholds: the same people, through the form's own intent.
    { url: "/icb/DEMO1/settings", form: { intent: "classification", highDecile: "x" }, allowed: ["commissionerX"], secrets: ["NHS Demo Shire Integrated Care Board"] },
    { url: "/icb/DEMO2/settings", form: { intent: "classification", highDecile: "x" }, allowed: ["commissionerY"], secrets: ["NHS Demo Vale Integrated Care Board"] },
  ],
  "routes/admin.audit": [
    { url: "/admin/audit", allowed: ["admin"], secrets: ["auth.signed_in"] },
    { url: "/admin/audit?action=auth&page=2", allowed: ["admin"], secrets: ["auth.signed_in"] },
    { url: "/admin/audit?action=auth.signed_in&format=csv", allowed: ["admin"], secrets: ["auth.signed_in"] },
  ],
  "routes/admin.suppliers": [
    { url: "/admin/suppliers", allowed: ["admin"], secrets: [SUPPLIERS.supplierX.name, SUPPLIERS.supplierY.name] },
    { url: "/admin/suppliers", form: { intent: "issue" }, allowed: ["admin"], secrets: [SUPPLIERS.supplierX.name] },
    { url: "/admin/suppliers", form: { intent: "revoke" }, allowed: ["admin"], secrets: [SUPPLIERS.supplierX.name] },
  ],
  "routes/icb.$icbCode.cases": [
    ...icbCases((c) => `/icb/${c}/cases`),
    ...icbCases((c) => `/icb/${c}/cases?stage=open&format=csv`),
    ...icbCases((c) => `/icb/${c}/cases?open=${c === "DEMO1" ? "DEM001" : "DEM110"}&from=2026-09-01&to=2026-10-30`),
    // Only the ICB's own commissioners open cases; admins look.
    { url: "/icb/DEMO1/cases", form: { intent: "open" }, allowed: ["commissionerX"], secrets: ["NHS Demo Shire Integrated Care Board"] },
    { url: "/icb/DEMO2/cases", form: { intent: "open" }, allowed: ["commissionerY"], secrets: ["NHS Demo Vale Integrated Care Board"] },
  ],
  "routes/practices.$odsCode.cases": [...practiceCases((c) => `/practices/${c}/cases`), ...practiceCaseIntentCases()],
  "routes/cases.$caseId._index": [...caseCases((c) => `/cases/${c.caseId}`).slice(0, 2), { url: "/cases/99999", allowed: [] }, ...caseIntentCases((c) => `/cases/${c.caseId}`, CASE_PAGE_INTENTS)],
  "routes/cases.$caseId.notices.$noticeId._index": [
    ...caseCases((c) => `/cases/${c.caseId}/notices/${c.noticeId}`),
    ...caseIntentCases((c) => `/cases/${c.caseId}/notices/${c.noticeId}`, NOTICE_PAGE_INTENTS),
  ],
  "routes/cases.$caseId.notices.$noticeId.docx": caseCases((c) => `/cases/${c.caseId}/notices/${c.noticeId}/docx`),
  "routes/cases.$caseId.notices.$noticeId.print": caseCases((c) => `/cases/${c.caseId}/notices/${c.noticeId}/print`),
  "routes/api.v1.availability": [
    { url: "/api/v1/availability", allowed: [], status: 405 },
    { url: "/api/v1/availability", json: pushFor("DEM001"), allowed: ["supplierX"], secrets: ["@A"] },
    { url: "/api/v1/availability", json: { events: [pushFor("DEM110")] }, allowed: ["supplierY"], secrets: ["@Y"] },
  ],
};

let app: TestApp;
const cookies = new Map<Caller, string>();
const tokens = new Map<Caller, string>();
const secretValues = new Map<string, string[]>();

beforeAll(async () => {
  app = await startTestApp();
  const { db } = app.open;
  await seedDemo(db);
  for (const [caller, email] of Object.entries(SIGN_IN)) cookies.set(caller as Caller, await app.signIn(email, DEMO_PASSWORD));
  for (const [caller, s] of Object.entries(SUPPLIERS)) {
    tokens.set(caller as Caller, (await issueSupplier(db, { name: s.name, icbCodes: [s.icb] }, { actor: "test", userId: null, ip: null })).token);
  }
  // The cases of the matrix, through the services (the demo's own cases are of other practices).
  const actor = async (email: string, at: string): Promise<CaseActor> => ({
    user: { id: (await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id },
    ip: null,
    at,
  });
  const x1 = await actor(SIGN_IN.commissionerX, "2026-11-02T10:00:00.000Z");
  const period = { from: "2026-10-05", to: "2026-10-30" };
  IDS.caseA = await openCase(db, x1, { practiceCode: PRACTICE_A.code, ...period, summary: "Matrix case A" });
  await recordInformalContact(db, x1, IDS.caseA, { date: "2026-11-02", kind: "call", attendees: "Matrix", notes: "Matrix call" });
  await addSupportPlanItems(db, x1, IDS.caseA, [{ actionId: "demand_capacity_review", dueDate: "2026-11-30" }]);
  IDS.noticeA = await draftNotice(db, x1, IDS.caseA, { type: "remedial" });
  await approveNotice(db, await actor("commissioner2@demo.example", "2026-11-03T10:00:00.000Z"), IDS.noticeA);
  await issueNotice(db, await actor(SIGN_IN.commissionerX, "2026-11-04T10:00:00.000Z"), IDS.noticeA, { issueDate: "2026-11-04" });
  const y1 = await actor(SIGN_IN.commissionerY, "2026-11-02T10:00:00.000Z");
  IDS.caseY = await openCase(db, y1, { practiceCode: PRACTICE_Y.code, ...period, summary: "Matrix case Y", patientSafetyReason: "Patients sent to 111 in core hours" });
  // Drafted by a second commissioner of ICB Y, so that commissionerY (not its author) may approve it.
  await createUser(db, { email: "second@vale.matrix.example", name: "Matrix Second", role: "icb", icbCode: "DEMO2", password: DEMO_PASSWORD }, { actor: "test", ip: null });
  IDS.noticeY = await draftNotice(db, await actor("second@vale.matrix.example", "2026-11-02T11:00:00.000Z"), IDS.caseY, { type: "breach" });
  for (const [key, code] of [["@A", PRACTICE_A.code], ["@B", PRACTICE_B.code], ["@Y", PRACTICE_Y.code]] as const) {
    const p = await db.selectFrom("practices").select(["name", "postcode"]).where("ods_code", "=", code).executeTakeFirstOrThrow();
    secretValues.set(key, [p.name, p.postcode!]);
  }
});

afterAll(async () => {
  await app?.open.close();
});

function fullPaths(build: ServerBuild): Map<string, string> {
  const result = new Map<string, string>();
  for (const [id, route] of Object.entries(build.routes)) {
    const parts: string[] = [];
    let r: (typeof build.routes)[string] | undefined = route;
    while (r) {
      if (r.path) parts.unshift(r.path);
      r = r.parentId ? build.routes[r.parentId] : undefined;
    }
    result.set(id, "/" + parts.join("/"));
  }
  return result;
}

/** What each caller legitimately sees on every page (their own organisation, in the header). */
const OWN: Record<Caller, string[]> = {
  anonymous: [],
  managerA: ["@A"],
  managerB: ["@B"],
  commissionerX: ["NHS Demo Shire Integrated Care Board"],
  commissionerY: ["NHS Demo Vale Integrated Care Board"],
  admin: [],
  supplierX: [],
  supplierY: [],
};

/** The request of a case, as a caller sends it (their session cookie or their bearer token). */
function send(c: Case, caller: Caller): Promise<Response> {
  c = { ...c, url: fill(c.url), form: c.form ? Object.fromEntries(Object.entries(c.form).map(([k, v]) => [k, fill(v)])) : undefined };
  const headers = new Headers();
  const token = tokens.get(caller);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  const init = { cookie: cookies.get(caller), headers };
  if (c.json !== undefined) {
    headers.set("Content-Type", "application/json");
    return app.fetch(c.url, { ...init, method: "POST", body: JSON.stringify(c.json) });
  }
  if (c.form) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    return app.fetch(c.url, { ...init, method: "POST", body: new URLSearchParams(c.form) });
  }
  return app.fetch(c.url, init);
}

function expandSecrets(caller: Caller, secrets: string[] = []): string[] {
  return secrets.filter((s) => !OWN[caller].includes(s)).flatMap((s) => secretValues.get(s) ?? [s]);
}

describe("the access matrix", () => {
  it("has an entry for every route in the app's route table, and no stale ones", () => {
    const routeIds = Object.keys(app.build.routes).sort();
    expect(Object.keys(MATRIX).sort()).toEqual(routeIds);
    for (const [id, path] of fullPaths(app.build)) {
      if (id === "root") continue;
      expect(MATRIX[id]!.length, `${id} (${path}) needs at least one request in the matrix`).toBeGreaterThan(0);
    }
  });

  const cases = Object.entries(MATRIX).flatMap(([routeId, list]) => list.map((c) => ({ routeId, ...c })));
  for (const c of cases) {
    const isPost = c.form !== undefined || c.json !== undefined;
    const what = `${isPost ? "POST" : "GET"} ${c.url}${c.form?.intent ? ` (${c.form.intent})` : ""}`;
    for (const caller of CALLERS) {
      const allowed = c.allowed === "everyone" || c.allowed.includes(caller);
      it(`${what} as ${caller}: ${c.status ?? (allowed ? "allowed" : "refused")}`, async () => {
        const res = await send(c, caller);
        const body = await res.text();
        if (c.status) {
          expect(res.status).toBe(c.status);
          return;
        }
        if (allowed) {
          expect(isPost ? [201, 302, 400] : [200, 302]).toContain(res.status);
          if (c.signsOut) {
            expect(res.status).toBe(302);
            expect(res.headers.get("location")).toBe("/login");
            expect((await app.fetch("/account", { cookie: cookies.get(caller) })).status).toBe(302);
            cookies.set(caller, await app.signIn(SIGN_IN[caller as keyof typeof SIGN_IN], DEMO_PASSWORD));
          } else if (res.status === 302) expect(res.headers.get("location")).not.toMatch(/^\/login/);
          return;
        }
        if (c.json !== undefined) {
          // The API knows tokens only: without one (a session is not one) 401; another ICB's practice 403.
          expect(res.status).toBe(tokens.has(caller) ? 403 : 401);
        } else if (SESSIONLESS.includes(caller)) {
          expect([302, 404]).toContain(res.status);
          if (res.status === 302) expect(res.headers.get("location")).toMatch(/^\/login(\?redirectTo=|$)/);
        } else {
          expect([403, 404]).toContain(res.status);
        }
        for (const secret of expandSecrets(caller, c.secrets)) expect(body).not.toContain(secret);
      });
    }
  }

  it("refuses a POST to a page without an action, for every caller", async () => {
    for (const caller of CALLERS) {
      const res = await app.fetch("/practices/DEM001", { method: "POST", cookie: cookies.get(caller), body: new URLSearchParams({ x: "1" }) });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(await res.text()).not.toContain(secretValues.get("@A")![1]);
    }
  });

  it("signs out with a POST to /logout, ending the session", async () => {
    const cookie = await app.signIn(SIGN_IN.managerA, DEMO_PASSWORD);
    expect((await app.fetch("/practices/DEM001", { cookie })).status).toBe(200);
    const out = await app.fetch("/logout", { method: "POST", cookie });
    expect(out.status).toBe(302);
    expect(out.headers.get("set-cookie")).toMatch(/icb_session=;/);
    const after = await app.fetch("/practices/DEM001", { cookie });
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toBe("/login?redirectTo=%2Fpractices%2FDEM001");
  });
});
