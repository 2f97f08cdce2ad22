import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";
import { PACKAGE_ROOT } from "../package-root.js";
import type { IntegrationSpecInput } from "./schema.js";

/**
 * Provider presets: one JSON file each in presets/, with `docsUrl` naming where the endpoints are documented.
 * A preset may declare variables (Microsoft's tenant, Salesforce's login domain) used as `{name}` in its
 * values; `--var name=value` sets them, otherwise their defaults apply.
 */
export type PresetInput = Omit<IntegrationSpecInput, "id">;

export interface PresetVariable {
  default: string;
  pattern: string;
  description: string;
  /**
   * No default serves anyone (Okta's org domain): `new` refuses to run without it (a terminal asks for it), and
   * `example` is shown in the message. The default stays for the catalog's own uses (listing, the doubles).
   */
  required?: boolean;
  example?: string;
}

interface PresetFile extends PresetInput {
  variables?: Record<string, PresetVariable>;
  /** Where each fact the preset relies on is documented (field or topic → URL); not part of the spec. */
  references?: Record<string, string>;
  /**
   * Values of a field the provider has retired (HubSpot's v1 token endpoint): a user's or a hand-written
   * integration's value that is one of them gives way to the preset's current value, and is said to.
   */
  retired?: Record<string, unknown[]>;
}

export const PRESETS_DIR = path.join(PACKAGE_ROOT, "presets");

let cachedIds: string[] | undefined;

export function listPresetIds(): string[] {
  cachedIds ??= readdirSync(PRESETS_DIR)
    .filter((name) => name.endsWith(".json"))
    .map((name) => name.slice(0, -".json".length))
    .sort();
  return cachedIds;
}

export function hasPreset(id: string): boolean {
  return /^[a-z][a-z0-9-]*$/.test(id) && listPresetIds().includes(id);
}

const presetFiles = new Map<string, PresetFile>();

function readPresetFile(id: string): PresetFile {
  const cached = presetFiles.get(id);
  if (cached) return structuredClone(cached);
  if (!hasPreset(id)) {
    throw new UsageError(`unknown preset "${id}"`, [
      { path: "preset", message: `"${id}" is not a preset; available: ${listPresetIds().join(", ")}` },
    ]);
  }
  const file = JSON.parse(readFileSync(path.join(PRESETS_DIR, `${id}.json`), "utf8")) as PresetFile;
  presetFiles.set(id, file);
  return structuredClone(file);
}


function substitute(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === "string") return value.replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(value)) return value.map((item) => substitute(item, values));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, values)]));
  }
  return value;
}

export function loadPreset(id: string, vars: Record<string, string> = {}): PresetInput {
  const { variables = {}, references: _references, retired: _retired, ...preset } = readPresetFile(id);
  const issues = Object.keys(vars)
    .filter((name) => !(name in variables))
    .map((name) => ({
      path: `--var ${name}`,
      message: `preset "${id}" has no variable "${name}"${Object.keys(variables).length ? ` (it has: ${Object.keys(variables).join(", ")})` : ""}`,
    }));
  const values: Record<string, string> = {};
  for (const [name, variable] of Object.entries(variables)) {
    const value = vars[name] ?? variable.default;
    if (!new RegExp(`^(?:${variable.pattern})$`).test(value)) {
      issues.push({ path: `--var ${name}`, message: `"${value}" does not match ${variable.pattern} (${variable.description})` });
    }
    values[name] = value;
  }
  if (issues.length > 0) throw new UsageError("invalid preset variable", issues);
  return substitute(preset, values) as PresetInput;
}

/**
 * A preset's required variables must come from the user (`--var`, or a terminal's answer): `new` and `adopt` refuse
 * to run without them, naming each with an example. The catalog's own uses of loadPreset keep the defaults.
 */
export function assertRequiredVariables(id: string, given: Record<string, string>): void {
  const missing = Object.entries(presetVariables(id))
    .filter(([name, variable]) => variable.required && !(name in given))
    .map(([name, variable]) => ({
      path: `--var ${name}`,
      message: `preset "${id}" needs it: ${variable.description} (for example --var ${name}=${variable.example ?? variable.default})`,
    }));
  if (missing.length > 0) throw new UsageError(`preset "${id}" needs a value the tool cannot choose`, missing);
}

/** The variables a preset declares (name → default, pattern, description). */
export function presetVariables(id: string): Record<string, PresetVariable> {
  return readPresetFile(id).variables ?? {};
}

/** Values the provider retired, by field (see PresetFile.retired). */
export function presetRetired(id: string): Record<string, unknown[]> {
  return readPresetFile(id).retired ?? {};
}

/** Where a preset's facts are documented (field or topic → URL). */
export function presetReferences(id: string): Record<string, string> {
  return readPresetFile(id).references ?? {};
}

/** A preset's display name, for pickers. */
export function presetDisplayName(id: string): string {
  return readPresetFile(id).displayName ?? id;
}

/** Edits between two names, a swap of two neighbours counting one (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The preset a name one typo from it meant (`hubsopt` → `hubspot`: one edit or swap), or undefined. */
/**
 * Presets a name is the start of, word by word (`google` → google-analytics, google-workspace): a family of the
 * same provider's presets, none of which is named exactly so.
 */
export function presetsStartingWith(name: string): string[] {
  const lower = name.toLowerCase();
  return listPresetIds().filter((id) => id.startsWith(`${lower}-`));
}

/**
 * The picker's order for what was typed: names that start with it first (HubSpot for "hub"), then a word of the
 * name starting with it, then the rest that contain it; the catalog's order within each.
 */
export function rankByTerm<T extends { name: string }>(choices: T[], term: string): T[] {
  const needle = term.trim().toLowerCase();
  if (needle === "") return choices;
  const rank = (name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith(needle)) return 0;
    if (lower.split(/[^a-z0-9]+/).some((word) => word.startsWith(needle))) return 1;
    return lower.includes(needle) ? 2 : -1;
  };
  return choices
    .map((choice, index) => ({ choice, index, rank: rank(choice.name) }))
    .filter((entry) => entry.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.choice);
}

export function closestPreset(name: string): string | undefined {
  const lower = name.toLowerCase();
  const scored = listPresetIds()
    .map((id) => ({ id, distance: editDistance(lower, id) }))
    .filter(({ distance }) => distance === 1)
    .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id));
  return scored[0]?.id;
}
