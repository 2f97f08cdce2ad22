import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { EXAMPLE_APP, REPO_ROOT } from "./paths.js";

/**
 * An app's dependencies (the example app's, the playbook fixture's), installed once with `npm ci` into
 * `.cache/app-deps/<hash>/` (keyed by the app's package.json and package-lock.json) and symlinked into each
 * temp copy. A repeated run reuses them.
 */
export function appDepsKey(source = EXAMPLE_APP): string {
  const hash = createHash("sha256");
  for (const file of ["package.json", "package-lock.json"]) hash.update(readFileSync(path.join(source, file)));
  return hash.digest("hex").slice(0, 16);
}

export function appDepsDir(source = EXAMPLE_APP): string {
  return path.join(REPO_ROOT, ".cache", "app-deps", appDepsKey(source));
}

export async function ensureAppDeps(source = EXAMPLE_APP): Promise<string> {
  const dir = appDepsDir(source);
  const modules = path.join(dir, "node_modules");
  if (existsSync(path.join(dir, ".complete"))) return modules;
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const file of ["package.json", "package-lock.json"]) cpSync(path.join(source, file), path.join(staging, file));
  await execa("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: staging, stdio: "inherit" });
  writeFileSync(path.join(staging, ".complete"), new Date().toISOString());
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(staging, dir);
  return modules;
}

/** Links the cached node_modules into an app copy. */
export function linkAppDeps(appDir: string, source = EXAMPLE_APP): void {
  symlinkSync(path.join(appDepsDir(source), "node_modules"), path.join(appDir, "node_modules"), "dir");
}
