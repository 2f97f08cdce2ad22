import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { IntegrationContext } from "../render/context.js";
import type { RepoConfig } from "./config.js";

/** The app's env files (`.env`, `.env.local`, `.env.production` …), in name order. */
export function envFiles(root: string): string[] {
  return readdirSync(root)
    .filter((name) => name === ".env" || name.startsWith(".env."))
    .sort();
}

const SECRET_IN_VITE = /^\s*(?:export\s+)?(VITE_[A-Z0-9_]*(?:SECRET|PRIVATE|PASSWORD)[A-Z0-9_]*)\s*=/;

/** Secrets set in VITE_ variables, in any env file: Vite ships every one of those to the browser. */
export function leakedViteSecrets(root: string): { file: string; variable: string }[] {
  const leaks: { file: string; variable: string }[] = [];
  for (const file of envFiles(root)) {
    for (const line of readFileSync(path.join(root, file), "utf8").split("\n")) {
      const match = SECRET_IN_VITE.exec(line);
      if (match) leaks.push({ file, variable: match[1]! });
    }
  }
  return leaks;
}

/**
 * Whether the app's router file routes the integration's callback (its path, or its callback page rendered).
 * Comments do not route: a commented-out <Route> is as good as none.
 */
export function routesCallback(root: string, config: RepoConfig, ctx: Pick<IntegrationContext, "names" | "routes">): boolean {
  const file = path.join(root, config.paths.router);
  const router = (existsSync(file) ? readFileSync(file, "utf8") : "").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  return router.includes(ctx.routes.callback) || router.includes(`<${ctx.names.pascal}CallbackPage`);
}
