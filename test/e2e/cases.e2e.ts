/**
 * The cases journey of issue 5 in a real browser, in the demo: the remedial notice Alex Morgan drafted for DEM002
 * (db/seed/demo-cases.ts) is approved by the second commissioner, Chris Patel (the author may not), issued by Alex
 * with a date (the remedy-by date 28 days later), and then seen, acknowledged and answered by DEM002's manager; the
 * ICB sees the practice's response in the case's record. Each page passes axe (WCAG 2.2 AA).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addDays } from "~/domain/calendar";
import { londonToday } from "~/domain/compliance-report";
import { formatDate } from "~/utils/format";
import { expectNoAxeViolations, launchBrowser, newPage, readSummaryList, readTable, signIn, waitForHydration } from "./support/browser";
import { demoPractice } from "./support/data";
import { queryServedOne } from "./support/served-db";

const PRACTICE = "DEM002";
const AUTHOR = "commissioner@demo.example";
const SECOND = "commissioner2@demo.example";
const MANAGER = "manager.dem002@demo.example";
const RESPONSE = "We have arranged cover so the tool stays open from 13:00 to 14:00 from Monday.";

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

describe("a remedial notice approved by a second commissioner, issued and answered", () => {
  test("goes from the demo's draft to the practice's response, each side seeing only what it should", async () => {
    const seeded = queryServedOne<{ caseId: number; noticeId: number; status: string }>(
      `select c.id as caseId, n.id as noticeId, n.status from cases c join notices n on n.case_id = c.id where c.practice_code = ?`,
      PRACTICE,
    );
    expect(seeded, "the demo has a draft notice for DEM002").toMatchObject({ status: "draft" });
    const { caseId, noticeId } = seeded!;
    const name = demoPractice(PRACTICE).name;
    const noticeName = `Remedial notice ${noticeId}`;

    // The practice's manager does not see the draft.
    const manager = await freshPage();
    await signIn(manager, MANAGER);
    await manager.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Cases" }).click();
    await manager.getByRole("heading", { level: 1, name: "Cases" }).waitFor();
    await expect(manager.getByRole("main").innerText()).resolves.toContain("No notice has been issued in this case.");
    expect((await manager.goto(`/cases/${caseId}/notices/${noticeId}`))!.status()).toBe(404);

    // The author is told they cannot approve it.
    const author = await freshPage();
    await signIn(author, AUTHOR);
    await author.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Cases" }).click();
    await author.getByRole("heading", { level: 1, name: "Cases" }).waitFor();
    const list = await readTable(author.getByRole("table", { name: "Cases in NHS Demo Shire Integrated Care Board" }));
    const row = list.rows.find((r) => r[1] === PRACTICE);
    expect(row, "DEM002's case is listed").toBeDefined();
    expect(row![list.headers.indexOf("Latest notice")]).toBe("Remedial notice: Draft");
    await expectNoAxeViolations(author);
    await author.goto(`/cases/${caseId}/notices/${noticeId}`);
    await author.getByTestId("author-cannot-approve").waitFor();
    expect(await author.getByRole("button", { name: "Approve this notice" }).count()).toBe(0);

    // The second commissioner approves.
    const second = await freshPage();
    await signIn(second, SECOND);
    await second.goto(`/cases/${caseId}`);
    await second.getByRole("link", { name: noticeName }).first().click();
    await second.getByRole("heading", { level: 1, name: new RegExp(`^${noticeName}`) }).waitFor();
    await expectNoAxeViolations(second);
    await second.getByRole("button", { name: "Approve this notice" }).click();
    await second.getByRole("heading", { name: "Notice approved" }).waitFor();
    const approved = await readSummaryList(second.getByTestId("notice-summary"));
    expect(approved["Approved by"]).toMatch(/^Chris Patel, /);

    // The author issues it today: the remedy-by date is 28 days later.
    const today = londonToday();
    await author.reload();
    await waitForHydration(author);
    await author.getByLabel("Date of issue").fill(today);
    await expect(author.getByTestId("remedy-by-preview").innerText()).resolves.toContain(formatDate(addDays(today, 28)));
    await author.getByRole("button", { name: "Issue the notice" }).click();
    await author.getByRole("heading", { name: "Notice issued" }).waitFor();
    expect(await author.getByTestId("remedy-by").innerText()).toBe(formatDate(addDays(today, 28)));
    await expectNoAxeViolations(author);

    // The practice now sees it, acknowledges it and responds.
    await manager.goto(`/practices/${PRACTICE}/cases`);
    const item = manager.getByTestId(`notice-${noticeId}`);
    await expect(item.innerText()).resolves.toContain(`steps to be taken by ${formatDate(addDays(today, 28))}`);
    await expectNoAxeViolations(manager);
    await item.getByRole("button", { name: `Acknowledge ${noticeName}` }).click();
    await manager.getByRole("heading", { name: "Notice acknowledged" }).waitFor();
    await manager.getByTestId(`notice-${noticeId}`).getByRole("link", { name: `Respond in writing to ${noticeName}` }).click();
    await manager.getByRole("heading", { level: 1, name: new RegExp(`^${noticeName}`) }).waitFor();
    await waitForHydration(manager);
    await manager.getByText("Respond in writing", { exact: true }).click();
    await manager.getByLabel("Your response to this notice").fill(RESPONSE);
    await manager.getByRole("button", { name: "Send the response" }).click();
    await manager.getByRole("heading", { name: "Response sent" }).waitFor();
    expect(await manager.getByRole("main").innerText()).toContain(name);
    await expectNoAxeViolations(manager);

    // The ICB sees the acknowledgement and the response in the case's record.
    await author.goto(`/cases/${caseId}`);
    const main = await author.getByRole("main").innerText();
    expect(main).toContain(RESPONSE);
    const ack = queryServedOne<{ acknowledged_at: string | null; status: string }>(`select acknowledged_at, status from notices where id = ?`, noticeId);
    expect(ack!.status).toBe("issued");
    expect(ack!.acknowledged_at).not.toBeNull();
    await expectNoAxeViolations(author);
  });
});
