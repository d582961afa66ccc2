/**
 * The audit log: append-only in the database itself (whatever the client), searchable by admins at /admin/audit
 * (actor, action, entity, London dates; newest first; a page at a time) and downloadable as CSV with exactly the
 * rows the search selects; and views of protected records are recorded with `auditView`.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditView } from "../../app/utils/auth.server";
import { recordAudit } from "../../db/audit";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { startTestApp, type TestApp } from "../support/app";
import { seedSmallWorld } from "../support/small-world";

let app: TestApp;
let admin: string;

beforeAll(async () => {
  app = await startTestApp();
  await seedSmallWorld(app.open.db);
  admin = await app.signIn("admin@demo.example", DEMO_PASSWORD);
});

afterAll(async () => {
  await app?.open.close();
});

const allRows = () => app.open.sqlite.prepare("select * from audit_log order by id").all();

describe("the audit log is append-only", () => {
  it("refuses UPDATE and DELETE through Kysely, and leaves every row as it was", async () => {
    const { db } = app.open;
    await recordAudit(db, { actor: "alice@example.nhs.uk", action: "test.appended", entityType: "thing", entityId: "1" });
    const before = allRows();
    expect(before.length).toBeGreaterThan(0);
    await expect(db.updateTable("audit_log").set({ actor: "mallory" }).execute()).rejects.toThrow("audit_log is append-only");
    await expect(db.updateTable("audit_log").set({ detail: null }).where("action", "=", "test.appended").execute()).rejects.toThrow(
      "audit_log is append-only",
    );
    await expect(db.deleteFrom("audit_log").execute()).rejects.toThrow("audit_log is append-only");
    await expect(db.deleteFrom("audit_log").where("action", "=", "test.appended").execute()).rejects.toThrow("audit_log is append-only");
    // Nor inside a transaction that other statements succeed in.
    await expect(
      db.transaction().execute(async (trx) => {
        await recordAudit(trx, { actor: "mallory", action: "test.cover" });
        await trx.deleteFrom("audit_log").where("actor", "=", "alice@example.nhs.uk").execute();
      }),
    ).rejects.toThrow("audit_log is append-only");
    await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow("audit_log is append-only");
    expect(allRows()).toEqual(before);
  });

  it("refuses UPDATE, DELETE, REPLACE and upserts in raw SQL, and leaves every row as it was", async () => {
    const { sqlite } = app.open;
    const before = allRows() as { id: number }[];
    const id = before[0]!.id;
    const statements = [
      "update audit_log set actor = 'mallory'",
      `update audit_log set at = '2000-01-01T00:00:00.000Z' where id = ${id}`,
      "update or replace audit_log set action = 'forged'",
      "delete from audit_log",
      `delete from audit_log where id = ${id}`,
      // REPLACE deletes the row in the way without firing delete triggers: refused by its own trigger.
      `insert or replace into audit_log (id, at, actor, action) values (${id}, '2000-01-01T00:00:00.000Z', 'mallory', 'forged')`,
      `replace into audit_log (id, at, actor, action) values (${id}, '2000-01-01T00:00:00.000Z', 'mallory', 'forged')`,
      `insert into audit_log (id, at, actor, action) values (${id}, 'x', 'mallory', 'forged') on conflict (id) do update set actor = 'mallory'`,
      `insert or ignore into audit_log (id, at, actor, action) values (${id}, 'x', 'mallory', 'forged')`,
    ];
    for (const statement of statements) {
      expect(() => sqlite.exec(statement), statement).toThrow("audit_log is append-only");
    }
    expect(allRows()).toEqual(before);
    // Appending still works.
    sqlite.prepare("insert into audit_log (at, actor, action) values (?, ?, ?)").run(new Date().toISOString(), "bob", "test.appended_raw");
    expect(allRows()).toHaveLength(before.length + 1);
  });
});

/** The entry ids on a page of the audit log, in the order shown. */
function idsOnPage(html: string): number[] {
  const table = /<tbody class="nhsuk-table__body">([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...table.matchAll(/<th scope="row" class="nhsuk-table__cell app-numeric">(\d+)<\/th>/g)].map((m) => Number(m[1]));
}

/** Minimal CSV reading for the download (quoted cells with doubled quotes; CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  return rows;
}

describe("/admin/audit", () => {
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    const insert = (at: string, actor: string, action: string, entityType: string | null, entityId: string | null, detail: unknown = null) =>
      app.open.db
        .insertInto("audit_log")
        .values({ at, actor, user_id: null, action, entity_type: entityType, entity_id: entityId, ip: "198.51.100.9", detail: detail ? JSON.stringify(detail) : null })
        .returning("id")
        .executeTakeFirstOrThrow()
        .then((r) => r.id);
    // 30 June 2026 23:30 UTC is already 1 July in London (BST).
    ids.lateJune = await insert("2026-06-30T22:59:59.000Z", "carol@search.example", "case.viewed", "case", "C-1");
    ids.julyInLondon = await insert("2026-06-30T23:30:00.000Z", "carol@search.example", "case.viewed", "case", "C-2");
    ids.july = await insert("2026-07-15T12:00:00.000Z", "dave@search.example", "notice.viewed", "notice", "N-7");
    ids.injection = await insert("2026-07-16T12:00:00.000Z", "=HYPERLINK(\"http://evil.example\",\"x\")", "search.odd", "case", "C-1", {
      note: "<script>alert(1)</script>",
    });
    for (let i = 0; i < 120; i++) await insert(`2026-08-01T09:${String(i % 60).padStart(2, "0")}:00.000Z`, "bulk@search.example", "search.bulk", "thing", String(i));
  });

  async function page(query: string): Promise<{ status: number; html: string; ids: number[] }> {
    const res = await app.fetch(`/admin/audit${query}`, { cookie: admin });
    const html = await res.text();
    return { status: res.status, html, ids: idsOnPage(html) };
  }

  it("shows the newest entries first, a page at a time", async () => {
    const all = (await app.open.db.selectFrom("audit_log").select("id").orderBy("id", "desc").execute()).map((r) => r.id);
    const first = await page("");
    expect(first.status).toBe(200);
    expect(first.ids).toEqual(all.slice(0, 50));
    expect(first.html).toContain(`Entries 1 to 50 of ${all.length}`);
    const second = await page("?page=2");
    expect(second.ids).toEqual(all.slice(50, 100));
  });

  it("searches by actor (any part, any case), action or area, record, and London dates", async () => {
    expect((await page("?actor=CAROL@search")).ids).toEqual([ids.julyInLondon, ids.lateJune]);
    expect((await page("?action=notice.viewed")).ids).toEqual([ids.july]);
    // An area without a dot takes all its actions; `search` must not match `searching` or `search_x`.
    const area = await page("?action=search&actor=bulk");
    expect(area.ids).toHaveLength(50);
    expect(area.html).toContain("of 120");
    expect((await page("?entityType=case")).ids).toEqual([ids.injection, ids.julyInLondon, ids.lateJune]);
    expect((await page("?entityType=case&entityId=C-1")).ids).toEqual([ids.injection, ids.lateJune]);
    expect((await page("?from=2026-07-01&to=2026-07-15")).ids).toEqual([ids.july, ids.julyInLondon]);
    expect((await page("?to=2026-06-30&actor=carol")).ids).toEqual([ids.lateJune]);
    // LIKE wildcards in the search are plain characters.
    expect((await page("?actor=%25")).ids).toEqual([]);
    expect((await page("?actor=_")).ids).toEqual([]);
  });

  it("pages through a search and downloads exactly its rows as CSV, escaped for spreadsheets", async () => {
    const bulk = (await app.open.db.selectFrom("audit_log").select("id").where("action", "=", "search.bulk").orderBy("id", "desc").execute()).map((r) => r.id);
    expect(bulk).toHaveLength(120);
    const shown: number[] = [];
    for (let p = 1; p <= 3; p++) shown.push(...(await page(`?action=search.bulk&page=${p}`)).ids);
    expect(shown).toEqual(bulk);
    const last = await page("?action=search.bulk&page=3");
    expect(last.html).toContain("Entries 101 to 120 of 120");
    expect(last.html).not.toContain('rel="next"');
    // A page past the end shows the last page.
    const past = await page("?action=search.bulk&page=9");
    expect(past.ids).toEqual(bulk.slice(100));
    expect(past.html).toContain("Entries 101 to 120 of 120");
    expect(past.html).toContain('rel="prev"');

    const res = await app.fetch("/admin/audit?action=search&page=2&format=csv", { cookie: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="audit-log.csv"');
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(["Entry", "When (UTC)", "Who", "User id", "Action", "Record kind", "Record", "From", "Detail"]);
    // Every row of the search, not one page: the bulk rows and the odd one.
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual([...bulk, ids.injection]);
    const odd = rows.find((r) => Number(r[0]) === ids.injection)!;
    expect(odd[2]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(odd[8]).toBe('{"note":"<script>alert(1)</script>"}');
    expect(odd[1]).toBe("2026-07-16T12:00:00.000Z");

    // The download is itself on the record.
    const exported = await app.open.db.selectFrom("audit_log").selectAll().where("action", "=", "audit.exported").orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(exported.actor).toBe("admin@demo.example");
    expect(JSON.parse(exported.detail!)).toEqual({ filters: { action: "search" }, rows: 121 });
  });

  it("shows text from the log escaped", async () => {
    const { html } = await page("?action=search.odd");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)</script>");
  });

  it("explains a search it cannot run instead of running it", async () => {
    const bad = await page("?from=2026-13-40&to=2026-01-01");
    expect(bad.status).toBe(200);
    expect(bad.html).toContain("Enter the first date like 2026-11-23");
    expect(bad.ids).toEqual([]);
    const backwards = await page("?from=2026-07-02&to=2026-07-01");
    expect(backwards.html).toContain("The last date must be the same as or after the first date");
    expect((await app.fetch("/admin/audit?from=nope&format=csv", { cookie: admin })).status).toBe(400);
  });

  it("records views of protected records with auditView: who, which, when and from where", async () => {
    const user = await app.open.db.selectFrom("users").select(["id", "email", "name", "role", "icb_code", "practice_code"]).where("email", "=", "commissioner@demo.example").executeTakeFirstOrThrow();
    const before = Date.now();
    await auditView(
      { id: user.id, email: user.email, name: user.name, role: user.role, icbCode: user.icb_code, practiceCode: user.practice_code, sessionId: "unused" },
      { clientIp: "192.0.2.123" },
      "notice",
      "N-42",
    );
    const row = await app.open.db.selectFrom("audit_log").selectAll().where("entity_id", "=", "N-42").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ actor: "commissioner@demo.example", user_id: user.id, action: "notice.viewed", entity_type: "notice", ip: "192.0.2.123", detail: null });
    expect(Date.parse(row.at)).toBeGreaterThanOrEqual(before - 1000);
    expect((await page("?entityType=notice&entityId=N-42")).ids).toEqual([row.id]);
  });

  it("is for admins only", async () => {
    for (const email of ["commissioner@demo.example", "manager.dem001@demo.example"]) {
      const cookie = await app.signIn(email, DEMO_PASSWORD);
      for (const url of ["/admin/audit", "/admin/audit?format=csv"]) {
        const res = await app.fetch(url, { cookie });
        expect(res.status).toBe(403);
        expect(await res.text()).not.toContain("search.bulk");
      }
    }
  });
});
