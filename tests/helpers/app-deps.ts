import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { EXAMPLE_APP, REPO_ROOT } from "./paths.js";

/**
 * The example app's dependencies, installed once with `npm ci` into `.cache/app-deps/<hash>/` (keyed by the
 * app's package.json and package-lock.json) and symlinked into each temp copy. A repeated run reuses them.
 */
export function appDepsKey(): string {
  const hash = createHash("sha256");
  for (const file of ["package.json", "package-lock.json"]) hash.update(readFileSync(path.join(EXAMPLE_APP, file)));
  return hash.digest("hex").slice(0, 16);
}

export function appDepsDir(): string {
  return path.join(REPO_ROOT, ".cache", "app-deps", appDepsKey());
}

export async function ensureAppDeps(): Promise<string> {
  const dir = appDepsDir();
  const modules = path.join(dir, "node_modules");
  if (existsSync(path.join(dir, ".complete"))) return modules;
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const file of ["package.json", "package-lock.json"]) cpSync(path.join(EXAMPLE_APP, file), path.join(staging, file));
  await execa("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: staging, stdio: "inherit" });
  writeFileSync(path.join(staging, ".complete"), new Date().toISOString());
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(staging, dir);
  return modules;
}

/** Links the cached node_modules into an app copy. */
export function linkAppDeps(appDir: string): void {
  symlinkSync(path.join(appDepsDir(), "node_modules"), path.join(appDir, "node_modules"), "dir");
}
