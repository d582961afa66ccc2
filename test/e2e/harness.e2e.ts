/**
 * Checks on the harness itself, so that a green run means something: the axe check does run in the app's pages
 * (under their Content-Security-Policy) and does fail on a real violation, naming it and its element.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { expectNoAxeViolations, launchBrowser, newPage } from "./support/browser";

let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

test("the axe check fails on a page with a violation, listing the rule, its help and the element", async () => {
  const opened = await newPage(browser);
  context = opened.context;
  const { page } = opened;
  const response = await page.goto("/login");
  expect(response?.headers()["content-security-policy"]).toContain("script-src 'self' 'nonce-");
  await expectNoAxeViolations(page);

  // An image with no text alternative: WCAG 1.1.1, axe's image-alt.
  await page.evaluate(() => {
    const img = document.createElement("img");
    img.id = "harness-unlabelled-image";
    img.src = "/favicon.svg";
    document.querySelector("main")!.append(img);
  });
  const failure = await expectNoAxeViolations(page).then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(Error);
  const message = (failure as Error).message;
  expect(message).toContain("axe found accessibility violations on /login");
  expect(message).toContain("image-alt (critical): Images must have alternative text");
  expect(message).toContain("#harness-unlabelled-image");
});
