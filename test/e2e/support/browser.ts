/**
 * The browser side of the journeys: Debian's Chromium through playwright-core, a sign-in that uses the form as a
 * person would, and an axe-core check against WCAG 2.0, 2.1 and 2.2 at levels A and AA.
 */
import axe from "axe-core";
import type { AxeResults, Result } from "axe-core";
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { expect, inject } from "vitest";
import { DEMO_PASSWORD } from "../../../db/seed/demo";

export { DEMO_PASSWORD };

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** How long a single wait (an element, a navigation) may take before the journey fails. */
const ACTION_TIMEOUT_MS = 15_000;

/** One headless Chromium; launch it in a file's beforeAll and close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: install Debian's chromium: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** The served app's address (from the global setup). */
export function baseUrl(): string {
  return inject("e2eBaseUrl");
}

/** A fresh context (no cookies) and a page in it, addressed relative to the served app. */
export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl(), acceptDownloads: true, locale: "en-GB", viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  return { context, page };
}

/** The path part of the page's URL with its query, e.g. `/icb/DEMO1/practices?pcn=DEMPCN02`. */
export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** Fills the sign-in form and presses "Sign in", as a person would. Opens /login first unless the page is on it. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  if (new URL(page.url(), baseUrl()).pathname !== "/login") await page.goto("/login");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in with the demo password and waits until the app has taken the user off the sign-in page. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await submitSignIn(page, email, password);
  await page.waitForURL((url) => url.pathname !== "/login");
  await page.waitForLoadState("load");
}

/** Resolves once React has hydrated the page, so client-side behaviour (charts, client navigation) is live. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const w = window as unknown as { __remixContext?: unknown; __reactRouterVersion?: unknown };
    const body = document.querySelector("body") as unknown as Record<string, unknown> | null;
    // React marks hydrated DOM nodes with its internal keys.
    return Boolean(w.__remixContext) && body !== null && Object.keys(body).some((k) => k.startsWith("__react"));
  });
}

export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

function describeViolation(v: Result): string {
  const nodes = v.nodes
    .map((n) => `    - ${n.target.map(String).join(" ")}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`)
    .join("\n");
  return `  ${v.id} (${v.impact ?? "no impact given"}): ${v.help}\n    ${v.helpUrl}\n${nodes}`;
}

/**
 * Runs axe-core on the page, once it is interactive (the design system's scripts change the header), and fails
 * listing every violation and its elements, if any.
 */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  await waitForHydration(page);
  const present = await page.evaluate(() => "axe" in window);
  if (!present) await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run(context: Document, options: unknown): Promise<AxeResults> } }).axe.run(document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
      }),
    WCAG_TAGS,
  );
  const report = results.violations.map(describeViolation).join("\n");
  expect(results.violations.map((v) => v.id), `axe found accessibility violations on ${pathOf(page)}:\n${report}\n`).toEqual([]);
}

export interface TableContents {
  /** Column headings, without the ▲ ▼ that mark the sorted column. */
  headers: string[];
  /** Each body row's cells as shown, without the "Demo data" tag beside demo organisations' names. */
  rows: string[][];
  /** Which columns are numeric (right-aligned figures). */
  numeric: boolean[];
}

/** What a table shows, read from the page. */
export async function readTable(table: Locator): Promise<TableContents> {
  await table.waitFor();
  return table.evaluate((el) => {
    const text = (cell: Element) => {
      const copy = cell.cloneNode(true) as Element;
      copy.querySelectorAll(".nhsuk-tag--purple").forEach((tag) => tag.remove());
      return (copy.textContent ?? "").replace(/\s+/g, " ").trim();
    };
    const headerCells = Array.from(el.querySelectorAll("thead th"));
    return {
      headers: headerCells.map((th) => text(th).replace(/\s*[▲▼]$/, "")),
      numeric: headerCells.map((th) => th.classList.contains("app-numeric")),
      rows: Array.from(el.querySelectorAll("tbody tr")).map((tr) => Array.from(tr.querySelectorAll("th, td")).map(text)),
    };
  });
}

/**
 * Every row of a table paged on the server, from the page shown to the last, as a person would read it: reads the
 * rows, presses the pagination's "Next page" (the nav labelled `pagination`) and waits for the next page to be
 * current, until there is no next page. `pages` is how many pages were read.
 */
export async function readAllPages(page: Page, table: Locator, pagination: string): Promise<TableContents & { pages: number }> {
  const nav = page.getByRole("navigation", { name: pagination });
  const all = await readTable(table);
  let pages = 1;
  for (;;) {
    const next = nav.getByRole("link", { name: "Next page" });
    if ((await next.count()) === 0) break;
    const current = Number((await nav.locator('[aria-current="page"]').innerText()).trim());
    if (pages > 20) throw new Error(`More than 20 pages of ${pagination}`);
    await next.click();
    await page.waitForURL((url) => url.searchParams.get("page") === String(current + 1));
    await nav.locator('[aria-current="page"]', { hasText: new RegExp(`^\\s*${current + 1}\\s*$`) }).waitFor();
    all.rows.push(...(await readTable(table)).rows);
    pages++;
  }
  return { ...all, pages };
}

/** A summary list (`<dl>`) as its keys and values, each value's lines joined by a space. */
export async function readSummaryList(list: Locator): Promise<Record<string, string>> {
  await list.waitFor();
  return list.evaluate((el) =>
    Object.fromEntries(
      Array.from(el.querySelectorAll<HTMLElement>(".nhsuk-summary-list__row")).map((row) => [
        (row.querySelector("dt")?.innerText ?? "").trim(),
        (row.querySelector("dd")?.innerText ?? "").replace(/\s+/g, " ").trim(),
      ]),
    ),
  );
}

/** `12,345` → 12345. */
export function parseInteger(text: string): number {
  if (!/^\d{1,3}(,\d{3})*$/.test(text)) throw new Error(`Not a whole number as the app shows them: ${JSON.stringify(text)}`);
  return Number(text.replace(/,/g, ""));
}
