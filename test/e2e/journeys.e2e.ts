/**
 * The first browser journeys, against the production build served by server.js over the seeded demo database
 * (see support/global-setup.ts). Each journey has its own browser context, so its own cookies.
 */
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { DEMO_LIST_MONTHS } from "../../db/seed/demo";
import {
  expectNoAxeViolations,
  launchBrowser,
  newPage,
  parseInteger,
  pathOf,
  readSummaryList,
  readTable,
  signIn,
  submitSignIn,
  waitForHydration,
} from "./support/browser";
import { currentDemoPractices, demoPractice, listSizeHistory, listSizesIn, parseCsv } from "./support/data";

const LATEST_MONTH = DEMO_LIST_MONTHS.at(-1)!; // 2026-11-01
const LATEST_MONTH_LABEL = "November 2026";
const PATIENTS_HEADER = `Registered patients (${LATEST_MONTH_LABEL})`;
const DEMO1_NAME = "NHS Demo Shire Integrated Care Board";
const KINGSMERE = { code: "DEMPCN02", name: "DEMO KINGSMERE PCN" };

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await browser?.close();
});

async function freshPage(): Promise<Page> {
  const { context, page } = await newPage(browser);
  contexts.push(context);
  return page;
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).replace(/\s+/g, " ").trim();
}

function practicesTable(page: Page) {
  return page.getByRole("table", { name: `Practices in ${DEMO1_NAME}` });
}

function column(table: { headers: string[] }, header: string): number {
  const i = table.headers.indexOf(header);
  if (i < 0) throw new Error(`No column "${header}" in ${JSON.stringify(table.headers)}`);
  return i;
}

describe("an ICB commissioner", () => {
  test("signs in, filters and sorts the practices, and opens a practice with its list-size chart", async () => {
    const page = await freshPage();
    await signIn(page, "commissioner@demo.example");

    // The ICB overview.
    expect(pathOf(page)).toBe("/icb/DEMO1");
    expect(await text(page, '[data-testid="signed-in-user"]')).toBe("Alex Morgan");
    expect(await text(page, '[data-testid="signed-in-role"]')).toBe(`ICB commissioner, ${DEMO1_NAME}`);
    expect(await text(page, "h1")).toBe(`${DEMO1_NAME} Demo data`);
    const current = currentDemoPractices({ icb: "DEMO1" });
    expect(current).toHaveLength(102); // 104 demo practices, less one closed and one dormant
    expect(await text(page, ".app-summary-card:first-child")).toBe("102 current practices");
    await expectNoAxeViolations(page);

    // The practices list, through the navigation.
    await waitForHydration(page);
    await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Practices" }).click();
    await page.getByRole("heading", { level: 1, name: "Practices" }).waitFor();
    expect(pathOf(page)).toBe("/icb/DEMO1/practices");
    const all = await readTable(practicesTable(page));
    expect(all.headers).toEqual(["ODS code", "Practice", "PCN", "PCN code", "Sub-ICB location", PATIENTS_HEADER, "Status"]);
    expect(all.rows.map((r) => r[0]).sort()).toEqual(current.map((p) => p.code).sort());
    expect(all.rows.map((r) => r[column(all, "Status")])).toEqual(all.rows.map(() => "Active"));
    await expectNoAxeViolations(page);

    // Filtered to one PCN: only its current practices (its dormant practice, DEM026, is left out).
    await page.getByLabel("Primary care network").selectOption({ label: KINGSMERE.name });
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL((url) => url.searchParams.get("pcn") === KINGSMERE.code);
    await page.getByText(`12 practices in ${KINGSMERE.name}.`).waitFor();
    const kingsmere = currentDemoPractices({ icb: "DEMO1", pcn: KINGSMERE.code });
    expect(kingsmere.map((p) => p.code)).not.toContain("DEM026");
    const filtered = await readTable(practicesTable(page));
    expect(filtered.rows.map((r) => r[0]).sort()).toEqual(kingsmere.map((p) => p.code).sort());
    expect(new Set(filtered.rows.map((r) => r[column(filtered, "PCN")]))).toEqual(new Set([KINGSMERE.name]));
    expect(new Set(filtered.rows.map((r) => r[column(filtered, "PCN code")]))).toEqual(new Set([KINGSMERE.code]));
    expect(filtered.rows.map((r) => r[column(filtered, "Practice")]).sort()).toEqual(kingsmere.map((p) => p.name).sort());
    await expectNoAxeViolations(page);

    // Sorted by registered patients: ascending, then descending, the PCN filter kept.
    const sizes = listSizesIn(LATEST_MONTH, kingsmere.map((p) => p.code));
    const ascending = [...sizes.values()].sort((a, b) => a - b);
    const patientsSortLink = page.getByRole("link", { name: PATIENTS_HEADER });
    await patientsSortLink.click();
    await page.locator('th[aria-sort="ascending"]', { hasText: "Registered patients" }).waitFor();
    expect(new URL(page.url()).searchParams.toString()).toBe(`pcn=${KINGSMERE.code}&sort=patients&dir=asc`);
    const up = await readTable(practicesTable(page));
    const p = column(up, PATIENTS_HEADER);
    expect(up.rows.map((r) => parseInteger(r[p]!))).toEqual(ascending);
    for (const row of up.rows) expect(parseInteger(row[p]!)).toBe(sizes.get(row[0]!));

    await page.getByRole("link", { name: `${PATIENTS_HEADER} ▲` }).click();
    await page.locator('th[aria-sort="descending"]', { hasText: "Registered patients" }).waitFor();
    expect(new URL(page.url()).searchParams.toString()).toBe(`pcn=${KINGSMERE.code}&sort=patients&dir=desc`);
    const down = await readTable(practicesTable(page));
    expect(down.rows.map((r) => parseInteger(r[p]!))).toEqual([...ascending].reverse());
    await expectNoAxeViolations(page);

    // The largest practice's own page.
    const [largestCode, largestName, , , , largestPatients] = down.rows[0]!;
    const largest = demoPractice(largestCode!);
    expect(largestName).toBe(largest.name);
    await practicesTable(page).getByRole("link", { name: largest.name, exact: true }).click();
    await page.waitForURL(`**/practices/${largest.code}`);
    await page.getByRole("heading", { level: 1, name: largest.name }).waitFor();
    expect(await text(page, ".nhsuk-caption-l")).toBe(largest.code);
    const details = await readSummaryList(page.locator("dl.nhsuk-summary-list"));
    expect(details).toMatchObject({
      Status: "Active",
      Telephone: largest.phone,
      "Contract type": largest.contractType,
      "Primary care network": `${KINGSMERE.name} (${KINGSMERE.code})`,
      ICB: `${DEMO1_NAME} (DEMO1)`,
      "Registered patients": `${largestPatients} (${LATEST_MONTH_LABEL})`,
    });
    expect(details.Address).toBe([largest.address[0], largest.address[3], largest.postcode].join(" "));

    // The chart: Recharts draws an SVG line once the page is interactive.
    const chart = page.locator(".app-chart svg.recharts-surface");
    await chart.waitFor({ state: "visible" });
    const line = chart.locator("path.recharts-line-curve");
    expect(await line.count()).toBe(1);
    expect(await line.getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+(C|L)/);

    // The same figures as a table, behind "Show the list sizes as a table".
    const history = listSizeHistory(largest.code);
    expect(history).toHaveLength(24);
    const summary = page.getByText("Show the list sizes as a table");
    const monthly = page.getByRole("table", { name: "Registered patients by month" });
    expect(await monthly.isVisible()).toBe(false);
    await summary.click();
    await monthly.waitFor({ state: "visible" });
    const shown = await readTable(monthly);
    expect(shown.headers).toEqual(["Month", "Registered patients"]);
    expect(shown.rows[0]![0]).toBe("December 2024");
    expect(shown.rows.at(-1)).toEqual([LATEST_MONTH_LABEL, largestPatients]);
    expect(shown.rows.map((r) => parseInteger(r[1]!))).toEqual(history.map((h) => h.patients));
    await expectNoAxeViolations(page);
  });

  test("downloads a CSV with the same rows as the table on the page", async () => {
    const page = await freshPage();
    await signIn(page, "commissioner@demo.example");

    const download = async (query: string, expectedFile: string, expectedRows: number) => {
      await page.goto(`/icb/DEMO1/practices${query}`);
      const table = await readTable(practicesTable(page));
      expect(table.rows).toHaveLength(expectedRows);
      const link = page.getByRole("link", { name: "Download this table as CSV" });
      const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
      expect(file.suggestedFilename()).toBe(expectedFile);
      expect(await file.failure()).toBeNull();
      const csv = parseCsv(readFileSync((await file.path())!, "utf8"));
      expect(csv[0]).toEqual(table.headers);
      // Figures are shown with thousands separators and held in the CSV without them.
      const asData = table.rows.map((row) => row.map((cell, i) => (table.numeric[i] ? String(parseInteger(cell)) : cell)));
      expect(csv.slice(1)).toEqual(asData);
      return csv;
    };

    const everything = await download("?sort=patients&dir=desc", "DEMO1-practices.csv", 102);
    const patientsColumn = column({ headers: everything[0]! }, PATIENTS_HEADER);
    const patients = everything.slice(1).map((r) => Number(r[patientsColumn]));
    expect(patients.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    expect(patients).toEqual([...patients].sort((a, b) => b - a));

    const kingsmere = await download(`?pcn=${KINGSMERE.code}`, `DEMO1-practices-${KINGSMERE.code}.csv`, 12);
    expect(kingsmere.slice(1).map((r) => r[0]).sort()).toEqual(currentDemoPractices({ icb: "DEMO1", pcn: KINGSMERE.code }).map((p) => p.code).sort());
  });
});

describe("a practice manager", () => {
  test("sees their own practice and is refused another practice and the ICB, learning nothing about them", async () => {
    const page = await freshPage();
    await page.goto("/login");
    expect(await text(page, "h1")).toBe("Sign in");
    await expectNoAxeViolations(page);

    await signIn(page, "manager.dem001@demo.example");
    const own = demoPractice("DEM001");
    expect(pathOf(page)).toBe("/practices/DEM001");
    expect(await text(page, '[data-testid="signed-in-user"]')).toBe("Sam Taylor");
    expect(await text(page, '[data-testid="signed-in-role"]')).toBe(`Practice manager, ${own.name} (DEM001)`);
    expect(await text(page, "h1")).toBe(`${own.name} Demo data`);
    // A practice manager has no way back to the ICB's pages.
    expect(await page.getByRole("link", { name: /Back to practices/ }).count()).toBe(0);
    const menu = await page.getByRole("navigation", { name: "Menu" }).getByRole("link").all();
    const targets = await Promise.all(menu.map((link) => link.getAttribute("href")));
    expect(targets[0]).toBe("/practices/DEM001");
    expect(targets).toContain("/practices/DEM001/compliance");
    expect(targets.every((href) => href?.startsWith("/practices/DEM001"))).toBe(true);

    const other = demoPractice("DEM002");
    const refused = await page.goto("/practices/DEM002");
    expect(refused?.status()).toBe(404);
    expect(await text(page, "h1")).toBe("Page not found");
    const html = await page.content();
    for (const secret of [other.name, other.postcode, other.phone]) expect(html).not.toContain(secret);
    await expectNoAxeViolations(page);

    const icb = await page.goto("/icb/DEMO1");
    expect(icb?.status()).toBe(404);
    expect(await text(page, "h1")).toBe("Page not found");
    expect(await page.content()).not.toContain(DEMO1_NAME);
    await expectNoAxeViolations(page);
  });
});

describe("signing in and out", () => {
  test("a wrong password shows the error summary, and the user stays signed out", async () => {
    const page = await freshPage();
    await page.goto("/login");
    await waitForHydration(page);
    await submitSignIn(page, "commissioner@demo.example", "not-the-password-2026");

    const summary = page.getByRole("alert");
    await summary.waitFor();
    expect(await summary.getByRole("heading").innerText()).toBe("There is a problem");
    const link = summary.getByRole("link", { name: "Enter a correct email address and password" });
    expect(await link.getAttribute("href")).toBe("#email");
    expect(await text(page, "#email-error")).toBe("Error: Enter a correct email address and password");
    // The summary takes focus, so a screen reader announces it; the email address is kept for another try.
    await page.waitForFunction(() => document.activeElement?.classList.contains("nhsuk-error-summary") === true);
    expect(await page.getByLabel("Email address").inputValue()).toBe("commissioner@demo.example");
    expect(pathOf(page)).toBe("/login");
    await expectNoAxeViolations(page);

    await page.goto("/icb/DEMO1");
    expect(pathOf(page)).toBe("/login?redirectTo=%2Ficb%2FDEMO1");
  });

  test("signing out returns to the sign-in page, ends the session, and protected pages then ask to sign in", async () => {
    const page = await freshPage();
    await signIn(page, "commissioner2@demo.example");
    expect(pathOf(page)).toBe("/icb/DEMO1");
    expect(await text(page, '[data-testid="signed-in-user"]')).toBe("Chris Patel");
    const sessionCookies = await page.context().cookies();
    expect(sessionCookies.map((c) => c.name)).toContain("icb_session");

    await waitForHydration(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(await page.locator('[data-testid="signed-in-user"]').count()).toBe(0);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain("icb_session");

    await page.goto("/icb/DEMO1/practices");
    expect(pathOf(page)).toBe("/login?redirectTo=%2Ficb%2FDEMO1%2Fpractices");

    // The old cookie is worth nothing now: the server ended the session, not just the browser.
    await page.context().addCookies(sessionCookies);
    await page.goto("/icb/DEMO1");
    expect(pathOf(page)).toBe("/login?redirectTo=%2Ficb%2FDEMO1");

    // Signing in from there goes back to the page that was asked for.
    await page.context().clearCookies();
    await page.goto("/icb/DEMO1/practices");
    await signIn(page, "commissioner2@demo.example");
    expect(pathOf(page)).toBe("/icb/DEMO1/practices");
    await page.getByRole("heading", { level: 1, name: "Practices" }).waitFor();
  });
});
