/**
 * Silent-hours screening on the pages, over crafted By Day and Time rows whose results are worked out by hand:
 *
 * ICB DEMO1 has DEM001, DEM002 and six more practices (DEMT01–DEMT06); DEM002 and DEMT01–DEMT03 are in PCN TPCN01.
 * Dated rows, 2 – 27 March 2026 (20 core days, 4 of each weekday): every practice gets 10 submissions (6 clinical,
 * 4 admin) in each hour 08:00 … 17:00, so the profile of the others is 1/10 for each of those hours. Except:
 *   DEM002  nothing at 13:00, every day. Expected there: (90 − 0) × 0.1 / (1 − 0.1) = 10 ≥ 3, so all 20 days are
 *           eligible and silent; per weekday 4 of 4, chance (e^−3)^4 = e^−12 ≈ 6.1 × 10^−6: moderate (not ≤ 10^−6).
 *   DEM001  no rows on 10 and 11 March: 18 of 20 days with data, nothing flagged.
 * Weekday rows, February 2026 (4 of each weekday): 40 a month in each weekday × hour 08:00 … 17:00 for every
 * practice, except DEM002 with nothing at 13:00: expected (360 × 0.1) / 0.9 = 40 ≥ 3 × 4, chance e^−40 ≈ 4.2 ×
 * 10^−18: strong, on each weekday.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/seed/demo";
import { addDays, datesBetween, weekday } from "~/domain/calendar";
import { startTestApp, type TestApp } from "../support/app";
import { rebuildOcAggregates } from "~/services/oc-aggregates.server";
import { seedSmallWorld } from "../support/small-world";

const ICB = "DEMO1";
const EXTRA = ["DEMT01", "DEMT02", "DEMT03", "DEMT04", "DEMT05", "DEMT06"];
const PCN = { code: "TPCN01", name: "TEST RIVERSIDE PCN", members: ["DEM002", "DEMT01", "DEMT02", "DEMT03"] };
const ALL = ["DEM001", "DEM002", ...EXTRA];
const MARCH = { from: "2026-03-02", to: "2026-03-27" };
const NO_DATA = new Set(["2026-03-10", "2026-03-11"]);
const CAPTION = "Silent-hours screening of practices in NHS Demo Shire Integrated Care Board";

let app: TestApp;
let commissioner: string;
let managerB: string;

beforeAll(async () => {
  app = await startTestApp();
  const { db } = app.open;
  await seedSmallWorld(db);
  const now = new Date().toISOString();
  await db.insertInto("pcns").values({ code: PCN.code, name: PCN.name, sub_icb_code: null, is_demo: 1, updated_at: now }).execute();
  await db
    .insertInto("practices")
    .values(
      EXTRA.map((code) => ({
        ods_code: code, name: `TEST SURGERY ${code}`, address_line1: null, address_line2: null, address_line3: null, address_line4: null,
        address_line5: null, postcode: null, phone: null, status: "active" as const, open_date: null, close_date: null, region_code: "DEMOR",
        icb_code: ICB, sub_icb_code: null, pcn_code: null, contract_type: null, source: "test", is_demo: 1, created_at: now, updated_at: now,
      })),
    )
    .execute();
  await db.updateTable("practices").set({ pcn_code: PCN.code }).where("ods_code", "in", PCN.members).execute();

  const hourly = [];
  for (const code of ALL)
    for (const date of datesBetween(MARCH.from, MARCH.to)) {
      if (weekday(date) === 0 || weekday(date) === 6 || (code === "DEM001" && NO_DATA.has(date))) continue;
      for (let hour = 8; hour <= 17; hour++) {
        if (code === "DEM002" && hour === 13) continue;
        hourly.push({ practice_code: code, date, hour, clinical: 6, admin: 4, other: 0, total: 10, import_id: 1 });
      }
    }
  for (let k = 0; k < hourly.length; k += 500) await db.insertInto("oc_hourly").values(hourly.slice(k, k + 500)).execute();
  // Written here rather than by the importer: bring its aggregates (ADR 17) in step as the importer would.
  await rebuildOcAggregates(db);
  const monthly = [];
  for (const code of ALL)
    for (let wd = 1; wd <= 5; wd++)
      for (let hour = 8; hour <= 17; hour++) {
        if (code === "DEM002" && hour === 13) continue;
        monthly.push({ practice_code: code, month: "2026-02-01", weekday: wd, hour, clinical: 24, admin: 16, other: 0, total: 40, import_id: 1 });
      }
  await db.insertInto("oc_weekday_hourly").values(monthly).execute();
  commissioner = await app.signIn("commissioner@demo.example", DEMO_PASSWORD);
  managerB = await app.signIn("manager.dem002@demo.example", DEMO_PASSWORD);
});

afterAll(async () => {
  await app?.open.close();
});

function decode(text: string): string {
  return text
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Text as read: block elements separate words, inline ones (links, tags, superscripts, hidden text) do not. */
function textOf(html: string): string {
  return decode(
    html
      .replace(/<\/?(?:p|div|h[1-6]|li|ul|td|th|tr|table|caption|thead|tbody|section|label|select|option|button|form|input)\b[^>]*>/g, " ")
      .replace(/<[^>]+>/g, ""),
  )
    .replace(/\s+/g, " ")
    .trim();
}

/** The table with this caption, as its headers and body rows of text. */
function table(html: string, caption: string): { headers: string[]; rows: string[][] } {
  const found = (html.match(/<table[\s\S]*?<\/table>/g) ?? []).find((t) => textOf(/<caption[\s\S]*?<\/caption>/.exec(t)?.[0] ?? "") === caption);
  if (!found) throw new Error(`No table captioned "${caption}"`);
  const cells = (row: string) => (row.match(/<t[hd]\b[\s\S]*?<\/t[hd]>/g) ?? []).map(textOf);
  const body = /<tbody[\s\S]*?<\/tbody>/.exec(found)?.[0] ?? "";
  return { headers: cells(/<thead[\s\S]*?<\/thead>/.exec(found)?.[0] ?? ""), rows: (body.match(/<tr[\s\S]*?<\/tr>/g) ?? []).map(cells) };
}

async function get(path: string, cookie: string): Promise<{ status: number; html: string; res: Response }> {
  const res = await app.fetch(path, { cookie });
  return { status: res.status, html: await res.text(), res };
}

const HEADERS = [
  "ODS code",
  "Practice",
  "PCN",
  "Strongest signal",
  "Weekday and hour",
  "Requests",
  "Silent days",
  "Eligible days",
  "Chance",
  "Hours flagged",
  "Days with data",
];

describe("the ICB's silent-hours screen", () => {
  it("lists every practice with its strongest signal, strongest first, labelled as screening", async () => {
    const { status, html } = await get(`/icb/${ICB}/screening?from=${MARCH.from}&to=${MARCH.to}`, commissioner);
    expect(status).toBe(200);
    expect(textOf(html)).toContain(
      "Screening, not evidence Submission counts show what arrived, not whether the tool was open, so a silent hour on otherwise busy days is a reason to ask the practice, never proof that its tool was closed.",
    );
    expect(textOf(html)).toContain("for 2 March 2026 to 27 March 2026 (20 core days)");
    expect(textOf(/data-testid="screening-headline"[\s\S]*?<\/p>/.exec(html)![0].replace(/^[^>]*>/, ""))).toBe(
      "1 of 8 practices flagged: 0 strong, 1 moderate, 0 weak.",
    );
    const t = table(html, CAPTION);
    expect(t.headers).toEqual(HEADERS);
    expect(t.rows[0]).toEqual([
      "DEM002",
      "ELM TREE SURGERY Demo data",
      PCN.name,
      "Moderate",
      "Monday 13:00–14:00",
      "All requests",
      "4",
      "4",
      "6.1 × 10−6 to the power of minus 6",
      "5",
      "20 of 20",
    ]);
    const rest = t.rows.slice(1);
    expect(rest.map((r) => r[0])).toEqual(["DEM001", ...EXTRA]);
    for (const r of rest) expect(r.slice(3, 10)).toEqual(["None", "", "", "", "", "", "0"]);
    expect(rest[0]![10]).toBe("18 of 20");
    expect(html).toContain(`href="/practices/DEM002/compliance?from=${MARCH.from}&amp;to=${MARCH.to}#silent-hours"`);
  });

  it("downloads exactly the table as CSV, and filters by PCN", async () => {
    const { status, html, res } = await get(`/icb/${ICB}/screening?from=${MARCH.from}&to=${MARCH.to}&pcn=${PCN.code}&format=csv`, commissioner);
    expect(status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="DEMO1-silent-hours-${MARCH.from}-to-${MARCH.to}-${PCN.code}.csv"`);
    expect(html.split("\r\n")).toEqual([
      HEADERS.join(","),
      `DEM002,ELM TREE SURGERY,${PCN.name},Moderate,Monday 13:00–14:00,All requests,4,4,6.1e-6,5,20`,
      `DEMT01,TEST SURGERY DEMT01,${PCN.name},None,,,,,,0,20`,
      `DEMT02,TEST SURGERY DEMT02,${PCN.name},None,,,,,,0,20`,
      `DEMT03,TEST SURGERY DEMT03,${PCN.name},None,,,,,,0,20`,
      "",
    ]);
    const page = await get(`/icb/${ICB}/screening?from=${MARCH.from}&to=${MARCH.to}&pcn=${PCN.code}`, commissioner);
    expect(table(page.html, CAPTION).rows.map((r) => r[0])).toEqual(PCN.members);
    expect(page.html).toContain(`<option value="${PCN.code}" selected="">${PCN.name}</option>`);
  });

  it("adds the older monthly figures when the range holds them", async () => {
    const { html } = await get(`/icb/${ICB}/screening?from=2026-02-02&to=${MARCH.to}&format=csv`, commissioner);
    const lines = html.split("\r\n");
    expect(lines[0]).toBe([...HEADERS, "Silent for a whole month"].join(","));
    expect(lines[1]).toBe(
      `DEM002,ELM TREE SURGERY,${PCN.name},Moderate,Monday 13:00–14:00,All requests,4,4,6.1e-6,5,20,"February 2026, Monday 13:00–14:00, All requests"`,
    );
    // The others: nothing flagged, days with data, no monthly flag.
    expect(lines.slice(2, -1).map((l) => l.replace(/^(\w+),.*,(\d+),(\d+),$/, "$1 $2 $3"))).toEqual(["DEM001 0 18", ...EXTRA.map((c) => `${c} 0 20`)]);
  });

  it("defaults to the 12 weeks up to the latest day with submission data, and is linked from the compliance overview", async () => {
    const { html } = await get(`/icb/${ICB}/screening`, commissioner);
    expect(html).toContain(`id="from" name="from" value="${addDays(MARCH.to, -83)}"`);
    expect(html).toContain('id="to" name="to" value="2026-03-27"');
    expect(textOf(html)).toContain("the 12 weeks up to the latest day with submission data");
    const overview = await get(`/icb/${ICB}/compliance?from=${MARCH.from}&to=${MARCH.to}`, commissioner);
    expect(overview.html).toContain(`href="/icb/${ICB}/screening?from=${MARCH.from}&amp;to=${MARCH.to}"`);
  });
});

describe("the practice compliance page's screening section", () => {
  function section(html: string): string {
    const m = /<section aria-labelledby="silent-hours"[\s\S]*?<\/section>/.exec(html);
    if (!m) throw new Error("No silent-hours section");
    return m[0];
  }

  it("lists the flagged weekday × hour cells with silent days, chance and strength, and the dates", async () => {
    const { status, html } = await get(`/practices/DEM002/compliance?from=${MARCH.from}&to=${MARCH.to}`, managerB);
    expect(status).toBe(200);
    const s = section(html);
    expect(textOf(s)).toContain("Silent-hours screening Screening, not evidence Submission counts show what arrived");
    expect(textOf(s)).toContain("the usual pattern across 7 other practices in the ICB");
    expect(textOf(s)).toContain("5 weekdays and hours were flagged from 2 March 2026 to 27 March 2026. 20 of 20 core days in these dates had submission data by hour.");
    const t = table(s, "Hours flagged by silent-hours screening");
    expect(t.headers).toEqual(["Weekday and hour", "Requests", "Silent days", "Chance", "Strength", "Most recent silent days"]);
    const chance = "6.1 × 10−6 to the power of minus 6";
    expect(t.rows).toEqual([
      ["Monday 13:00–14:00", "All requests", "4 of 4", chance, "Moderate", "23 March 2026, 16 March 2026, 9 March 2026, 2 March 2026"],
      ["Tuesday 13:00–14:00", "All requests", "4 of 4", chance, "Moderate", "24 March 2026, 17 March 2026, 10 March 2026, 3 March 2026"],
      ["Wednesday 13:00–14:00", "All requests", "4 of 4", chance, "Moderate", "25 March 2026, 18 March 2026, 11 March 2026, 4 March 2026"],
      ["Thursday 13:00–14:00", "All requests", "4 of 4", chance, "Moderate", "26 March 2026, 19 March 2026, 12 March 2026, 5 March 2026"],
      ["Friday 13:00–14:00", "All requests", "4 of 4", chance, "Moderate", "27 March 2026, 20 March 2026, 13 March 2026, 6 March 2026"],
    ]);
    // Each date opens that day's timeline on the same page.
    expect(s).toContain(`href="/practices/DEM002/compliance?from=${MARCH.from}&amp;to=${MARCH.to}&amp;day=2026-03-23#day-timeline"`);
    // No other practice is named to a practice manager.
    for (const code of ["DEM001", ...EXTRA]) expect(html).not.toContain(code);
  });

  it("says plainly that nothing was flagged, and how many days had timed data", async () => {
    const { html } = await get(`/practices/DEM001/compliance?from=${MARCH.from}&to=${MARCH.to}`, commissioner);
    const s = section(html);
    expect(s).not.toContain("<table");
    expect(textOf(/data-testid="silent-hours-none"[\s\S]*?<\/p>/.exec(s)![0].replace(/^[^>]*>/, ""))).toBe(
      "No hour was flagged from 2 March 2026 to 27 March 2026. 18 of 20 core days in these dates had submission data by hour. No flag does not mean the tool was open: hours in which fewer than 3 submissions were expected are never screened.",
    );
  });

  it("shows the older monthly figures, and says when there is no daily data", async () => {
    const { html } = await get("/practices/DEM002/compliance?from=2026-02-02&to=2026-02-27", managerB);
    const s = section(html);
    expect(textOf(s)).toContain(
      "There is no daily submission data by hour for this practice from 2 February 2026 to 27 February 2026, only the older monthly figures by weekday (below).",
    );
    const t = table(s, "Hours silent for a whole month (older monthly figures by weekday)");
    const chance = "4.2 × 10−18 to the power of minus 18";
    expect(t.rows).toEqual(
      ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"].map((d) => ["February 2026", `${d} 13:00–14:00`, "All requests", "40", chance, "Strong"]),
    );
    const other = section((await get("/practices/DEM001/compliance?from=2026-02-02&to=2026-02-27", commissioner)).html);
    expect(textOf(other)).toContain("Nothing was flagged in the older monthly figures by weekday (February 2026).");
  });
});
