/**
 * The compliance pages, on crafted availability logs imported through the real importer into the demo
 * organisations (any demo availability is cleared first, so every number here is computed by hand).
 *
 * The range 23 March – 3 April 2026 has 9 core days (Good Friday, 3 April, is a bank holiday): 5,670 core
 * minutes per practice. The clocks go forward on Sunday 29 March.
 *
 *   DEM001  open throughout; closed 26 Mar 12:00–12:45 GMT (45, all, "Staff training": a flagged day) and
 *           31 Mar 08:00–08:20 BST (20, clinical only, "System update", given in UTC): 65 closed, not flagged
 *   DEM002  open throughout; closed 13:00–14:00 on 24, 25 and 26 Mar: 180 closed, 3 flagged days, flagged
 *   DEM003  open throughout: fully open
 *   DEM004  open 23–24 Mar only: 2 of 9 days known, not enough data to be ranked
 *   DEM005  open throughout; closed 27 Mar 10:00–11:00 inside an approved pause: 60 excepted
 *   DEM014  (another PCN) open throughout; closed to admin 1 Apr 09:00–09:40: 40 closed, 1 flagged day
 *   DEM110  (the other ICB) closed throughout
 * Every other current DEMO1 practice has no data.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, seedDemo } from "../../db/seed/demo";
import { availabilityImporter } from "../../importers/availability";
import { importFile } from "../../importers/core/run";
import { localMinute } from "~/domain/calendar";
import { approvePause, requestPause } from "~/services/pauses.server";
import { startTestApp, type TestApp } from "../support/app";

const LOG = `practice_code,start,end,status,category,reason,source
DEM001,2026-03-23 00:00,2026-04-04 00:00,open,all,,acme
DEM001,2026-03-26T12:00:00Z,2026-03-26T12:45:00Z,closed,all,Staff training,acme
DEM001,2026-03-31T07:00:00Z,2026-03-31T07:20:00Z,closed,clinical,System update,acme
DEM002,2026-03-23 00:00,2026-04-04 00:00,open,all,,acme
DEM002,2026-03-24 13:00,2026-03-24 14:00,closed,all,Lunch,acme
DEM002,2026-03-25 13:00,2026-03-25 14:00,closed,all,Lunch,acme
DEM002,2026-03-26 13:00,2026-03-26 14:00,closed,all,Lunch,acme
DEM003,2026-03-23 00:00,2026-04-04 00:00,open,all,,acme
DEM004,2026-03-23 00:00,2026-03-25 00:00,open,all,,acme
DEM005,2026-03-23 00:00,2026-04-04 00:00,open,all,,acme
DEM005,2026-03-27 10:00,2026-03-27 11:00,closed,all,Practice IT failure,acme
DEM014,2026-03-23 00:00,2026-04-04 00:00,open,all,,acme
DEM014,2026-04-01 09:00,2026-04-01 09:40,closed,admin,,acme
DEM110,2026-03-23 00:00,2026-04-04 00:00,closed,all,Switched off,acme
`;

const RANGE = "from=2026-03-23&to=2026-04-03";
const CORE = 9 * 630;
const DEMO1_CURRENT = 102;
const ICB_CAPTION = "Core hours compliance of practices in NHS Demo Shire Integrated Care Board";

let app: TestApp;
let dir: string;
let commissioner: string;
let managerA: string;
let pauseId: number;

beforeAll(async () => {
  app = await startTestApp();
  const { db } = app.open;
  await seedDemo(db);
  // Whatever availability the demo brings, these tests use only their own; without the demo's demand figures
  // every flagged practice's suggested approach is "Not enough data" (pressure cannot be judged).
  for (const table of ["closure_episodes", "compliance_days", "compliance_weeks", "availability_intervals", "pause_requests", "measure_values", "measure_distributions", "oc_hourly", "oc_daily", "oc_weekly", "oc_icb_hourly", "oc_weekday_hourly"] as const)
    await db.deleteFrom(table).execute();
  dir = mkdtempSync(join(tmpdir(), "icb-compliance-pages-"));
  const file = join(dir, "availability-crafted.csv");
  writeFileSync(file, LOG);
  const result = await importFile(db, availabilityImporter, file, { actor: "test" });
  expect(result.status).toBe("imported");
  const by = { userId: null, actor: "test", ip: null };
  pauseId = await requestPause(
    db,
    {
      practiceCode: "DEM005",
      category: "all",
      start: localMinute("2026-03-27", 10 * 60),
      end: localMinute("2026-03-27", 11 * 60),
      reason: "IT failure",
      kind: "outage",
    },
    by
  );
  await approvePause(db, pauseId, null, by);
  await requestPause(
    db,
    {
      practiceCode: "DEM001",
      category: "all",
      start: localMinute("2026-04-20", 9 * 60),
      end: localMinute("2026-04-20", 10 * 60),
      reason: "Training",
      kind: "planned",
    },
    by
  );
  commissioner = await app.signIn("commissioner@demo.example", DEMO_PASSWORD);
  managerA = await app.signIn("manager.dem001@demo.example", DEMO_PASSWORD);
});

afterAll(async () => {
  await app?.open.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// Reading pages

function decode(text: string): string {
  return text
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Text as read: block elements separate words, inline ones (links, tags, hidden text) do not. */
function textOf(html: string): string {
  return decode(
    html
      .replace(
        /<\/?(?:p|div|h[1-6]|li|ul|ol|td|th|tr|table|caption|thead|tbody|dl|dt|dd|br|main|details|summary|label|select|option|button|form|svg|input)\b[^>]*>/g,
        " "
      )
      .replace(/<[^>]+>/g, "")
  )
    .replace(/\s+/g, " ")
    .trim();
}

interface Table {
  headers: string[];
  rows: string[][];
}

/** The table with this caption: its column headings (without sort arrows) and body rows, as text. */
function table(html: string, caption: string): Table {
  const tables = html.match(/<table[\s\S]*?<\/table>/g) ?? [];
  const found = tables.find((t) => textOf(/<caption[\s\S]*?<\/caption>/.exec(t)?.[0] ?? "") === caption);
  if (!found) throw new Error(`No table captioned "${caption}"`);
  const cells = (row: string) => [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) => textOf(m[1]!));
  const head = /<thead[\s\S]*?<\/thead>/.exec(found)?.[0] ?? "";
  const body = /<tbody[\s\S]*?<\/tbody>/.exec(found)?.[0] ?? "";
  return {
    headers: cells(head).map((h) => h.replace(/ [▲▼]$/, "")),
    rows: (body.match(/<tr[\s\S]*?<\/tr>/g) ?? []).map(cells),
  };
}

function mainText(html: string): string {
  return textOf(/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? "");
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field.replace(/\r$/, ""));
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  return rows;
}

async function page(path: string, cookie: string): Promise<string> {
  const res = await app.fetch(path, { cookie });
  expect(res.status, path).toBe(200);
  return res.text();
}

async function csv(path: string, cookie: string): Promise<{ rows: string[][]; disposition: string | null }> {
  const res = await app.fetch(path, { cookie });
  expect(res.status, path).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
  return { rows: parseCsv(await res.text()), disposition: res.headers.get("content-disposition") };
}

/** A shown cell as the CSV holds it: no "Demo data" tag, figures without separators or %, "No data" blank. */
function asData(cell: string): string {
  if (cell === "No data") return "";
  return cell.replace(/ Demo data$/, "").replace(/^(-?[\d,]+(?:\.\d+)?)%?$/, (_, n: string) => String(Number(n.replace(/,/g, ""))));
}

function rowOf(t: Table, code: string): Record<string, string> {
  const row = t.rows.find((r) => r[0] === code);
  if (!row) throw new Error(`No row for ${code}`);
  return Object.fromEntries(t.headers.map((h, i) => [h, row[i]!]));
}

/** An element's attributes, decoded. */
function attributes(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1]!, decode(m[2]!)]));
}

interface PageLink {
  href: string;
  rel: string | null;
  ariaLabel: string | null;
  current: boolean;
  text: string;
}

/** The page's numbered pagination (the NHS `nhsuk-pagination` nav), if any: its label, links and ellipses as text. */
function pagination(html: string): { attrs: Record<string, string>; links: PageLink[]; items: string[] } | null {
  const nav = [...html.matchAll(/<nav\b[^>]*>[\s\S]*?<\/nav>/g)].map((m) => m[0]).find((n) => /^<nav\b[^>]*class="nhsuk-pagination\b/.test(n));
  if (!nav) return null;
  const links = [...nav.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/g)].map((m) => {
    const a = attributes(m[1]!);
    return { href: a.href!, rel: a.rel ?? null, ariaLabel: a["aria-label"] ?? null, current: a["aria-current"] === "page", text: textOf(m[2]!) };
  });
  const items = [...nav.matchAll(/<li\b[^>]*>([\s\S]*?)<\/li>/g)].map((m) => textOf(m[1]!));
  return { attrs: attributes(/^<nav\b[^>]*>/.exec(nav)![0]), links, items };
}

/** A link's query parameters, as an object (its path and fragment checked separately). */
function paramsOf(href: string): Record<string, string> {
  return Object.fromEntries(new URL(href, "http://app.test").searchParams);
}

/** Every page of the overview's table from `path`, by following each page's "Next" link, and the pages' HTML. */
async function allPages(path: string, cookie: string): Promise<{ rows: string[][]; headers: string[]; html: string[] }> {
  const html: string[] = [];
  const rows: string[][] = [];
  let headers: string[] = [];
  for (let next: string | undefined = path; next; ) {
    if (html.length > 10) throw new Error(`More than 10 pages from ${path}`);
    const h = await page(next, cookie);
    const t = table(h, ICB_CAPTION);
    html.push(h);
    headers = t.headers;
    rows.push(...t.rows);
    next = pagination(h)?.links.find((l) => l.rel === "next")?.href;
  }
  return { rows, headers, html };
}

function countText(html: string): string {
  return textOf(/<p[^>]*data-testid="practices-count"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? "");
}

// ---------------------------------------------------------------------------------------------------------------

describe("the ICB compliance overview", () => {
  it("shows each crafted practice's exact minutes, flags and weekly trend", async () => {
    // The table is paged: read every page, following "Next".
    const { rows: all, headers, html: pages } = await allPages(`/icb/DEMO1/compliance?${RANGE}`, commissioner);
    const html = pages[0]!;
    const t: Table = { headers, rows: all };
    expect(pages).toHaveLength(3);
    expect(t.headers).toEqual([
      "ODS code",
      "Practice",
      "PCN",
      "% open",
      "Closed minutes",
      "Excepted minutes",
      "Flagged days",
      "Policy flag",
      "% no data",
      "Weekly closed minutes",
      "Suggested approach",
    ]);
    expect(t.rows).toHaveLength(DEMO1_CURRENT);
    expect(new Set(t.rows.map((r) => r[0])).size).toBe(DEMO1_CURRENT);
    const pcn = "DEMO NORTH RIVERSIDE PCN";
    expect(rowOf(t, "DEM002")).toEqual({
      "ODS code": "DEM002",
      Practice: "OAKFIELD SURGERY Demo data",
      PCN: pcn,
      "% open": "96.8%",
      "Closed minutes": "180",
      "Excepted minutes": "0",
      "Flagged days": "3",
      "Policy flag": "Flagged",
      "% no data": "0.0%",
      "Weekly closed minutes": "180, 0",
      "Suggested approach": "Not enough data",
    });
    expect(rowOf(t, "DEM001")).toMatchObject({
      "% open": "98.9%",
      "Closed minutes": "65",
      "Flagged days": "1",
      "Policy flag": "Not flagged",
      "Weekly closed minutes": "45, 20",
      "Suggested approach": "Compliant",
    });
    expect(rowOf(t, "DEM003")).toMatchObject({ "% open": "100.0%", "Closed minutes": "0", "Flagged days": "0" });
    expect(rowOf(t, "DEM004")).toMatchObject({
      "% open": "22.2%",
      "% no data": "77.8%",
      "Weekly closed minutes": "0, no data",
      "Suggested approach": "Not enough data",
    });
    expect(rowOf(t, "DEM005")).toMatchObject({
      "Closed minutes": "0",
      "Excepted minutes": "60",
      "Flagged days": "0",
      "% open": "98.9%",
    });
    expect(rowOf(t, "DEM014")).toMatchObject({
      PCN: "DEMO KINGSMERE PCN",
      "Closed minutes": "40",
      "Flagged days": "1",
      "Policy flag": "Not flagged",
    });
    // No data is neither open nor closed: no share open, nothing closed, not flagged.
    expect(rowOf(t, "DEM006")).toMatchObject({
      "% open": "No data",
      "Closed minutes": "0",
      "Policy flag": "Not flagged",
      "% no data": "100.0%",
      "Weekly closed minutes": "no data, no data",
    });
    // Sorted by closed minutes, most first, by default: on the first page.
    expect(table(html, ICB_CAPTION).rows.slice(0, 3).map((r) => r[0])).toEqual(["DEM002", "DEM001", "DEM014"]);
    // The other ICB's practice is on no page.
    for (const h of pages) expect(h).not.toContain("DEM110");
  });

  it("gives headline figures across the ICB, the policy in words and a spread of practices by share open", async () => {
    const html = await page(`/icb/DEMO1/compliance?${RANGE}`, commissioner);
    const text = mainText(html);
    expect(text).toContain(`1 of ${DEMO1_CURRENT} practices flagged under the policy`);
    expect(text).toContain("1 practice open for every core minute");
    expect(text).toContain("285 closed minutes in core hours");
    // No data: 96 practices with none at all, DEM004 with 7 of its 9 days.
    const unknown = 96 * CORE + 7 * 630;
    const share = ((unknown / (DEMO1_CURRENT * CORE)) * 100).toFixed(1);
    expect(share).toBe("94.9");
    expect(text).toContain(`${share}% of core minutes with no data (6 practices sent any data)`);
    expect(text).toContain("at least 30 closed minutes on at least 3 core days in any 28 days (the default policy)");
    expect(text).toContain("No data is neither compliant nor a breach.");
    expect(text).toContain("23 March 2026 to 3 April 2026 (9 core days)");
    expect(html).toContain('href="/icb/DEMO1/settings"');
    const spread = table(html, "Practices by share of core minutes open");
    const counts = Object.fromEntries(spread.rows.map((r) => [r[0], Number(r[1])]));
    expect(counts["100%"]).toBe(1);
    expect(counts["90% to under 100%"]).toBe(4);
    expect(counts["Not enough data (less than half the core minutes known)"]).toBe(DEMO1_CURRENT - 5);
    expect(spread.rows.reduce((s, r) => s + Number(r[1]), 0)).toBe(DEMO1_CURRENT);
  });

  it("downloads exactly the rows and columns shown on all the pages, in order, as data", async () => {
    const query = `${RANGE}&sort=open_share&dir=desc`;
    const shown = await allPages(`/icb/DEMO1/compliance?${query}`, commissioner);
    expect(shown.rows).toHaveLength(DEMO1_CURRENT);
    const { rows, disposition } = await csv(`/icb/DEMO1/compliance?${query}&format=csv`, commissioner);
    expect(disposition).toBe('attachment; filename="DEMO1-compliance-2026-03-23-to-2026-04-03.csv"');
    expect(rows[0]).toEqual(shown.headers);
    expect(rows.slice(1)).toEqual(shown.rows.map((r) => r.map(asData)));
    expect(rows[1]).toEqual(["DEM003", "LAKESIDE SURGERY", "DEMO NORTH RIVERSIDE PCN", "100", "0", "0", "0", "Not flagged", "0", "0, 0", "Compliant"]);
    expect(rows.find((r) => r[0] === "DEM002")).toEqual([
      "DEM002",
      "OAKFIELD SURGERY",
      "DEMO NORTH RIVERSIDE PCN",
      "96.8",
      "180",
      "0",
      "3",
      "Flagged",
      "0",
      "180, 0",
      "Not enough data",
    ]);
    // Sorted by share open as shown, highest first (DEM001 and DEM005 both show 98.9%, then by code); practices
    // with no data (no share) last.
    expect(rows.slice(1, 7).map((r) => r[0])).toEqual(["DEM003", "DEM014", "DEM001", "DEM005", "DEM002", "DEM004"]);
    expect(rows.at(-1)![3]).toBe("");
  });

  it("filters by PCN, in the page and the CSV alike", async () => {
    const query = `${RANGE}&pcn=DEMPCN02`;
    const html = await page(`/icb/DEMO1/compliance?${query}`, commissioner);
    const shown = table(html, ICB_CAPTION);
    expect(shown.rows).toHaveLength(12); // Kingsmere's 13 practices less its dormant one
    // One page: no pagination, and the count is plain.
    expect(pagination(html)).toBeNull();
    expect(countText(html)).toBe("12 practices in DEMO KINGSMERE PCN.");
    expect(new Set(shown.rows.map((r) => r[2]))).toEqual(new Set(["DEMO KINGSMERE PCN"]));
    expect(shown.rows[0]![0]).toBe("DEM014");
    const { rows, disposition } = await csv(`/icb/DEMO1/compliance?${query}&format=csv`, commissioner);
    expect(disposition).toContain("-DEMPCN02.csv");
    expect(rows.slice(1)).toEqual(shown.rows.map((r) => r.map(asData)));
  });

  it("filters by the policy flag", async () => {
    const flagged = table(await page(`/icb/DEMO1/compliance?${RANGE}&flag=flagged`, commissioner), ICB_CAPTION);
    expect(flagged.rows.map((r) => r[0])).toEqual(["DEM002"]);
    const flaggedCsv = await csv(`/icb/DEMO1/compliance?${RANGE}&flag=flagged&format=csv`, commissioner);
    expect(flaggedCsv.rows.slice(1).map((r) => r[0])).toEqual(["DEM002"]);

    const notFlagged = await allPages(`/icb/DEMO1/compliance?${RANGE}&flag=not-flagged`, commissioner);
    expect(notFlagged.html).toHaveLength(3);
    expect(notFlagged.rows).toHaveLength(DEMO1_CURRENT - 1);
    expect(notFlagged.rows.map((r) => r[0])).not.toContain("DEM002");
    expect(new Set(notFlagged.rows.map((r) => r[7]))).toEqual(new Set(["Not flagged"]));

    // Under the ICB's own policy (one day of 40 closed minutes), DEM001 (45) and DEM014 (40) are flagged too.
    await app.open.db
      .insertInto("icb_policies")
      .values({
        icb_code: "DEMO1",
        closed_minutes_per_day: 40,
        flagged_days: 1,
        window_days: 28,
        updated_at: new Date().toISOString(),
        updated_by: "test",
      })
      .execute();
    try {
      const loose = table(await page(`/icb/DEMO1/compliance?${RANGE}&flag=flagged&sort=code`, commissioner), ICB_CAPTION);
      expect(loose.rows.map((r) => r[0])).toEqual(["DEM001", "DEM002", "DEM014"]);
      expect(rowOf(loose, "DEM002")["Flagged days"]).toBe("3");
    } finally {
      await app.open.db.deleteFrom("icb_policies").where("icb_code", "=", "DEMO1").execute();
    }
  });

  it("defaults to the 12 weeks up to the latest day with data, and says when a date is wrong", async () => {
    const text = mainText(await page("/icb/DEMO1/compliance", commissioner));
    expect(text).toContain("9 January 2026 to 2 April 2026 (60 core days)");
    expect(text).toContain("These are the 12 weeks up to the latest day with data.");
    const wrong = mainText(await page("/icb/DEMO1/compliance?from=2026-02-30&to=2026-04-03", commissioner));
    expect(wrong).toContain("There is a problem");
    expect(wrong).toContain("Enter the start date as a date like 2026-03-31");
    expect(wrong).toContain("9 January 2026 to 2 April 2026");
  });
});

describe("the ICB compliance overview, paged", () => {
  const BASE = `/icb/DEMO1/compliance?${RANGE}`;

  it("shows 50 practices a page in the sorted order, the last page the remainder, and says which rows it shows", async () => {
    for (const sort of ["&sort=code", "", "&sort=name&dir=desc"]) {
      // The order to expect: the CSV, which holds every row in the same sort.
      const order = (await csv(`${BASE}${sort}&format=csv`, commissioner)).rows.slice(1).map((r) => r[0]);
      expect(order).toHaveLength(DEMO1_CURRENT);
      const p1 = await page(`${BASE}${sort}`, commissioner);
      const p2 = await page(`${BASE}${sort}&page=2`, commissioner);
      const p3 = await page(`${BASE}${sort}&page=3`, commissioner);
      expect(table(p1, ICB_CAPTION).rows.map((r) => r[0]), sort).toEqual(order.slice(0, 50));
      expect(table(p2, ICB_CAPTION).rows.map((r) => r[0]), sort).toEqual(order.slice(50, 100));
      expect(table(p3, ICB_CAPTION).rows.map((r) => r[0]), sort).toEqual(order.slice(100));
      expect(order.slice(100)).toHaveLength(2);
      expect(countText(p1)).toBe(`Showing 1 to 50 of ${DEMO1_CURRENT} practices (page 1 of 3).`);
      expect(countText(p2)).toBe(`Showing 51 to 100 of ${DEMO1_CURRENT} practices (page 2 of 3).`);
      expect(countText(p3)).toBe(`Showing 101 to 102 of ${DEMO1_CURRENT} practices (page 3 of 3).`);
    }
  });

  it("keeps the headline, the spread and the CSV over every practice on every page", async () => {
    const html = await page(`${BASE}&page=2`, commissioner);
    const text = mainText(html);
    expect(text).toContain(`1 of ${DEMO1_CURRENT} practices flagged under the policy`);
    expect(text).toContain("285 closed minutes in core hours");
    const spread = table(html, "Practices by share of core minutes open");
    expect(spread.rows.reduce((s, r) => s + Number(r[1]), 0)).toBe(DEMO1_CURRENT);
    // The download link: every row, without the page.
    const link = /<p[^>]*>(<a\b[^>]*>Download this table as CSV<\/a>[\s\S]*?)<\/p>/.exec(html);
    expect(textOf(link?.[1] ?? "")).toBe(`Download this table as CSV (${DEMO1_CURRENT} rows)`);
    const csvHref = attributes(/<a\b[^>]*>(?=Download this table as CSV)/.exec(html)![0]).href!;
    expect(paramsOf(csvHref)).toEqual({ from: "2026-03-23", to: "2026-04-03", sort: "closed", dir: "desc", format: "csv" });
    const { rows } = await csv(csvHref.startsWith("?") ? `/icb/DEMO1/compliance${csvHref}` : csvHref, commissioner);
    expect(rows.slice(1)).toHaveLength(DEMO1_CURRENT);
    // Even asked with a page, the CSV is every row of the filters and sort.
    const paged = await csv(`${BASE}&page=2&format=csv`, commissioner);
    expect(paged.rows).toEqual(rows);
  });

  it("links each page with the dates, sort and filters kept, marks the current page, and is the NHS numbered pagination", async () => {
    const kept = { from: "2026-03-23", to: "2026-04-03", flag: "not-flagged", sort: "name", dir: "desc" };
    const html = await page(`/icb/DEMO1/compliance?${new URLSearchParams(kept)}&page=2`, commissioner);
    expect(countText(html)).toBe(`Showing 51 to 100 of ${DEMO1_CURRENT - 1} practices, not flagged under the policy (page 2 of 3).`);
    const nav = pagination(html)!;
    expect(nav).not.toBeNull();
    expect(nav.attrs).toMatchObject({ class: "nhsuk-pagination nhsuk-pagination--numbered", "aria-label": "Pages of the practices table" });
    expect(nav.links.map((l) => [l.text, l.rel, l.ariaLabel, l.current])).toEqual([
      ["Previous page", "prev", null, false],
      ["1", null, "Page 1", false],
      ["2", null, "Page 2", true],
      ["3", null, "Page 3", false],
      ["Next page", "next", null, false],
    ]);
    expect(nav.links.filter((l) => l.current)).toHaveLength(1);
    const pageOf = (l: PageLink) => paramsOf(l.href).page ?? "1";
    expect(nav.links.map(pageOf)).toEqual(["1", "1", "2", "3", "3"]);
    for (const l of nav.links) {
      const url = new URL(l.href, "http://app.test");
      expect(url.pathname, l.href).toBe("/icb/DEMO1/compliance");
      // Each opens at the table's heading.
      expect(url.hash, l.href).toBe("#practices");
      // Every other parameter kept; page 1 is the address without a page.
      const { page: p, ...rest } = paramsOf(l.href);
      expect(rest, l.href).toEqual(kept);
      expect(p, l.href).not.toBe("1");
    }
    expect(html).toMatch(/<h2 id="practices">Practices<\/h2>/);
    // Following "Next" shows page 3, with its one row.
    const next = await page(nav.links.at(-1)!.href, commissioner);
    expect(countText(next)).toBe(`Showing 101 to 101 of ${DEMO1_CURRENT - 1} practices, not flagged under the policy (page 3 of 3).`);
    expect(table(next, ICB_CAPTION).rows).toHaveLength(1);
    expect(pagination(next)!.links.map((l) => [l.text, l.current])).toEqual([
      ["Previous page", false],
      ["1", false],
      ["2", false],
      ["3", true],
    ]);
    // The first page has no "Previous".
    const first = pagination(await page(nav.links[1]!.href, commissioner))!;
    expect(first.links.map((l) => [l.text, l.current])).toEqual([
      ["1", true],
      ["2", false],
      ["3", false],
      ["Next page", false],
    ]);
  });

  it("starts again at page 1 when the sort or a filter changes", async () => {
    const html = await page(`${BASE}&flag=not-flagged&sort=name&dir=desc&page=2`, commissioner);
    // Sort links keep the dates and filters and drop the page.
    const sortLinks = [...html.matchAll(/<a\b[^>]*class="app-sort-link"[^>]*>/g)].map((m) => attributes(m[0]).href!);
    expect(sortLinks.length).toBeGreaterThanOrEqual(10);
    for (const href of sortLinks) {
      const { sort, dir, ...rest } = paramsOf(href);
      expect(rest, href).toEqual({ from: "2026-03-23", to: "2026-04-03", flag: "not-flagged" });
      expect(sort, href).toBeTruthy();
      expect(dir, href).toMatch(/^(asc|desc)$/);
    }
    // The filter form (a GET form) sends the sort but no page, so applying it shows page 1.
    const form = [...html.matchAll(/<form\b[\s\S]*?<\/form>/g)].map((m) => m[0]).find((f) => f.includes('name="flag"'))!;
    expect(form).toBeDefined();
    expect(attributes(/^<form\b[^>]*>/.exec(form)![0]).method).toBe("get");
    expect(form).not.toMatch(/name="page"/);
    expect(form).toMatch(/<input type="hidden" name="sort" value="name"\/>/);
    const applied = await page(`${BASE}&flag=flagged&sort=name&dir=desc`, commissioner);
    expect(countText(applied)).toBe("1 practice, flagged under the policy.");
  });

  it("reads a page number out of range as the nearest page, as it does other parameters it cannot use", async () => {
    const firstRows = table(await page(`${BASE}&sort=code`, commissioner), ICB_CAPTION).rows;
    const lastRows = table(await page(`${BASE}&sort=code&page=3`, commissioner), ICB_CAPTION).rows;
    for (const asked of ["0", "-1", "abc", "1.5", ""]) {
      const html = await page(`${BASE}&sort=code&page=${encodeURIComponent(asked)}`, commissioner);
      expect(table(html, ICB_CAPTION).rows, asked).toEqual(firstRows);
      expect(countText(html), asked).toBe(`Showing 1 to 50 of ${DEMO1_CURRENT} practices (page 1 of 3).`);
      expect(mainText(html)).not.toContain("There is a problem");
    }
    for (const asked of ["4", "999", "123456789012345678901234567890"]) {
      const html = await page(`${BASE}&sort=code&page=${asked}`, commissioner);
      expect(table(html, ICB_CAPTION).rows, asked).toEqual(lastRows);
      expect(countText(html), asked).toBe(`Showing 101 to 102 of ${DEMO1_CURRENT} practices (page 3 of 3).`);
      expect(pagination(html)!.links.find((l) => l.current)?.text).toBe("3");
    }
    // A page kept from before a filter narrowed the rows to one page shows that page, without pagination.
    const narrowed = await page(`${BASE}&pcn=DEMPCN02&page=3`, commissioner);
    expect(table(narrowed, ICB_CAPTION).rows).toHaveLength(12);
    expect(pagination(narrowed)).toBeNull();
  });
});

describe("the practice compliance page", () => {
  it("lists closure episodes in London time on both sides of the clock change, with the same CSV", async () => {
    const html = await page(`/practices/DEM001/compliance?${RANGE}`, commissioner);
    const episodes = table(html, "Closure episodes, 23 March 2026 to 3 April 2026");
    expect(episodes.headers).toEqual(["Date", "From", "To", "Minutes", "Closed to", "Reasons given", "Excepted by approved pause"]);
    expect(episodes.rows).toEqual([
      ["26 March 2026", "12:00", "12:45", "45", "All requests", "Staff training", ""],
      ["31 March 2026", "08:00", "08:20", "20", "Clinical requests", "System update", ""],
    ]);
    const { rows, disposition } = await csv(`/practices/DEM001/compliance?${RANGE}&format=csv`, commissioner);
    expect(disposition).toBe('attachment; filename="DEM001-closures-2026-03-23-to-2026-04-03.csv"');
    expect(rows).toEqual([
      episodes.headers,
      ["2026-03-26", "12:00", "12:45", "45", "All requests", "Staff training", ""],
      ["2026-03-31", "08:00", "08:20", "20", "Clinical requests", "System update", ""],
    ]);
    // A commissioner may go back to the ICB's overview, for the same dates.
    expect(html).toContain(`href="/icb/DEMO1/compliance?${RANGE.replace("&", "&amp;")}"`);
  });

  it("shows headline figures, minutes per kind of request, the calendar and the half-hour grid", async () => {
    const html = await page(`/practices/DEM001/compliance?${RANGE}`, commissioner);
    const text = mainText(html);
    expect(text).toContain(`98.9% of ${CORE.toLocaleString("en-GB")} core minutes open`);
    expect(text).toContain("65 closed minutes");
    expect(text).toContain("0 excepted minutes");
    expect(text).toContain("0 minutes with no data");
    expect(text).toContain("1 flagged day (30+ closed minutes)");
    expect(text).toContain("Not flagged Under the ICB's policy");
    const kinds = table(html, "Minutes by kind of request");
    expect(kinds.rows).toEqual([
      ["Clinical", (CORE - 65).toLocaleString("en-GB"), "65", "0", "0"],
      ["Admin", (CORE - 45).toLocaleString("en-GB"), "45", "0", "0"],
    ]);
    const march = table(html, "March 2026");
    const cell = (day: number) => march.rows.flat().find((c) => c.startsWith(`${day} March 2026:`) || c.startsWith(`${day} March 2026 `));
    expect(march.headers).toEqual(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
    expect(cell(26)).toBe("26 March 2026: Flagged 45 min");
    expect(cell(31)).toBe("31 March 2026: Closure 20 min");
    expect(cell(23)).toBe("23 March 2026: Open");
    expect(cell(20)).toBe("20 March 2026: outside the chosen dates");
    expect(cell(28)).toBe("28 March 2026: weekend, not a core day");
    const april = table(html, "April 2026");
    expect(april.rows.flat()).toContain("3 April 2026: bank holiday (Good Friday), not a core day Bank holiday");
    const grid = table(html, "Closed minutes by weekday and half hour");
    expect(grid.headers).toEqual(["Time", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]);
    const slot = (label: string) => grid.rows.find((r) => r[0] === label)!;
    expect(slot("08:00–08:30")).toEqual(["08:00–08:30", "0", "20", "0", "0", "0"]);
    expect(slot("12:00–12:30")).toEqual(["12:00–12:30", "0", "0", "0", "30", "0"]);
    expect(slot("12:30–13:00")).toEqual(["12:30–13:00", "0", "0", "0", "15", "0"]);
    expect(slot("All core hours")).toEqual(["All core hours", "0", "20", "0", "45", "0"]);
    expect(
      grid.rows
        .slice(0, -1)
        .flatMap((r) => r.slice(1))
        .reduce((s, c) => s + Number(c), 0)
    ).toBe(65);
  });

  it("draws the day timeline, by default for the most recent day with a closure", async () => {
    const html = await page(`/practices/DEM001/compliance?${RANGE}`, commissioner);
    expect(mainText(html)).toContain("Day timeline: Tuesday 31 March 2026");
    expect(table(html, "Core hours on Tuesday 31 March 2026").rows).toEqual([
      ["08:00", "08:20", "20", "Closed", "Closed to clinical requests. Reason: System update"],
      ["08:20", "18:30", "610", "Open", ""],
    ]);
    const excepted = await page(`/practices/DEM005/compliance?${RANGE}&day=2026-03-27`, commissioner);
    expect(table(excepted, "Core hours on Friday 27 March 2026").rows).toEqual([
      ["08:00", "10:00", "120", "Open", ""],
      ["10:00", "11:00", "60", "Excepted", `Closed to all requests. Reason: Practice IT failure. Approved pause #${pauseId}`],
      ["11:00", "18:30", "450", "Open", ""],
    ]);
    const partial = await page(`/practices/DEM004/compliance?${RANGE}&day=2026-03-26`, commissioner);
    expect(table(partial, "Core hours on Thursday 26 March 2026").rows).toEqual([
      ["08:00", "18:30", "630", "No data", "Neither compliant nor a breach"],
    ]);
    const holiday = mainText(await page(`/practices/DEM001/compliance?${RANGE}&day=2026-04-03`, commissioner));
    expect(holiday).toContain("Friday 3 April 2026 is a bank holiday (Good Friday): not a core day.");
  });

  it("shows a practice with no data as no data, unranked", async () => {
    const text = mainText(await page(`/practices/DEM006/compliance?${RANGE}`, commissioner));
    expect(text).toContain("There is no availability data for this practice in these dates.");
    expect(text).toContain(`No data of ${CORE.toLocaleString("en-GB")} core minutes open`);
    expect(text).toContain(`${CORE.toLocaleString("en-GB")} minutes with no data`);
    expect(text).toContain("Not ranked for these dates: fewer than 50% of this practice's core minutes have data.");
    expect(text).toContain("No closures recorded in these dates.");
  });

  it("shows a practice manager their rank and decile among the ICB's practices, and no other practice", async () => {
    const html = await page(`/practices/DEM001/compliance?${RANGE}`, managerA);
    const text = mainText(html);
    // Ranked (enough data): DEM003 100%, DEM014 99.3%, DEM005 98.9% (98.94), DEM001 98.9% (98.85), DEM002 96.8%.
    expect(text).toContain("rank 4 of 5; decile 3");
    // The pause request for 20 April is pending.
    expect(text).toContain("1 pending, 0 approved, 0 declined, 0 withdrawn (all time)");
    expect(html).toContain('href="/practices/DEM001/pauses"');
    expect(html).not.toContain("/icb/");
    const others = await app.open.db.selectFrom("practices").select(["ods_code", "name"]).where("ods_code", "!=", "DEM001").execute();
    expect(others.length).toBeGreaterThan(100);
    for (const p of others) {
      expect(html, p.ods_code).not.toContain(p.ods_code);
      expect(html, p.name).not.toContain(p.name);
    }
    // And another practice's page is refused, as if it did not exist.
    expect((await app.fetch(`/practices/DEM002/compliance?${RANGE}`, { cookie: managerA })).status).toBe(404);
    expect((await app.fetch(`/practices/DEM002/compliance?${RANGE}&format=csv`, { cookie: managerA })).status).toBe(404);
  });
});
