/**
 * The pause journey of issue 3 in a real browser, two people in two browser contexts: the practice manager of
 * DEM002 asks, after the fact, for a pause over one of its lunchtime closures; a commissioner of its ICB approves
 * it; the practice's closed minutes that day become excepted. The day is found in the served database (the most
 * recent 13:00–14:00 closure of DEM002 that no pause request covers), and every figure is checked against it.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addDays, localMinute, weekday } from "~/domain/calendar";
import { formatDate, formatInstant } from "~/utils/format";
import { expectNoAxeViolations, launchBrowser, newPage, parseInteger, pathOf, readTable, signIn, waitForHydration, type TableContents } from "./support/browser";
import { demoPractice } from "./support/data";
import { queryServed, queryServedOne } from "./support/served-db";

const PRACTICE = "DEM002";
const MANAGER = "manager.dem002@demo.example";
const COMMISSIONER = "commissioner@demo.example";
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const REASON = "The online consultation tool was unavailable from 13:00 to 14:00: the practice system failed during a lunchtime update.";
const NOTE = "Approved: a system failure outside the practice's control, reported the same day.";

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  await browser?.close();
});

async function freshPage(): Promise<Page> {
  const { context, page } = await newPage(browser);
  contexts.push(context);
  return page;
}

/** An epoch minute as the pages show it: `20 November 2026 at 13:00`. */
const shown = (minute: number) => formatInstant(new Date(minute * 60_000).toISOString());

function column(table: TableContents, header: string): number {
  const i = table.headers.indexOf(header);
  if (i < 0) throw new Error(`No column "${header}" in ${JSON.stringify(table.headers)}`);
  return i;
}

async function figure(page: Page, testId: string): Promise<number> {
  return parseInteger((await page.getByTestId(testId).locator(".app-summary-card__value").innerText()).trim());
}

/** The day timeline's table row for a stretch starting at `from`, as { state, details }. */
async function timelineRow(page: Page, dayLabel: string, from: string): Promise<{ to: string; minutes: string; state: string; details: string }> {
  const table = await readTable(page.getByRole("table", { name: `Core hours on ${dayLabel}` }));
  const row = table.rows.find((r) => r[0] === from);
  if (!row) throw new Error(`No stretch from ${from} in the timeline of ${dayLabel}: ${JSON.stringify(table.rows)}`);
  return { to: row[1]!, minutes: row[2]!, state: row[3]!, details: row[4]! };
}

describe("a pause asked for after the fact and approved", () => {
  test("turns the practice's closed lunchtime minutes that day into excepted minutes", async () => {
    // The day: DEM002's most recent lunchtime closure (the whole tool, 13:00–14:00) that no request covers yet.
    const day = queryServedOne<{ date: string; start_min: number; end_min: number }>(
      `select e.date, e.start_min, e.end_min from closure_episodes e
        where e.practice_code = ? and e.category = 'all' and e.excepted = 0 and e.minutes = 60
          and not exists (select 1 from pause_requests p
                           where p.practice_code = e.practice_code and p.start_min < e.end_min and p.end_min > e.start_min)
        order by e.date desc limit 1`,
      PRACTICE,
    );
    expect(day, "the demo gives DEM002 lunchtime closures").toBeDefined();
    const { date } = day!;
    const start = localMinute(date, 13 * 60);
    const end = localMinute(date, 14 * 60);
    expect([day!.start_min, day!.end_min]).toEqual([start, end]);
    const range = `from=${addDays(date, -27)}&to=${date}`;
    const compliancePath = `/practices/${PRACTICE}/compliance?${range}&day=${date}`;
    const dayLabel = `${WEEKDAYS[weekday(date)]} ${formatDate(date)}`;
    const before = queryServedOne<{ excepted: number; closed: number }>(
      "select sum(excepted_minutes) as excepted, sum(closed_minutes) as closed from compliance_days where practice_code = ? and date between ? and ?",
      PRACTICE,
      addDays(date, -27),
      date,
    )!;

    // The practice manager sees the closure as closed.
    const manager = await freshPage();
    await signIn(manager, MANAGER);
    await manager.goto(compliancePath);
    expect(await figure(manager, "figure-excepted")).toBe(before.excepted);
    expect(await figure(manager, "figure-closed")).toBe(before.closed);
    expect(await timelineRow(manager, dayLabel, "13:00")).toMatchObject({ to: "14:00", minutes: "60", state: "Closed" });

    // … and asks for a pause, after the fact.
    await waitForHydration(manager);
    await manager.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Pauses" }).click();
    await manager.getByRole("heading", { level: 1, name: "Pause requests" }).waitFor();
    expect(pathOf(manager)).toBe(`/practices/${PRACTICE}/pauses`);
    await expectNoAxeViolations(manager);
    await manager.getByRole("radio", { name: "All requests" }).check();
    await manager.getByLabel("Start", { exact: true }).fill(`${date}T13:00`);
    await manager.getByLabel("End", { exact: true }).fill(`${date}T14:00`);
    await manager.getByRole("radio", { name: "After the fact (outage)" }).check();
    await manager.getByLabel("Reason", { exact: true }).fill(REASON);
    await manager.getByRole("button", { name: "Send the request" }).click();
    await manager.waitForURL((url) => url.searchParams.get("done") === "requested");
    const pauseId = Number(new URL(manager.url()).searchParams.get("pause"));
    expect(pauseId).toBeGreaterThan(0);

    const stored = queryServedOne<Record<string, unknown>>("select * from pause_requests where id = ?", pauseId)!;
    expect(stored).toMatchObject({ practice_code: PRACTICE, category: "all", start_min: start, end_min: end, kind: "outage", status: "pending", reason: REASON });

    // It is pending: the banner, the card waiting for a decision and the history say so.
    await manager.getByRole("heading", { name: "Pause request sent" }).waitFor();
    const card = manager.locator(`#pause-${pauseId}`);
    expect((await card.getByRole("heading", { level: 3 }).innerText()).replace(/\s+/g, " ").trim()).toBe(
      `All requests, ${shown(start)} to ${shown(end)} Pending`,
    );
    const history = await readTable(manager.getByRole("table", { name: `Pause requests of ${demoPractice(PRACTICE).name}` }));
    const mine = history.rows.find((r) => r[column(history, "Start (London time)")] === shown(start));
    expect(mine?.[column(history, "Status")]).toBe("Pending");
    expect(mine?.[column(history, "Kind")]).toBe("After the fact (outage)");
    await expectNoAxeViolations(manager);

    // The commissioner, in another browser context, finds it in the ICB's list …
    const commissioner = await freshPage();
    await signIn(commissioner, COMMISSIONER);
    await waitForHydration(commissioner);
    await commissioner.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Pause requests" }).click();
    await commissioner.getByRole("heading", { level: 1, name: "Pause requests" }).waitFor();
    expect(pathOf(commissioner)).toBe("/icb/DEMO1/pauses");
    const pending = queryServed<{ id: number }>(
      "select r.id from pause_requests r join practices p on p.ods_code = r.practice_code where p.icb_code = 'DEMO1' and r.status = 'pending'",
    );
    expect(pending.map((r) => r.id)).toContain(pauseId);
    expect((await commissioner.getByTestId("pending-count").innerText()).trim()).toBe(
      `${pending.length} ${pending.length === 1 ? "request is" : "requests are"} waiting for a decision.`,
    );
    const list = await readTable(commissioner.getByRole("table", { name: "Pause requests in NHS Demo Shire Integrated Care Board" }));
    const row = list.rows.find((r) => r[column(list, "ODS code")] === PRACTICE && r[column(list, "Start (London time)")] === shown(start));
    expect(row?.[column(list, "Status")]).toBe("Pending");
    expect(row?.[column(list, "Reason")]).toBe(REASON);
    await expectNoAxeViolations(commissioner);

    // … opens the practice and approves the request with a note.
    await commissioner.getByRole("row").filter({ hasText: shown(start) }).getByRole("link", { name: demoPractice(PRACTICE).name }).click();
    await commissioner.waitForURL((url) => url.pathname === `/practices/${PRACTICE}/pauses`);
    const decision = commissioner.locator(`#pause-${pauseId}`);
    await decision.getByLabel("Note for the practice (optional)").fill(NOTE);
    await decision.getByRole("button", { name: `Approve the pause from ${date} 13:00` }).click();
    await commissioner.waitForURL((url) => url.searchParams.get("done") === "approved");
    await commissioner.getByRole("heading", { name: "Pause approved" }).waitFor();
    expect((await commissioner.getByTestId("pause-effect").innerText()).trim()).toBe(
      `60 minutes closed between ${shown(start)} and ${shown(end)} now count as excepted.`,
    );
    expect(queryServedOne("select status, decision_note from pause_requests where id = ?", pauseId)).toEqual({ status: "approved", decision_note: NOTE });
    await expectNoAxeViolations(commissioner);

    // The practice's compliance page: that lunchtime is excepted, not closed, and 60 more minutes are excepted.
    await manager.goto(compliancePath);
    expect(await figure(manager, "figure-excepted")).toBe(before.excepted + 60);
    expect(await figure(manager, "figure-closed")).toBe(before.closed - 60);
    const lunch = await timelineRow(manager, dayLabel, "13:00");
    expect(lunch).toMatchObject({ to: "14:00", minutes: "60", state: "Excepted" });
    expect(lunch.details).toContain(`Approved pause #${pauseId}`);
    // The bar above the table shows the same stretch as excepted, and nothing closed at lunchtime.
    expect(await manager.locator('.app-timeline__segment.app-seg--excepted[title="13:00–14:00 Excepted"]').count()).toBe(1);
    expect(await manager.locator('.app-timeline__segment.app-seg--closed[title^="13:00"]').count()).toBe(0);

    // Both sides see the decision in the history.
    await manager.goto(`/practices/${PRACTICE}/pauses`);
    const after = await readTable(manager.getByRole("table", { name: `Pause requests of ${demoPractice(PRACTICE).name}` }));
    const decided = after.rows.find((r) => r[column(after, "Start (London time)")] === shown(start));
    expect(decided?.[column(after, "Status")]).toBe("Approved");
    expect(decided?.[column(after, "Decision note")]).toBe(NOTE);
    await expectNoAxeViolations(manager);
  });
});

describe("a wide table", () => {
  test("is a region named by its caption that a keyboard user can tab to and scroll", async () => {
    const page = await freshPage();
    await signIn(page, MANAGER);
    await page.setViewportSize({ width: 1024, height: 900 });
    await page.goto(`/practices/${PRACTICE}/pauses`);
    await waitForHydration(page);
    const caption = `Pause requests of ${demoPractice(PRACTICE).name}`;
    const region = page.getByRole("region", { name: caption, exact: true });
    await region.getByRole("table", { name: caption, exact: true }).waitFor();
    expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth), "the table overflows its wrapper at 1024 px").toBe(true);
    // In the tab order in every browser: Chromium (since 130) would also tab to a scroller with nothing focusable in
    // it on its own, so the walk below would pass here without the tabindex; Safari would not.
    expect(await region.getAttribute("tabindex")).toBe("0");
    // Tab through the page until the wrapper has focus.
    const focused = () => region.evaluate((el) => el === document.activeElement);
    for (let i = 0; i < 100 && !(await focused()); i++) await page.keyboard.press("Tab");
    expect(await focused(), "Tab reaches the scrolling table").toBe(true);
    expect(await region.evaluate((el) => getComputedStyle(el).boxShadow), "the design system's focus box").toContain("rgb(255, 235, 59)");
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  });
});
