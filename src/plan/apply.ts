import { randomBytes } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fromSystemError, OperationError } from "../errors.js";
import { resolveInside, type Target } from "../repo/target.js";
import { STATE_DIR } from "./base-store.js";
import { sha256 } from "./hash.js";
import { isProcessAlive } from "./process-alive.js";
import { LOCKFILE } from "./lockfile.js";
import type { FileOp } from "./plan.js";

/**
 * The only code that writes to the target. Each file is written to a temp file in its own folder and renamed
 * over the old one, so a reader (or a crash) sees the old or the new content, never a part. If a step fails,
 * the files already replaced are put back. A journal (what is being written, with old and new hashes) is
 * written before the first rename and removed after the lockfile, which is written last. The next run never
 * trusts it: a file a killed run already replaced equals the new render and counts as unchanged, one it did not
 * reach still matches the lockfile and is updated.
 */

export const JOURNAL = `${STATE_DIR}/journal.json`;
const TEMP_PATTERN = /^\..+\.nexus-(\d+)-[0-9a-f]{8}\.tmp$/;

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

/** Removes temp files that a killed run left in `dir`. */
function sweepTempFiles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = TEMP_PATTERN.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !isProcessAlive(Number(pid))) {
      try {
        unlinkSync(path.join(dir, name));
      } catch {
        // already gone
      }
    }
  }
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Creates missing folders, returning the ones it created (outermost first). */
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
    slowDownForTests();
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

/** Test hook: NEXUS_INTEGRATE_SLOW_APPLY_MS widens the window between writes for the crash tests. */
function slowDownForTests(): void {
  const ms = Number(process.env.NEXUS_INTEGRATE_SLOW_APPLY_MS);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface Journal {
  pid: number;
  files: Record<string, { before: string | null; after: string | null }>;
}

export interface ApplyResult {
  written: string[];
  lockfileWritten: boolean;
}

/** `lockfile` is left out by commands that do not change it (templates eject). */
export function applyFileOps(target: Target, ops: FileOp[], lockfile?: { next: string; current: string | null }): ApplyResult {
  if (ops.some((op) => op.action === "conflict")) throw new Error("internal: applyFileOps called with conflicts");
  const changes = ops.filter((op) => op.after !== op.before && (op.action !== "keep" && op.action !== "unchanged"));
  const lockChanged = lockfile !== undefined && lockfile.next !== lockfile.current;
  // Leftovers of a killed run (the caller holds the run lock, so they are stale): temp files next to the
  // lockfile and the journal, and the journal itself once everything it covered is in place.
  sweepTempFiles(target.root);
  sweepTempFiles(path.join(target.root, STATE_DIR));
  if (changes.length === 0 && !lockChanged) {
    try {
      unlinkSync(path.join(target.root, JOURNAL));
    } catch {
      // no journal
    }
    return { written: [], lockfileWritten: false };
  }

  const createdDirs: string[] = [];
  const done: { op: FileOp; absolute: string }[] = [];
  const journalPath = path.join(target.root, JOURNAL);
  /** The file being written when something failed (a write goes through a temp file beside it). */
  let writing: string | undefined;
  try {
    createdDirs.push(...ensureDir(path.dirname(journalPath), target.root));
    const journal: Journal = {
      pid: process.pid,
      files: Object.fromEntries(
        changes.map((op) => [op.path, { before: op.before === null ? null : sha256(op.before), after: op.after === null ? null : sha256(op.after) }]),
      ),
    };
    sweepTempFiles(path.dirname(journalPath));
    writeFileAtomic(journalPath, `${JSON.stringify(journal)}\n`);
    const swept = new Set<string>([path.dirname(journalPath)]);
    for (const op of changes) {
      const absolute = resolveInside(target, op.path);
      writing = absolute;
      const dir = path.dirname(absolute);
      if (!swept.has(dir)) {
        sweepTempFiles(dir);
        swept.add(dir);
      }
      // The plan was made from what was on disk then (maybe before a confirmation prompt): never overwrite
      // a change made since.
      if (readIfExists(absolute) !== op.before) {
        throw new Error(`${op.path} changed while nexus-integrate was running; run it again`);
      }
      if (op.after === null) {
        unlinkSync(absolute);
      } else {
        createdDirs.push(...ensureDir(dir, target.root));
        writeFileAtomic(absolute, op.after);
      }
      done.push({ op, absolute });
    }
    if (lockChanged) writeFileAtomic(path.join(target.root, LOCKFILE), lockfile!.next);
    unlinkSync(journalPath);
  } catch (error) {
    const failures = rollBack(done, createdDirs);
    try {
      unlinkSync(journalPath);
    } catch {
      // no journal was written
    }
    const detail = failures.length > 0 ? `; could not restore: ${failures.join(", ")}` : "; every change was rolled back";
    // Name the file being written, not its temp file; the folder it goes in is what to check.
    const system = fromSystemError(
      writing !== undefined && (error as NodeJS.ErrnoException).path !== undefined
        ? Object.assign(new Error((error as Error).message), { code: (error as NodeJS.ErrnoException).code, path: writing, syscall: "rename" })
        : error,
    );
    if (system) throw new OperationError(`${system.message.replace(/; nothing was changed$/, "")}${detail}`, { cause: error, ...(system.path ? { path: system.path } : {}) });
    throw new OperationError(`writing the target failed: ${(error as Error).message}${detail}`, { cause: error });
  }
  removeEmptyDirs(done.filter((d) => d.op.after === null).map((d) => path.dirname(d.absolute)), target.root);
  return { written: done.map((d) => d.op.path), lockfileWritten: lockChanged };
}

/** After deletions: folders the tool emptied are removed too (up to the target root). */
function removeEmptyDirs(dirs: string[], root: string): void {
  for (const start of [...new Set(dirs)].sort((a, b) => b.length - a.length)) {
    let dir = start;
    while (dir !== root && dir.startsWith(root)) {
      try {
        if (readdirSync(dir).length > 0) break;
        rmdirSync(dir);
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }
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
