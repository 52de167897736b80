// End to end: Debian's Chromium (playwright-core, headless) against a started, built
// coffer-server serving the built dashboard at /ui. A sentinel value goes through create,
// reveal, rotate and update; it may be in the DOM only while a reveal shows it, and never in a
// URL, a title, web storage, the console or the server's output.
import { copyFileSync, mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { type HttpResult, type ServerUnderTest, startServer } from "../../server/test/server-process.js";
import {
  launchChromium,
  newRecord,
  openPage,
  type PageRecord,
  pageSurface,
  SCREENSHOT_DIR,
  screenshot,
} from "./support/dashboard-browser.js";

const serverBin = inject("serverBin");
const suffix = Math.random().toString(36).slice(2, 10);
/** The value under watch, and values written later that must not leak either. */
const SENTINEL = `sk_live_SENTINEL_${suffix}`;
const ROTATED = `sk_live_ROTATED_${suffix}`;
const EDIT_A = `sk_live_EDIT_A_${suffix}`;
const EDIT_B = `sk_live_EDIT_B_${suffix}`;
const EDIT_C = `sk_live_EDIT_C_${suffix}`;
const OTHER_VALUES = [ROTATED, EDIT_A, EDIT_B, EDIT_C];

// A second provider that cannot be reached (nothing listens on port 9): health must show it
// down, and listings must still show what the other providers hold.
const USER_CONFIG = `defaultProvider: local
providers:
  local:
    priority: 50
  aws-secrets-manager:
    priority: 5
    region: us-east-1
    endpoint: http://127.0.0.1:9
    credentials:
      accessKeyId: test
      secretAccessKey: test
    maxRetries: 0
    timeoutMs: 1000
    cacheTtlSeconds: 0
`;

let server: ServerUnderTest;
let browser: Browser;
let admin: string;
let page: Page;
/** When the 1-second-TTL secret was written. */
let legacyWritten = 0;
const record: PageRecord = newRecord();

/** Screenshots that docs/dashboard.md shows (copied when UPDATE_DOC_IMAGES=1). */
const DOC_IMAGES = [
  "secrets-list",
  "secret-page",
  "reveal",
  "conflict",
  "delete-dialog",
  "audit",
  "health",
  "narrow-secret",
];

/** A REST call with the admin token. */
function api(method: string, path: string, json?: unknown): Promise<HttpResult> {
  return server.request(method, path, { token: admin, json });
}

async function expectNoValue(p: Page, allowed: string[] = []): Promise<void> {
  const surface = await pageSurface(p);
  record.titles.push(surface.title);
  for (const value of [SENTINEL, ...OTHER_VALUES]) {
    if (!allowed.includes(value)) {
      expect(surface.html.includes(value), `${value} in the DOM`).toBe(false);
      expect(surface.fields.includes(value), `${value} in a form field`).toBe(false);
    }
    expect(surface.url.includes(value), "value in the URL").toBe(false);
    expect(surface.title.includes(value), "value in the title").toBe(false);
    expect(surface.storage.includes(value), "value in web storage").toBe(false);
  }
}

/** Retry an assertion until it holds (the page updates asynchronously). */
async function eventually(assertion: () => Promise<void>): Promise<void> {
  await vi.waitFor(assertion, { timeout: 10_000, interval: 100 });
}

/** Wait until `count()` of a locator is `n`. */
async function expectCount(locator: { count(): Promise<number> }, n: number): Promise<void> {
  await eventually(async () => expect(await locator.count()).toBe(n));
}

async function goto(p: Page, hash: string): Promise<void> {
  await p.goto(`${server.url}/ui/${hash}`);
}

async function signIn(p: Page, token: string): Promise<void> {
  await p.getByLabel("API token").fill(token);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("navigation", { name: "Main" }).waitFor();
}

async function openSecret(p: Page, name: string): Promise<void> {
  await goto(p, `#/secret/${encodeURIComponent(name)}?scope=global&provider=local`);
  await p.getByRole("heading", { level: 1, name }).waitFor();
  await p.getByRole("heading", { name: "Versions" }).waitFor();
}

/** Password-type inputs on the page that autofill or a password manager could take (none allowed). */
async function passwordManagerExposed(p: Page): Promise<string[]> {
  const inputs = p.locator('input[type="password"]');
  expect(await inputs.count()).toBeGreaterThan(0);
  return inputs.evaluateAll((els) =>
    els
      .filter(
        (el) =>
          el.getAttribute("autocomplete") !== "off" ||
          el.getAttribute("data-1p-ignore") !== "true" ||
          el.getAttribute("data-lpignore") !== "true" ||
          el.getAttribute("data-bwignore") !== "true" ||
          el.getAttribute("data-form-type") !== "other",
      )
      .map((el) => el.outerHTML.slice(0, 160)),
  );
}

/** Every visible form control has an accessible name. */
async function unlabelledControls(p: Page): Promise<string[]> {
  return p.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea, button")]
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .filter((el) => {
        const control = el as HTMLInputElement;
        const labelled =
          (control.labels && control.labels.length > 0) ||
          control.getAttribute("aria-label") ||
          control.getAttribute("aria-labelledby") ||
          (el.tagName === "BUTTON" && (el.textContent ?? "").trim().length > 0);
        return !labelled;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

describe.skipIf(serverBin === "")("dashboard in Chromium", () => {
  beforeAll(async () => {
    server = await startServer({ bin: serverBin, userConfig: USER_CONFIG, args: ["--host", "127.0.0.1"] });
    admin = await server.token({ name: "dashboard-admin", scopes: ["admin"] });
    browser = await launchChromium();
    ({ page } = await openPage(browser, record));
  });

  // A failed step leaves a picture of the main page behind (test-artifacts/screenshots/failed-*.png).
  beforeEach((context) => {
    context.onTestFailed(async () => {
      const name = context.task.name.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 60);
      await page?.screenshot({ path: `${SCREENSHOT_DIR}failed-${name}.png`, fullPage: true }).catch(() => undefined);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (process.env.UPDATE_DOC_IMAGES === "1") {
      const docs = new URL("../../../docs/images/", import.meta.url).pathname;
      mkdirSync(docs, { recursive: true });
      for (const name of DOC_IMAGES) copyFileSync(`${SCREENSHOT_DIR}${name}.png`, `${docs}dashboard-${name}.png`);
    }
  });

  it("refuses a wrong token, signs in with a good one, and keeps it out of URLs and local storage", async () => {
    await goto(page, "");
    await eventually(async () => expect(await page.title()).toBe("Sign in · Coffer"));
    await screenshot(page, "sign-in");
    await page.getByLabel("API token").fill("cfr_not_a_real_token_at_all_000000000000000000");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("This token was not accepted").waitFor();

    // Keyboard only: focus the field, type, Enter.
    await page.getByLabel("API token").focus();
    await page.keyboard.press("Control+A");
    await page.keyboard.type(admin);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Secrets" }).waitFor();
    await page.getByText("No secrets yet").waitFor();
    const storage = await page.evaluate(() => ({
      local: window.localStorage.length,
      session: { ...window.sessionStorage },
    }));
    expect(storage.local).toBe(0);
    expect(JSON.stringify(storage.session)).not.toContain(admin);
    expect(page.url()).not.toContain(admin);
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it("creates a secret from the form, then shows it masked with its metadata", async () => {
    // Neighbours for the list: an env state, a write-only secret, an expired TTL, an entangled pair.
    expect((await api("PUT", "/v1/secrets/db%2Fpassword", { value: "db-default-0001", tags: ["db"] })).status).toBe(
      201,
    );
    await api("PUT", "/v1/secrets/db%2Fpassword", { value: "db-prod-0002", env: "prod" });
    await api("PUT", "/v1/secrets/DEPLOY_KEY", {
      value: "deploy-key-0003",
      writeOnly: true,
      description: "CI deploy key",
    });
    await api("PUT", "/v1/secrets/legacy-token", {
      value: "legacy-0004",
      ttlSeconds: 1,
      tags: ["legacy"],
    });
    legacyWritten = Date.now();
    await api("PUT", "/v1/secrets/api-stripe-webhook", { value: "whsec-0005", tags: ["payments"] });

    await page.getByRole("link", { name: "New secret" }).first().click();
    await page.getByRole("heading", { level: 1, name: "New secret" }).waitFor();
    await eventually(async () => expect(await page.title()).toBe("New secret · Coffer"));
    expect(await unlabelledControls(page)).toEqual([]);
    // The value input is not offered to the browser's or an extension's password manager.
    expect(await passwordManagerExposed(page)).toEqual([]);
    await page.getByLabel("Name", { exact: true }).fill("api-stripe");
    await page.getByRole("textbox", { name: "Value", exact: true }).fill(SENTINEL);
    await page.getByLabel("Description").fill("Stripe live key for billing");
    await page.getByLabel("Tags", { exact: true }).fill("payments, prod");
    await page.getByLabel("TTL", { exact: true }).fill("30");
    await page.getByLabel("Rotation format").selectOption("api-key");
    await page.getByLabel("Rotation prefix").fill("sk_live_");
    await page.getByRole("button", { name: "Create secret" }).click();

    await page.getByRole("heading", { level: 1, name: "api-stripe" }).waitFor();
    await page.getByText("Created “api-stripe” (version 1) at local.").waitFor();
    await eventually(async () => expect(await page.title()).toBe("api-stripe · Coffer"));
    await page.getByText("Stripe live key for billing").waitFor();
    await page.getByRole("heading", { name: "Versions" }).waitFor();
    await expectNoValue(page);

    // Created once only: the same name again is refused, not overwritten.
    await page.getByRole("link", { name: "New secret" }).first().click();
    await page.getByLabel("Name", { exact: true }).fill("api-stripe");
    await page.getByRole("textbox", { name: "Value", exact: true }).fill(EDIT_C);
    await page.getByRole("button", { name: "Create secret" }).click();
    await page.getByText("That secret already exists in this scope.").waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("heading", { level: 1, name: "Secrets" }).waitFor();
    await expectNoValue(page);
  });

  it("lists secrets with provider, version, scope, env states, tags and expiry; filters; pages", async () => {
    await server.coffer.entangle("api-stripe", "api-stripe-webhook");
    // Past the 1 s TTL, then a fresh listing.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, legacyWritten + 1500 - Date.now())));
    await goto(page, "#/health");
    await goto(page, "#/secrets");
    const table = page.getByRole("table");
    await table.waitFor();
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "api-stripe", exact: true }) });
    await expect(row.textContent()).resolves.toMatch(/global.*local.*v1.*default.*payments.*prod.*Fresh · 2\d d left/s);
    const dbRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: "db/password" }) });
    await expect(dbRow.textContent()).resolves.toMatch(/default, prod/);
    const legacy = page.getByRole("row").filter({ has: page.getByRole("link", { name: "legacy-token" }) });
    await expect(legacy.textContent()).resolves.toMatch(/Expired · \d+ (s|min) ago/);
    // The dead provider is reported, and does not blank the list.
    await page.getByText("Provider aws-secrets-manager could not be listed").waitFor();
    await screenshot(page, "secrets-list");

    await page.getByLabel("Name pattern").fill("api-*");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expectCount(page.getByRole("link", { name: "db/password" }), 0);
    await page.getByRole("link", { name: "api-stripe-webhook" }).waitFor();
    await page.getByLabel("Tags", { exact: true }).fill("prod");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expectCount(page.getByRole("link", { name: "api-stripe-webhook" }), 0);
    await page.getByRole("link", { name: "api-stripe", exact: true }).waitFor();
    await page.getByLabel("Name pattern").fill("nothing-*");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("No secret matches these filters.").waitFor();
    await page.getByRole("button", { name: "Clear" }).click();

    await page.getByLabel("Per page").selectOption("25");
    for (let i = 0; i < 26; i++)
      await api("PUT", `/v1/secrets/bulk-${String(i).padStart(2, "0")}`, { value: `bulk-value-${i}` });
    await page.getByLabel("Name pattern").fill("bulk-*");
    await page.getByRole("button", { name: "Apply filters" }).click();
    // The total is known once the last page is reached (a listing is not counted ahead).
    await page.getByText("Page 1 · more follow").waitFor();
    await expectCount(page.getByRole("link", { name: /^bulk-/ }), 25);
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByText("Page 2 · 26 secrets in all").waitFor();
    await expectCount(page.getByRole("link", { name: /^bulk-/ }), 1);
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.getByText("Page 1 · more follow").waitFor();
    await page.getByRole("button", { name: "Clear" }).click();
    await page.getByLabel("Per page").selectOption("50");
    await expectNoValue(page);
  });

  it("shows a secret's page: metadata, env states, decay, entanglement, versions, audit trail; write-only has no reveal", async () => {
    await openSecret(page, "api-stripe");
    await page.getByText("TTL used: 0%").waitFor();
    await page.getByRole("listitem").filter({ hasText: "api-stripe-webhook" }).waitFor();
    const metadata = await page.locator(".metadata").first().textContent();
    expect(metadata).toMatch(/Rotation formatapi-key/);
    expect(metadata).toMatch(/Rotation prefixsk_live_/);
    expect(metadata).toMatch(/TTL30 d/);
    await page
      .getByRole("table", { name: /Latest audit entries for api-stripe/ })
      .getByText("write")
      .first()
      .waitFor();
    await expectCount(page.getByRole("group", { name: "Revealed value" }), 0);
    await screenshot(page, "secret-page");
    expect(await unlabelledControls(page)).toEqual([]);
    await expectNoValue(page);

    await openSecret(page, "db/password");
    await page.getByRole("article", { name: "Env state prod" }).waitFor();
    await page.getByRole("article", { name: "Env state default" }).waitFor();

    await openSecret(page, "DEPLOY_KEY");
    await page.getByText("Write-only: it can be injected into processes but never revealed.").waitFor();
    await expectCount(page.getByRole("button", { name: "Reveal…" }), 0);
  });

  it("reveals only with a purpose, audits it, and hides the value again", async () => {
    await openSecret(page, "api-stripe");
    await page.getByRole("button", { name: "Reveal…" }).click();
    const purpose = page.getByLabel("Purpose of this reveal");
    await eventually(async () => expect(await purpose.evaluate((el) => el === document.activeElement)).toBe(true));
    // The browser refuses an empty purpose: nothing is sent, nothing is shown.
    await page.getByRole("button", { name: "Reveal value" }).click();
    await expect(purpose.evaluate((el) => (el as HTMLInputElement).validity.valueMissing)).resolves.toBe(true);
    await expectNoValue(page);

    await purpose.fill("e2e: check billing key");
    await page.getByRole("button", { name: "Reveal value" }).click();
    const shown = page.getByRole("group", { name: "Revealed value" });
    await shown.getByText(SENTINEL).waitFor();
    await page.getByText(/Hides in \d+ s/).waitFor();
    await expectNoValue(page, [SENTINEL]);
    await screenshot(page, "reveal", false);
    await page.getByRole("button", { name: "Hide now" }).click();
    await expectCount(shown, 0);
    await eventually(async () =>
      expect(await page.getByRole("button", { name: "Reveal…" }).evaluate((el) => el === document.activeElement)).toBe(
        true,
      ),
    );
    await expectNoValue(page);

    // It hides by itself: a page with a fake clock, jumped past the reveal time.
    const timed = await openPage(browser, record);
    await timed.page.clock.install();
    await goto(timed.page, "");
    await signIn(timed.page, admin);
    await openSecret(timed.page, "api-stripe");
    await timed.page.getByRole("button", { name: "Reveal…" }).click();
    await timed.page.getByLabel("Purpose of this reveal").fill("e2e: auto hide");
    await timed.page.getByRole("button", { name: "Reveal value" }).click();
    const timedShown = timed.page.getByRole("group", { name: "Revealed value" });
    await timedShown.getByText(SENTINEL).waitFor();
    await timed.page.clock.runFor(29_000);
    await timedShown.getByText("Hides in 1 s").waitFor();
    await timed.page.clock.runFor(2_000);
    await expectCount(timedShown, 0);
    await expectNoValue(timed.page);
    await timed.context.close();

    const audit = (await api("GET", "/v1/audit?name=api-stripe&action=reveal")).body as {
      items: Array<{ purpose?: string; accessor: string }>;
    };
    expect(audit.items.map((e) => e.purpose)).toEqual(["e2e: auto hide", "e2e: check billing key"]);
    expect(audit.items[0]?.accessor).toBe("dashboard-admin");
  });

  it("rotates to a generated value and to a given one, without showing either", async () => {
    await openSecret(page, "api-stripe");
    await page.getByRole("button", { name: "Rotate…" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Rotate “api-stripe”" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Rotate" }).click();
    await page
      .getByText(/Rotated “api-stripe”: version 1 → 2 \(generated\)\. The old version stays readable until/)
      .waitFor();
    await page
      .locator("tr")
      .filter({ hasText: /^v2.*rotate.*current$/ })
      .waitFor();
    await page
      .locator("tr")
      .filter({ hasText: /^v1.*readable until/ })
      .waitFor();

    await page.getByRole("button", { name: "Rotate…" }).first().click();
    await dialog.getByLabel("Use a value I give").check();
    expect(await passwordManagerExposed(page)).toEqual([]);
    await dialog.getByLabel("New value", { exact: true }).fill(ROTATED);
    await dialog.getByLabel("Make the old version unreadable now").check();
    await dialog.getByRole("button", { name: "Rotate" }).click();
    await page.getByText("Rotated “api-stripe”: version 2 → 3. The old version is no longer readable.").waitFor();
    await page
      .locator("tr")
      .filter({ hasText: /^v3.*current$/ })
      .waitFor();
    await expectNoValue(page);
    const revealed = (await api("GET", "/v1/secrets/api-stripe?reveal=true&purpose=e2e%20verify")).body as {
      value: string;
      version: number;
    };
    expect(revealed).toMatchObject({ value: ROTATED, version: 3 });
  });

  it("updates with If-Match and explains a conflict between two stale editors", async () => {
    const second = await openPage(browser, record);
    const other = second.page;
    await goto(other, "");
    await signIn(other, admin);
    await openSecret(page, "api-stripe");
    await openSecret(other, "api-stripe");

    // Both open the editor at version 3.
    await page.getByRole("button", { name: "Write new version" }).first().click();
    await other.getByRole("button", { name: "Write new version" }).first().click();
    await page.getByRole("heading", { name: "Update “api-stripe” (default, from version 3)" }).waitFor();
    await other.getByRole("heading", { name: "Update “api-stripe” (default, from version 3)" }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await passwordManagerExposed(page)).toEqual([]);

    await page.getByRole("textbox", { name: "Value", exact: true }).fill(EDIT_A);
    await page.getByRole("button", { name: "Save new version" }).click();
    await page.getByText("Saved “api-stripe”: now version 4.").waitFor();

    await other.getByRole("textbox", { name: "Value", exact: true }).fill(EDIT_B);
    await other.getByLabel("Description").fill("changed by the second editor");
    await other.getByRole("button", { name: "Save new version" }).click();
    const conflict = other
      .getByRole("alert")
      .filter({ hasText: "Conflict: “api-stripe” changed since you opened it." });
    await conflict.waitFor();
    await expect(conflict.textContent()).resolves.toContain(
      "You edited version 3, but it is now at version 4. Nothing was saved.",
    );
    await conflict.scrollIntoViewIfNeeded();
    await screenshot(other, "conflict", false);
    await expectNoValue(other, [EDIT_B]); // still in the editor's own field, nowhere else
    expect((await pageSurface(other)).html).not.toContain(EDIT_B);

    // Reload, then the edit goes through from the current version.
    await other.getByRole("button", { name: "Reload latest version" }).click();
    await other
      .getByText(/version 4$/)
      .first()
      .waitFor();
    await other.getByRole("button", { name: "Write new version" }).first().click();
    await other.getByRole("heading", { name: "Update “api-stripe” (default, from version 4)" }).waitFor();
    await other.getByRole("textbox", { name: "Value", exact: true }).fill(EDIT_C);
    await other.getByRole("button", { name: "Save new version" }).click();
    await other.getByText("Saved “api-stripe”: now version 5.").waitFor();
    await expectNoValue(other);
    await second.context.close();

    const current = (await api("GET", "/v1/secrets/api-stripe?reveal=true&purpose=e2e%20verify")).body as {
      value: string;
      version: number;
    };
    expect(current).toMatchObject({ value: EDIT_C, version: 5 });
  });

  it("deletes after a confirmation naming the secret, and restores from the notice and from the list", async () => {
    await openSecret(page, "api-stripe");
    await page.getByRole("button", { name: "Delete…" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete “api-stripe”?" });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain("coffer restore api-stripe");
    // The safe choice has focus; Escape cancels.
    await eventually(async () =>
      expect(await dialog.getByRole("button", { name: "Cancel" }).evaluate((el) => el === document.activeElement)).toBe(
        true,
      ),
    );
    await screenshot(page, "delete-dialog", false);
    await page.keyboard.press("Escape");
    await expectCount(dialog, 0);
    expect((await api("GET", "/v1/secrets/api-stripe")).status).toBe(200);

    await page.getByRole("button", { name: "Delete…" }).click();
    await dialog.getByRole("button", { name: "Delete api-stripe" }).click();
    await page.getByRole("heading", { level: 1, name: "Secrets" }).waitFor();
    await page
      .getByText(/Deleted “api-stripe” \(\d+ versions?\); restorable until .*coffer restore api-stripe/)
      .waitFor();
    // Gone from local (a plain read would go on to the dead provider and answer 503).
    expect((await api("GET", "/v1/secrets/api-stripe?provider=local")).status).toBe(404);
    await page.getByRole("button", { name: "Restore api-stripe" }).click();
    await page.getByText(/Restored “api-stripe” \(\d+ versions?\)\./).waitFor();
    await page.getByRole("heading", { level: 1, name: "api-stripe" }).waitFor();
    expect((await api("GET", "/v1/secrets/api-stripe")).status).toBe(200);

    // Delete another one, find it with "Show deleted", restore it there.
    await openSecret(page, "legacy-token");
    await page.getByRole("button", { name: "Delete…" }).click();
    await page.getByRole("button", { name: "Delete legacy-token" }).click();
    await page.getByRole("heading", { level: 1, name: "Secrets" }).waitFor();
    await page.getByLabel("Show deleted").check();
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByRole("table").getByRole("button", { name: "Restore legacy-token" }).click();
    await page.getByText(/Restored “legacy-token” \(1 version\) at local\./).waitFor();
    await page.getByRole("link", { name: "legacy-token" }).waitFor();
    await page.getByLabel("Show deleted").uncheck();
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expectNoValue(page);
  });

  it("shows the audit log with filters and the chain verification", async () => {
    await page.getByRole("link", { name: "Audit", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await eventually(async () => expect(await page.title()).toBe("Audit log · Coffer"));
    await page.getByText(/Chain intact\. \d+ entries checked/).waitFor();
    await page.getByLabel("Action").selectOption("reveal");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByRole("cell", { name: "e2e: check billing key" }).waitFor();
    await eventually(async () => {
      const actions = await page.locator("tbody td[data-label='Action']").allTextContents();
      expect(actions.length).toBeGreaterThan(0);
      expect(new Set(actions)).toEqual(new Set(["reveal"]));
    });
    await screenshot(page, "audit");
    await page.getByLabel("Who").fill("nobody-at-all");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("No audit entries match these filters.").waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    // From a secret's page, the full log filtered to it.
    await openSecret(page, "DEPLOY_KEY");
    await page.getByRole("link", { name: "Full audit log for DEPLOY_KEY" }).click();
    await eventually(async () =>
      expect(await page.getByLabel("Secret", { exact: true }).inputValue()).toBe("DEPLOY_KEY"),
    );
    await eventually(async () => {
      const names = await page.locator("tbody td[data-label='Secret']").allTextContents();
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names)).toEqual(new Set(["DEPLOY_KEY"]));
    });
    await expectNoValue(page);
  });

  it("shows each provider's health and the fallback chain in read order, a dead provider as down", async () => {
    await page.getByRole("link", { name: "Health", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Health" }).waitFor();
    await page.getByText("Some providers are unavailable.").waitFor();
    const chain = await page.locator("ol.chain .chain-name").allTextContents();
    expect(chain[0]).toBe("local");
    expect(chain.at(-1)).toBe("aws-secrets-manager");
    const dead = page.getByRole("article", { name: "Provider aws-secrets-manager" });
    await dead.getByText("Unavailable").waitFor();
    await page.getByRole("article", { name: "Provider local" }).getByText("Healthy").waitFor();
    await expect(page.locator("ol.chain li").last().textContent()).resolves.toContain("DOWN");
    await screenshot(page, "health");
  });

  it("works at a narrow width without horizontal scrolling", async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    const views: Array<[hash: string, heading: string, ready: string]> = [
      ["#/secrets", "Secrets", "Next page"],
      ["#/secret/api-stripe?scope=global&provider=local", "api-stripe", "Full audit log for api-stripe"],
      ["#/audit", "Audit log", "Older"],
      ["#/health", "Health", "Check again"],
      ["#/new", "New secret", "Create secret"],
    ];
    for (const [hash, heading, ready] of views) {
      await goto(page, hash);
      await page.getByRole("heading", { level: 1, name: heading, exact: true }).waitFor();
      await page.getByText(ready, { exact: true }).first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, hash).toBeLessThanOrEqual(0);
      if (hash.startsWith("#/secret/")) await screenshot(page, "narrow-secret", false);
      if (hash === "#/secrets") await screenshot(page, "narrow-list", false);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("opens every listed row of a store with env-only, scoped, expired, write-only and many-version secrets", async () => {
    const seeded: Array<[string, string, Record<string, unknown>]> = [];
    for (const env of ["prod", "staging", "dev"]) seeded.push(["seed-env-only", "", { value: `seed-env-${env}`, env }]);
    seeded.push(["seed-team", "?scope=team&teamId=acme", { value: "seed-team-value" }]);
    seeded.push(["seed-team-env-only", "?scope=team&teamId=acme", { value: "seed-team-prod", env: "prod" }]);
    seeded.push(["seed-ttl-expired", "", { value: "seed-ttl-value", ttlSeconds: 1 }]);
    seeded.push(["seed-write-only", "", { value: "seed-wo-value", writeOnly: true, env: "prod" }]);
    for (let i = 0; i < 12; i++) seeded.push(["seed-many-versions", "", { value: `seed-version-${i}` }]);
    for (const [name, query, body] of seeded) {
      const res = await api("PUT", `/v1/secrets/${encodeURIComponent(name)}${query}`, body);
      expect(res.status, res.text).toBeLessThan(300);
    }
    // A hard expiry in the past is accepted with a warning, and the secret stays listed.
    const born = await api("PUT", "/v1/secrets/seed-hard-expired", {
      value: "seed-hard-value",
      expiresAt: "2020-01-01",
    });
    expect(born.status, born.text).toBe(201);
    expect(born.body.alreadyExpired).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await goto(page, "#/secrets");
    await page.getByLabel("Name pattern").fill("seed-*");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expectCount(page.getByRole("table").getByRole("link", { name: /^seed-/ }), 7);
    const hardRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: "seed-hard-expired" }) });
    await expect(hardRow.textContent()).resolves.toMatch(/Hard-expired · \d+ y ago/);
    await page.getByLabel("Stale or expired only").check();
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expectCount(page.getByRole("table").getByRole("link", { name: /^seed-/ }), 2);
    await page.getByRole("link", { name: "seed-hard-expired" }).waitFor();
    await page.getByLabel("Stale or expired only").uncheck();
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expectCount(page.getByRole("table").getByRole("link", { name: /^seed-/ }), 7);
    const rows = await page
      .getByRole("table")
      .getByRole("link", { name: /^seed-/ })
      .evaluateAll((links) => links.map((a) => [a.textContent ?? "", (a as HTMLAnchorElement).href]));
    for (const [name, href] of rows) {
      await page.goto(href!);
      await page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
      await page.getByRole("heading", { level: 2, name: "Versions", exact: true }).waitFor();
      expect(await page.getByText("It may have been deleted").count(), `${name} did not open`).toBe(0);
      expect(await unlabelledControls(page)).toEqual([]);
    }
    await openSecret(page, "seed-env-only");
    for (const env of ["prod", "staging", "dev"])
      await page.getByRole("article", { name: `Env state ${env}` }).waitFor();
    expect(await page.locator(".metadata").first().textContent()).toMatch(/Env in forcedefault \(no state for it/);
    await screenshot(page, "env-only-secret");
    // Rollback from the versions table, after a confirmation.
    await goto(page, "#/secret/seed-many-versions?scope=global&provider=local");
    await page.getByRole("heading", { level: 2, name: "Versions", exact: true }).waitFor();
    await page.getByRole("button", { name: "Roll back to v3…" }).click();
    await page.getByRole("button", { name: "Confirm rollback to v3" }).click();
    await page.getByText("Rolled “seed-many-versions” back to version 3: now version 13.").waitFor();
    await page.getByRole("row", { name: /v13/ }).getByText("current").waitFor();
    // Versions are written seconds apart: their times show the seconds.
    const versionsTable = page.getByRole("table", { name: "Versions of seed-many-versions, newest first" });
    await expect(versionsTable.getByRole("row", { name: /^v13/ }).textContent()).resolves.toMatch(
      /\d{1,2}:\d{2}:\d{2}/,
    );
    const rolled = await api("GET", "/v1/secrets/seed-many-versions?reveal=true&purpose=check%20rollback");
    expect(rolled.body.value).toBe("seed-version-2");
    expect(await unlabelledControls(page)).toEqual([]);
    // Entangle and disentangle from the secret page (REST routes over core's operations).
    await openSecret(page, "bulk-00");
    await page.getByLabel("Entangle with (same scope)").fill("bulk-01");
    await page.getByRole("button", { name: "Entangle", exact: true }).click();
    await page.getByText("Entangled “bulk-00” with “bulk-01”.").waitFor();
    await page.getByRole("listitem").filter({ hasText: "bulk-01" }).waitFor();
    expect((await api("GET", "/v1/secrets/bulk-01/inspect")).body.entangledWith).toEqual(["bulk-00"]);
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByRole("button", { name: "Disentangle bulk-01" }).click();
    await page.getByText("“bulk-00” and “bulk-01” are no longer entangled.").waitFor();
    await page.getByText("Not entangled: writing this secret writes no other.").waitFor();
    await page.getByLabel("Entangle with (same scope)").fill("no-such-secret");
    await page.getByRole("button", { name: "Entangle", exact: true }).click();
    await page.getByText(/^Could not entangle: .*no-such-secret/).waitFor();
    expect((await api("GET", "/v1/secrets/bulk-00/inspect")).body.entangledWith).toEqual([]);
    // Past its TTL: the meter caps at 100% and says how long ago it expired.
    await openSecret(page, "seed-ttl-expired");
    await page.getByText(/^TTL used: 100% \(expired \d+ s ago\)/).waitFor();
    await expectNoValue(page);
  });

  it("shows what a narrower token may not do, without blanking the page", async () => {
    const reader = await server.token({ name: "dashboard-reader", scopes: ["secrets:read"] });
    const limited = await openPage(browser, record);
    await goto(limited.page, "");
    await signIn(limited.page, reader);
    await limited.page.getByRole("link", { name: "api-stripe", exact: true }).waitFor();
    await openSecret(limited.page, "api-stripe");
    const trail = limited.page.getByRole("alert").filter({ hasText: "The audit trail could not be loaded" });
    await trail.getByText(/\(PERMISSION_DENIED\)/).waitFor();
    await trail.getByText("Ask for a token with the scope this view needs.").waitFor();
    await limited.page.getByRole("button", { name: "Reveal…" }).click();
    await limited.page.getByLabel("Purpose of this reveal").fill("e2e: not allowed");
    await limited.page.getByRole("button", { name: "Reveal value" }).click();
    await limited.page.getByText(/Not revealed: .*\(PERMISSION_DENIED\)/).waitFor();
    await limited.page.getByRole("link", { name: "Audit", exact: true }).click();
    await limited.page.getByText("The audit log could not be read").waitFor();
    await limited.page.getByText("The chain could not be verified").waitFor();
    await expectNoValue(limited.page);
    await limited.context.close();
  });

  it("signs out when the token is revoked", async () => {
    await goto(page, "#/secrets");
    await page.getByRole("table").waitFor();
    await server.tokens.revoke("dashboard-admin");
    await page.getByRole("link", { name: "Health", exact: true }).click();
    await page.getByText("The server no longer accepts your token").waitFor();
    await page.getByLabel("API token").waitFor();
  });

  it("never put a value in a URL, a title, the console or the server's output, and broke no CSP rule", async () => {
    const everything = [SENTINEL, ...OTHER_VALUES];
    for (const value of everything) {
      for (const url of [...record.requests, ...record.urls]) expect(url.includes(value), url).toBe(false);
      for (const title of record.titles) expect(title.includes(value)).toBe(false);
      for (const line of record.console) expect(line.includes(value)).toBe(false);
      expect(server.logs().includes(value)).toBe(false);
    }
    // No CSP violation, script error or warning in any page (violations are console errors).
    expect(record.errors).toEqual([]);
    // Errors and warnings only; refused API calls (401, 404, 409, 412) are logged by Chromium
    // itself as failed resources.
    expect(
      record.console.filter(
        (line) => /^(error|warning): /.test(line) && !line.startsWith("error: Failed to load resource"),
      ),
    ).toEqual([]);
    expect(record.urls.length).toBeGreaterThan(5);
    expect(record.requests.some((url) => url.includes("/v1/secrets"))).toBe(true);
  });
});
