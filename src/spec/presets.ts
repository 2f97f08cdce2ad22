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
}

interface PresetFile extends PresetInput {
  variables?: Record<string, PresetVariable>;
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

function readPresetFile(id: string): PresetFile {
  if (!hasPreset(id)) {
    throw new UsageError(`unknown preset "${id}"`, [
      { path: "preset", message: `"${id}" is not a preset; available: ${listPresetIds().join(", ")}` },
    ]);
  }
  return JSON.parse(readFileSync(path.join(PRESETS_DIR, `${id}.json`), "utf8")) as PresetFile;
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
  const { variables = {}, ...preset } = readPresetFile(id);
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
