import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { buildAndServe } from "../helpers/app-server.js";
import { BIN, copyShadcnApp, ENV_OPTIONAL_CLIENT, REPO_ROOT, SHADCN_APP } from "../helpers/fixtures.js";

/**
 * An env-optional client (null without VITE_SUPABASE_URL and its key), built without that env: the app loads, the
 * integration pages render and say Supabase is not configured where a call's error goes, and nothing crashes.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it (apt-get install chromium)`);
const SHOTS = path.join(path.resolve(process.env.SCREENSHOT_DIR ?? path.join(REPO_ROOT, "artifacts", "screenshots")), "shadcn-app-unconfigured");


let browser: Browser;
let app: { url: string; stop(): Promise<void> };

describe("an env-optional client without its env, in the browser", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dir = copyShadcnApp();
    writeFileSync(path.join(dir, "src/lib/supabase.ts"), ENV_OPTIONAL_CLIENT);
    for (const args of [["init"], ["new", "hubspot"]]) {
      const result = await execa("node", [BIN, ...args, "--yes", "--target", dir], { reject: false, stdin: "ignore" });
      if (result.exitCode !== 0) throw new Error(`${args.join(" ")}: ${result.stderr}`);
    }
    linkAppDeps(dir, SHADCN_APP);
    app = await buildAndServe(dir, { VITE_HUBSPOT_CLIENT_ID: "client-id" });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("the setup page and the callback render, the callback says Supabase is not configured, and the console says why", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    const consoleErrors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    await page.goto(`${app.url}/integrations/hubspot`);
    await expect.poll(() => page.getByRole("heading", { level: 1, name: "Connect HubSpot" }).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, "setup.png"), fullPage: true });
    expect(consoleErrors.join("\n")).toContain("nexus-integrate: Supabase is not configured: src/lib/supabase.ts exports no client");

    await page.goto(`${app.url}/integrations/hubspot/callback?code=c&state=s`);
    await expect.poll(() => page.getByRole("heading", { level: 1, name: "HubSpot was not connected" }).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, "callback.png"), fullPage: true });
    expect(await page.locator("body").innerText()).toContain("Supabase is not configured");
    expect(errors).toEqual([]);
    await page.close();
  });
});
