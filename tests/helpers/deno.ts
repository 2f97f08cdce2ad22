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

/** `deno check` with the global npm cache and no config discovery (the app's package.json is not Deno's). */
export function denoCheck(cwd: string, files: string[]) {
  return execa(DENO, ["check", "--no-config", "--node-modules-dir=none", "--quiet", ...files], {
    cwd,
    reject: false,
    env: denoEnv(),
    timeout: 240_000,
  });
}
