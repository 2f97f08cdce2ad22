import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { tscApp } from "../helpers/app-checks.js";
import { buildAndServe } from "../helpers/app-server.js";
import { BIN, copyExampleApp, EXAMPLE_APP, REPO_ROOT } from "../helpers/fixtures.js";

/**
 * An app with no router: the pages come as components to mount, over the tool's stand-in for the parts of
 * react-router they use (router.tsx), and the next steps say where. The app here mounts them by pathname, as such
 * an app does; Chromium opens the setup page and a callback, whose query the stand-in takes off the address bar.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it (apt-get install chromium)`);
const SHOTS = path.join(path.resolve(process.env.SCREENSHOT_DIR ?? path.join(REPO_ROOT, "artifacts", "screenshots")), "no-router-app");

const MAIN = `import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { HubSpotSetup } from "@/components/integrations/HubSpotSetup";
import { HubSpotCallbackPage } from "@/pages/integrations/HubSpotCallbackPage";
import "./index.css";

// No router: the app picks its page by the path, and mounts the integration's where the next steps said.
const pages: Record<string, () => ReactNode> = {
  "/integrations/hubspot": () => <HubSpotSetup />,
  "/integrations/hubspot/callback": () => <HubSpotCallbackPage />,
};
const Page = pages[window.location.pathname] ?? (() => <p>Home</p>);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Page />
  </StrictMode>,
);
`;

let browser: Browser;
let app: { url: string; stop(): Promise<void> };
let dir: string;
let report: { nextSteps: string[]; notes?: string[]; files: { path: string }[] };

describe("an app with no router", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = copyExampleApp();
    rmSync(path.join(dir, "nexus-integrate.config.json"), { force: true });
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    delete pkg.dependencies["react-router"];
    writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
    rmSync(path.join(dir, "src/App.tsx"));
    writeFileSync(path.join(dir, "src/main.tsx"), MAIN);
    const created = await execa("node", [BIN, "new", "hubspot", "--yes", "--json", "--target", dir], { reject: false, stdin: "ignore" });
    if (created.exitCode !== 0) throw new Error(created.stdout + created.stderr);
    report = JSON.parse(created.stdout);
    linkAppDeps(dir, EXAMPLE_APP);
    app = await buildAndServe(dir, { VITE_SUPABASE_URL: "http://127.0.0.1:9", VITE_SUPABASE_PUBLISHABLE_KEY: "k", VITE_HUBSPOT_CLIENT_ID: "client-id" });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("new takes it without a router: no route wired, the stand-in generated, the next step says where to mount each page, and the app type-checks", async () => {
    expect(report.notes?.join("\n")).toContain("imports.router = none");
    expect(report.files.map((f) => f.path)).not.toContain("src/App.tsx");
    expect(readFileSync(path.join(dir, "src/components/integrations/nexus-integrate/IntegrationCallback.tsx"), "utf8")).toContain(
      'import { Link, useLocation, useNavigate } from "@/components/integrations/nexus-integrate/router";',
    );
    expect(report.nextSteps.join("\n")).toContain(
      "Mount the pages yourself (the app has no router): <HubSpotSetup /> from @/components/integrations/HubSpotSetup at /integrations/hubspot, and <HubSpotCallbackPage /> from @/pages/integrations/HubSpotCallbackPage at /integrations/hubspot/callback (the provider redirects there)",
    );
    const tsc = await tscApp(dir);
    expect(tsc.stdout + tsc.stderr).toBe("");
  });

  it("in Chromium the setup page renders with its sign-in link, and the callback takes the code off the address bar", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${app.url}/integrations/hubspot`);
    await expect.poll(() => page.getByRole("heading", { level: 1, name: "Connect HubSpot" }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/");
    await page.screenshot({ path: path.join(SHOTS, "setup.png"), fullPage: true });
    await page.goto(`${app.url}/integrations/hubspot/callback?code=c&state=s`);
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(`${app.url}/integrations/hubspot/callback`);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText(), { timeout: 10_000 }).toMatch(/HubSpot/);
    await page.screenshot({ path: path.join(SHOTS, "callback.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
