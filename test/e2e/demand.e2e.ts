/**
 * The demand and capacity pages in the browser, for a commissioner and a practice manager, with axe-core on each.
 * The served demo may or may not hold demand figures yet: where it holds none, the pages must say so; where it
 * does, the ICB page lists every current practice with its suggested approach and the practice page draws its
 * charts, and either way the classification panel says who decides.
 */
import BetterSqlite3 from "better-sqlite3";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from "vitest";
import { expectNoAxeViolations, launchBrowser, newPage, pathOf, readTable, signIn, waitForHydration } from "./support/browser";
import { currentDemoPractices, demoPractice } from "./support/data";

const HEADING = "Demand and capacity";
const DEMO1_NAME = "NHS Demo Shire Integrated Care Board";
const APPROACHES = ["Capacity pressure", "Closures without evident pressure", "Compliant", "Not enough data"];
const DECIDES = "This is a suggestion from the figures; a person decides.";

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

/** The latest month with measures for an ICB's practices in the served demo, read-only; null when there are none. */
function latestMeasureMonth(icb: string): string | null {
  const db = new BetterSqlite3(inject("e2eDatabasePath"), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare("select max(m.month) as month from measure_values m join practices p on p.ods_code = m.practice_code where p.icb_code = ?")
      .get(icb) as { month: string | null };
    return row.month;
  } finally {
    db.close();
  }
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const monthLabel = (month: string) => `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;

describe("an ICB commissioner", () => {
  test("opens demand and capacity from the menu, then a practice's demand page", async () => {
    const page = await freshPage();
    await signIn(page, "commissioner@demo.example");
    await waitForHydration(page);
    await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Demand" }).click();
    await page.getByRole("heading", { level: 1, name: HEADING }).waitFor();
    expect(pathOf(page)).toBe("/icb/DEMO1/demand");
    // Every measure is defined above the table, in a details component that opens.
    const definitions = page.locator('details[data-testid^="definition-"]');
    expect(await definitions.count()).toBe(11);
    await definitions.first().locator("summary").click();
    await page.getByText("Why it matters:").first().waitFor();

    const month = latestMeasureMonth("DEMO1");
    const own = demoPractice("DEM001");
    if (month === null) {
      expect(await page.getByText("No demand or capacity figures have been imported for this ICB's practices yet.").count()).toBe(1);
    } else {
      const table = await readTable(page.getByRole("table", { name: `Demand and capacity measures of practices in ${DEMO1_NAME}, ${monthLabel(month)}` }));
      expect(table.headers.slice(0, 3)).toEqual(["ODS code", "Practice", "PCN"]);
      expect(table.headers.at(-1)).toBe("Suggested approach");
      expect(table.rows.map((r) => r[0]).sort()).toEqual(currentDemoPractices({ icb: "DEMO1" }).map((p) => p.code).sort());
      for (const r of table.rows) expect(APPROACHES).toContain(r.at(-1));
    }
    await expectNoAxeViolations(page);

    if (month !== null) {
      await page.getByRole("link", { name: own.name, exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/practices/DEM001/demand");
    } else {
      await page.goto("/practices/DEM001/demand");
    }
    await page.locator(".nhsuk-caption-l", { hasText: `${own.name} (DEM001)` }).waitFor();
    expect(await page.locator("h1").innerText()).toBe(HEADING);
    const panel = page.getByTestId("classification-panel");
    expect(await panel.getByText(DECIDES).count()).toBe(1);
    expect(APPROACHES).toContain(await panel.locator(".nhsuk-tag").innerText());
    expect(await page.getByRole("link", { name: "Back to the ICB's demand and capacity" }).count()).toBe(1);
    if (month !== null) {
      await waitForHydration(page);
      // The charts are drawn in the browser, hidden from assistive technology, with the figures in tables.
      await page.locator(".app-chart svg").first().waitFor();
      expect(await page.locator(".app-chart:not([aria-hidden='true'])").count()).toBe(0);
    }
    await expectNoAxeViolations(page);
  });

  test("sees the suggested approach on the compliance overview", async () => {
    const page = await freshPage();
    await signIn(page, "commissioner@demo.example");
    await page.goto("/icb/DEMO1/compliance");
    const table = await readTable(page.getByRole("table", { name: `Core hours compliance of practices in ${DEMO1_NAME}` }));
    expect(table.headers.at(-1)).toBe("Suggested approach");
    for (const r of table.rows) expect(APPROACHES).toContain(r.at(-1));
  });
});

describe("a practice manager", () => {
  test("sees their own practice's demand against anonymous peers, and no other practice", async () => {
    const page = await freshPage();
    await signIn(page, "manager.dem001@demo.example");
    await waitForHydration(page);
    await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Demand" }).click();
    await page.getByRole("heading", { level: 1, name: HEADING }).waitFor();
    expect(pathOf(page)).toBe("/practices/DEM001/demand");
    expect(await page.getByRole("link", { name: "Back to the ICB's demand and capacity" }).count()).toBe(0);
    expect(await page.getByTestId("classification-panel").getByText(DECIDES).count()).toBe(1);
    expect(await page.getByText("Other practices are not named").count()).toBe(1);
    if (latestMeasureMonth("DEMO1") !== null) await page.locator(".app-chart svg").first().waitFor();
    const html = await page.content();
    for (const other of currentDemoPractices({ icb: "DEMO1" }).filter((p) => p.code !== "DEM001")) {
      expect(html).not.toContain(other.code);
      expect(html).not.toContain(other.name);
    }
    await expectNoAxeViolations(page);

    // Another practice's demand page and the ICB's are refused, as if they did not exist.
    expect((await page.goto("/practices/DEM002/demand"))?.status()).toBe(404);
    expect((await page.goto("/icb/DEMO1/demand"))?.status()).toBe(404);
  });
});
