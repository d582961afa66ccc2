/**
 * The demo's behaviours (db/seed/demo-behaviours.ts) as a commissioner and practice managers see them in a real
 * browser: the ICB compliance overview, practices' compliance pages (episodes, day timeline, half-hour heatmap,
 * calendar), the pause pages and the silent-hours screen. Which practice does what comes from the demo generator;
 * every figure comes from the served database, read-only, never from numbers written here.
 */
import type { Browser, BrowserContext, Download, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { DEMO_DECLINED_PAUSE_PRACTICE, DEMO_OUTAGE_PAUSE_PRACTICE, DEMO_PLANNED_PAUSE } from "../../db/seed/demo-availability";
import { behaviourOf, DEMO_GAP_MONTHS, DEMO_OUTAGE, DEMO_SWITCH_OFF, ocSupplierOf, type DemoBehaviour } from "../../db/seed/demo-behaviours";
import { addDays, weekday } from "~/domain/calendar";
import { formatDate, formatDecimal, formatInteger } from "~/utils/format";
import {
  expectNoAxeViolations,
  launchBrowser,
  newPage,
  parseInteger,
  pathOf,
  readAllPages,
  readTable,
  signIn,
  waitForHydration,
  type TableContents,
} from "./support/browser";
import { currentDemoPractices, demoPractice, parseCsv } from "./support/data";
import { queryServed, queryServedOne } from "./support/served-db";

const COMMISSIONER = "commissioner@demo.example";
const DEMO1_NAME = "NHS Demo Shire Integrated Care Board";
const OVERVIEW_CAPTION = `Core hours compliance of practices in ${DEMO1_NAME}`;
const OVERVIEW_PAGINATION = "Pages of the practices table";
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const CORE_MINUTES_PER_DAY = 630;

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

async function signedIn(email: string): Promise<Page> {
  const { context, page } = await newPage(browser);
  contexts.push(context);
  await signIn(page, email);
  return page;
}

/** The DEMO1 practices (current ones) with a behaviour. */
function withBehaviour(...behaviours: DemoBehaviour[]): string[] {
  return currentDemoPractices({ icb: "DEMO1" })
    .map((p) => p.code)
    .filter((code) => behaviours.includes(behaviourOf(code)));
}

function column(table: TableContents, header: string): number {
  const i = table.headers.indexOf(header);
  if (i < 0) throw new Error(`No column "${header}" in ${JSON.stringify(table.headers)}`);
  return i;
}

/** The table's rows keyed by their first cell, each as { header: text }. */
function rowsByKey(table: TableContents): Map<string, Record<string, string>> {
  return new Map(table.rows.map((r) => [r[0]!, Object.fromEntries(table.headers.map((h, i) => [h, r[i] ?? ""]))]));
}

/** The overview's table over all its pages (50 practices a page), read from the page shown onwards. */
async function readOverview(page: Page): Promise<TableContents> {
  const table = await readAllPages(page, page.getByRole("table", { name: OVERVIEW_CAPTION }), OVERVIEW_PAGINATION);
  expect(table.rows.length, "every current DEMO1 practice, over the pages").toBe(currentDemoPractices({ icb: "DEMO1" }).length);
  return table;
}

/** The range a compliance page shows, from its date fields. */
async function shownRange(page: Page): Promise<{ from: string; to: string }> {
  return { from: await page.locator("#from").inputValue(), to: await page.locator("#to").inputValue() };
}

async function figureText(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).locator(".app-summary-card__value").innerText()).trim();
}

interface Sums {
  days: number;
  open: number;
  closed: number;
  excepted: number;
  clinical_closed: number;
  admin_closed: number;
}

/** A practice's stored compliance days summed over a range. */
function sums(code: string, from: string, to: string): Sums {
  return queryServedOne<Sums>(
    `select count(*) as days, coalesce(sum(open_minutes), 0) as open, coalesce(sum(closed_minutes), 0) as closed,
            coalesce(sum(excepted_minutes), 0) as excepted, coalesce(sum(clinical_closed), 0) as clinical_closed,
            coalesce(sum(admin_closed), 0) as admin_closed
       from compliance_days where practice_code = ? and date between ? and ?`,
    code,
    from,
    to,
  )!;
}

/** Core days in a range: the dates any DEMO1 practice has a stored compliance day for (compliant practices have all). */
function coreDaysIn(from: string, to: string): number {
  return queryServedOne<{ n: number }>(
    "select count(distinct d.date) as n from compliance_days d join practices p on p.ods_code = d.practice_code where p.icb_code = 'DEMO1' and d.date between ? and ?",
    from,
    to,
  )!.n;
}

const pct = (part: number, whole: number) => `${formatDecimal((part / whole) * 100)}%`;

interface Episode {
  date: string;
  minutes: number;
  category: string;
  excepted: number;
  reasons: string;
  pause_ids: string;
}

function episodes(code: string, from: string, to: string): Episode[] {
  return queryServed<Episode>(
    "select date, minutes, category, excepted, reasons, pause_ids from closure_episodes where practice_code = ? and date between ? and ? order by start_min",
    code,
    from,
    to,
  );
}

async function episodesTable(page: Page): Promise<TableContents> {
  return readTable(page.getByRole("table", { name: /^Closure episodes, / }));
}

/** The day timeline's table as rows of { from, to, minutes, state, details }. */
async function timeline(page: Page, date: string) {
  const table = await readTable(page.getByRole("table", { name: `Core hours on ${WEEKDAYS[weekday(date)]} ${formatDate(date)}` }));
  return table.rows.map((r) => ({ from: r[0]!, to: r[1]!, minutes: r[2]!, state: r[3]!, details: r[4]! }));
}

// ---------------------------------------------------------------------------------------------------------------

describe("the ICB compliance overview", () => {
  test("over the last 12 weeks flags the daily-cap and lunchtime practices, and shows a compliant practice 100% open", async () => {
    const page = await signedIn(COMMISSIONER);
    await page.goto("/icb/DEMO1/compliance");
    const { from, to } = await shownRange(page);
    // The default range: the 12 weeks up to the latest day with data.
    expect(to).toBe(queryServedOne<{ d: string }>("select max(date) as d from compliance_days")!.d);
    expect(from).toBe(addDays(to, -83));
    const core = coreDaysIn(from, to) * CORE_MINUTES_PER_DAY;

    await waitForHydration(page);
    const table = await readOverview(page);
    const rows = rowsByKey(table);
    const dailyCap = withBehaviour("daily-cap");
    const lunchtime = withBehaviour("lunchtime");
    expect(dailyCap).toEqual(["DEM005", "DEM040"]);
    expect(lunchtime.length).toBeGreaterThanOrEqual(3);
    for (const code of [...dailyCap, ...lunchtime]) {
      const s = sums(code, from, to);
      expect(rows.get(code), code).toMatchObject({
        "Policy flag": "Flagged",
        "Closed minutes": formatInteger(s.closed),
        "% open": pct(s.open, core),
        "% no data": "0.0%",
      });
    }

    // A compliant practice open for every core minute: 100% open, nothing closed, not flagged.
    const compliant = withBehaviour("compliant").find((code) => sums(code, from, to).open === core);
    expect(compliant, "some compliant demo practice was open throughout the 12 weeks").toBeDefined();
    expect(rows.get(compliant!)).toMatchObject({ "% open": "100.0%", "Closed minutes": "0", "Policy flag": "Not flagged", "% no data": "0.0%" });
    const flaggedCount = table.rows.filter((r) => r[column(table, "Policy flag")] === "Flagged").length;
    expect(flaggedCount).toBeLessThan(table.rows.length);

    // A range over a gap month: the "gaps" practices show the month as no data (and are not open for it). Applying
    // the dates (from the last page) starts again at page 1.
    await page.locator("#from").fill("2026-01-05");
    await page.locator("#to").fill("2026-03-27");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("from") === "2026-01-05" && url.searchParams.get("to") === "2026-03-27");
    // A client-side navigation: wait for the new dates' page, not just its address.
    await page.getByText(`for ${formatDate("2026-01-05")} to ${formatDate("2026-03-27")} (`).waitFor();
    expect(new URL(page.url()).searchParams.get("page")).toBeNull();
    expect((await page.getByTestId("practices-count").innerText()).startsWith("Showing 1 to 50 of ")).toBe(true);
    expect(DEMO_GAP_MONTHS).toContain("2026-02");
    const gapCore = coreDaysIn("2026-01-05", "2026-03-27") * CORE_MINUTES_PER_DAY;
    const gapRows = rowsByKey(await readOverview(page));
    const gaps = withBehaviour("gaps");
    expect(gaps).toEqual(["DEM011", "DEM020"]);
    for (const code of gaps) {
      const s = sums(code, "2026-01-05", "2026-03-27");
      const unknown = gapCore - s.open - s.closed - s.excepted;
      // February's 20 core days at least.
      expect(unknown).toBeGreaterThanOrEqual(20 * CORE_MINUTES_PER_DAY);
      expect(gapRows.get(code), code).toMatchObject({ "% no data": pct(unknown, gapCore), "% open": pct(s.open, gapCore) });
    }
    expect(gapRows.get(compliant!)?.["% no data"]).toBe("0.0%");
    await expectNoAxeViolations(page);
  });

  test("on the outage day shows every practice on the outage supplier closed for it, and the approved pause excepted", async () => {
    const page = await signedIn(COMMISSIONER);
    await page.goto(`/icb/DEMO1/compliance?from=${DEMO_OUTAGE.date}&to=${DEMO_OUTAGE.date}`);
    await waitForHydration(page);
    const rows = rowsByKey(await readOverview(page));
    const outageMinutes = 150; // 09:10–11:40
    const onSupplier = currentDemoPractices({ icb: "DEMO1" }).filter((p) => ocSupplierOf(p.code) === DEMO_OUTAGE.supplier);
    expect(onSupplier.length).toBeGreaterThan(20);
    for (const p of onSupplier) {
      const s = sums(p.code, DEMO_OUTAGE.date, DEMO_OUTAGE.date);
      expect(s.closed + s.excepted, p.code).toBeGreaterThanOrEqual(outageMinutes);
      expect(rows.get(p.code), p.code).toMatchObject({ "Closed minutes": formatInteger(s.closed), "Excepted minutes": formatInteger(s.excepted) });
    }
    expect(rows.get(DEMO_OUTAGE_PAUSE_PRACTICE)?.["Excepted minutes"]).toBe(formatInteger(outageMinutes));
    // Practices on the other suppliers were not hit: whatever they closed that day, it was not the outage.
    const others = withBehaviour("compliant").filter((c) => ocSupplierOf(c) !== DEMO_OUTAGE.supplier);
    const untouched = others.filter((c) => sums(c, DEMO_OUTAGE.date, DEMO_OUTAGE.date).closed === 0);
    expect(untouched.length).toBeGreaterThan(others.length / 2);
    for (const c of untouched) expect(rows.get(c)?.["Closed minutes"], c).toBe("0");
  });
});

describe("practice compliance pages", () => {
  test("DEM002 closes every lunchtime, 13:00 to 14:00, with the reason given", async () => {
    const page = await signedIn(COMMISSIONER);
    await page.goto("/practices/DEM002/compliance");
    const { from, to } = await shownRange(page);
    const stored = episodes("DEM002", from, to);
    const table = await episodesTable(page);
    expect(table.rows).toHaveLength(stored.length);
    expect(stored.length).toBeGreaterThan(50);
    for (const r of table.rows) {
      expect([r[column(table, "From")], r[column(table, "To")], r[column(table, "Minutes")], r[column(table, "Closed to")]]).toEqual([
        "13:00",
        "14:00",
        "60",
        "All requests",
      ]);
    }
    const withReason = table.rows.filter((r) => r[column(table, "Reasons given")] === "Lunchtime closure").length;
    expect(withReason).toBe(stored.filter((e) => JSON.parse(e.reasons).includes("Lunchtime closure")).length);
    expect(withReason).toBeGreaterThan(stored.length / 2);
    expect(await figureText(page, "figure-closed")).toBe(formatInteger(sums("DEM002", from, to).closed));

    // The most recent day with the reason, in the day timeline.
    const day = [...stored].reverse().find((e) => JSON.parse(e.reasons).includes("Lunchtime closure") && !e.excepted)!.date;
    await page.goto(`/practices/DEM002/compliance?from=${from}&to=${to}&day=${day}`);
    const stretches = await timeline(page, day);
    expect(stretches).toContainEqual({ from: "13:00", to: "14:00", minutes: "60", state: "Closed", details: "Closed to all requests. Reason: Lunchtime closure" });
    expect(stretches.filter((s) => s.state !== "Open")).toHaveLength(1);

    // The planned pause for protected learning time made one lunchtime excepted.
    await page.goto(`/practices/DEM002/compliance?from=${DEMO_PLANNED_PAUSE.date}&to=${DEMO_PLANNED_PAUSE.date}&day=${DEMO_PLANNED_PAUSE.date}`);
    const planned = await timeline(page, DEMO_PLANNED_PAUSE.date);
    expect(planned.find((s) => s.from === "13:00")).toMatchObject({ to: "14:00", state: "Excepted" });
    expect(await figureText(page, "figure-excepted")).toBe("60");
    await expectNoAxeViolations(page);
  });

  test("DEM005 closes from late morning once a daily cap is reached, mostly on Mondays", async () => {
    const page = await signedIn(COMMISSIONER);
    await page.goto("/practices/DEM005/compliance");
    const { from, to } = await shownRange(page);
    const stored = episodes("DEM005", from, to);
    const table = await episodesTable(page);
    expect(table.rows).toHaveLength(stored.length);
    for (const r of table.rows) {
      // Capped from 10:30 to 13:00 (London), then closed to the end of core hours.
      expect(r[column(table, "From")]! >= "10:30" && r[column(table, "From")]! <= "13:00", r.join(" ")).toBe(true);
      expect(r[column(table, "To")]).toBe("18:30");
    }
    expect(table.rows.some((r) => r[column(table, "Reasons given")] === "Daily capacity reached")).toBe(true);

    // The heatmap's total row: closed minutes by weekday, Monday the largest, each as the database has it.
    const heatmap = await readTable(page.getByRole("table", { name: "Closed minutes by weekday and half hour" }));
    const totals = heatmap.rows.find((r) => r[0] === "All core hours")!.slice(1).map(parseInteger);
    const expected = [1, 2, 3, 4, 5].map((wd) =>
      stored.filter((e) => !e.excepted && weekday(e.date) === wd).reduce((s, e) => s + e.minutes, 0),
    );
    expect(totals).toEqual(expected);
    expect(totals[0]).toBe(Math.max(...totals));
    expect(totals.slice(1).every((t) => t < totals[0]!)).toBe(true);
    // And capped on a far larger share of Mondays than of other days.
    const days = queryServed<{ date: string }>("select date from compliance_days where practice_code = 'DEM005' and date between ? and ?", from, to);
    const cappedDates = new Set(stored.map((e) => e.date));
    const share = (monday: boolean) => {
      const list = days.filter((d) => (weekday(d.date) === 1) === monday);
      return list.filter((d) => cappedDates.has(d.date)).length / list.length;
    };
    expect(share(true)).toBeGreaterThan(2 * share(false));
    await expectNoAxeViolations(page);
  });

  test("DEM007 was closed for whole days while switched off", async () => {
    const page = await signedIn(COMMISSIONER);
    const { from, to, reason } = DEMO_SWITCH_OFF;
    await page.goto(`/practices/DEM007/compliance?from=${from}&to=${to}`);
    const s = sums("DEM007", from, to);
    const coreDays = coreDaysIn(from, to);
    expect(s.days).toBe(coreDays);
    expect(s.closed).toBe(coreDays * CORE_MINUTES_PER_DAY);
    expect(await figureText(page, "figure-open")).toBe("0.0%");
    expect(await figureText(page, "figure-closed")).toBe(formatInteger(s.closed));
    // Every core day in the calendar is flagged with the whole day closed.
    const flaggedCells = page.locator("td.app-day--flagged");
    expect(await flaggedCells.count()).toBe(coreDays);
    expect(new Set((await flaggedCells.allInnerTexts()).map((t) => t.replace(/\s+/g, " ").replace(/^.*?: /, "").trim()))).toEqual(
      new Set(["Flagged 630 min"]),
    );
    expect(await page.locator("td.app-day--open, td.app-day--closure").count()).toBe(0);
    const table = await episodesTable(page);
    expect(table.rows).toHaveLength(coreDays);
    for (const r of table.rows) {
      expect(r.slice(1)).toEqual(["08:00", "18:30", "630", "All requests", reason, ""]);
    }
  });

  test("DEM009 closes to clinical requests only, from 15:00", async () => {
    const page = await signedIn(COMMISSIONER);
    await page.goto("/practices/DEM009/compliance");
    const { from, to } = await shownRange(page);
    const s = sums("DEM009", from, to);
    const table = await episodesTable(page);
    const stored = episodes("DEM009", from, to).filter((e) => e.category === "clinical");
    expect(stored.length).toBe(s.days);
    const clinicalRows = table.rows.filter((r) => r[column(table, "Closed to")] === "Clinical requests");
    expect(clinicalRows).toHaveLength(stored.length);
    for (const r of clinicalRows) {
      expect([r[column(table, "From")], r[column(table, "To")], r[column(table, "Minutes")], r[column(table, "Reasons given")]]).toEqual([
        "15:00",
        "18:30",
        "210",
        "Clinical triage capacity",
      ]);
    }
    // Admin requests stayed open: no admin closures at all.
    const kinds = await readTable(page.getByRole("table", { name: "Minutes by kind of request" }));
    const byKind = rowsByKey(kinds);
    expect(s.admin_closed).toBe(0);
    expect(byKind.get("Admin")?.Closed).toBe("0");
    expect(byKind.get("Clinical")?.Closed).toBe(formatInteger(s.clinical_closed));
    expect(s.clinical_closed).toBe(210 * s.days);
  });

  test("the outage day: closed with its reason on a practice of the outage supplier, excepted where the pause was approved", async () => {
    const page = await signedIn(COMMISSIONER);
    const date = DEMO_OUTAGE.date;
    const range = `from=${addDays(date, -2)}&to=${addDays(date, 2)}&day=${date}`;
    const hit = withBehaviour("compliant").find((c) => ocSupplierOf(c) === DEMO_OUTAGE.supplier && c !== DEMO_OUTAGE_PAUSE_PRACTICE)!;
    const outage = { from: DEMO_OUTAGE.from, to: DEMO_OUTAGE.to, minutes: "150" };

    await page.goto(`/practices/${hit}/compliance?${range}`);
    expect(await timeline(page, date)).toContainEqual({ ...outage, state: "Closed", details: `Closed to all requests. Reason: ${DEMO_OUTAGE.reason}` });
    const table = await episodesTable(page);
    const row = table.rows.find((r) => r[column(table, "Date")] === formatDate(date))!;
    expect([row[column(table, "From")], row[column(table, "To")], row[column(table, "Reasons given")], row[column(table, "Excepted by approved pause")]]).toEqual([
      DEMO_OUTAGE.from,
      DEMO_OUTAGE.to,
      DEMO_OUTAGE.reason,
      "",
    ]);

    const pause = queryServedOne<{ id: number }>(
      "select id from pause_requests where practice_code = ? and status = 'approved' and kind = 'outage'",
      DEMO_OUTAGE_PAUSE_PRACTICE,
    )!;
    await page.goto(`/practices/${DEMO_OUTAGE_PAUSE_PRACTICE}/compliance?${range}`);
    const excepted = (await timeline(page, date)).find((s) => s.from === DEMO_OUTAGE.from)!;
    expect(excepted).toMatchObject({ ...outage, state: "Excepted" });
    expect(excepted.details).toContain(`Reason: ${DEMO_OUTAGE.reason}`);
    expect(excepted.details).toContain(`Approved pause #${pause.id}`);
    const s = sums(DEMO_OUTAGE_PAUSE_PRACTICE, addDays(date, -2), addDays(date, 2));
    expect(await figureText(page, "figure-excepted")).toBe(formatInteger(s.excepted));
    expect(s.excepted).toBe(150);
    await expectNoAxeViolations(page);
  });
});

describe("the pause pages", () => {
  test("show approved, declined, pending and withdrawn requests, to the ICB and to the practices", async () => {
    const page = await signedIn(COMMISSIONER);
    await page.goto("/icb/DEMO1/pauses");
    const stored = queryServed<{ id: number; practice_code: string; status: string; decision_note: string | null }>(
      "select r.id, r.practice_code, r.status, r.decision_note from pause_requests r join practices p on p.ods_code = r.practice_code where p.icb_code = 'DEMO1'",
    );
    const table = await readTable(page.getByRole("table", { name: `Pause requests in ${DEMO1_NAME}` }));
    expect(table.rows).toHaveLength(stored.length);
    const statuses = table.rows.map((r) => r[column(table, "Status")]!);
    for (const [status, label] of [
      ["approved", "Approved"],
      ["declined", "Declined"],
      ["pending", "Pending"],
      ["withdrawn", "Withdrawn"],
    ] as const) {
      const n = stored.filter((r) => r.status === status).length;
      expect(n, status).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === label)).toHaveLength(n);
    }
    // The declined request, with the commissioner's note, through the status filter.
    await waitForHydration(page);
    await page.getByLabel("Status").selectOption("declined");
    await page.getByRole("button", { name: "Apply filter" }).click();
    await page.waitForURL((url) => url.searchParams.get("status") === "declined");
    // The pending count shows only for all statuses or pending ones: gone once the declined list is rendered.
    await page.getByTestId("pending-count").waitFor({ state: "detached" });
    const declined = await readTable(page.getByRole("table", { name: `Pause requests in ${DEMO1_NAME}` }));
    const declinedStored = stored.filter((r) => r.status === "declined");
    expect(declined.rows.map((r) => r[column(declined, "ODS code")])).toEqual(declinedStored.map((r) => r.practice_code));
    expect(declined.rows.map((r) => r[column(declined, "Decision note")])).toEqual(declinedStored.map((r) => r.decision_note));
    expect(declinedStored.map((r) => r.practice_code)).toContain(DEMO_DECLINED_PAUSE_PRACTICE);
    await expectNoAxeViolations(page);

    // DEM001's manager: a pending request waiting for a decision (which they may withdraw) and a withdrawn one.
    const manager = await signedIn("manager.dem001@demo.example");
    await manager.goto("/practices/DEM001/pauses");
    const own = queryServed<{ id: number; status: string }>("select id, status from pause_requests where practice_code = 'DEM001'");
    const pendingIds = own.filter((r) => r.status === "pending").map((r) => r.id);
    expect(pendingIds.length).toBeGreaterThan(0);
    for (const id of pendingIds) {
      const card = manager.locator(`#pause-${id}`);
      expect(await card.locator(".nhsuk-tag").innerText()).toBe("Pending");
      expect(await card.getByRole("button", { name: "Withdraw this request" }).count()).toBe(1);
    }
    const history = await readTable(manager.getByRole("table", { name: `Pause requests of ${demoPractice("DEM001").name}` }));
    expect(history.rows.map((r) => r[column(history, "Status")]).sort()).toEqual(
      own.map((r) => r.status[0]!.toUpperCase() + r.status.slice(1)).sort(),
    );
    expect(history.rows.some((r) => r[column(history, "Status")] === "Withdrawn")).toBe(true);
    await expectNoAxeViolations(manager);
    expect(pathOf(manager)).toBe("/practices/DEM001/pauses");
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** The text a download holds. */
async function downloaded(download: Download): Promise<string> {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("silent-hours screening", () => {
  test("lists the ICB's practices strongest first, the daily caps on Mondays, labelled as screening; PCN filter and CSV", async () => {
    const page = await signedIn(COMMISSIONER);
    await page.goto("/icb/DEMO1/compliance");
    const { from, to } = await shownRange(page);
    await waitForHydration(page);
    await page.getByRole("link", { name: "Silent-hours screening" }).click();
    await page.getByRole("heading", { level: 1, name: "Silent-hours screening" }).waitFor();
    expect(pathOf(page)).toBe(`/icb/DEMO1/screening?from=${from}&to=${to}`);
    expect((await page.getByTestId("screening-label").innerText()).startsWith("Screening, not evidence")).toBe(true);

    const caption = `Silent-hours screening of practices in ${DEMO1_NAME}`;
    const table = await readTable(page.getByRole("table", { name: caption }));
    const rows = rowsByKey(table);
    // Every current practice is listed once.
    expect([...rows.keys()].sort()).toEqual(currentDemoPractices({ icb: "DEMO1" }).map((p) => p.code).sort());
    // Strongest first.
    const order = { Strong: 3, Moderate: 2, Weak: 1, None: 0 } as Record<string, number>;
    const strengths = table.rows.map((r) => order[r[column(table, "Strongest signal")]!]!);
    expect(strengths).toEqual([...strengths].sort((a, b) => b - a));
    // The daily caps: strong, on a Monday, all requests, silent on most of the eligible Mondays.
    for (const code of withBehaviour("daily-cap")) {
      const r = rows.get(code)!;
      expect(r["Strongest signal"], code).toBe("Strong");
      expect(r["Weekday and hour"], code).toMatch(/^Monday 1[0-3]:00–1[1-4]:00$/);
      expect(r.Requests).toBe("All requests");
      expect(Number(r["Silent days"])).toBeGreaterThan(Number(r["Eligible days"]) / 2);
    }
    // Lunchtime practices flagged at all are flagged at 13:00.
    const lunch = withBehaviour("lunchtime").filter((c) => rows.get(c)!["Strongest signal"] !== "None");
    expect(lunch.length).toBeGreaterThan(0);
    for (const code of lunch) expect(rows.get(code)!["Weekday and hour"]).toMatch(/ 13:00–14:00$/);
    // Days with data against core days: every practice with timed data for each day is "N of N".
    const days = queryServedOne<{ n: number }>(
      "select count(distinct h.date) as n from oc_hourly h where h.practice_code = 'DEM005' and h.date in (select date from compliance_days where practice_code = 'DEM005' and date between ? and ?)",
      from,
      to,
    )!.n;
    expect(rows.get("DEM005")!["Days with data"]).toBe(`${days} of ${coreDaysIn(from, to)}`);
    const flagged = table.rows.filter((r) => r[column(table, "Strongest signal")] !== "None").length;
    expect((await page.getByTestId("screening-headline").innerText()).startsWith(`${flagged} of ${table.rows.length} practices flagged:`)).toBe(true);
    await expectNoAxeViolations(page);

    // The CSV holds what the table shows.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download this table as CSV" }).click()]);
    const csv = parseCsv(await downloaded(download));
    expect(csv[0]).toEqual(table.headers);
    expect(csv.slice(1).map((r) => r[0])).toEqual(table.rows.map((r) => r[0]));
    expect(csv.slice(1).map((r) => r[column(table, "Strongest signal")])).toEqual(table.rows.map((r) => r[column(table, "Strongest signal")]));

    // The PCN filter: only that PCN's practices.
    const pcn = demoPractice("DEM005").pcn;
    await page.getByLabel("Primary care network").selectOption(pcn);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("pcn") === pcn);
    const pcnName = queryServedOne<{ name: string }>("select name from pcns where code = ?", pcn)!.name;
    await page.getByTestId("screening-headline").filter({ hasText: ` in ${pcnName} flagged:` }).waitFor();
    const filtered = await readTable(page.getByRole("table", { name: caption }));
    expect(filtered.rows.map((r) => r[0]).sort()).toEqual(currentDemoPractices({ icb: "DEMO1", pcn }).map((p) => p.code).sort());
  });

  test("on a practice's compliance page: the flagged hours of a daily cap, or a plain statement that nothing was flagged", async () => {
    const page = await signedIn(COMMISSIONER);
    await page.goto("/practices/DEM005/compliance");
    const { from, to } = await shownRange(page);
    const section = page.getByTestId("silent-hours");
    expect((await section.getByTestId("silent-hours-label").innerText()).startsWith("Screening, not evidence")).toBe(true);
    const flagged = await readTable(section.getByRole("table", { name: "Hours flagged by silent-hours screening" }));
    const first = flagged.rows[0]!;
    expect(first[column(flagged, "Weekday and hour")]).toMatch(/^Monday /);
    expect(first[column(flagged, "Strength")]).toBe("Strong");
    const [silent, eligible] = first[column(flagged, "Silent days")]!.split(" of ").map(Number);
    expect(silent).toBeGreaterThan(eligible! / 2);
    // The silent days it names were days on which the practice closed its tool (the screen never reads that).
    const closedDays = new Set(episodes("DEM005", from, to).map((e) => e.date));
    const named = first[column(flagged, "Most recent silent days")]!.replace(/ and \d+ more$/, "").split(", ");
    expect(named.length).toBeGreaterThan(0);
    for (const d of named) expect([...closedDays].map((x) => formatDate(x))).toContain(d);
    await expectNoAxeViolations(page);

    // A compliant practice the ICB's screen shows with no signal: nothing flagged, and how many days had timed data.
    await page.goto(`/icb/DEMO1/screening?from=${from}&to=${to}`);
    const screen = rowsByKey(await readTable(page.getByRole("table", { name: `Silent-hours screening of practices in ${DEMO1_NAME}` })));
    const quiet = withBehaviour("compliant").find((c) => screen.get(c)?.["Strongest signal"] === "None")!;
    expect(quiet).toBeDefined();
    await page.goto(`/practices/${quiet}/compliance?from=${from}&to=${to}`);
    const days = queryServedOne<{ n: number }>(
      "select count(distinct h.date) as n from oc_hourly h where h.practice_code = ? and h.date in (select date from compliance_days where practice_code = ? and date between ? and ?)",
      quiet,
      quiet,
      from,
      to,
    )!.n;
    expect(days).toBeGreaterThan(0);
    expect(await page.getByTestId("silent-hours").getByRole("table").count()).toBe(0);
    expect((await page.getByTestId("silent-hours-none").innerText()).replace(/\s+/g, " ")).toBe(
      `No hour was flagged from ${formatDate(from)} to ${formatDate(to)}. ${days} of ${coreDaysIn(from, to)} core days in these dates had submission data by hour. No flag does not mean the tool was open: hours in which fewer than 3 submissions were expected are never screened.`,
    );
  });
});
