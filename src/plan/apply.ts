import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { OperationError } from "../errors.js";
import { resolveInside, type Target } from "../repo/target.js";
import { LOCKFILE } from "./lockfile.js";
import type { FileOp } from "./plan.js";

/**
 * The only code that writes to the target. Every file is written to a temporary file in its own folder and
 * renamed over the old one, so a reader (or a crash) sees the old or the new content, never a part. If any
 * step fails, the files already replaced are put back. The lockfile is written last.
 */

function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.nexus-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
}

function modeOf(file: string): number | undefined {
  try {
    return statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
}

/** Creates missing folders, returning the ones it created (deepest last). */
function ensureDir(dir: string, root: string): string[] {
  const missing: string[] = [];
  let current = dir;
  while (current !== root && current.startsWith(root)) {
    try {
      statSync(current);
      break;
    } catch {
      missing.unshift(current);
      current = path.dirname(current);
    }
  }
  for (const folder of missing) mkdirSync(folder);
  return missing;
}

export function writeFileAtomic(file: string, content: string): void {
  const temp = tempPathFor(file);
  const mode = modeOf(file);
  try {
    writeFileSync(temp, content, { encoding: "utf8", flag: "wx", mode: mode ?? 0o644 });
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // the temp file was never created or is already gone
    }
    throw error;
  }
}

export interface ApplyResult {
  written: string[];
  lockfileWritten: boolean;
}

export function applyFileOps(
  target: Target,
  ops: FileOp[],
  lockfile: { next: string; current: string | null },
): ApplyResult {
  const changes = ops.filter((op) => op.action === "create" || op.action === "update");
  if (ops.some((op) => op.action === "conflict")) {
    throw new Error("internal: applyFileOps called with conflicts");
  }
  const createdDirs: string[] = [];
  const done: { op: FileOp; absolute: string }[] = [];
  try {
    for (const op of changes) {
      const absolute = resolveInside(target, op.path);
      createdDirs.push(...ensureDir(path.dirname(absolute), target.root));
      writeFileAtomic(absolute, op.after);
      done.push({ op, absolute });
    }
    if (lockfile.next !== lockfile.current) {
      writeFileAtomic(path.join(target.root, LOCKFILE), lockfile.next);
    }
  } catch (error) {
    const failures = rollBack(done, createdDirs);
    const detail = failures.length > 0 ? `; could not restore: ${failures.join(", ")}` : "; every change was rolled back";
    throw new OperationError(`writing the target failed: ${(error as Error).message}${detail}`, { cause: error });
  }
  return { written: done.map((d) => d.op.path), lockfileWritten: lockfile.next !== lockfile.current };
}

function rollBack(done: { op: FileOp; absolute: string }[], createdDirs: string[]): string[] {
  const failures: string[] = [];
  for (const { op, absolute } of [...done].reverse()) {
    try {
      if (op.before === null) unlinkSync(absolute);
      else writeFileAtomic(absolute, op.before);
    } catch {
      failures.push(op.path);
    }
  }
  for (const dir of [...createdDirs].reverse()) {
    try {
      if (readdirSync(dir).length === 0) rmdirSync(dir);
    } catch {
      // leave a folder that cannot be removed; it holds nothing of ours
    }
  }
  return failures;
}
