import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "./errors.js";
import { toolVersion } from "./package-root.js";
import { applyFileOps } from "./plan/apply.js";
import { readLockfile, serializeLockfile, type Lockfile } from "./plan/lockfile.js";
import { planFileOps, type Plan } from "./plan/plan.js";
import { renderIntegration } from "./render/render.js";
import { loadTemplateSet } from "./render/template-set.js";
import { readRepoConfig, type RepoConfig } from "./repo/config.js";
import { resolveInside, type Target } from "./repo/target.js";
import type { IntegrationSpec } from "./spec/schema.js";

/** The clock for new migration names: SOURCE_DATE_EPOCH (seconds) when set, so builds reproduce. */
export function generationTime(env: NodeJS.ProcessEnv = process.env): Date {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === "") return new Date();
  if (!/^\d{1,12}$/.test(raw)) {
    throw new UsageError("SOURCE_DATE_EPOCH is not valid", [
      { path: "SOURCE_DATE_EPOCH", message: `"${raw}" must be a whole number of seconds since 1970` },
    ]);
  }
  return new Date(Number(raw) * 1000);
}

function migrationVersions(target: Target, config: RepoConfig): string[] {
  try {
    return readdirSync(resolveInside(target, config.paths.migrations))
      .map((name) => /^(\d{14})_/.exec(name)?.[1])
      .filter((v): v is string => v !== undefined);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

function readCurrent(target: Target, paths: string[]): Map<string, string | null> {
  const current = new Map<string, string | null>();
  for (const relative of paths) {
    const absolute = resolveInside(target, relative);
    try {
      current.set(relative, readFileSync(absolute, "utf8"));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") current.set(relative, null);
      else if (code === "EISDIR") {
        throw new UsageError("output path is a folder", [{ path: relative, message: "a folder stands where a file would be written" }]);
      } else throw error;
    }
  }
  return current;
}

export interface PipelineOptions {
  force: boolean;
  now?: Date;
}

export interface PipelineState {
  config: RepoConfig;
  lock: Lockfile | null;
  lockText: string | null;
  plan: Plan;
  nextLockText: string;
}

/** spec → render → plan. Reads the target; writes nothing. */
export function planIntegration(target: Target, spec: IntegrationSpec, options: PipelineOptions): PipelineState {
  const config = readRepoConfig(target.root);
  const { lock, text: lockText } = readLockfile(target.root);
  const version = toolVersion();
  const templates = loadTemplateSet(spec.template);
  const rendered = renderIntegration({
    spec,
    templates,
    config,
    version,
    previous: lock,
    existingMigrationVersions: migrationVersions(target, config),
    now: options.now ?? generationTime(),
  });
  const current = readCurrent(
    target,
    rendered.map((output) => output.path),
  );
  const plan = planFileOps({ rendered, current, lock, spec, version, force: options.force });
  return { config, lock, lockText, plan, nextLockText: serializeLockfile(plan.nextLock) };
}

/** plan → apply: the only write path. */
export function applyIntegration(target: Target, state: PipelineState): void {
  applyFileOps(target, state.plan.ops, { next: state.nextLockText, current: state.lockText });
}

export function relativeToCwd(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative === "" ? "." : relative.startsWith("..") ? dir : relative;
}
