import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAndServe } from "../helpers/app-server.js";
import { linkAppDeps } from "../helpers/app-deps.js";
import { EXAMPLE_APP, PLAYBOOK_APP, tempDir } from "../helpers/fixtures.js";
import { signJwt } from "../helpers/jwt.js";
import { CLIENT_ID, startStack, USER_A, USER_B, type Stack } from "../helpers/oauth-stack.js";

/**
 * A real browser (Debian's Chromium, driven by playwright-core) walks the generated hubspot flow in the
 * example app: setup page → Connect → provider consent → callback → connected; then the failure walks.
 * Everything runs on 127.0.0.1: the app (vite build + preview), the provider (oauth2-mock-server), the
 * generated functions under Deno behind a Supabase gateway stand-in, and PostgreSQL.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) {
  throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it (apt-get install chromium)`);
}
if (!haveChromium) {
  console.warn(`SKIPPED browser walk: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

const SHOTS = process.env.SCREENSHOT_DIR ? path.resolve(process.env.SCREENSHOT_DIR) : tempDir("nexus-shots-");
let stack: Stack;
let browser: Browser;
let app: { url: string; stop(): Promise<void> };
/** What the fake consent page's Allow does to the state (the tampered walk). */
let tamperState = false;

function sessionFor(userId: string, email: string) {
  const now = Math.floor(Date.now() / 1000);
  return {
    access_token: signJwt({ sub: userId, email }),
    token_type: "bearer",
    expires_in: 3600,
    expires_at: now + 3600,
    refresh_token: "test-refresh-token",
    user: { id: userId, aud: "authenticated", role: "authenticated", email, app_metadata: {}, user_metadata: {}, created_at: new Date().toISOString() },
  };
}

/** A signed-in browser context: the Supabase session in localStorage, a consent page in front of the provider. */
async function signedIn(userId: string, email: string): Promise<{ context: BrowserContext; page: Page; gatewayBodies: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 820 } });
  const storageKey = `sb-${new URL(stack.gatewayUrl).hostname.split(".")[0]}-auth-token`;
  await context.addInitScript(
    ([key, value]) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(key!, value!),
    [storageKey, JSON.stringify(sessionFor(userId, email))],
  );
  await context.route(`${stack.issuer}/authorize**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.searchParams.get("consent") === "allow") return route.continue();
    const allow = new URL(url);
    allow.searchParams.set("consent", "allow");
    if (tamperState) allow.searchParams.set("state", `${url.searchParams.get("state")!.slice(0, -4)}AAAA`);
    const deny = new URL(url.searchParams.get("redirect_uri")!);
    deny.searchParams.set("error", "access_denied");
    deny.searchParams.set("state", url.searchParams.get("state")!);
    await route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html><head><title>Authorize</title><style>body{font-family:system-ui;display:flex;justify-content:center;padding:4rem;background:#fff7f0}main{max-width:28rem;padding:2rem;border:1px solid #f0c8a8;border-radius:12px;background:#fff}a{display:inline-block;margin-right:1rem;padding:.6rem 1.2rem;border-radius:8px;text-decoration:none}#allow{background:#ff7a59;color:#fff}#deny{border:1px solid #ccc;color:#333}</style></head>
<body><main><h1>Mock provider</h1><p><b>Nexus</b> wants to access your account:</p><ul>${(url.searchParams.get("scope") ?? "")
        .split(" ")
        .map((s) => `<li>${s.replace(/[<&]/g, "")}</li>`)
        .join("")}</ul><a id="allow" href="${allow.href.replace(/"/g, "&quot;")}">Allow</a><a id="deny" href="${deny.href.replace(/"/g, "&quot;")}">Deny</a></main></body></html>`,
    });
  });
  const page = await context.newPage();
  const gatewayBodies: string[] = [];
  page.on("response", async (response) => {
    if (response.url().startsWith(stack.gatewayUrl) && response.request().method() !== "OPTIONS") {
      gatewayBodies.push(await response.text().catch(() => ""));
    }
  });
  return { context, page, gatewayBodies };
}

async function failedEvents(userId: string) {
  const { rows } = await stack.db.query<{ details: Record<string, unknown> }>(
    "select details from public.nexus_integration_events where user_id = $1 and event_type = 'oauth_failed' order by id",
    [userId],
  );
  return rows.map((r) => r.details);
}

async function tokenCount(userId: string) {
  const { rows } = await stack.db.query<{ n: number }>("select count(*)::int as n from nexus_integrate.oauth_tokens where user_id = $1", [userId]);
  return rows[0]!.n;
}

/**
 * The walk runs on our example app, and on the playbook fixture after `adopt hubspot` (its own App.tsx routes,
 * its own IntegrationsPage, its client reading VITE_SUPABASE_ANON_KEY; the scopes its hand-written code asked for).
 */
const WALKS = [
  { name: "the example app", adopted: false, shots: SHOTS, scope: "oauth crm.objects.contacts.read" },
  {
    name: "the playbook fixture after adopt",
    adopted: true,
    shots: tempDir("nexus-shots-adopted-"),
    scope: "crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read oauth",
  },
] as const;

describe.skipIf(!haveChromium).each(WALKS)("browser walk through the generated hubspot flow: $name", ({ adopted, shots, scope }) => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startStack({ preset: "hubspot", flags: { pkce: true }, ...(adopted ? { adopt: {} } : {}) });
    linkAppDeps(stack.app, adopted ? PLAYBOOK_APP : EXAMPLE_APP);
    app = await buildAndServe(stack.app, {
      VITE_SUPABASE_URL: stack.gatewayUrl,
      VITE_SUPABASE_PUBLISHABLE_KEY: "sb_publishable_test",
      VITE_SUPABASE_ANON_KEY: "sb_publishable_test",
      VITE_HUBSPOT_CLIENT_ID: CLIENT_ID,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await stack?.close();
  });

  it("Connect → consent → callback → connected, and no token ever reaches the browser", async () => {
    const started = Date.now();
    const { context, page, gatewayBodies } = await signedIn(USER_A, "a@example.com");
    await page.goto(`${app.url}/integrations/hubspot`);
    await expect.poll(() => page.getByRole("heading", { name: "Connect HubSpot" }).isVisible()).toBe(true);
    expect(await page.locator(".integration-benefits li").allInnerTexts()).toEqual([
      "Sync HubSpot contacts into Nexus automatically",
      "See CRM activity next to the rest of your work",
      "Read-only access: Nexus never changes your HubSpot data",
    ]);
    const connect = page.getByRole("button", { name: "Connect HubSpot" });
    await expect.poll(() => connect.isEnabled()).toBe(true);
    await page.screenshot({ path: path.join(shots, "setup.png") });

    await connect.click();
    await page.waitForURL(`${stack.issuer}/authorize**`);
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get("client_id")).toBe(CLIENT_ID);
    expect(authorize.searchParams.get("scope")).toBe(scope);
    expect(authorize.searchParams.get("state")).toMatch(/^[\w-]{43}\.[\w-]{43}$/);
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${app.url}/integrations/hubspot/callback`);
    await page.screenshot({ path: path.join(shots, "consent.png") });

    // The address bar (and so the history entry) holds no code by the time the code is exchanged.
    const urlAtExchange: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/functions/v1/hubspot-exchange-tokens") && (request.postData() ?? "").includes('"exchange"')) {
        urlAtExchange.push(page.url());
      }
    });
    await page.locator("#allow").click();
    await page.waitForURL(`${app.url}/integrations/hubspot/callback**`);
    await expect.poll(() => page.getByRole("heading", { name: "HubSpot connected" }).isVisible(), { timeout: 15_000 }).toBe(true);
    expect(urlAtExchange).toEqual([`${app.url}/integrations/hubspot/callback`]);
    await page.waitForURL(`${app.url}/integrations`, { timeout: 10_000 });
    if (adopted) {
      // The app's own page (it lists integrations without their status); the connection is the generated one.
      await expect.poll(() => page.getByText("Integrations", { exact: true }).isVisible(), { timeout: 10_000 }).toBe(true);
      const { rows } = await stack.db.query<{ status: string }>(
        "select status from public.nexus_user_integrations where user_id = $1 and integration_id = 'hubspot'",
        [USER_A],
      );
      expect(rows).toEqual([{ status: "connected" }]);
    } else {
      const row = page.locator('li[data-integration="hubspot"]');
      await expect.poll(() => row.getAttribute("data-status"), { timeout: 10_000 }).toBe("connected");
      expect(await row.locator(".status").innerText()).toBe("Connected");
    }
    await page.screenshot({ path: path.join(shots, "connected.png") });

    // No token in any response the browser received, nor in its storage.
    const issued = stack.issued.flatMap((t) => [t.accessToken, t.refreshToken]).filter((t): t is string => Boolean(t));
    expect(issued.length).toBeGreaterThan(0);
    const storage = await page.evaluate(() => JSON.stringify({ ...(globalThis as unknown as { localStorage: object }).localStorage }));
    for (const token of issued) {
      for (const body of gatewayBodies) expect(body).not.toContain(token);
      expect(storage).not.toContain(token);
    }
    expect(await tokenCount(USER_A)).toBe(1);
    await context.close();
    console.info(`browser walk (success) took ${Date.now() - started} ms`);
  });

  it("the provider's access_denied ends on a clear message with a retry, no tokens and an oauth_failed event", async () => {
    const { context, page } = await signedIn(USER_B, "b@example.com");
    await page.goto(`${app.url}/integrations/hubspot`);
    await page.getByRole("button", { name: "Connect HubSpot" }).click();
    await page.locator("#deny").click();
    await page.waitForURL(`${app.url}/integrations/hubspot/callback**`);
    await expect.poll(() => page.getByRole("alert").innerText(), { timeout: 15_000 }).toContain("HubSpot access was not granted");
    expect(await page.getByRole("heading", { name: "HubSpot was not connected" }).isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Try again" }).isVisible()).toBe(true);
    await page.screenshot({ path: path.join(shots, "denied.png") });
    expect(await tokenCount(USER_B)).toBe(0);
    expect((await failedEvents(USER_B)).at(-1)).toMatchObject({ error: "access_denied", reason: "provider_error" });
    await context.close();
  });

  it("a tampered state ends on a clear message, no tokens and an oauth_failed event", async () => {
    const { context, page } = await signedIn(USER_B, "b@example.com");
    tamperState = true;
    try {
      await page.goto(`${app.url}/integrations/hubspot`);
      await page.getByRole("button", { name: "Connect HubSpot" }).click();
      await page.locator("#allow").click();
      await page.waitForURL(`${app.url}/integrations/hubspot/callback**`);
      await expect.poll(() => page.getByRole("alert").innerText(), { timeout: 15_000 }).toContain("not valid for you or was already used");
    } finally {
      tamperState = false;
    }
    expect(await tokenCount(USER_B)).toBe(0);
    expect((await failedEvents(USER_B)).at(-1)).toMatchObject({ error: "invalid_state", reason: "bad_signature" });
    await context.close();
  });
});
