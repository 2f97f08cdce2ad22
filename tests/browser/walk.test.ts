import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAndServe } from "../helpers/app-server.js";
import { linkAppDeps } from "../helpers/app-deps.js";
import { EXAMPLE_APP, PLAYBOOK_APP, REPO_ROOT, SHADCN_APP, TANSTACK_APP } from "../helpers/fixtures.js";
import { signJwt } from "../helpers/jwt.js";
import { CLIENT_ID, startStack, USER_A, USER_B, type Stack } from "../helpers/oauth-stack.js";

/**
 * A real browser (Debian's Chromium, driven by playwright-core) walks the generated hubspot flow (advanced set:
 * setup, callback, dashboard) in three apps: our example app (no Tailwind: the tool's stylesheet), the playbook
 * fixture after `adopt hubspot` (its own App.tsx routes and IntegrationsPage), and a create-vite app with
 * Tailwind v4 and shadcn parts after `init` (routes wired by the code-mod, the tool's integrations page). On
 * every page and in every state it checks the styles that make a page look finished and runs axe-core, and
 * it saves a screenshot of each (artifacts/screenshots/<app>/, or SCREENSHOT_DIR).
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

const AXE_SOURCE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const SHOTS_ROOT = path.resolve(process.env.SCREENSHOT_DIR ?? path.join(REPO_ROOT, "artifacts", "screenshots"));

let stack: Stack;
let browser: Browser;
let app: { url: string; stop(): Promise<void> };
/** What the fake consent page's Allow does to the state (the tampered walk). */
let tamperState = false;

function sessionFor(userId: string, email: string, appMetadata: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    access_token: signJwt({ sub: userId, email, app_metadata: appMetadata }),
    token_type: "bearer",
    expires_in: 3600,
    expires_at: now + 3600,
    refresh_token: "test-refresh-token",
    user: { id: userId, aud: "authenticated", role: "authenticated", email, app_metadata: appMetadata, user_metadata: {}, created_at: new Date().toISOString() },
  };
}

/** A browser context (signed in when a user is given: the Supabase session in localStorage), a consent page in front of the provider. */
async function browse(user: { id: string; email: string; appMetadata?: Record<string, unknown> } | null): Promise<{ context: BrowserContext; page: Page; gatewayBodies: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const storageKey = `sb-${new URL(stack.gatewayUrl).hostname.split(".")[0]}-auth-token`;
  if (user) {
    await context.addInitScript(
      ([key, value]) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(key!, value!),
      [storageKey, JSON.stringify(sessionFor(user.id, user.email, user.appMetadata))],
    );
  }
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
      body: `<!doctype html><html lang="en"><head><title>Authorize</title><style>body{font-family:system-ui;display:flex;justify-content:center;padding:4rem;background:#fff7f0}main{max-width:28rem;padding:2rem;border:1px solid #f0c8a8;border-radius:12px;background:#fff}a{display:inline-block;margin-right:1rem;padding:.6rem 1.2rem;border-radius:8px;text-decoration:none}#allow{background:#c2410c;color:#fff}#deny{border:1px solid #ccc;color:#333}</style></head>
<body><main><h1>Mock provider</h1><p>The app wants to access your account:</p><ul>${(url.searchParams.get("scope") ?? "")
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

/** The browser's globals these checks use (the project compiles without the DOM library). */
interface Styled {
  parentElement: Styled | null;
  tagName: string;
  textContent: string | null;
}
interface BrowserGlobals {
  document: { activeElement: Styled | null };
  getComputedStyle(element: Styled): { backgroundColor: string; paddingLeft: string; paddingTop: string; borderTopWidth: string; boxShadow: string };
  axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> };
}

/** axe-core's serious and critical violations on the page as it is now (rule id and the first offending node). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SOURCE });
  const results = await page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as BrowserGlobals;
    return axe.run(document, { resultTypes: ["violations"] });
  });
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}) at ${JSON.stringify(v.nodes[0]?.target)}`);
}

/** What makes a page look finished, read from the computed styles of the main button and the card around it. */
async function looks(page: Page, button: string) {
  return page.getByRole("button", { name: button }).evaluate((element) => {
    const { getComputedStyle } = globalThis as unknown as BrowserGlobals;
    const style = getComputedStyle(element as unknown as Styled);
    // The card is the element the generated page marks with data-integration (the app's Card or the tool's).
    const card = (element as unknown as { closest(selector: string): Styled | null }).closest("[data-integration]");
    const cardStyle = card ? getComputedStyle(card) : null;
    return {
      background: style.backgroundColor,
      padding: parseFloat(style.paddingLeft) + parseFloat(style.paddingTop),
      cardBorder: cardStyle ? parseFloat(cardStyle.borderTopWidth) : 0,
      cardShadow: cardStyle?.boxShadow ?? "none",
    };
  });
}

/** The checks every page gets in every state: axe-core finds nothing serious, and a screenshot is kept. */
async function checkPage(page: Page, shots: string, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  // Transitions finished (a button just enabled is otherwise caught fading in).
  await page.screenshot({ path: path.join(shots, `${name}.png`), animations: "disabled", fullPage: options.fullPage ?? false });
  expect(await seriousViolations(page), `${name}: axe-core serious or critical violations`).toEqual([]);
}

async function focusedText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as BrowserGlobals;
    return `${document.activeElement?.tagName.toLowerCase()}: ${document.activeElement?.textContent?.trim() ?? ""}`;
  });
}

async function setStatus(status: string) {
  await stack.db.query("update public.nexus_user_integrations set status = $1 where user_id = $2 and integration_id = 'hubspot'", [status, USER_A]);
}

/** The class of a figure on the health page (the kit's `classes.figure`), per style. */
function figureClass(kind: string): string {
  return kind === "example" || kind === "tanstack" ? "ni-figure" : "tabular-nums";
}

const pct = (numerator: number, denominator: number) => `${Number(((100 * numerator) / denominator).toFixed(2)).toFixed(1).replace(/\.0$/, "")}%`;

/**
 * A health page's worth of data, written as the functions write it: 30 more users, their connections (24 connected,
 * 3 waiting to reconnect, 1 dead letter), a day of events and one 30 hours old, and a 429's pause. Returns what the
 * page must show, computed from the seed.
 */
async function seedHealth() {
  const db = stack.db;
  await db.query("delete from public.nexus_user_integrations");
  await db.query("delete from public.nexus_integration_events");
  await db.query("delete from nexus_integrate.event_counts");
  await db.query("delete from nexus_integrate.request_budgets");
  const users = Array.from({ length: 30 }, (_, i) => `00000000-0000-4000-8000-0000000001${String(i).padStart(2, "0")}`);
  await db.query("insert into auth.users (id, email) select u, u || '@example.com' from unnest($1::uuid[]) u on conflict do nothing", [users]);
  const status = (i: number) => (i < 24 ? "connected" : i < 27 ? "needs_reauth" : i === 27 ? "error" : null);
  const connected = users.filter((_, i) => status(i) !== null);
  await db.query(
    `insert into public.nexus_user_integrations (user_id, integration_id, integration_name, status, last_sync_at, updated_at)
     select u, 'hubspot', 'HubSpot', s, case when s = 'connected' then now() - make_interval(mins => (5 * n)::int) end, now() - make_interval(secs => n::int)
     from unnest($1::uuid[], $2::text[]) with ordinality as t(u, s, n)`,
    [connected, connected.map((_, i) => status(i))],
  );
  const events: { u: string; t: string; h: number; d: number | null; x: Record<string, unknown> }[] = [];
  const add = (u: string, t: string, h: number, x: Record<string, unknown> = {}, d: number | null = null) => events.push({ u, t, h, d, x });
  users.forEach((u) => add(u, "oauth_initiated", 5));
  users.slice(0, 28).forEach((u) => add(u, "oauth_completed", 5));
  users.slice(28).forEach((u) => add(u, "oauth_failed", 4, { error: "access_denied" }));
  users.slice(0, 20).forEach((u) => add(u, "token_refreshed", 2, { rotated: false }));
  users.slice(24, 28).forEach((u) => add(u, "token_refresh_failed", 1, { error: "invalid_grant" }));
  let n = 0;
  for (const u of users.slice(0, 24)) for (const h of [0, 3]) add(u, "data_synced", h, { records: 3 }, 1000 + 100 * n++);
  users.slice(0, 3).forEach((u) => add(u, "sync_failed", 0, { error: "upstream_error", status: 500 }));
  add(users[27]!, "sync_failed", 0, { error: "sync_failed", dead: true });
  // A disconnect whose revocation the provider refused (schema step 008): listed among the failures.
  add(users[29]!, "revocation_failed", 0, { error: "invalid_grant" });
  await db.query(
    `insert into public.nexus_integration_events (user_id, integration_id, event_type, details, duration_ms, created_at)
     select e.u, 'hubspot', e.t, e.x, e.d, now() - make_interval(hours => e.h) from jsonb_to_recordset($1::jsonb) as e(u uuid, t text, h int, d int, x jsonb)`,
    [events],
  );
  await db.query(
    "insert into public.nexus_integration_events (user_id, integration_id, event_type, details, duration_ms, created_at) values ($1, 'hubspot', 'data_synced', '{}', 2000, now() - interval '30 hours')",
    [users[0]],
  );
  await db.query("select nexus_integrate.pause_requests($1, 300)", [`hubspot:${users[5]}`]);
  await db.query("update nexus_integrate.sync_jobs set queued_at = null, dead_at = now(), attempts = 8, last_error = 'sync_failed' where user_id = $1", [users[27]]);
  const count = (type: string) => events.filter((e) => e.t === type).length;
  const hours = (...types: string[]) => new Set(events.filter((e) => types.includes(e.t)).map((e) => e.h)).size;
  const durations = events.filter((e) => e.t === "data_synced").map((e) => e.d!);
  const errors = count("oauth_failed") + count("token_refresh_failed") + count("sync_failed");
  const { rows } = await db.query<{ n: number }>("select count(*)::int as n from auth.users");
  return {
    metrics: {
      oauth_success_rate: pct(count("oauth_completed"), count("oauth_initiated")),
      token_refresh_rate: pct(count("token_refreshed"), count("token_refreshed") + count("token_refresh_failed")),
      data_sync_success: pct(count("data_synced"), count("data_synced") + count("sync_failed")),
      user_adoption_rate: pct(connected.length, rows[0]!.n),
      error_rate: pct(errors, events.length),
      avg_sync_duration: `${Number((durations.reduce((a, b) => a + b, 0) / durations.length / 1000).toFixed(2))} s`,
    },
    points: {
      oauth_success_rate: hours("oauth_initiated"),
      token_refresh_rate: hours("token_refreshed", "token_refresh_failed"),
      data_sync_success: hours("data_synced", "sync_failed"),
    },
    weekSyncSuccess: pct(count("data_synced") + 1, count("data_synced") + 1 + count("sync_failed")),
    connected: 24,
    reauth: users.slice(24, 27),
    dead: users[27]!,
    failures: count("oauth_failed") + count("token_refresh_failed") + count("sync_failed") + count("revocation_failed"),
  };
}

const WALKS = [
  { name: "example-app", label: "the example app (no Tailwind: the tool's stylesheet)", app: "example", template: "advanced", deps: EXAMPLE_APP, scope: "oauth crm.objects.contacts.read" },
  {
    name: "playbook-app",
    label: "the playbook fixture after adopt",
    app: "playbook",
    // Its own App.tsx routes /integrations/hubspot to HubSpotSetup (the playbook's file, now the thin generated one).
    template: "basic",
    deps: PLAYBOOK_APP,
    scope: "crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read oauth",
  },
  // create-vite's strict react-ts app, its client env-optional (null without VITE_SUPABASE_URL and its key).
  { name: "shadcn-app", label: "a create-vite app with Tailwind v4, shadcn parts and an env-optional client", app: "shadcn", template: "advanced", deps: SHADCN_APP, scope: "oauth crm.objects.contacts.read" },
  // Lovable's shape: its typed client at src/integrations/supabase/client.ts, port 8080, the shadcn fixture's packages.
  { name: "lovable-app", label: "a Lovable-shaped app (typed client, port 8080)", app: "lovable", template: "advanced", deps: SHADCN_APP, scope: "oauth crm.objects.contacts.read" },
  // File routes: the pages are route files in src/routes, the route tree regenerated by the app's own generator.
  { name: "tanstack-app", label: "a TanStack Router file-routes app", app: "tanstack", template: "advanced", deps: TANSTACK_APP, scope: "oauth crm.objects.contacts.read" },
] as const;

describe.skipIf(!haveChromium).each(WALKS)("browser walk through the generated hubspot pages: $label", ({ name, app: kind, template, deps, scope }) => {
  const shots = path.join(SHOTS_ROOT, name);

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startStack({
      preset: "hubspot",
      flags: { pkce: true, template },
      ...(kind === "playbook" ? { adopt: {} } : kind === "shadcn" || kind === "tanstack" || kind === "lovable" ? { app: kind } : {}),
      ...(kind === "shadcn" ? { envOptionalClient: true } : {}),
    });
    if (!existsSync(path.join(stack.app, "node_modules"))) linkAppDeps(stack.app, deps);
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

  it("signed out: the setup page links to sign-in instead of offering Connect", async () => {
    const { context, page } = await browse(null);
    await page.goto(`${app.url}/integrations/hubspot`);
    // The page's own link, not an app's nav (the TanStack fixture's root layout always shows a "Sign in" link).
    await expect.poll(() => page.locator('[data-integration="hubspot"]').getByRole("link", { name: "Sign in" }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByRole("button", { name: "Connect HubSpot" }).isDisabled()).toBe(true);
    await checkPage(page, shots, "setup-signed-out");
    await context.close();
  });

  it("Connect → consent → callback → connected → dashboard, styled and accessible, and no token ever reaches the browser", async () => {
    const started = Date.now();
    const { context, page, gatewayBodies } = await browse({ id: USER_A, email: "a@example.com" });
    await page.goto(`${app.url}/integrations/hubspot`);
    await expect.poll(() => page.getByRole("heading", { level: 1, name: "Connect HubSpot" }).isVisible(), { timeout: 10_000 }).toBe(true);
    const appName = { shadcn: "Acme CRM", tanstack: "Pulse Board", lovable: "Northwind Portal", example: "Nexus", playbook: "Nexus" }[kind]; // index.html's <title>
    expect(await page.getByRole("list", { name: "What you get" }).getByRole("listitem").allInnerTexts()).toEqual([
      `Sync HubSpot contacts into ${appName} automatically`,
      "See CRM activity next to the rest of your work",
      `Read-only access: ${appName} never changes your HubSpot data`,
    ]);
    const connect = page.getByRole("button", { name: "Connect HubSpot" });
    await expect.poll(() => connect.isEnabled()).toBe(true);
    const look = await looks(page, "Connect HubSpot");
    expect(look.background, "the Connect button has a background").not.toMatch(/^(transparent|rgba\(0, 0, 0, 0\))$/);
    expect(look.padding, "the Connect button has padding").toBeGreaterThan(0);
    expect(look.cardBorder > 0 || look.cardShadow !== "none", "the card has a border or a shadow").toBe(true);
    await checkPage(page, shots, "setup");

    await connect.click();
    await page.waitForURL(`${stack.issuer}/authorize**`);
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get("client_id")).toBe(CLIENT_ID);
    expect(authorize.searchParams.get("scope")).toBe(scope);
    expect(authorize.searchParams.get("state")).toMatch(/^[\w-]{43}\.[\w-]{43}$/);
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${app.url}/integrations/hubspot/callback`);

    // The address bar (and so the history entry) holds no code by the time the code is exchanged; the exchange
    // is held back a moment so the loading state can be looked at.
    const urlAtExchange: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await context.route("**/functions/v1/hubspot-exchange-tokens", async (route) => {
      if ((route.request().postData() ?? "").includes('"exchange"')) {
        urlAtExchange.push(page.url());
        await held;
      }
      await route.continue();
    });
    await page.locator("#allow").click();
    await page.waitForURL(`${app.url}/integrations/hubspot/callback**`);
    await expect.poll(() => page.getByRole("heading", { level: 1, name: "Connecting HubSpot…" }).isVisible(), { timeout: 10_000 }).toBe(true);
    await checkPage(page, shots, "callback-loading");
    release();
    await expect.poll(() => page.getByRole("heading", { level: 1, name: "HubSpot connected" }).isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await focusedText(page)).toBe("h1: HubSpot connected");
    expect(urlAtExchange).toEqual([`${app.url}/integrations/hubspot/callback`]);
    await checkPage(page, shots, "callback-success");
    await context.unroute("**/functions/v1/hubspot-exchange-tokens");

    // The post-connect page exists in every app: the app's own, or the one the tool added.
    await page.waitForURL(`${app.url}/integrations`, { timeout: 10_000 });
    if (kind === "playbook") {
      await expect.poll(() => page.getByText("Integrations", { exact: true }).isVisible(), { timeout: 10_000 }).toBe(true);
      // The app's own page reads its user_integrations: adopt mirrors the new connection there.
      const own = page.locator('li[data-integration-name="HubSpot"]');
      await expect.poll(() => own.getAttribute("data-status"), { timeout: 10_000 }).toBe("connected");
      expect(await own.innerText()).toContain("Connected");
    } else {
      const row = page.locator('li[data-integration="hubspot"]');
      await expect.poll(() => row.getAttribute("data-status"), { timeout: 10_000 }).toBe("connected");
      expect(await row.innerText()).toContain("Connected");
    }
    await checkPage(page, shots, "integrations");

    // The dashboard: Sync now fills the record list with a field a person can read.
    if (template === "advanced") await walkDashboard(page, shots);

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

  async function walkDashboard(page: Page, shots: string): Promise<void> {
    stack.apiQueue.push({ status: 200, body: { results: [{ id: "101", properties: { email: "ada@example.com", firstname: "Ada" } }] } });
    await page.goto(`${app.url}/integrations/hubspot`);
    await expect.poll(() => page.getByRole("heading", { level: 1, name: "HubSpot" }).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByRole("button", { name: "Sync now" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "ada@example.com" }).isVisible(), { timeout: 15_000 }).toBe(true);
    const dashboardLook = await looks(page, "Sync now");
    expect(dashboardLook.background).not.toMatch(/^(transparent|rgba\(0, 0, 0, 0\))$/);
    await checkPage(page, shots, "dashboard");
  }

  it.runIf(template === "advanced")("the dashboard: a load error is an error with a retry, needs_reauth is a compact prompt, and focus follows a disconnect", async () => {
    const { context, page } = await browse({ id: USER_A, email: "a@example.com" });
    // The table cannot be read (a missing migration, the network down): not "not connected".
    await context.route("**/rest/v1/nexus_user_integrations**", (route) => route.fulfill({ status: 500, contentType: "application/json", body: '{"message":"relation does not exist"}' }));
    await page.goto(`${app.url}/integrations/hubspot`);
    await expect.poll(() => page.getByRole("alert").innerText(), { timeout: 10_000 }).toContain("Could not load your HubSpot connection");
    expect(await page.getByRole("button", { name: "Connect HubSpot" }).count()).toBe(0);
    expect(await focusedText(page)).toContain("Could not load your HubSpot connection");
    await checkPage(page, shots, "dashboard-load-error");
    await context.unroute("**/rest/v1/nexus_user_integrations**");
    await page.getByRole("button", { name: "Retry" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Sync now" }).isVisible(), { timeout: 10_000 }).toBe(true);

    await setStatus("needs_reauth");
    await page.reload();
    await expect.poll(() => page.getByRole("button", { name: "Reconnect HubSpot" }).isEnabled(), { timeout: 10_000 }).toBe(true);
    // Compact: the prompt, not the whole setup card (no benefits list, no second Connect heading).
    expect(await page.getByRole("list", { name: "What you get" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Connect HubSpot" }).count()).toBe(0);
    await checkPage(page, shots, "dashboard-needs-reauth");
    await setStatus("connected");

    await page.reload();
    await page.getByRole("button", { name: "Disconnect", exact: true }).click();
    expect(await focusedText(page)).toBe("button: Disconnect HubSpot");
    await checkPage(page, shots, "dashboard-confirm-disconnect");
    await page.getByRole("button", { name: "Keep connected" }).click();
    expect(await focusedText(page)).toBe("button: Disconnect");
    await page.getByRole("button", { name: "Disconnect", exact: true }).click();
    await page.getByRole("button", { name: "Disconnect HubSpot" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1, name: "Connect HubSpot" }).isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => focusedText(page)).toBe("h1: Connect HubSpot");
    expect(await tokenCount(USER_A)).toBe(0);
    await context.close();
  });

  it("the provider's access_denied ends on a clear message with a retry, no tokens and an oauth_failed event", async () => {
    const { context, page } = await browse({ id: USER_B, email: "b@example.com" });
    await page.goto(`${app.url}/integrations/hubspot`);
    await page.getByRole("button", { name: "Connect HubSpot" }).click();
    await page.locator("#deny").click();
    await page.waitForURL(`${app.url}/integrations/hubspot/callback**`);
    await expect.poll(() => page.getByRole("alert").innerText(), { timeout: 15_000 }).toContain("HubSpot access was not granted");
    expect(await page.getByRole("heading", { level: 1, name: "HubSpot was not connected" }).isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Try again" }).isVisible()).toBe(true);
    await checkPage(page, shots, "callback-error");
    expect(await tokenCount(USER_B)).toBe(0);
    expect((await failedEvents(USER_B)).at(-1)).toMatchObject({ error: "access_denied", reason: "provider_error" });
    await context.close();
  });

  it("a tampered state ends on a clear message, no tokens and an oauth_failed event", async () => {
    const { context, page } = await browse({ id: USER_B, email: "b@example.com" });
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

  it("a start the server turns down shows its message at the Connect button, focused, and Connect again", async () => {
    const { context, page } = await browse({ id: USER_B, email: "b@example.com" });
    await context.route("**/functions/v1/hubspot-exchange-tokens", (route) =>
      route.request().method() === "OPTIONS"
        ? route.continue()
        : route.fulfill({ status: 503, contentType: "application/json", body: '{"error":"unavailable","message":"HubSpot is not reachable right now. Try again in a minute."}' }),
    );
    await page.goto(`${app.url}/integrations/hubspot`);
    await page.getByRole("button", { name: "Connect HubSpot" }).click();
    await expect.poll(() => page.getByRole("alert").innerText(), { timeout: 10_000 }).toContain("HubSpot is not reachable right now.");
    expect(await focusedText(page)).toContain("HubSpot was not connected");
    expect(await page.getByRole("button", { name: "Connect HubSpot" }).isEnabled()).toBe(true);
    await checkPage(page, shots, "setup-error");
    await context.close();
  });

  it.runIf(kind === "playbook")("no health page where the app has no Recharts (the tool said how to add it)", () => {
    expect(existsSync(path.join(stack.app, "src/pages/integrations/IntegrationHealthPage.tsx"))).toBe(false);
  });

  it.runIf(kind !== "playbook")("the health page: an admin sees the seeded figures, charts and failures and retries a dead letter; a non-admin is not allowed", async () => {
    const seeded = await seedHealth();
    const { context, page } = await browse({ id: USER_A, email: "a@example.com", appMetadata: { role: "admin" } });
    await page.goto(`${app.url}/integrations/health`);
    const card = page.locator('[data-integration="hubspot"]');
    await expect.poll(() => card.locator('[data-metric="oauth_success_rate"]').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByRole("heading", { level: 1, name: "Integration health" }).isVisible()).toBe(true);
    for (const [metric, expected] of Object.entries(seeded.metrics)) {
      expect(await card.locator(`[data-metric="${metric}"] .${figureClass(kind)}`).innerText(), metric).toBe(expected);
    }
    // Each trend has one point per hour something was recorded in, and the chart drew them.
    for (const [metric, points] of Object.entries(seeded.points)) {
      const chart = card.locator(`[data-metric="${metric}"] [role="img"]`);
      await expect.poll(() => chart.getAttribute("data-points"), { timeout: 10_000 }).toBe(String(points));
      expect(await chart.locator("circle").count(), `${metric} dots`).toBe(points);
      expect(await chart.getAttribute("aria-label")).toContain(`${points} of 24 points recorded`);
    }
    expect(await card.locator('[data-figure="connected"]').innerText()).toContain(String(seeded.connected));
    expect(await card.locator('[data-figure="needs-reauth"]').innerText()).toContain(String(seeded.reauth.length));
    expect(await card.locator('[data-figure="rate-limit"]').innerText()).toContain("1 paused");
    expect(await card.locator('[data-figure="dead-letters"]').innerText()).toContain("1");
    expect(await card.locator("[data-failure]").count()).toBe(seeded.failures);
    expect(await card.locator('[data-failure="token_refresh_failed"]').first().innerText()).toContain("invalid_grant");
    expect(await card.locator('[data-failure="revocation_failed"]').innerText()).toMatch(/Revocation failed\s+invalid_grant/);
    for (const user of seeded.reauth) expect(await page.getByRole("button", { name: `Copy user id ${user}` }).count()).toBeGreaterThan(0);
    await checkPage(page, shots, "health", { fullPage: true });

    // Retry the dead letter: queued again at once.
    await page.getByRole("button", { name: `Retry sync for ${seeded.dead}` }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "queued again" }).count(), { timeout: 10_000 }).toBe(1);
    const job = await stack.db.query<{ dead: boolean; queued: boolean }>(
      "select dead_at is not null as dead, queued_at is not null as queued from nexus_integrate.sync_jobs where user_id = $1 and provider = 'hubspot'",
      [seeded.dead],
    );
    expect(job.rows[0]).toEqual({ dead: false, queued: true });

    // A wider window takes in the sync of 30 hours ago.
    await page.getByRole("button", { name: "7 days" }).click();
    await expect.poll(() => page.getByRole("button", { name: "7 days" }).getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => card.locator('[data-metric="data_sync_success"] .' + figureClass(kind)).innerText(), { timeout: 10_000 }).toBe(seeded.weekSyncSuccess);
    await context.close();

    // A signed-in user without the claim: "not allowed", no figures; the API refuses the call and RLS the tables.
    const other = await browse({ id: USER_B, email: "b@example.com" });
    await other.page.goto(`${app.url}/integrations/health`);
    await expect.poll(() => other.page.getByRole("alert").innerText(), { timeout: 15_000 }).toContain("Not allowed");
    expect(await other.page.locator("[data-metric]").count()).toBe(0);
    await checkPage(other.page, shots, "health-not-allowed");
    await other.context.close();
    const refused = await fetch(`${stack.gatewayUrl}/rest/v1/rpc/nexus_integration_health`, {
      method: "POST",
      headers: { Authorization: `Bearer ${signJwt({ sub: USER_B })}`, apikey: "sb_publishable_test", "Content-Type": "application/json" },
      body: JSON.stringify({ p_window: "24h" }),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("42501");
    const probe = await stack.db
      .asRole("authenticated", USER_B, (tx) => tx.query("select * from nexus_integrate.event_counts"))
      .catch((error: Error) => error.message);
    expect(probe).toMatch(/permission denied/);
    const own = await stack.db.asRole("authenticated", USER_B, (tx) => tx.query<{ n: number }>("select count(*)::int as n from public.nexus_integration_events where user_id <> $1", [USER_B]));
    expect(own.rows[0]!.n).toBe(0);
  });

  it("a callback reached without a session offers to sign in, not to try again", async () => {
    const { context, page } = await browse(null);
    await page.goto(`${app.url}/integrations/hubspot/callback?code=abc&state=def`);
    await expect.poll(() => page.getByRole("link", { name: "Sign in" }).isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByRole("link", { name: "Try again" }).count()).toBe(0);
    await checkPage(page, shots, "callback-signed-out");
    await context.close();
  });
});
