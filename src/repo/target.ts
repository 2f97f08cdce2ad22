import { lstatSync, realpathSync, statSync } from "node:fs";
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
