import { existsSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { copyExampleApp } from "../helpers/fixtures.js";
import { generate } from "../helpers/generate.js";

/**
 * The advanced set's data hook, rendered by React in Chromium with a service whose actions fail: the action's
 * error is what the user sees, even though the reload after it succeeds.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it (apt-get install chromium)`);

let browser: Browser;
let bundle: string;

beforeAll(async () => {
  const app = copyExampleApp();
  await generate(app, "hubspot", { template: "advanced" });
  linkAppDeps(app);
  const result = await build({
    stdin: {
      contents: `
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import { useHubSpotData } from "./src/hooks/useHubSpotData";
const fail = (message) => async () => { throw new Error(message); };
const service = {
  getConnection: async () => ({ status: "connected", lastSyncAt: null }),
  listRecords: async () => [],
  sync: fail("HubSpot is rate limiting requests. Try again in 30 s."),
  disconnect: fail("Could not disconnect HubSpot."),
};
function Probe() {
  const data = useHubSpotData(service);
  return createElement("div", null,
    createElement("button", { id: "sync", onClick: () => void data.sync() }, "sync"),
    createElement("button", { id: "disconnect", onClick: () => void data.disconnect() }, "disconnect"),
    createElement("button", { id: "refresh", onClick: () => void data.refresh() }, "refresh"),
    createElement("output", { id: "state" }, JSON.stringify({ error: data.error, busy: data.busy, loading: data.loading })));
}
createRoot(document.getElementById("root")).render(createElement(Probe));`,
      resolveDir: app,
      loader: "tsx",
    },
    bundle: true,
    write: false,
    format: "iife",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [
      {
        // The real service talks to Supabase; the hook takes the service as an argument, so it is stubbed.
        name: "stub-service",
        setup(b) {
          b.onResolve({ filter: /HubSpotService$/ }, () => ({ path: "service", namespace: "stub" }));
          b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: "export const hubSpotService = null;", loader: "js" }));
        },
      },
    ],
    alias: { "@": path.join(app, "src") },
  });
  bundle = result.outputFiles[0]!.text;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe("the advanced data hook", () => {
  it("keeps a failed action's error after the reload that follows it; refresh() clears it", async () => {
    const page = await browser.newPage();
    await page.setContent(`<div id="root"></div><script>${bundle.replace(/<\/script/g, "<\\/script")}</script>`);
    const state = async () => JSON.parse((await page.textContent("#state")) ?? "{}") as { error: string | null; busy: boolean; loading: boolean };
    await expect.poll(async () => (await state()).loading).toBe(false);
    await page.click("#sync");
    await expect.poll(async () => (await state()).busy).toBe(false);
    expect((await state()).error).toBe("HubSpot is rate limiting requests. Try again in 30 s.");
    await page.click("#disconnect");
    await expect.poll(async () => (await state()).error).toBe("Could not disconnect HubSpot.");
    await page.click("#refresh");
    await expect.poll(async () => (await state()).error).toBe(null);
    await page.close();
  });
});
