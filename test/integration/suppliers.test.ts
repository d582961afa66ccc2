/** Supplier tokens: issued once (admin page and CLI), stored only as a hash, revoked at once; all audited. */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateSupplier, issueSupplier, SupplierError } from "~/services/suppliers.server";
import { openDatabase } from "../../db/connection";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { copyTemplateDatabase, dumpTables } from "../support/db";
import { startTestApp, type TestApp } from "../support/app";
import { seedSmallWorld } from "../support/small-world";

let app: TestApp;
const cookie: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  await seedSmallWorld(app.open.db);
  cookie.admin = await app.signIn("admin@demo.example", DEMO_PASSWORD);
  cookie.commissionerX = await app.signIn("commissioner@demo.example", DEMO_PASSWORD);
});

afterAll(async () => {
  await app?.open.close();
});

function form(who: string, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const value of [v].flat()) body.append(k, value);
  return app.fetch("/admin/suppliers", { method: "POST", cookie: cookie[who], headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });
}

const pushWith = (token: string) =>
  app.fetch("/api/v1/availability", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ event_id: `e-${token.slice(-6)}`, practice_code: "DEM001", start: "2026-03-02 09:00", end: "2026-03-02 09:30", status: "closed" }),
  });

describe("supplier tokens on the admin page", () => {
  it("issues a token shown once, stores only its hash, and the token pushes for its ICBs", async () => {
    const res = await form("admin", { intent: "issue", name: "Beacon Triage", icb: ["DEMO1"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    const token = /data-testid="issued-token"[^>]*>(icbam_[A-Za-z0-9_-]{43})</.exec(html)?.[1];
    expect(token).toBeDefined();

    const row = await app.open.db.selectFrom("suppliers").selectAll().where("name", "=", "Beacon Triage").executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash("sha256").update(token!).digest("hex"));
    expect(row.token_hint).toBe(`${token!.slice(0, 10)}…`);
    expect(row.created_by).toBe("admin@demo.example");
    expect(JSON.stringify(dumpTables(app.open))).not.toContain(token!);
    expect(await app.open.db.selectFrom("supplier_icbs").select("icb_code").where("supplier_id", "=", row.id).execute()).toEqual([{ icb_code: "DEMO1" }]);

    // The list shows the hint, never the token.
    const list = await (await app.fetch("/admin/suppliers", { cookie: cookie.admin })).text();
    expect(list).toContain("Beacon Triage");
    expect(list).toContain(row.token_hint);
    expect(list).not.toContain(token!);

    expect((await pushWith(token!)).status).toBe(201);
    expect(await authenticateSupplier(app.open.db, token!)).toEqual({ id: row.id, name: "Beacon Triage", icbCodes: ["DEMO1"] });

    // Revoked: refused from the next request on.
    const revoked = await form("admin", { intent: "revoke", supplierId: String(row.id) });
    expect(revoked.status).toBe(302);
    expect(revoked.headers.get("location")).toBe("/admin/suppliers?revoked=Beacon%20Triage");
    expect((await pushWith(token!)).status).toBe(401);
    expect(await authenticateSupplier(app.open.db, token!)).toBeNull();
    const again = await form("admin", { intent: "revoke", supplierId: String(row.id) });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("was already revoked");

    const audit = await app.open.db.selectFrom("audit_log").select(["actor", "action", "entity_id", "detail"]).where("entity_type", "=", "supplier").where("action", "like", "supplier.%").orderBy("id").execute();
    expect(audit.map((a) => [a.actor, a.action, a.entity_id])).toEqual([
      ["admin@demo.example", "supplier.issued", String(row.id)],
      ["admin@demo.example", "supplier.revoked", String(row.id)],
    ]);
    expect(audit.map((a) => a.detail).join()).not.toContain(token!);
  });

  it("refuses a missing name, no ICB, an unknown ICB and a name in use, changing nothing", async () => {
    const { sessions: _s, ...before } = dumpTables(app.open);
    const cases: [Record<string, string | string[]>, string][] = [
      [{ intent: "issue", name: "", icb: ["DEMO1"] }, "Enter the supplier&#x27;s name"],
      [{ intent: "issue", name: "Cedar" }, "Select at least one ICB"],
      [{ intent: "issue", name: "Cedar", icb: ["QXX"] }, "No such ICB: QXX"],
      [{ intent: "issue", name: "Beacon Triage", icb: ["DEMO1"] }, "A supplier called &quot;Beacon Triage&quot; already exists"],
    ];
    for (const [fields, message] of cases) {
      const res = await form("admin", fields);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(message);
    }
    const { sessions: _t, ...after } = dumpTables(app.open);
    expect(after).toEqual(before);
  });

  it("is for admins only", async () => {
    expect((await app.fetch("/admin/suppliers", { cookie: cookie.commissionerX })).status).toBe(403);
    const res = await form("commissionerX", { intent: "issue", name: "Sneaky", icb: ["DEMO1"] });
    expect(res.status).toBe(403);
    expect(await app.open.db.selectFrom("suppliers").select("id").where("name", "=", "Sneaky").execute()).toEqual([]);
  });

  it("refuses a token for no ICB or a bad name in the service", async () => {
    const by = { actor: "test", userId: null, ip: null };
    await expect(issueSupplier(app.open.db, { name: "Nobody", icbCodes: [] }, by)).rejects.toThrow(SupplierError);
    await expect(issueSupplier(app.open.db, { name: "<script>", icbCodes: ["DEMO1"] }, by)).rejects.toThrow(/A supplier name is 1 to 100/);
  });
});

describe("supplier commands in the CLI", () => {
  let dbPath: string;
  let dbDir: string;
  beforeAll(async () => {
    ({ path: dbPath, dir: dbDir } = copyTemplateDatabase());
    const open = openDatabase(dbPath);
    const now = new Date().toISOString();
    await open.db.insertInto("icbs").values({ code: "QHM", name: "NHS North East ICB", ons_code: null, region_code: null, is_demo: 0, updated_at: now }).execute();
    await open.close();
  });
  afterAll(() => rmSync(dbDir, { recursive: true, force: true }));

  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env };
      delete env.DATABASE_PATH;
      execFile(process.execPath, ["--import", "tsx", "importers/cli.ts", ...args, "--db", dbPath], { env, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      });
    });

  it(
    "adds (printing the token once), lists and revokes a supplier",
    async () => {
      const added = await cli("supplier", "add", "--name", "Acme OC", "--icb", "qhm");
      expect(added.stderr).toBe("");
      expect(added.code).toBe(0);
      const lines = added.stdout.trim().split("\n");
      expect(lines[0]).toBe('Added supplier #1 "Acme OC", reporting for QHM. Its token:');
      expect(lines[1]).toMatch(/^icbam_[A-Za-z0-9_-]{43}$/);
      expect(lines[2]).toMatch(/^Store it now .*cannot be shown again\.$/);

      const open = openDatabase(dbPath);
      try {
        expect(await authenticateSupplier(open.db, lines[1]!)).toEqual({ id: 1, name: "Acme OC", icbCodes: ["QHM"] });
      } finally {
        await open.close();
      }

      const list = await cli("supplier", "list");
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^Acme OC\tQHM\ticbam_.{4}…\tissued \S+ by cli\tactive\n$/);
      expect(list.stdout).not.toContain(lines[1]!);

      expect(await cli("supplier", "add", "--name", "Other", "--icb", "NOPE")).toMatchObject({ code: 1, stderr: "No such ICB: NOPE\n" });
      expect((await cli("supplier", "add", "--name", "Other")).code).toBe(2);

      const revoked = await cli("supplier", "revoke", "--name", "Acme OC");
      expect(revoked).toMatchObject({ code: 0, stdout: 'Revoked the token of supplier #1 "Acme OC"\n' });
      expect((await cli("supplier", "list")).stdout).toMatch(/\trevoked \S+\n$/);
      expect(await cli("supplier", "revoke", "--name", "Acme OC")).toMatchObject({ code: 1, stderr: 'The token of "Acme OC" was already revoked\n' });
    },
    120_000,
  );
});
