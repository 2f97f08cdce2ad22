import { closeSync, openSync, readdirSync, readSync } from "node:fs";
import path from "node:path";

/**
 * The generator's SQL is a sequence of named steps (the Rails-engine pattern): each step is delivered into the
 * app's migrations once, as one migration file. The lockfile keeps the delivery history (`migrations`), which
 * outlives every integration: `remove` then `new` delivers no shared step twice. An integration's `remove`
 * step ends its deliveries: after it, the integration's own steps are due again (its tables were dropped).
 *
 * Each delivered file starts with a marker line naming its step, so a delivery whose lockfile write never
 * happened (a killed run) is still found on disk and never delivered a second time.
 */
export interface MigrationRecord {
  /** `shared` or the integration id. */
  owner: string;
  /** `001_schema`, `001_integration`, `002_webhooks`, `adopt` or `remove`. */
  step: string;
  /** The migration file, relative to the app root. */
  file: string;
}

export const REMOVAL_STEP = "remove";

const MARKER = /^-- nexus-integrate step: ([a-z][a-z0-9-]*)\/(\d{3}_[a-z][a-z0-9_]*|remove|adopt)\r?$/;

/** The first line of a delivered migration. */
export function stepMarker(owner: string, step: string): string {
  return `-- nexus-integrate step: ${owner}/${step}`;
}

/** The step a migration's text says it delivers, or null. */
export function parseStepMarker(text: string): { owner: string; step: string } | null {
  const firstLine = text.slice(0, text.indexOf("\n") === -1 ? text.length : text.indexOf("\n"));
  const match = MARKER.exec(firstLine);
  return match ? { owner: match[1]!, step: match[2]! } : null;
}

/** Names of the `.sql` files in the migrations folder (empty when it does not exist). */
export function migrationFiles(absoluteDir: string): string[] {
  try {
    return readdirSync(absoluteDir)
      .filter((name) => name.endsWith(".sql"))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** Every migration in the folder that carries a step marker (only each file's first line is read). */
export function scanDeliveredSteps(absoluteDir: string, relativeDir: string): MigrationRecord[] {
  const found: MigrationRecord[] = [];
  const buffer = Buffer.alloc(200);
  for (const name of migrationFiles(absoluteDir)) {
    const fd = openSync(path.join(absoluteDir, name), "r");
    let read: number;
    try {
      read = readSync(fd, buffer, 0, buffer.length, 0);
    } finally {
      closeSync(fd);
    }
    const marker = parseStepMarker(buffer.subarray(0, read).toString("utf8"));
    if (marker) found.push({ ...marker, file: `${relativeDir}/${name}` });
  }
  return found;
}

function byFile(a: MigrationRecord, b: MigrationRecord): number {
  const fa = path.posix.basename(a.file);
  const fb = path.posix.basename(b.file);
  return fa < fb ? -1 : fa > fb ? 1 : a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0;
}

/**
 * The lockfile's history with the deliveries found on disk that it does not list, in migration order. A recorded
 * file that is gone while an unrecorded file carries the same step was renamed (a later timestamp after a
 * rebase, say): the record follows it.
 */
export function mergeHistory(recorded: readonly MigrationRecord[], onDisk: readonly MigrationRecord[]): MigrationRecord[] {
  const onDiskFiles = new Set(onDisk.map((r) => r.file));
  const recordedFiles = new Set(recorded.map((r) => r.file));
  const unrecorded = onDisk.filter((r) => !recordedFiles.has(r.file));
  const followed = recorded.map((record) => {
    if (onDiskFiles.has(record.file)) return record;
    const renamed = unrecorded.filter((r) => r.owner === record.owner && r.step === record.step);
    if (renamed.length !== 1) return record;
    unrecorded.splice(unrecorded.indexOf(renamed[0]!), 1);
    return { ...record, file: renamed[0]!.file };
  });
  return [...followed, ...unrecorded].sort(byFile);
}

/** Canonical order of a history (migration order). */
export function sortHistory(history: readonly MigrationRecord[]): MigrationRecord[] {
  return [...history].sort(byFile);
}

/** Deliveries of `owner` since its last removal: the steps it currently has. */
export function currentDeliveries(history: readonly MigrationRecord[], owner: string): MigrationRecord[] {
  const own = sortHistory(history.filter((r) => r.owner === owner));
  const lastRemoval = own.map((r) => r.step).lastIndexOf(REMOVAL_STEP);
  return own.slice(lastRemoval + 1);
}

export function deliveredSteps(history: readonly MigrationRecord[], owner: string): Set<string> {
  return new Set(currentDeliveries(history, owner).map((r) => r.step));
}

/** Steps delivered more than once without a removal between: the later file repeats the earlier one. */
export function repeatedDeliveries(history: readonly MigrationRecord[]): { first: MigrationRecord; repeat: MigrationRecord }[] {
  const out: { first: MigrationRecord; repeat: MigrationRecord }[] = [];
  for (const owner of [...new Set(history.map((r) => r.owner))].sort()) {
    const seen = new Map<string, MigrationRecord>();
    for (const record of sortHistory(history.filter((r) => r.owner === owner))) {
      if (record.step === REMOVAL_STEP) {
        seen.clear();
        continue;
      }
      const first = seen.get(record.step);
      if (first) out.push({ first, repeat: record });
      else seen.set(record.step, record);
    }
  }
  return out;
}

/** The history without repeated deliveries whose file was deleted (doctor's fix for a step delivered twice). */
export function withoutDeletedRepeats(history: readonly MigrationRecord[], exists: (file: string) => boolean): MigrationRecord[] {
  const gone = new Set(repeatedDeliveries(history).map(({ repeat }) => repeat).filter((record) => !exists(record.file)));
  return history.filter((record) => !gone.has(record));
}
