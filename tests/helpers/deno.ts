import { execa } from "execa";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "./paths.js";

/** Deno from the npm package `deno`; it reaches npm through the registry npm itself is configured with. */
export const DENO = path.join(REPO_ROOT, "node_modules", ".bin", "deno");

let registry: string | undefined;
export function npmRegistry(): string {
  registry ??= process.env.NPM_CONFIG_REGISTRY ?? execFileSync("npm", ["config", "get", "registry"], { encoding: "utf8" }).trim();
  return registry;
}

export function denoEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { NPM_CONFIG_REGISTRY: npmRegistry(), NO_COLOR: "1", ...extra };
}

/**
 * `deno check` as a developer runs it in a function's folder (Supabase's layout: one deno.json per function),
 * with no flag that changes how Deno finds its configuration or npm packages.
 */
export function denoCheckAsDeveloper(functionDir: string) {
  return execa(DENO, ["check", "--quiet", "index.ts"], { cwd: functionDir, reject: false, env: denoEnv(), timeout: 240_000 });
}

/** `deno check` with the global npm cache and no config discovery (for test harness files only, not generated code). */
export function denoCheck(cwd: string, files: string[]) {
  return execa(DENO, ["check", "--no-config", "--node-modules-dir=none", "--quiet", ...files], {
    cwd,
    reject: false,
    env: denoEnv(),
    timeout: 240_000,
  });
}
