/**
 * Text from imported files is data, never markup or formulas: a practice named `<script>alert(1)</script>` (and
 * others like it) imported through epraccur is shown escaped on every page that shows it, in the data the page hands
 * to the browser too, and a name that a spreadsheet would run is defused in the CSV download.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../app/utils/users.server";
import { importFile } from "../../importers/core/run";
import { importers } from "../../importers/index";
import { startTestApp, type TestApp } from "../support/app";
import { fixtureText } from "../importers/helpers";

const SCRIPT = "<script>alert(1)</script>";
const IMAGE = '"><img src=x onerror=alert(1)>';
const FORMULA = '=HYPERLINK("http://evil.example","Click")';
const PASSWORD = "a long enough password";

let app: TestApp;
let admin: string;

beforeAll(async () => {
  app = await startTestApp();
  // The published fixture's active practice three times, with other codes and hostile names (quotes doubled, as a CSV writer would).
  const active = fixtureText("epraccur-current.csv").split(/\r?\n/)[0]!;
  const names: [string, string][] = [
    ["A81001", SCRIPT],
    ["A81901", IMAGE],
    ["A81902", FORMULA],
  ];
  const file = names.map(([code, name]) => active.replace(/^"[^"]*","[^"]*"/, `"${code}","${name.replace(/"/g, '""')}"`)).join("\r\n") + "\r\n";
  const path = join(app.dbPath, "..", "epraccur-hostile.csv");
  writeFileSync(path, file);
  const result = await importFile(app.open.db, importers.epraccur, path, { actor: "test" });
  expect(result.status).toBe("imported");
  await createUser(app.open.db, { email: "escape.admin@example.nhs.uk", role: "admin", password: PASSWORD }, { actor: "test" });
  admin = await app.signIn("escape.admin@example.nhs.uk", PASSWORD);
});

afterAll(async () => {
  await app?.open.close();
});

describe("text from files", () => {
  it("is stored exactly as the file had it", async () => {
    const stored = await app.open.db.selectFrom("practices").select(["ods_code", "name"]).orderBy("ods_code").execute();
    expect(stored.map((p) => p.name)).toEqual([SCRIPT, IMAGE, FORMULA]);
  });

  it("is shown escaped on the practice page, including in the data handed to the browser", async () => {
    const practices = await app.open.db.selectFrom("practices").select(["ods_code", "name"]).orderBy("ods_code").execute();
    for (const p of practices) {
      const res = await app.fetch(`/practices/${p.ods_code}`, { cookie: admin });
      expect(res.status).toBe(200);
      const html = await res.text();
      // No markup from the file anywhere in the page: not in the HTML, not inside the inline data scripts.
      expect(html).not.toContain(SCRIPT);
      expect(html).not.toContain("<img src=x");
      expect(html).not.toMatch(/<script>alert/i);
      // Every script on the page is the app's own (carries the nonce) and none is the file's.
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/nonce="test-nonce"|type="module"|src="/);
      if (p.name === SCRIPT) expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      if (p.name === IMAGE) expect(html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    }
  });

  it("is shown escaped in the ICB's practice list, and defused in its CSV download", async () => {
    const icb = (await app.open.db.selectFrom("practices").select("icb_code").where("name", "=", SCRIPT).executeTakeFirstOrThrow()).icb_code!;
    const page = await app.fetch(`/icb/${icb}/practices`, { cookie: admin });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain(SCRIPT);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");

    const csv = await (await app.fetch(`/icb/${icb}/practices?format=csv`, { cookie: admin })).text();
    const lines = csv.split("\r\n");
    // The formula is text in a spreadsheet: prefixed with an apostrophe, and quoted because it holds quotes and a comma.
    expect(lines.some((l) => l.includes(`"'=HYPERLINK(""http://evil.example"",""Click"")"`))).toBe(true);
    expect(lines.some((l) => /(^|,)=HYPERLINK/.test(l))).toBe(false);
    // The script name is data in a CSV (no HTML there to escape), written as it is.
    expect(lines.some((l) => l.includes(SCRIPT))).toBe(true);
  });
});
