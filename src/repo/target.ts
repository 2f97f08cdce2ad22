import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";

/** A validated target repository: an existing folder holding a package.json. */
export interface Target {
  /** Absolute, symlink-resolved root. */
  root: string;
}

export function resolveTarget(dir: string): Target {
  const absolute = path.resolve(dir);
  let stats;
  try {
    stats = statSync(absolute);
  } catch {
    throw new UsageError("target not found", [{ path: "--target", message: `${dir} does not exist` }]);
  }
  if (!stats.isDirectory()) {
    throw new UsageError("target is not a folder", [{ path: "--target", message: `${dir} is not a directory` }]);
  }
  const root = realpathSync(absolute);
  try {
    statSync(path.join(root, "package.json"));
  } catch {
    throw new UsageError("target is not a package", [
      { path: "--target", message: `${dir} has no package.json (point --target at the app's root folder)` },
    ]);
  }
  return { root };
}

/** The app's dependencies and devDependencies from its package.json (throws when it does not parse). */
export function appDependencies(root: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  return { ...pkg.dependencies, ...pkg.devDependencies };
}

/** What makes a folder a Vite + React + Supabase app, each with the fix when it is missing. */
export function missingAppParts(root: string): { path: string; message: string }[] {
  const missing: { path: string; message: string }[] = [];
  let deps: Record<string, string> = {};
  try {
    deps = appDependencies(root);
  } catch (error) {
    missing.push({ path: "package.json", message: `does not parse: ${(error as Error).message}` });
  }
  const need: [string, string][] = [
    ["vite", "npm i -D vite"],
    ["react", "npm i react react-dom"],
    ["@supabase/supabase-js", "npm i @supabase/supabase-js"],
  ];
  for (const [name, fix] of need) {
    if (!(name in deps)) missing.push({ path: "package.json", message: `does not depend on ${name} (${fix})` });
  }
  if (!existsSync(path.join(root, "supabase", "config.toml"))) {
    missing.push({ path: "supabase/config.toml", message: "is missing: this is not a Supabase project yet (run `npx supabase init`)" });
  }
  return missing;
}

const SKIP_DIRS = new Set(["node_modules", ".git", "dist", "build", ".cache"]);

/** Apps below `dir` (at most three folders deep), for the hint when `dir` is a monorepo root. */
function appsBelow(dir: string, depth = 3): string[] {
  const found: string[] = [];
  const visit = (current: string, level: number) => {
    if (level > depth || found.length >= 5) return;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || SKIP_DIRS.has(entry.name) || entry.name.startsWith(".")) continue;
      const child = path.join(current, entry.name);
      if (existsSync(path.join(child, "package.json")) && existsSync(path.join(child, "supabase"))) found.push(child);
      else visit(child, level + 1);
    }
  };
  visit(dir, 1);
  return found.sort();
}

/**
 * The app a command works on, found the way git finds a repository: from `start` (the working folder, or
 * `--target`) up to the first folder holding both a package.json and a supabase/ folder. That folder must be a
 * Vite + React + Supabase app; anything else is refused (exit 2) naming what is missing. A monorepo root is
 * never taken for the app: it has no supabase/ folder, and the apps found below it are suggested instead.
 */
export function openApp(start: string, flag = "--target"): Target {
  const absolute = path.resolve(start);
  if (!existsSync(absolute)) throw new UsageError("target not found", [{ path: flag, message: `${start} does not exist` }]);
  if (!statSync(absolute).isDirectory()) throw new UsageError("target is not a folder", [{ path: flag, message: `${start} is not a directory` }]);
  let current = realpathSync(absolute);
  for (;;) {
    if (existsSync(path.join(current, "package.json")) && existsSync(path.join(current, "supabase"))) break;
    const parent = path.dirname(current);
    if (parent === current) {
      const below = appsBelow(realpathSync(absolute));
      const where = path.resolve(start) === process.cwd() ? "the working folder" : start;
      throw new UsageError("not inside a Vite + React + Supabase app", [
        {
          path: flag,
          message:
            `no folder at or above ${where} has both a package.json and a supabase/ folder` +
            (below.length > 0
              ? `; apps found below it: ${below.map((dir) => path.relative(process.cwd(), dir) || ".").join(", ")} (run there, or pass --target <app>)`
              : " (run the command inside your app, or pass --target <app>)"),
        },
      ]);
    }
    current = parent;
  }
  const missing = missingAppParts(current);
  if (missing.length > 0) {
    throw new UsageError(`${current} is not a Vite + React + Supabase app`, missing.map((issue) => ({ path: `${path.relative(process.cwd(), path.join(current, issue.path)) || issue.path}`, message: issue.message })));
  }
  return { root: current };
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * Resolves a relative output path inside the target and refuses anything that would write elsewhere:
 * absolute paths, `..` segments, and existing symlinks (a link could point outside the root, and writing
 * through it would replace the link's target rather than the file the lockfile records).
 */
export function resolveInside(target: Target, relativePath: string, field = "path"): string {
  if (relativePath.includes("\0") || relativePath.includes("\\") || path.posix.isAbsolute(relativePath)) {
    throw new UsageError("unsafe output path", [{ path: field, message: `"${relativePath}" must be a relative path` }]);
  }
  const segments = relativePath.split("/");
  if (segments.some((segment) => segment === ".." || segment === "." || segment === "")) {
    throw new UsageError("unsafe output path", [
      { path: field, message: `"${relativePath}" must not contain empty, "." or ".." segments` },
    ]);
  }
  const absolute = path.join(target.root, ...segments);
  if (!isInside(target.root, absolute)) {
    throw new UsageError("unsafe output path", [{ path: field, message: `"${relativePath}" leaves the target folder` }]);
  }
  // Walk each existing component: none may be a symbolic link.
  let current = target.root;
  for (const segment of segments) {
    current = path.join(current, segment);
    let stats;
    try {
      stats = lstatSync(current);
    } catch {
      break; // does not exist yet: nothing below it can be a link
    }
    if (stats.isSymbolicLink()) {
      throw new UsageError("unsafe output path", [
        {
          path: field,
          message: `"${path.relative(target.root, current)}" is a symbolic link; nexus-integrate does not write through links`,
        },
      ]);
    }
  }
  return absolute;
}
