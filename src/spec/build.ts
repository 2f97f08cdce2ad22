import { UsageError, type FieldIssue } from "../errors.js";
import { sortKeysDeep } from "../plan/lockfile.js";
import { derivePascalName } from "./names.js";
import { hasPreset, loadPreset } from "./presets.js";
import {
  REQUIRED_FIELD_FLAGS,
  integrationSpecChecked,
  integrationSpecSchema,
  zodIssuesToFieldIssues,
  type IntegrationSpec,
  type IntegrationSpecInput,
} from "./schema.js";

export interface SpecSources {
  /** The positional `<provider>`: a preset name or a new id. */
  positional?: string;
  /** `--preset NAME`. */
  preset?: string;
  /** `--var name=value`: the preset's variables. */
  presetVars?: Record<string, string>;
  /** The parsed `--spec FILE`. */
  specFile?: IntegrationSpecInput;
  /** Values given as flags. */
  flags?: IntegrationSpecInput;
  /** Values found by OIDC / RFC 8414 discovery (`--discover`). */
  discovered?: IntegrationSpecInput;
}

type Layer = Record<string, unknown>;

function definedEntries(layer: object | undefined): Layer {
  const out: Layer = {};
  for (const [key, value] of Object.entries(layer ?? {})) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Later layers win; `sync` and `authorizationParams` merge key by key. */
export function mergeSpecLayers(...layers: (IntegrationSpecInput | undefined)[]): IntegrationSpecInput {
  const merged: Layer = {};
  for (const layer of layers.map(definedEntries)) {
    for (const [key, value] of Object.entries(layer)) {
      const previous = merged[key];
      if ((key === "sync" || key === "authorizationParams") && isPlainObject(previous) && isPlainObject(value)) {
        merged[key] = { ...previous, ...definedEntries(value) };
      } else {
        merged[key] = value;
      }
    }
  }
  return merged as IntegrationSpecInput;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function getPath(input: Record<string, unknown>, dotted: string): unknown {
  let current: unknown = input;
  for (const key of dotted.split(".")) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Which preset the sources select, if any: `--preset`, else the positional when it names one. */
export function selectedPreset(sources: SpecSources): string | undefined {
  if (sources.preset !== undefined) return sources.preset;
  if (sources.positional !== undefined && hasPreset(sources.positional)) return sources.positional;
  return undefined;
}

/** The merged, not yet validated input: discovery < preset < spec file < flags < positional id. */
export function mergeSources(sources: SpecSources): IntegrationSpecInput {
  const presetName = selectedPreset(sources);
  const preset = presetName === undefined ? undefined : loadPreset(presetName, sources.presetVars);
  if (presetName === undefined && sources.presetVars && Object.keys(sources.presetVars).length > 0) {
    throw new UsageError("--var needs a preset", [{ path: "--var", message: "variables belong to a preset; name one as <provider> or --preset" }]);
  }
  const merged = mergeSpecLayers(sources.discovered, preset, sources.specFile, sources.flags);
  const id = sources.positional ?? merged.id ?? presetName;
  const withConsent = presetName === undefined ? withOfflineConsent(merged) : merged;
  return id === undefined ? withConsent : { ...withConsent, id };
}

/**
 * OpenID Connect Core §11: a request for `offline_access` must carry `prompt=consent`, or the provider may issue
 * no refresh token (users would reconnect every hour without being told why). Added for providers described by
 * flags, a spec file or discovery when they ask for offline_access and set no prompt; presets say what their
 * provider documents.
 */
export function withOfflineConsent(input: IntegrationSpecInput): IntegrationSpecInput {
  if (!offlineConsentAdded(input)) return input;
  return { ...input, authorizationParams: { ...(input.authorizationParams ?? {}), prompt: "consent" } };
}

export function offlineConsentAdded(input: IntegrationSpecInput): boolean {
  return (input.scopes ?? []).includes("offline_access") && input.authorizationParams?.prompt === undefined;
}

/** Fields that are still empty after merging, with the flag that would supply each. */
export function missingFields(input: IntegrationSpecInput): FieldIssue[] {
  const missing: FieldIssue[] = [];
  if (input.id === undefined) missing.push({ path: "id", message: "is required (give it as <provider> or in --spec)" });
  for (const [field, flag] of Object.entries(REQUIRED_FIELD_FLAGS)) {
    if (getPath(input as Record<string, unknown>, field) === undefined) {
      missing.push({ path: field, message: `is required (use ${flag} or --spec)` });
    }
  }
  return missing;
}

/** Fills the defaults that depend on other fields (PascalName, benefits), then validates. */
export function finalizeSpec(input: IntegrationSpecInput): IntegrationSpec {
  const missing = missingFields(input);
  if (missing.length > 0) {
    // Report what is wrong with the values that were given too, not only what is missing.
    const partial = integrationSpecSchema.partial().safeParse(input);
    const invalid = partial.success ? [] : zodIssuesToFieldIssues(partial.error);
    throw new UsageError(invalid.length > 0 ? "invalid integration spec" : "missing required values", [...invalid, ...missing]);
  }
  const withDerived: IntegrationSpecInput = { ...input };
  if (withDerived.pascalName === undefined && typeof input.id === "string" && typeof input.displayName === "string") {
    withDerived.pascalName = derivePascalName(input.id, input.displayName);
  }
  if (withDerived.benefits === undefined && typeof input.displayName === "string") {
    const name = input.displayName.trim();
    withDerived.benefits = [
      `Connect your ${name} account to {app} in a few clicks`,
      `Keep ${name} data in sync automatically`,
      "Disconnect at any time; your tokens are stored encrypted",
    ];
  }
  const parsed = integrationSpecChecked.safeParse(withDerived);
  if (!parsed.success) {
    throw new UsageError("invalid integration spec", zodIssuesToFieldIssues(parsed.error));
  }
  // Canonical key order (as the lockfile records it), so `new` and `regenerate` render the same bytes.
  return sortKeysDeep(parsed.data);
}

export function buildSpec(sources: SpecSources): IntegrationSpec {
  return finalizeSpec(mergeSources(sources));
}

/** Re-validates a spec recorded in a lockfile (it must still pass the current schema). */
export function parseRecordedSpec(recorded: unknown, where: string): IntegrationSpec {
  const parsed = integrationSpecChecked.safeParse(recorded);
  if (!parsed.success) {
    throw new UsageError(
      `the spec recorded in ${where} is not valid`,
      zodIssuesToFieldIssues(parsed.error),
    );
  }
  return sortKeysDeep(parsed.data);
}
