import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { globSync } from "tinyglobby";
import type { RepoConfig } from "./config.js";
import { tanstackRouterPlugin } from "./vite-config.js";

/**
 * TanStack Router with file-based routes (its Vite plugin): the generated pages are route files under
 * `paths.routes` (`createFileRoute`), and the route tree (`routeTree.gen.ts`) is the plugin's generator's output.
 */
export const TANSTACK_ROUTER = "@tanstack/react-router";

/** `imports.router` of an app with no router: the pages are components to mount, over a stand-in of the tool's. */
export const NO_ROUTER = "none";

export function usesFileRoutes(config: Pick<RepoConfig, "imports">): boolean {
  return config.imports.router === TANSTACK_ROUTER;
}

/** A file route of the app: its path (`/integrations/hubspot`, no trailing slash), the component it renders, its file. */
export interface FileRoute {
  path: string;
  component: string | null;
  file: string;
}

/** The app's file routes: every `createFileRoute("…")` under the routes folder. */
export function fileRoutes(root: string, routesDir: string): FileRoute[] {
  const dir = path.join(root, routesDir);
  if (!existsSync(dir)) return [];
  const files = globSync(["**/*.{ts,tsx,js,jsx}"], { cwd: dir, ignore: ["**/*.gen.*", "**/*.d.ts", "**/*.test.*"] }).sort();
  return files.flatMap((file) => {
    const source = readFileSync(path.join(dir, file), "utf8");
    const declared = /createFileRoute\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/.exec(source);
    if (!declared) return [];
    const component = /\bcomponent\s*:\s*([A-Za-z_$][\w$]*)/.exec(source.slice(declared.index));
    const routePath = declared[1]!.length > 1 ? declared[1]!.replace(/\/+$/, "") : declared[1]!;
    return [{ path: routePath, component: component?.[1] ?? null, file: `${routesDir}/${file}` }];
  });
}

/** What the route-tree refresh did: the tree file it wrote (or left as it was), or why it could not. */
export type RouteTreeOutcome = { ok: true; file: string; changed: boolean } | { ok: false; file: string; reason: string };

/** The generator's settings as the app's plugin has them (literal options only), with the tool's routes folder. */
function generatorOptions(root: string, config: Pick<RepoConfig, "paths">): Record<string, string | number | boolean> {
  const plugin = tanstackRouterPlugin(root);
  return { target: "react", ...plugin?.options, routesDirectory: `./${config.paths.routes}` };
}

/** Where the route tree is: the plugin's `generatedRouteTree`, or the generator's default next to the routes folder. */
export function routeTreeFile(root: string, config: Pick<RepoConfig, "paths">): string {
  const configured = generatorOptions(root, config).generatedRouteTree;
  const file = typeof configured === "string" ? configured : `${path.posix.dirname(config.paths.routes)}/routeTree.gen.ts`;
  return path.posix.normalize(file.replace(/^\.\//, ""));
}

interface TanStackGenerator {
  getConfig(inline: Record<string, unknown>, root: string): Record<string, unknown>;
  Generator: new (options: { config: Record<string, unknown>; root: string }) => { run(): Promise<void> };
}

/**
 * The app's own `@tanstack/router-generator` (the one its Vite plugin runs), its ES module build, or null when it is
 * not installed (neither in the app nor under the plugin).
 */
async function appGenerator(root: string): Promise<TanStackGenerator | null> {
  const fromApp = createRequire(path.join(root, "package.json"));
  for (const base of [() => fromApp, () => createRequire(fromApp.resolve("@tanstack/router-plugin/package.json"))]) {
    let manifest: string;
    try {
      manifest = base().resolve("@tanstack/router-generator/package.json");
    } catch {
      continue; // not installed there: try the plugin's own dependency next
    }
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { exports?: { ".": { import?: { default?: string } | string } }; module?: string };
    const entry = pkg.exports?.["."]?.import;
    const file = typeof entry === "string" ? entry : (entry?.default ?? pkg.module);
    if (!file) continue;
    return (await import(pathToFileURL(path.join(path.dirname(manifest), file)).href)) as TanStackGenerator;
  }
  return null;
}

/**
 * Regenerates the app's route tree after route files were written or removed, with the app's own generator and its
 * plugin's options: what `vite dev` or `vite build` would do, so `tsc -b` (which runs first in the app's build)
 * sees the new routes. The tree is the generator's output ("You should NOT make any changes in this file").
 */
export async function refreshRouteTree(root: string, config: Pick<RepoConfig, "paths">): Promise<RouteTreeOutcome> {
  const file = routeTreeFile(root, config);
  const generator = await appGenerator(root);
  if (!generator) {
    return { ok: false, file, reason: "the app's @tanstack/router-generator is not installed (npm install, then `npx vite build` or `npm run dev` writes it)" };
  }
  const before = existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), "utf8") : null;
  // The generator's scratch folder goes to the system's temp dir, not a `.tanstack/` left in the app.
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), "nexus-integrate-tsr-"));
  try {
    const options = { ...generatorOptions(root, config), generatedRouteTree: `./${file}`, tmpDir };
    await new generator.Generator({ config: generator.getConfig(options, root), root }).run();
  } catch (error) {
    return { ok: false, file, reason: `the route-tree generator failed: ${(error as Error).message.split("\n")[0]}` };
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const after = existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), "utf8") : null;
  return { ok: true, file, changed: after !== before };
}
