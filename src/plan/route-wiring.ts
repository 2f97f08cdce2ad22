import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type * as WireRoutes from "./wire-routes.js";

/**
 * The router code-mod (recast and Babel's parser, about a megabyte) is loaded only when a run needs it: the
 * app's router file has no nexus-integrate markers. Commands call `loadRouteWiringFor` before planning; the
 * pure planner then uses `routeWiring()`.
 */
let loaded: typeof WireRoutes | null = null;

export async function loadRouteWiring(): Promise<void> {
  loaded ??= await import("./wire-routes.js");
}

/**
 * Loads the code-mod when the router file exists without the `<nexus-integrate:routes>` markers, or when the
 * lockfile records routes it wired (remove and regenerate take those out with it).
 */
export async function loadRouteWiringFor(root: string, routerPath: string, lockText: string | null): Promise<void> {
  if (lockText?.includes('"wiring": "ast"')) return loadRouteWiring();
  const file = path.join(root, routerPath);
  if (!existsSync(file)) return;
  const text = readFileSync(file, "utf8");
  if (!text.includes("<nexus-integrate:routes>") || !text.includes("<nexus-integrate:route-imports>")) await loadRouteWiring();
}

export function routeWiring(): typeof WireRoutes {
  if (!loaded) throw new Error("internal: the route code-mod was not loaded before planning (loadRouteWiringFor)");
  return loaded;
}
