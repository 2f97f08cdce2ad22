import { UsageError } from "../errors.js";
import { sortKeysDeep } from "../plan/lockfile.js";
import { finalizeSpec, mergeSpecLayers, parseRecordedSpec } from "./build.js";
import { hasPreset, loadPreset, presetRetired } from "./presets.js";
import type { IntegrationSpec, IntegrationSpecInput } from "./schema.js";

/**
 * Presets are inputs, not copies: the lockfile records which preset an integration came from, the variables the
 * user set and the values the user gave on top (flags, spec file, discovery, prompts). `regenerate` resolves the
 * spec again from the catalog of the tool that runs, so a corrected preset reaches installed integrations; the
 * user's own values still win, as they did when the integration was generated.
 */
export interface SpecSource {
  preset: string;
  /** `--var` values the user gave (a preset default that changes reaches the integration). */
  variables: Record<string, string>;
  /** What the user set over the preset: top-level fields, and `sync`/`authorizationParams` key by key. */
  overrides: Record<string, unknown>;
}

export interface SpecChange {
  /** Dotted field path (`tokenUrl`, `sync.path`). */
  path: string;
  from: unknown;
  to: unknown;
}

const MERGED_KEY_BY_KEY = new Set(["sync", "authorizationParams"]);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The values of `after` that `before` did not have: what prompts added to an input. */
export function addedValues(before: IntegrationSpecInput, after: IntegrationSpecInput): IntegrationSpecInput {
  const out: Record<string, unknown> = {};
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const [key, value] of Object.entries(after)) {
    const previous = (before as Record<string, unknown>)[key];
    if (MERGED_KEY_BY_KEY.has(key) && isObject(value) && isObject(previous)) {
      const changed = Object.fromEntries(Object.entries(value).filter(([name, item]) => !same(item, previous[name])));
      if (Object.keys(changed).length > 0) out[key] = changed;
    } else if (!same(value, previous)) out[key] = value;
  }
  return out as IntegrationSpecInput;
}

/** The source to record, when a preset was selected; `overrides` are the layers above the preset, merged. */
export function specSource(
  preset: string | undefined,
  variables: Record<string, string> | undefined,
  id: string,
  ...layers: (IntegrationSpecInput | undefined)[]
): SpecSource | undefined {
  if (preset === undefined) return undefined;
  const overrides = mergeSpecLayers(...layers) as Record<string, unknown>;
  delete overrides.id;
  return sortKeysDeep({ preset, variables: { ...(variables ?? {}) }, overrides: { ...overrides, id } });
}

/**
 * Values the provider retired, taken out of what is about to be pinned over a preset (the user's flags, a
 * hand-written integration's constants): the preset's current value applies instead. Returns what was dropped.
 */
export function withoutRetired(preset: string, values: IntegrationSpecInput | Record<string, unknown> | undefined): {
  kept: Record<string, unknown>;
  dropped: { field: string; value: unknown }[];
} {
  const kept: Record<string, unknown> = { ...(values ?? {}) };
  const dropped: { field: string; value: unknown }[] = [];
  if (!hasPreset(preset)) return { kept, dropped };
  for (const [field, retired] of Object.entries(presetRetired(preset))) {
    if (field in kept && retired.some((value) => JSON.stringify(value) === JSON.stringify(kept[field]))) {
      dropped.push({ field, value: kept[field] });
      delete kept[field];
    }
  }
  return { kept, dropped };
}

export function retiredNote(id: string, preset: string, dropped: { field: string; value: unknown }[]): string[] {
  return dropped.map(
    ({ field, value }) => `${id}: ${field} ${show(value)} is retired by the provider; the "${preset}" preset's current value is used (presets/${preset}.json: retired, references).`,
  );
}

/** The spec a source gives with the presets this tool ships. */
export function resolveSource(source: SpecSource): IntegrationSpec {
  const preset = loadPreset(source.preset, source.variables);
  return finalizeSpec(mergeSpecLayers(preset, source.overrides as IntegrationSpecInput));
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function diff(a: unknown, b: unknown, prefix: string, out: SpecChange[]): void {
  // Objects on both sides are compared field by field; anything else (a list, a value, an object against null,
  // the JSON body of a sync request) as a whole.
  if (isPlain(a) && isPlain(b) && prefix !== "sync.body") {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      diff(a[key], b[key], prefix ? `${prefix}.${key}` : key, out);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path: prefix, from: a, to: b });
}

/** Field-by-field differences between two specs, in field order. */
export function specChanges(before: IntegrationSpec, after: IntegrationSpec): SpecChange[] {
  const out: SpecChange[] = [];
  diff(before, after, "", out);
  return out;
}

function show(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 70 ? `${text.slice(0, 69)}…` : text;
}

/** `tokenUrl https://…/oauth/v1/token → https://…/oauth/2026-03/token` */
export function describeSpecChange(change: SpecChange): string {
  return `${change.path} ${show(change.from)} → ${show(change.to)}`;
}

/** `hubspot: tokenUrl https://…/oauth/v1/token → https://…/oauth/2026-03/token` */
export function formatSpecChange(id: string, change: SpecChange): string {
  return `${id}: ${describeSpecChange(change)}`;
}

export interface CurrentSpec {
  spec: IntegrationSpec;
  source?: SpecSource;
  /** How the catalog's preset moved the spec since it was recorded. */
  changes: SpecChange[];
  /** Said when the recorded spec is used as it is although a preset is named. */
  note?: string;
}

/**
 * The spec an installed integration has now: re-resolved from its preset when the lockfile names one (the
 * recorded spec otherwise, or when the preset left the catalog).
 */
export function currentSpec(
  id: string,
  entry: { spec: Record<string, unknown>; source?: SpecSource | undefined },
  recorded: IntegrationSpec = parseRecordedSpec(entry.spec, `nexus-integrate.lock.json (${id})`),
): CurrentSpec {
  if (!entry.source) return { spec: recorded, changes: [] };
  if (!hasPreset(entry.source.preset)) {
    return {
      spec: recorded,
      source: entry.source,
      changes: [],
      note: `${id}: preset "${entry.source.preset}" is not in this version's catalog; regenerated from the recorded spec.`,
    };
  }
  // A value the user pinned that the provider has since retired gives way to the preset's current one.
  const { kept, dropped } = withoutRetired(entry.source.preset, entry.source.overrides);
  const source: SpecSource = dropped.length > 0 ? { ...entry.source, overrides: kept } : entry.source;
  let spec: IntegrationSpec;
  try {
    spec = resolveSource(source);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`${id}: the current "${entry.source.preset}" preset with your recorded values is not a valid spec; nothing was written`, [
      ...error.issues.map((issue) => ({ path: `${id}.${issue.path}`, message: issue.message })),
      {
        path: `nexus-integrate.lock.json (${id})`,
        message: "change the value under integrations." + id + ".source.overrides that the preset now refuses, or regenerate with the tool version that made it",
      },
    ]);
  }
  const notes = retiredNote(id, entry.source.preset, dropped);
  return { spec, source, changes: specChanges(recorded, spec), ...(notes.length > 0 ? { note: notes.join("\n") } : {}) };
}
