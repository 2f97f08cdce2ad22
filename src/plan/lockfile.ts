import { readFileSync } from "node:fs";
import path from "node:path";
import * as z from "zod";
import { UsageError } from "../errors.js";
import { zodIssuesToFieldIssues } from "../spec/schema.js";
import { sortHistory } from "./migrations.js";

export const LOCKFILE = "nexus-integrate.lock.json";
export const LOCKFILE_VERSION = 1;

const lockedOutputSchema = z.strictObject({
  path: z.string(),
  kind: z.enum(["file", "block", "scaffold"]),
  /** For a block in a marked region: the region. */
  region: z.string().optional(),
  /** A block wired into an app file by a code-mod (no markers): removed by its inverse, not by markers. */
  wiring: z.literal("ast").optional(),
  template: z.string(),
  /** sha256 of what the tool wrote: the whole file, or a block's inner lines. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The template that produced it: `builtin@<version>` or a team template's path, and its sha256. */
  source: z.string().optional(),
  templateSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

const migrationRecordSchema = z.strictObject({
  owner: z.string(),
  step: z.string(),
  file: z.string(),
});

const lockfileSchema = z.strictObject({
  lockfileVersion: z.literal(LOCKFILE_VERSION),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  /**
   * Schema steps delivered into the app's migrations, in migration order: kept when integrations are removed,
   * so no step is delivered twice (see plan/migrations.ts).
   */
  migrations: z.array(migrationRecordSchema).default([]),
  shared: z.strictObject({ outputs: z.array(lockedOutputSchema) }),
  integrations: z.record(
    z.string(),
    z.strictObject({
      templateSet: z.string(),
      /** The resolved spec, re-validated by whoever reads it. */
      spec: z.record(z.string(), z.unknown()),
      outputs: z.array(lockedOutputSchema),
      /** `adopt`: how the hand-written integration's rows are told apart in the app's own tables. */
      adopted: z.strictObject({ legacyProvider: z.string(), legacyIntegrationId: z.string().nullable() }).optional(),
      /** The preset it came from, with the user's variables and values over it (see spec/source.ts). */
      source: z
        .strictObject({
          preset: z.string(),
          variables: z.record(z.string(), z.string()),
          overrides: z.record(z.string(), z.unknown()),
        })
        .optional(),
    }),
  ),
});

export type LockedOutput = z.infer<typeof lockedOutputSchema>;
export type Lockfile = z.infer<typeof lockfileSchema>;

/** The owner of the outputs every integration shares (written once). */
export const SHARED_OWNER = "shared";

/** What the lockfile records for an owner: `shared` or an integration id. */
export function lockedOutputsOf(lock: Lockfile | null, owner: string): LockedOutput[] | undefined {
  return owner === SHARED_OWNER ? lock?.shared.outputs : lock?.integrations[owner]?.outputs;
}

export function emptyLockfile(version: string): Lockfile {
  return {
    lockfileVersion: LOCKFILE_VERSION,
    tool: { name: "nexus-integrate", version },
    migrations: [],
    shared: { outputs: [] },
    integrations: {},
  };
}

export function parseLockfile(text: string): Lockfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${LOCKFILE} does not parse`, [{ path: LOCKFILE, message: (error as Error).message }]);
  }
  const parsed = lockfileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(
      `${LOCKFILE} is not a lockfile this version understands`,
      zodIssuesToFieldIssues(parsed.error).map((issue) => ({ ...issue, path: `${LOCKFILE}: ${issue.path}` })),
    );
  }
  return parsed.data;
}

/** Reads the target's lockfile; `null` when there is none yet. */
export function readLockfile(root: string): { lock: Lockfile | null; text: string | null } {
  let text: string;
  try {
    text = readFileSync(path.join(root, LOCKFILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { lock: null, text: null };
    throw error;
  }
  return { lock: parseLockfile(text), text };
}

/** Object keys sorted at every depth (arrays keep their order): the canonical form of recorded data. */
export function sortKeysDeep<T>(value: T): T;
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeysDeep((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Deterministic text: sorted keys, outputs sorted by path, two-space indent, final newline. */
export function serializeLockfile(lock: Lockfile): string {
  const normalized: Lockfile = {
    ...lock,
    migrations: sortHistory(lock.migrations),
    shared: { outputs: [...lock.shared.outputs].sort(byPath) },
    integrations: Object.fromEntries(
      Object.entries(lock.integrations).map(([id, entry]) => [id, { ...entry, outputs: [...entry.outputs].sort(byPath) }]),
    ),
  };
  return `${JSON.stringify(sortKeysDeep(normalized), null, 2)}\n`;
}

function byPath(a: LockedOutput, b: LockedOutput): number {
  return a.path === b.path ? a.template.localeCompare(b.template) : a.path < b.path ? -1 : 1;
}
