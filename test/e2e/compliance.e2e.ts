/**
 * The compliance pages in the browser, for a commissioner and a practice manager, with axe-core on each. The
 * served demo may or may not hold availability data: where it holds none, the pages must say "no data" (never
 * compliant, never a breach) rather than show anyone as open or closed.
 */
import BetterSqlite3 from "better-sqlite3";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from "vitest";
import { expectNoAxeViolations, launchBrowser, newPage, pathOf, readAllPages, signIn, waitForHydration } from "./support/browser";
import { currentDemoPractices, demoPractice } from "./support/data";

const HEADING = "Online consultation: core hours compliance";
const DEMO1_NAME = "NHS Demo Shire Integrated Care Board";
const PAGINATION = "Pages of the practices table";

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

/** Stored compliance days for the served demo's practices, read-only. */
function storedDays(where: { icb: string } | { practice: string }): number {
  const db = new BetterSqlite3(inject("e2eDatabasePath"), { readonly: true, fileMustExist: true });
  try {
    const row =
      "icb" in where
        ? db
            .prepare("select count(*) as n from compliance_days d join practices p on p.ods_code = d.practice_code where p.icb_code = ?")
            .get(where.icb)
        : db.prepare("select count(*) as n from compliance_days where practice_code = ?").get(where.practice);
    return (row as { n: number }).n;
  } finally {
    db.close();
  }
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, " ").trim();
}

describe("an ICB commissioner", () => {
  test("the wide page keeps the design system's 32 px gutters at every desktop width, and centres once there is room", async () => {
    const page = await freshPage();
    await signIn(page, "commissioner@demo.example");
    for (const width of [1024, 1280, 1343, 1344, 1600]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto("/icb/DEMO1/compliance");
      const box = (await page.locator("main").boundingBox())!;
      const right = width - box.x - box.width;
      expect(Math.min(box.x, right), `gutters at ${width} px`).toBeGreaterThanOrEqual(32);
      expect(Math.abs(box.x - right), `centred at ${width} px`).toBeLessThanOrEqual(1);
      expect(box.width, `width at ${width} px`).toBe(Math.min(1280, width - 64));
      // The header's and the footer's contents line up with the page's.
      for (const selector of [".nhsuk-header__container", ".nhsuk-header__navigation-container", ".nhsuk-footer > div"]) {
        const edge = (await page.locator(selector).first().boundingBox())!;
        expect([edge.x, edge.width], `${selector} at ${width} px`).toEqual([box.x, box.width]);
      }
    }
  });

  test("a wide table scrolls inside its wrapper, never the page, from phone to desktop widths", async () => {
    const page = await freshPage();
    await signIn(page, "commissioner@demo.example");
    for (const width of [390, 768, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      for (const path of ["/icb/DEMO1/compliance", "/icb/DEMO1/cases", "/practices/DEM002/compliance", "/account"]) {
        await page.goto(path);
        const { page: pageWidth, viewport, tableWider } = await page.evaluate(() => ({
          page: document.documentElement.scrollWidth,
          viewport: document.documentElement.clientWidth,
          tableWider: [...document.querySelectorAll(".app-table-wrapper")].some((w) => w.scrollWidth > w.clientWidth),
        }));
        expect(pageWidth, `${path} at ${width} px`).toBe(viewport);
        if (width === 390 && path.startsWith("/icb/")) expect(tableWider, `${path} at ${width} px has a table wider than the screen`).toBe(true);
      }
    }
  });

  test("opens the compliance overview from the menu, then a practice's compliance page", async () => {
    const page = await freshPage();
    await signIn(page, "commissioner@demo.example");
    await waitForHydration(page);
    await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Compliance" }).click();
    await page.getByRole("heading", { level: 1, name: HEADING }).waitFor();
    expect(pathOf(page)).toBe("/icb/DEMO1/compliance");
    expect(await text(page, ".nhsuk-caption-l")).toBe(DEMO1_NAME);
    expect(await page.getByText("No data is neither compliant nor a breach.").count()).toBe(1);
    expect(await page.getByRole("link", { name: "Change the policy" }).getAttribute("href")).toBe("/icb/DEMO1/settings");

    // The table shows 50 practices a page; the headline covers them all.
    const current = currentDemoPractices({ icb: "DEMO1" });
    expect(current).toHaveLength(102);
    expect(await text(page, '[data-testid="practices-count"]')).toBe(`Showing 1 to 50 of ${current.length} practices (page 1 of 3).`);
    const table = await readAllPages(page, page.getByRole("table", { name: `Core hours compliance of practices in ${DEMO1_NAME}` }), PAGINATION);
    expect(table.pages).toBe(3);
    expect(await text(page, '[data-testid="practices-count"]')).toBe(`Showing 101 to 102 of ${current.length} practices (page 3 of 3).`);
    expect(table.headers.slice(0, 4)).toEqual(["ODS code", "Practice", "PCN", "% open"]);
    // Every page together: every current practice once.
    expect(table.rows.map((r) => r[0]).sort()).toEqual(current.map((p) => p.code).sort());
    // The headline counts the flagged rows of all the pages (which show every practice by default).
    const flaggedRows = table.rows.filter((r) => r[table.headers.indexOf("Policy flag")] === "Flagged").length;
    expect(await text(page, '[data-testid="headline-flagged"]')).toBe(`${flaggedRows} of ${table.rows.length} practices flagged under the policy`);
    if (storedDays({ icb: "DEMO1" }) === 0) {
      // Nothing received: every practice shows no data, none is open, closed or flagged.
      expect(new Set(table.rows.map((r) => r[3]))).toEqual(new Set(["No data"]));
      expect(new Set(table.rows.map((r) => r[8]))).toEqual(new Set(["100.0%"]));
      expect(new Set(table.rows.map((r) => r[7]))).toEqual(new Set(["Not flagged"]));
      expect(await text(page, '[data-testid="headline-nodata"]')).toBe("100.0% of core minutes with no data (0 practices sent any data)");
      expect(await text(page, '[data-testid="headline-flagged"]')).toBe("0 of 102 practices flagged under the policy");
    }
    await expectNoAxeViolations(page);

    // "Previous page" from the last: page 2, opened at the table's heading, not at the foot of its 50 rows (where
    // the links are).
    const pagination = page.getByRole("navigation", { name: PAGINATION });
    const isCurrent = (n: number) => pagination.locator('[aria-current="page"]', { hasText: new RegExp(`^\\s*${n}\\s*$`) });
    await pagination.getByRole("link", { name: "Previous page" }).click();
    await isCurrent(2).waitFor();
    expect(await text(page, '[data-testid="practices-count"]')).toBe(`Showing 51 to 100 of ${current.length} practices (page 2 of 3).`);
    expect(new URL(page.url()).hash).toBe("#practices");
    const top = await page.evaluate(() => document.getElementById("practices")!.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(-1);
    expect(top).toBeLessThan(50);

    // To the page that lists DEM001, by its number.
    const ownPage = Math.floor(table.rows.findIndex((r) => r[0] === "DEM001") / 50) + 1;
    await pagination.getByRole("link", { name: `Page ${ownPage}`, exact: true }).click();
    await isCurrent(ownPage).waitFor();

    // A practice's own compliance page, and back.
    const own = demoPractice("DEM001");
    await page.getByRole("link", { name: own.name, exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/practices/DEM001/compliance");
    // Both pages share the heading: wait for the practice's own caption.
    await page.locator(".nhsuk-caption-l", { hasText: `${own.name} (DEM001)` }).waitFor();
    expect(await text(page, "h1")).toBe(HEADING);
    expect(await page.getByRole("link", { name: "Back to the ICB compliance overview" }).count()).toBe(1);
    await expectNoAxeViolations(page);
  });
});

describe("a practice manager", () => {
  test("sees their own practice's compliance, their position among peers and no other practice", async () => {
    const page = await freshPage();
    await signIn(page, "manager.dem001@demo.example");
    await waitForHydration(page);
    await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Compliance" }).click();
    await page.getByRole("heading", { level: 1, name: HEADING }).waitFor();
    expect(pathOf(page)).toBe("/practices/DEM001/compliance");
    expect(await page.getByRole("link", { name: "Back to the ICB compliance overview" }).count()).toBe(0);
    expect(await page.getByRole("heading", { level: 2, name: "Calendar" }).count()).toBe(1);
    expect(await page.getByRole("table", { name: "Closed minutes by weekday and half hour" }).count()).toBe(1);
    if (storedDays({ practice: "DEM001" }) === 0) {
      expect(await page.getByText("There is no availability data for this practice in these dates.").count()).toBe(1);
      expect(await text(page, '[data-testid="figure-open"]')).toMatch(/^No data of [\d,]+ core minutes open$/);
      expect(await text(page, '[data-testid="peer-position"]')).toBe(
        "Not ranked for these dates: fewer than 50% of this practice's core minutes have data.",
      );
      expect(await page.getByText("No closures recorded in these dates.").count()).toBe(1);
    } else {
      expect(await text(page, '[data-testid="peer-position"]')).toMatch(/rank \d+ of \d+; decile \d+|Not ranked/);
    }
    const html = await page.content();
    for (const other of currentDemoPractices({ icb: "DEMO1" }).filter((p) => p.code !== "DEM001")) {
      expect(html).not.toContain(other.code);
      expect(html).not.toContain(other.name);
    }
    await expectNoAxeViolations(page);

    // Another practice's compliance page is refused, as if it did not exist.
    const refused = await page.goto("/practices/DEM002/compliance");
    expect(refused?.status()).toBe(404);
  });
});
