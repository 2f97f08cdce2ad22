import { hostname } from "node:os";
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { OperationError } from "../errors.js";
import type { Target } from "../repo/target.js";
import { STATE_DIR } from "./base-store.js";
import { isProcessAlive } from "./process-alive.js";

/**
 * One writer at a time: `.nexus-integrate/run.lock` holds the pid of the run that writes. A second run
 * fails (exit 1) while that process lives; a lock whose process is gone (a crash, SIGKILL) is stale and is
 * taken over. Released on exit, including Ctrl-C.
 */
export const RUN_LOCK = `${STATE_DIR}/run.lock`;

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

function readInfo(file: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockInfo;
  } catch {
    return null;
  }
}

export function acquireRunLock(target: Target): () => void {
  const file = path.join(target.root, RUN_LOCK);
  // A run that ends without writing (refused, declined, failed) leaves no trace: a state folder this run
  // created is removed again when it is still empty.
  const createdDir = mkdirSync(path.dirname(file), { recursive: true }) !== undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o644);
      const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
      writeSync(fd, `${JSON.stringify(info)}\n`);
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        try {
          if (readInfo(file)?.pid === process.pid) unlinkSync(file);
        } catch {
          // already gone
        }
        if (createdDir) {
          try {
            rmdirSync(path.dirname(file));
          } catch {
            // not empty: the run wrote its state there
          }
        }
      };
      process.on("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readInfo(file);
    if (holder && holder.host === hostname() && !isProcessAlive(holder.pid)) {
      // Stale: move it aside (only one contender's rename succeeds), then try again. If what was moved is no
      // longer the stale lock (another run took over in between), put it back.
      const aside = `${file}.stale-${process.pid}`;
      try {
        renameSync(file, aside);
        if (readInfo(aside)?.pid === holder.pid) unlinkSync(aside);
        else renameSync(aside, file);
      } catch {
        // another run took it over first
      }
      continue;
    }
    if (holder === null) {
      // Being written this instant by another run: give it a moment.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      continue;
    }
    throw new OperationError(
      `another nexus-integrate run (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}) is writing to this target; wait for it to finish (or delete ${RUN_LOCK} if that process is gone)`,
    );
  }
  throw new OperationError(`could not take ${RUN_LOCK}; try again`);
}
