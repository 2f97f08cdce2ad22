import type { RenderedOutput } from "../render/render.js";
import { SHARED_OWNER } from "../render/render.js";
import { baseFile, baseKey, parseBaseFile, serializeBaseFile } from "./base-store.js";
import { blockIndex, blockMarkers, findBlock, regionSnippet, removeBlock, upsertBlock } from "./blocks.js";
import { sha256 } from "./hash.js";
import { emptyLockfile, lockedOutputsOf, type LockedOutput, type Lockfile } from "./lockfile.js";
import { conflictHunks, hasConflictMarkers, mergeThreeWay } from "./merge.js";
import { sortHistory, type MigrationRecord } from "./migrations.js";
import { routeWiring } from "./route-wiring.js";
import type { RouteWiring } from "./wire-routes.js";
import type { SpecSource } from "../spec/source.js";

/**
 * Planning is pure: from what the templates render, what is on disk, the merge bases and the lockfile, it
 * decides what happens to every path. Nothing here reads or writes files.
 */

export type FileAction = "create" | "update" | "merge" | "unchanged" | "conflict" | "delete" | "keep";

export interface FileOp {
  path: string;
  action: FileAction;
  /** Current content; null when the file does not exist. */
  before: string | null;
  /** Content after the run; null deletes the file. For a conflict: what `--force` would write. */
  after: string | null;
  kind: "file" | "block";
  /** True when `--force` turned a conflict into a write. */
  forced: boolean;
  /** Why an op is a conflict, forced, kept or merged. */
  reason?: string;
  /** Both sides of each overlapping change (3-way conflicts). */
  hunks?: { ours: string; theirs: string }[];
  /** Bookkeeping under .nexus-integrate/ (merge bases): written like any file, not listed to users. */
  internal?: boolean;
  /** Code to paste by hand where a file has no marked region for a block. */
  snippets?: string[];
  /** A conflict over a file nexus-integrate never wrote (the app's own). */
  foreign?: boolean;
  /** For a migration: the schema step it delivers (`shared/001_schema`). */
  step?: string;
}

export interface Plan {
  ops: FileOp[];
  nextLock: Lockfile;
  conflicts: FileOp[];
}

export type PlanMode = "new" | "regenerate";

export interface IntegrationEntry {
  id: string;
  templateSet: string;
  spec: Record<string, unknown>;
  /** `adopt`: the hand-written integration's rows in the app's tables (kept by later runs). */
  adopted?: { legacyProvider: string; legacyIntegrationId: string | null };
  /** The preset it came from (spec/source.ts); none for a provider described in full. */
  source?: SpecSource;
}

export interface PlanInput {
  rendered: RenderedOutput[];
  /** Current content of every rendered path and base path (null when absent), read before planning. */
  current: ReadonlyMap<string, string | null>;
  lock: Lockfile | null;
  /** The integrations this run (re)generates; their lockfile entries are replaced. */
  entries: IntegrationEntry[];
  /** Schema steps the app has received (lockfile and disk); this run's deliveries are added to it. */
  history: readonly MigrationRecord[];
  /** `adopt`: paths of the hand-written integration's files, which generated files may replace. */
  adoptable?: ReadonlySet<string>;
  version: string;
  mode: PlanMode;
  force: boolean;
}

function recordedFor(lock: Lockfile | null, output: { owner: string; template: string; path: string }): LockedOutput | undefined {
  return lockedOutputsOf(lock, output.owner)?.find((o) => o.template === output.template && o.path === output.path);
}

interface Decision {
  /** The content this output should have after the run; null leaves the output alone. */
  content: string | null;
  action: FileAction;
  conflict?: string;
  /** The conflict is over content nexus-integrate never wrote. */
  foreign?: boolean;
  reason?: string;
  hunks?: { ours: string; theirs: string }[];
  /** The merge base to record (what the template produced). */
  nextBase: string;
}

/**
 * Per-provider front-end files whose logic moved into shared, generator-owned components: template key → the
 * shared module, and what the whole component the earlier version generated looks like.
 */
const MOVED_TO_SHARED: Record<string, { shared: string; before: RegExp }> = {
  "integration/src/components/integrations/{{pascal}}Setup.tsx.hbs": { shared: "IntegrationSetup", before: /const initiateOAuth = async/ },
  "integration/src/pages/integrations/{{pascal}}CallbackPage.tsx.hbs": { shared: "IntegrationCallback", before: /const handleCallback = async/ },
  "integration/src/components/integrations/{{pascal}}Dashboard.tsx.hbs": { shared: "IntegrationDashboard", before: /function summary\(data: unknown\)/ },
  "integration/src/hooks/use{{pascal}}Data.ts.hbs": { shared: "useIntegrationData", before: /const \[records, setRecords\] = useState/ },
  "integration/src/services/integrations/{{id}}/{{pascal}}Service.ts.hbs": { shared: "IntegrationService", before: /export class \w+Service \{/ },
};

/** What moved, when this output's earlier version was the whole component and the template is now the thin file. */
function movedToShared(output: RenderedOutput, earlier: string | null): string | null {
  const entry = MOVED_TO_SHARED[output.template];
  if (!entry || earlier === null || !entry.before.test(earlier) || entry.before.test(output.content)) return null;
  return `moved to the shared ${entry.shared} (nexus-integrate/ folder): this file now holds only ${output.owner}'s part`;
}

/** The heart of it: one output, three versions. */
export function decideOutput(input: {
  output: RenderedOutput;
  ours: string | null;
  base: string | null;
  recorded: LockedOutput | undefined;
  mode: PlanMode;
  /** `adopt`: this path holds the hand-written integration's file, which the generated one replaces. */
  adopting?: boolean;
}): Decision {
  const { output, ours, base, recorded, mode } = input;
  const theirs = output.content;
  // A migration is rendered only while its step is undelivered (delivered steps are history, never
  // rendered again), so it always goes to a new file; anything already at that path is not ours.
  if (ours === null) return { content: theirs, action: "create", nextBase: theirs };
  if (recorded !== undefined && hasConflictMarkers(ours)) {
    // Left by a forced merge: the file is not done until someone resolves it. Drift for --check.
    return {
      content: null,
      action: "conflict",
      conflict: "has unresolved conflict markers (<<<<<<< … >>>>>>>): resolve them, then run regenerate again",
      nextBase: base ?? theirs,
    };
  }
  if (ours === theirs) return { content: theirs, action: "unchanged", nextBase: theirs };
  if (!recorded && input.adopting) return { content: theirs, action: "update", reason: "replaces the hand-written file", nextBase: theirs };
  const oursHash = sha256(ours);
  const untouched =
    (recorded !== undefined && recorded.sha256 === oursHash) || (base !== null && base === ours);
  if (untouched) {
    const moved = movedToShared(output, base ?? ours);
    return { content: theirs, action: "update", ...(moved ? { reason: moved } : {}), nextBase: theirs };
  }
  if (mode === "new" || base === null) {
    return {
      content: theirs,
      action: "conflict",
      ...(!recorded ? { foreign: true } : {}),
      conflict: !recorded
        ? "exists and was not written by nexus-integrate"
        : base === null && mode === "regenerate"
          ? "was edited and has no merge base to merge with"
          : "was edited since nexus-integrate wrote it",
      nextBase: theirs,
    };
  }
  if (theirs === base) return { content: ours, action: "unchanged", reason: "your edits are kept", nextBase: base };
  const merged = mergeThreeWay(base, ours, theirs);
  const moved = movedToShared(output, base);
  if (merged.clean) return { content: merged.text, action: "merge", reason: moved ? `${moved}; merged with your edits` : "merged with your edits", nextBase: theirs };
  if (moved) {
    // The whole component the user edited still works (utils.ts keeps the names it imports): it stays theirs.
    return {
      content: ours,
      action: "keep",
      reason: `${moved}; you edited this file, so it is kept as it is (it still compiles) — to move to the thin file, carry your change over as props or children of the shared component, or run regenerate --force`,
      nextBase: theirs,
    };
  }
  return {
    content: merged.text,
    action: "conflict",
    conflict: "your edits overlap the template's changes",
    hunks: conflictHunks(merged.text),
    nextBase: theirs,
  };
}

/** The regions of a router file: without their markers, the code-mod wires routes instead. */
const ROUTER_REGIONS = ["routes", "route-imports"];

type WireOutcome =
  | { kind: "wired"; text: string }
  | { kind: "edited"; text: string; reason: string }
  | { kind: "refused"; reason: string; snippets: string[] };

function wiringsOf(outputs: RenderedOutput[], content: (o: RenderedOutput) => string | null): Map<string, RouteWiring | null> {
  const byOwner = new Map<string, RouteWiring | null>();
  for (const output of outputs) {
    const wiring = byOwner.get(output.owner) ?? { imports: "", routes: "" };
    const text = content(output);
    if (text === null || wiring === null) {
      byOwner.set(output.owner, null);
      continue;
    }
    if (output.region === "routes") wiring.routes = text;
    else wiring.imports = text;
    byOwner.set(output.owner, wiring);
  }
  return byOwner;
}

/**
 * Each owner's routes into a router file without markers: what an earlier run wired (its merge base) is taken
 * out first when the template's routes changed, then this run's routes are wired (a route already there as it
 * would be is left alone).
 */
function wireRouterFile(
  before: string,
  filePath: string,
  outputs: RenderedOutput[],
  baseOf: (o: RenderedOutput) => string | null,
  mode: PlanMode,
): WireOutcome {
  let text = before;
  const { routedPaths, unwireRoutes, wireRoutes } = routeWiring();
  const current = wiringsOf(outputs, (o) => o.content);
  const previous = wiringsOf(outputs, baseOf);
  const edited: string[] = [];
  const toWire = new Map<string, RouteWiring>();
  for (const [owner, wiring] of current) {
    if (!wiring) continue;
    const old = previous.get(owner);
    const same = old && old.imports === wiring.imports && old.routes === wiring.routes;
    // Routes wired before whose template did not change: there, as the user may have edited them, they stay.
    if (same && mode === "regenerate" && routedPaths(text, [wiring]).length > 0) continue;
    if (mode === "regenerate" && old && !same) {
      const taken = unwireRoutes(text, [old]);
      if (!("reason" in taken)) {
        text = taken.text;
        edited.push(...taken.edited.map((route) => `${owner}: the route ${route} was changed since nexus-integrate added it`));
      }
    }
    toWire.set(owner, wiring);
  }
  const result = wireRoutes(text, [...toWire.values()]);
  if (!result.ok) {
    // Only what is not in the file yet is to paste.
    const missing = outputs.filter((o) => toWire.has(o.owner) && routedPaths(before, [toWire.get(o.owner)!]).length === 0);
    return {
      kind: "refused",
      reason: result.reason,
      snippets: missing.map((o) => regionSnippet(o.region!, o.owner, o.content, filePath)),
    };
  }
  if (edited.length > 0) return { kind: "edited", text: result.text, reason: edited.join("; ") };
  return { kind: "wired", text: result.text };
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function planFileOps(input: PlanInput): Plan {
  const { rendered, current, lock, force } = input;
  const byPath = new Map<string, RenderedOutput[]>();
  for (const output of rendered) {
    const list = byPath.get(output.path) ?? [];
    list.push(output);
    byPath.set(output.path, list);
  }

  const ops: FileOp[] = [];
  const baseOps: FileOp[] = [];
  const nextBases = new Map<RenderedOutput, string>();
  const basesByOwner = new Map<string, Record<string, string>>();
  const basesOf = (owner: string) => {
    let bases = basesByOwner.get(owner);
    if (!bases) {
      bases = parseBaseFile(current.get(baseFile(owner)) ?? null);
      basesByOwner.set(owner, bases);
    }
    return bases;
  };
  const conflictedMigration = new Set<RenderedOutput>();
  /** Scaffolds of files the app already had: not the tool's, so not recorded. */
  const unrecorded = new Set<RenderedOutput>();
  /** Route blocks wired by the code-mod (recorded as such, so remove uses its inverse). */
  const wired = new Set<RenderedOutput>();

  for (let [filePath, outputs] of [...byPath.entries()].sort(([a], [b]) => comparePaths(a, b))) {
    const before = current.get(filePath) ?? null;
    const first = outputs[0]!;
    const scaffolds = outputs.filter((o) => o.kind === "scaffold");
    outputs = outputs.filter((o) => o.kind !== "scaffold");
    const wholeFile = outputs.filter((o) => o.kind === "file");
    if (wholeFile.length > 1 || (wholeFile.length === 1 && outputs.length > 1)) {
      throw new Error(`internal: more than one template writes ${filePath}: ${outputs.map((o) => o.template).join(", ")}`);
    }
    const conflicts: string[] = [];
    const reasons: string[] = [];
    const missingRegions: string[] = [];
    const snippets: string[] = [];
    const hunks: { ours: string; theirs: string }[] = [];
    let merged = false;
    let kept = false;
    let foreign = false;
    let text = before;
    // A scaffold starts the file only when there is none; an existing one (the app's, or the one created earlier)
    // is left to its blocks. It is recorded only while it is the tool's (created now, or recorded before).
    for (const scaffold of scaffolds) {
      nextBases.set(scaffold, scaffold.content);
      if (before === null) {
        text = scaffold.content;
        reasons.push(outputs.some((o) => o.kind === "block") ? "the app had none: created for the blocks below" : "the app had none: created (the tool's while it stays as created)");
      } else if (!recordedFor(lock, scaffold)) unrecorded.add(scaffold);
    }
    // A router file without our markers: the routes go in through the code-mod (AST in, AST out).
    const routed = outputs.filter((o) => o.kind === "block" && ROUTER_REGIONS.includes(o.region ?? ""));
    const wiredBefore = routed.some((o) => recordedFor(lock, o)?.wiring === "ast");
    const marked = ROUTER_REGIONS.every((region) => before?.includes(`<nexus-integrate:${region}>`));
    // Once wired by the code-mod, a file stays so: markers added later are not filled (that would route twice).
    if (before !== null && routed.length > 0 && (!marked || wiredBefore)) {
      outputs = outputs.filter((o) => !routed.includes(o));
      const outcome = wireRouterFile(before, filePath, routed, (o) => basesOf(o.owner)[baseKey(o)] ?? null, input.mode);
      for (const output of routed) {
        // A refused wiring keeps the earlier base, so what was wired before can still be taken out.
        nextBases.set(output, outcome.kind === "refused" ? (basesOf(output.owner)[baseKey(output)] ?? output.content) : output.content);
        if (outcome.kind === "wired") wired.add(output);
        else if (recordedFor(lock, output)?.wiring === "ast") wired.add(output);
      }
      if (outcome.kind === "wired") {
        text = outcome.text;
        if (outcome.text !== before) reasons.push(`routes wired into ${filePath} (nexus-integrate remove takes them out)`);
      } else if (outcome.kind === "edited") {
        conflicts.push(outcome.reason);
        text = outcome.text;
      } else {
        reasons.push(`${filePath} was left as it is: ${outcome.reason}; paste the routes below, or set paths.router to the file with the app's routes`);
        snippets.push(...outcome.snippets);
      }
    }
    // Blocks of different owners and regions do not overlap: each is found in the file as it was.
    const blocksBefore = before === null ? null : blockIndex(before, filePath);
    for (const output of outputs) {
      let ours: string | null;
      if (output.kind === "file") ours = before;
      else {
        const found = blocksBefore === null ? ({ status: "absent" } as const) : blocksBefore(output.owner, output.region);
        if (found.status === "broken") {
          conflicts.push(found.reason);
          continue;
        }
        if (output.region === null && before !== null && !before.includes("nexus-integrate")) {
          // A file the app owns that never agreed to carry our blocks: show the block, touch nothing.
          nextBases.set(output, output.content);
          reasons.push('the file has no nexus-integrate markers: paste the block below (or add a "# nexus-integrate" comment line to let it append)');
          const { start, end } = blockMarkers(filePath, output.owner);
          snippets.push([start, output.content.replace(/\n$/, ""), end].join("\n"));
          continue;
        }
        if (found.status === "no-region" || (text === null && output.region !== null)) {
          // Never guess where code goes: say what to paste, and leave the file as it is.
          nextBases.set(output, output.content);
          if (found.status === "no-region") missingRegions.push(`<nexus-integrate:${output.region}>`);
          else reasons.push("file not found: create it with the snippet below");
          snippets.push(regionSnippet(output.region!, output.owner, output.content, filePath));
          continue;
        }
        ours = found.status === "found" ? found.inner : null;
      }
      const decision = decideOutput({
        output,
        ours,
        base: basesOf(output.owner)[baseKey(output)] ?? null,
        recorded: recordedFor(lock, output),
        mode: input.mode,
        adopting: output.kind === "file" && (input.adoptable?.has(output.path) ?? false),
      });
      nextBases.set(output, decision.nextBase);
      if (decision.foreign) foreign = true;
      if (decision.conflict) {
        conflicts.push(output.kind === "block" ? `${output.owner} block: ${decision.conflict}` : decision.conflict);
        if (output.step !== null) conflictedMigration.add(output);
      }
      if (decision.reason) reasons.push(decision.reason);
      if (output.step !== null && decision.action === "create") reasons.push(`delivers schema step ${output.owner}/${output.step}`);
      if (decision.hunks) hunks.push(...decision.hunks);
      if (decision.action === "merge") merged = true;
      if (decision.action === "keep") kept = true;
      if (decision.content !== null && decision.content !== ours) {
        text =
          output.kind === "file" ? decision.content : upsertBlock(text, filePath, output.owner, decision.content, output.region);
      }
    }
    if (missingRegions.length > 0) {
      const regions = [...new Set(missingRegions)];
      reasons.push(`no ${regions.join(" or ")} region${regions.length === 1 ? "" : "s"}: paste the snippet${snippets.length === 1 ? "" : "s"} below`);
    }
    const migrationConflict = outputs.some((o) => conflictedMigration.has(o));
    const conflicted = conflicts.length > 0 && (!force || migrationConflict);
    const after = text;
    const action: FileAction = conflicted
      ? "conflict"
      : (snippets.length > 0 || kept) && (after === null || after === before)
        ? "keep"
      : after === null || after === before
        ? "unchanged"
        : before === null
          ? "create"
          : merged
            ? "merge"
            : "update";
    ops.push({
      path: filePath,
      action,
      before,
      after: after ?? before,
      kind: wholeFile.length === 1 ? "file" : "block",
      forced: conflicts.length > 0 && !conflicted,
      ...(conflicts.length > 0
        ? { reason: [...new Set(conflicts)].join("; ") }
        : reasons.length > 0
          ? { reason: [...new Set(reasons)].join("; ") }
          : {}),
      ...(hunks.length > 0 ? { hunks } : {}),
      ...(snippets.length > 0 ? { snippets } : {}),
      ...(conflicted && foreign ? { foreign: true } : {}),
      ...(first.step !== null ? { step: `${first.owner}/${first.step}` } : {}),
    });
  }

  // Files an integration's templates no longer produce (a preset that lost its webhooks): deleted when nobody
  // edited them, kept and said otherwise. Never in `new` mode, which replaces what it is told to.
  if (input.mode === "regenerate") {
    for (const entry of input.entries) {
      const renderedTemplates = new Set(rendered.filter((o) => o.owner === entry.id).map((o) => o.template));
      for (const old of lock?.integrations[entry.id]?.outputs ?? []) {
        if (old.kind !== "file" || renderedTemplates.has(old.template) || byPath.has(old.path)) continue;
        const before = current.get(old.path) ?? null;
        if (before === null) continue;
        const edited = sha256(before) !== old.sha256;
        ops.push({
          path: old.path,
          action: edited ? "keep" : "delete",
          before,
          after: edited ? before : null,
          kind: "file",
          forced: false,
          reason: edited
            ? `${entry.id} no longer generates it; you edited it, so it is kept (delete it when you no longer need it)`
            : `${entry.id} no longer generates it`,
        });
      }
    }
  }

  // One base file per owner: an integration's holds exactly its current outputs; the shared one keeps
  // entries of shared outputs this run did not render (another template set's).
  const owners = [...new Set(rendered.filter((o) => o.step === null).map((o) => o.owner))].sort();
  for (const owner of owners) {
    const next: Record<string, string> = owner === SHARED_OWNER ? { ...basesOf(owner) } : {};
    // Migrations need no merge base: they are never rendered again.
    for (const [output, nextBase] of nextBases) if (output.owner === owner && output.step === null) next[baseKey(output)] = nextBase;
    const before = current.get(baseFile(owner)) ?? null;
    const after = serializeBaseFile(next);
    if (before === after) continue;
    baseOps.push({ path: baseFile(owner), action: before === null ? "create" : "update", before, after, kind: "file", forced: false, internal: true });
  }

  const conflictsFound = ops.filter((op) => op.action === "conflict");
  return {
    ops: [...ops, ...baseOps.sort((a, b) => comparePaths(a.path, b.path))],
    conflicts: conflictsFound,
    nextLock: nextLockfile({ ...input, rendered: rendered.filter((o) => !unrecorded.has(o)) }, nextBases, wired),
  };
}

function nextLockfile(input: PlanInput, nextBases: Map<RenderedOutput, string>, wired: ReadonlySet<RenderedOutput>): Lockfile {
  const base = input.lock ?? emptyLockfile(input.version);
  // An output whose template did not change keeps the source it was recorded with (`builtin@<version>` names
  // the version that last changed it): a tool upgrade that changes no output changes one lockfile line.
  const recordedSource = (o: RenderedOutput) => {
    const recorded = recordedFor(input.lock, o);
    return recorded?.templateSha256 === o.templateSha256 && recorded.source !== undefined ? recorded.source : o.source;
  };
  const locked = (outputs: RenderedOutput[]) =>
    outputs.filter((o) => o.step === null).map((o) => ({
      path: o.path,
      kind: o.kind,
      ...(o.region ? { region: o.region } : {}),
      ...(wired.has(o) ? { wiring: "ast" as const } : {}),
      template: o.template,
      sha256: sha256(nextBases.get(o) ?? o.content),
      source: recordedSource(o),
      templateSha256: o.templateSha256,
    }));
  const sharedNow = input.rendered.filter((o) => o.owner === SHARED_OWNER);
  const sharedKeep = base.shared.outputs.filter((o) => !sharedNow.some((n) => n.template === o.template));
  const integrations = { ...base.integrations };
  for (const entry of input.entries) {
    const adopted = entry.adopted ?? base.integrations[entry.id]?.adopted;
    integrations[entry.id] = {
      templateSet: entry.templateSet,
      spec: entry.spec,
      outputs: locked(input.rendered.filter((o) => o.owner === entry.id)),
      ...(adopted ? { adopted } : {}),
      ...(entry.source ? { source: entry.source } : {}),
    };
  }
  return {
    lockfileVersion: base.lockfileVersion,
    tool: { name: "nexus-integrate", version: input.version },
    migrations: withDeliveries(input.history, input.rendered),
    shared: { outputs: [...sharedKeep, ...locked(sharedNow)] },
    integrations,
  };
}

/** The history after this run writes its migrations. */
function withDeliveries(history: readonly MigrationRecord[], rendered: readonly RenderedOutput[]): MigrationRecord[] {
  const delivered = rendered.filter((o) => o.step !== null).map((o) => ({ owner: o.owner, step: o.step!, file: o.path }));
  return sortHistory([...history, ...delivered]);
}

/** Planning `remove`: delete what the integration generated (unless edited), drop its blocks. */
export function planRemoval(input: {
  id: string;
  lock: Lockfile;
  current: ReadonlyMap<string, string | null>;
  /** Also remove the shared outputs (no other integration is left). */
  removeShared: boolean;
  /** Extra outputs to create (the migration that drops what the integration created). */
  create: RenderedOutput[];
  /** Schema steps the app has received; the removal step is added to it. */
  history: readonly MigrationRecord[];
  force: boolean;
  version: string;
}): Plan {
  const entry = input.lock.integrations[input.id];
  if (!entry) throw new Error(`internal: ${input.id} is not installed`);
  const owned = [
    ...entry.outputs.map((o) => ({ ...o, owner: input.id })),
    ...(input.removeShared ? input.lock.shared.outputs.map((o) => ({ ...o, owner: SHARED_OWNER })) : []),
  ];
  const byPath = new Map<string, typeof owned>();
  for (const output of owned) byPath.set(output.path, [...(byPath.get(output.path) ?? []), output]);

  const ops: FileOp[] = [];
  for (const [filePath, outputs] of [...byPath.entries()].sort(([a], [b]) => comparePaths(a, b))) {
    const before = input.current.get(filePath) ?? null;
    if (before === null) continue;
    const migration = outputs.some((o) => o.template.includes("{{timestamp}}"));
    if (migration) {
      ops.push({ path: filePath, action: "keep", before, after: before, kind: "file", forced: false, reason: "migrations are history" });
      continue;
    }
    let text: string = before;
    const edited: string[] = [];
    let scaffoldLeft = false;
    // Blocks first, then the scaffold they sat in: deleted only when what is left is what the tool created.
    // Routes before their imports (an import goes only once nothing uses it).
    const order = (o: { kind: string; region?: string }) => (o.kind === "scaffold" ? 2 : o.region === "route-imports" ? 1 : 0);
    for (const output of [...outputs].sort((a, b) => order(a) - order(b))) {
      if (output.kind === "scaffold") {
        if (sha256(text) === output.sha256) text = "";
        else scaffoldLeft = true;
        continue;
      }
      if (output.kind === "file") {
        if (sha256(before) !== output.sha256) edited.push("edited since nexus-integrate wrote it");
        text = "";
      } else if (output.wiring === "ast") {
        const content = parseBaseFile(input.current.get(baseFile(output.owner)) ?? null)[baseKey({ ...output, owner: output.owner })];
        if (content === undefined) {
          edited.push(`its ${output.region} could not be found without the merge base (${baseFile(output.owner)}): take them out by hand`);
          continue;
        }
        const wiring = output.region === "routes" ? { imports: "", routes: content } : { imports: content, routes: "" };
        const taken = routeWiring().unwireRoutes(text, [wiring]);
        if ("reason" in taken) edited.push(`its routes could not be taken out: ${taken.reason}`);
        else {
          edited.push(...taken.edited.map((route) => `the route ${route} was changed since nexus-integrate added it`));
          text = taken.text;
        }
      } else {
        const region = output.region ?? null;
        const found = findBlock(text, filePath, output.owner, region);
        if (found.status === "found" && sha256(found.inner) !== output.sha256) edited.push(`the ${output.owner} block was edited`);
        text = removeBlock(text, filePath, output.owner, region);
      }
    }
    // A file that held nothing but the tool's blocks (the tool created it for them) goes with its last block.
    const onlyOurs = outputs.every((o) => o.kind === "block" && o.wiring !== "ast") && text.trim() === "" && before.trim() !== "";
    const deleteWholeFile =
      outputs.some((o) => o.kind === "file") || (outputs.some((o) => o.kind === "scaffold") && !scaffoldLeft && text === "") || onlyOurs;
    if (edited.length > 0 && !input.force) {
      ops.push({ path: filePath, action: "keep", before, after: before, kind: deleteWholeFile ? "file" : "block", forced: false, reason: `${edited.join("; ")}: kept (use --force to remove)` });
      continue;
    }
    ops.push({
      path: filePath,
      action: deleteWholeFile ? "delete" : text === before ? "unchanged" : "update",
      before,
      after: deleteWholeFile ? null : text,
      kind: deleteWholeFile ? "file" : "block",
      forced: edited.length > 0,
      ...(edited.length > 0 ? { reason: edited.join("; ") } : {}),
    });
  }
  for (const owner of [input.id, ...(input.removeShared ? [SHARED_OWNER] : [])]) {
    const before = input.current.get(baseFile(owner)) ?? null;
    if (before !== null) ops.push({ path: baseFile(owner), action: "delete", before, after: null, kind: "file", forced: false, internal: true });
  }
  for (const output of input.create) {
    ops.push({ path: output.path, action: "create", before: null, after: output.content, kind: "file", forced: false });
  }

  const nextLock: Lockfile = {
    ...input.lock,
    tool: { name: "nexus-integrate", version: input.version },
    migrations: withDeliveries(input.history, input.create),
    shared: input.removeShared ? { outputs: [] } : input.lock.shared,
    integrations: Object.fromEntries(Object.entries(input.lock.integrations).filter(([id]) => id !== input.id)),
  };
  return { ops, conflicts: [], nextLock };
}
