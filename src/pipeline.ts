import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "./errors.js";
import { toolVersion } from "./package-root.js";
import { applyFileOps } from "./plan/apply.js";
import { baseFile } from "./plan/base-store.js";
import { readLockfile, serializeLockfile, type Lockfile } from "./plan/lockfile.js";
import { mergeHistory, migrationFiles, scanDeliveredSteps, withoutDeletedRepeats, type MigrationRecord } from "./plan/migrations.js";
import { planFileOps, planRemoval, type Plan, type PlanMode } from "./plan/plan.js";
import { acquireRunLock } from "./plan/run-lock.js";
import { TemplateEngine } from "./render/engine.js";
import type { AdoptionContext } from "./render/context.js";
import { renderIntegration, renderRemoval, type RenderedOutput } from "./render/render.js";
import { loadTemplateSet } from "./render/template-set.js";
import { readConfigFile, readRepoConfig, type RepoConfig } from "./repo/config.js";
import { loadRouteWiringFor } from "./plan/route-wiring.js";
import { refreshRouteTree, usesFileRoutes } from "./repo/tanstack.js";
import { resolveInside, type Target } from "./repo/target.js";
import type { IntegrationSpec } from "./spec/schema.js";
import type { SpecSource } from "./spec/source.js";

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
  return migrationFiles(resolveInside(target, config.paths.migrations))
    .map((name) => /^(\d{14})_/.exec(name)?.[1])
    .filter((v): v is string => v !== undefined);
}

/** The schema steps the app has received: the lockfile's history plus deliveries found on disk it lacks. */
export function migrationHistory(target: Target, config: RepoConfig, lock: Lockfile | null): MigrationRecord[] {
  const dir = config.paths.migrations;
  const history = mergeHistory(lock?.migrations ?? [], scanDeliveredSteps(resolveInside(target, dir), dir));
  return withoutDeletedRepeats(history, (file) => existsSync(resolveInside(target, file)));
}

function readCurrent(target: Target, paths: Iterable<string>): Map<string, string | null> {
  const current = new Map<string, string | null>();
  for (const relative of paths) {
    if (current.has(relative)) continue;
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

export interface RunOptions {
  mode: PlanMode;
  force: boolean;
  now?: Date;
  /** A team's template folder for this run (`--templates`), instead of the config's. */
  templatesDir?: string;
  /** `adopt`: the hand-written integration's rows (adoption migration) and the files it may replace. */
  adoption?: { context: AdoptionContext; replace: ReadonlySet<string> };
  /** The preset each integration came from, by id, recorded in the lockfile (spec/source.ts). */
  sources?: Readonly<Record<string, SpecSource | undefined>>;
}

export interface PipelineState {
  config: RepoConfig;
  lock: Lockfile | null;
  lockText: string | null;
  plan: Plan;
  nextLockText: string;
}

export function readTargetState(target: Target): { config: RepoConfig; lock: Lockfile | null; lockText: string | null } {
  const config = readRepoConfig(target.root);
  const { lock, text } = readLockfile(target.root);
  return { config, lock, lockText: text };
}

/** The team's template folder: `--templates` (from the working directory) or the config's (from the target). */
export function customTemplates(target: Target, config: RepoConfig, flag?: string): { dir: string; display: string } | undefined {
  if (flag !== undefined) return { dir: path.resolve(flag), display: flag };
  if (config.templates !== null) return { dir: resolveInside(target, config.templates, "templates"), display: config.templates };
  return undefined;
}

/**
 * An app whose schema nexus-integrate 0.1 wrote (before schema steps): its tables are `public.user_integrations`,
 * `public.oauth_tokens` …, with its users' tokens in them. This version has no step that moves them yet, so it
 * writes nothing there rather than a history `supabase db push` stops at.
 */
function refuseSchemaOfVersion01(target: Target, config: RepoConfig, lock: Lockfile | null): void {
  const recorded = [...(lock?.shared.outputs ?? []), ...Object.values(lock?.integrations ?? {}).flatMap((e) => e.outputs)].find((o) =>
    o.template.includes("{{timestamp}}"),
  );
  const unmarked = migrationFiles(resolveInside(target, config.paths.migrations)).find((name) => name.endsWith("_nexus_integrations_base.sql"));
  const file = recorded?.path ?? (unmarked !== undefined ? `${config.paths.migrations}/${unmarked}` : undefined);
  if (file === undefined) return;
  throw new UsageError("this app's schema was generated by nexus-integrate 0.1, which this version cannot move yet; nothing was written", [
    {
      path: file,
      message:
        "0.1 kept tokens in public.oauth_tokens; this version keeps them in the nexus_integrate schema and has no step that moves 0.1's rows. Keep using 0.1 for this app for now, or remove its integrations with 0.1 and generate them again with this version (their users reconnect)",
    },
  ]);
}

/** spec(s) → render → plan. Reads the target; writes nothing. */
export function planRun(target: Target, specs: IntegrationSpec[], options: RunOptions): PipelineState {
  const { config, lock, lockText } = readTargetState(target);
  refuseSchemaOfVersion01(target, config, lock);
  const version = toolVersion();
  const engine = new TemplateEngine();
  const existing = migrationVersions(target, config);
  const now = options.now ?? generationTime();
  const rendered: RenderedOutput[] = [];
  const seenShared = new Set<string>();
  const custom = customTemplates(target, config, options.templatesDir);
  const history = migrationHistory(target, config, lock);
  for (const spec of specs) {
    const outputs = renderIntegration(
      {
        spec,
        templates: loadTemplateSet(spec.template, custom?.dir, custom?.display),
        config,
        version,
        history,
        existingMigrationVersions: existing,
        now,
        renderedShared: seenShared,
        ...(options.adoption ? { adoption: options.adoption.context } : {}),
      },
      engine,
    );
    for (const output of outputs) {
      if (output.owner === "shared") {
        if (seenShared.has(output.template)) continue;
        seenShared.add(output.template);
      }
      rendered.push(output);
      if (output.step !== null) existing.push(path.basename(output.path).slice(0, 14));
    }
  }
  const previous = specs.flatMap((spec) => (lock?.integrations[spec.id]?.outputs ?? []).filter((o) => o.kind === "file").map((o) => o.path));
  const current = readCurrent(target, [...rendered.map((o) => o.path), ...new Set(rendered.map((o) => baseFile(o.owner))), ...previous]);
  const plan = planFileOps({
    rendered,
    current,
    lock,
    entries: specs.map((spec) => ({
      id: spec.id,
      templateSet: spec.template,
      spec: spec as unknown as Record<string, unknown>,
      ...(options.sources?.[spec.id] ? { source: options.sources[spec.id]! } : {}),
      ...(options.adoption
        ? { adopted: { legacyProvider: options.adoption.context.legacyProvider, legacyIntegrationId: options.adoption.context.legacyIntegrationId } }
        : {}),
    })),
    version,
    mode: options.mode,
    force: options.force,
    history,
    ...(options.adoption ? { adoptable: options.adoption.replace } : {}),
  });
  return { config, lock, lockText, plan, nextLockText: serializeLockfile(plan.nextLock) };
}

/** The removal plan for one installed integration. */
export function planRemove(target: Target, spec: IntegrationSpec, options: { force: boolean; now?: Date }): PipelineState {
  const { config, lock, lockText } = readTargetState(target);
  if (!lock?.integrations[spec.id]) throw new Error(`internal: ${spec.id} is not installed`);
  refuseSchemaOfVersion01(target, config, lock);
  const version = toolVersion();
  const removeShared = Object.keys(lock.integrations).length === 1;
  const custom = customTemplates(target, config);
  const history = migrationHistory(target, config, lock);
  const create = renderRemoval({
    spec,
    templates: loadTemplateSet(lock.integrations[spec.id]!.templateSet, custom?.dir, custom?.display),
    config,
    version,
    history,
    existingMigrationVersions: migrationVersions(target, config),
    now: options.now ?? generationTime(),
  });
  const owned = [
    ...lock.integrations[spec.id]!.outputs.map((o) => ({ ...o, owner: spec.id })),
    ...(removeShared ? lock.shared.outputs.map((o) => ({ ...o, owner: "shared" })) : []),
  ];
  const current = readCurrent(target, [...owned.map((o) => o.path), baseFile(spec.id), baseFile("shared")]);
  const plan = planRemoval({ id: spec.id, lock, current, removeShared, create, history, force: options.force, version });
  return { config, lock, lockText, plan, nextLockText: serializeLockfile(plan.nextLock) };
}

/** Loads what planning needs that is not loaded up front: the router code-mod, when the app's router has no markers. */
export async function preparePlanning(target: Target): Promise<void> {
  const lockFile = path.join(target.root, "nexus-integrate.lock.json");
  await loadRouteWiringFor(target.root, readConfigFile(target.root).paths.router, existsSync(lockFile) ? readFileSync(lockFile, "utf8") : null);
}

/**
 * plan → apply: the only write path, under the target's run lock. With TanStack Router's file routes, the app's
 * route tree is then regenerated by the app's own generator when route files were written or removed; what that
 * did (or why it could not, and what to run instead) comes back as notes for the report.
 */
export async function applyRun(target: Target, state: PipelineState): Promise<string[]> {
  applyFileOps(target, state.plan.ops, { next: state.nextLockText, current: state.lockText });
  const routes = `${state.config.paths.routes}/`;
  const touched = state.plan.ops.some((op) => op.path.startsWith(routes) && (op.action === "create" || op.action === "update" || op.action === "merge" || op.action === "delete"));
  if (!usesFileRoutes(state.config) || !touched) return [];
  const outcome = await refreshRouteTree(target.root, state.config);
  if (outcome.ok) return [`${outcome.file} ${outcome.changed ? "regenerated" : "already current"}: the app's @tanstack/router-generator read the route files in ${state.config.paths.routes}/ (what \`vite dev\` does)`];
  return [`warning: ${outcome.file} was not regenerated: ${outcome.reason}; until it is, tsc does not know the new routes`];
}

export function withRunLock<T>(target: Target, fn: () => Promise<T>): Promise<T> {
  const release = acquireRunLock(target);
  return fn().finally(release);
}
