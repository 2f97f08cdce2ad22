import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";
import { PACKAGE_ROOT } from "../package-root.js";
import type { IntegrationSpecInput } from "./schema.js";

/** A provider preset: everything but the id, with `docsUrl` naming where the endpoints are documented. */
export type PresetInput = Omit<IntegrationSpecInput, "id">;

export const PRESETS_DIR = path.join(PACKAGE_ROOT, "presets");

export function listPresetIds(): string[] {
  return readdirSync(PRESETS_DIR)
    .filter((name) => name.endsWith(".json"))
    .map((name) => name.slice(0, -".json".length))
    .sort();
}

export function hasPreset(id: string): boolean {
  return /^[a-z][a-z0-9-]*$/.test(id) && listPresetIds().includes(id);
}

export function loadPreset(id: string): PresetInput {
  if (!hasPreset(id)) {
    throw new UsageError(`unknown preset "${id}"`, [
      { path: "preset", message: `"${id}" is not a preset; available: ${listPresetIds().join(", ")}` },
    ]);
  }
  const file = path.join(PRESETS_DIR, `${id}.json`);
  return JSON.parse(readFileSync(file, "utf8")) as PresetInput;
}
