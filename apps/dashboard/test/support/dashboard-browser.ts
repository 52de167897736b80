// Drives Debian's Chromium with playwright-core and records what a leak check needs: console
// output, page errors, every request URL, every URL the page showed, every title it had.
import { mkdirSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.js";

/** Where screenshots go (git-ignored). */
export const SCREENSHOT_DIR = new URL("../../test-artifacts/screenshots/", import.meta.url).pathname;

/** What a page did that must never carry a secret value. */
export interface PageRecord {
  /** Console messages (`type: text`). */
  console: string[];
  /** Uncaught errors. */
  errors: string[];
  /** URLs of every request the page made. */
  requests: string[];
  /** URLs the page's main frame showed (hash changes included). */
  urls: string[];
  /** Titles the page had after each check. */
  titles: string[];
}

/** Launch Chromium headless with the required flags. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** A fresh context (no storage shared with other contexts) and its first page, recorded into `record`. */
export async function openPage(
  browser: Browser,
  record: PageRecord,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, colorScheme: "light", reducedMotion: "reduce" });
  const page = await context.newPage();
  watch(page, record);
  return { context, page };
}

/** Record a page's console, errors, requests and URLs. */
export function watch(page: Page, record: PageRecord): void {
  page.on("console", (msg) => record.console.push(`${msg.type()}: ${msg.text()}`));
  page.on("pageerror", (err) => record.errors.push(String(err)));
  page.on("request", (req) => record.requests.push(req.url()));
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) record.urls.push(frame.url());
  });
}

/** An empty record. */
export function newRecord(): PageRecord {
  return { console: [], errors: [], requests: [], urls: [], titles: [] };
}

/**
 * Everything of the page a value could leak into: its HTML, the values of its form fields, its
 * URL, its title, and both web storages.
 */
export async function pageSurface(
  page: Page,
): Promise<{ html: string; fields: string[]; url: string; title: string; storage: string }> {
  return page.evaluate(() => ({
    html: document.documentElement.outerHTML,
    fields: [...document.querySelectorAll("input, textarea, select")].map((el) => (el as HTMLInputElement).value ?? ""),
    url: window.location.href,
    title: document.title,
    storage: JSON.stringify({ local: { ...window.localStorage }, session: { ...window.sessionStorage } }),
  }));
}

/** Save a screenshot under test-artifacts/screenshots/. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  const path = `${SCREENSHOT_DIR}${name}.png`;
  await page.screenshot({ path, fullPage, animations: "disabled" });
  return path;
}
