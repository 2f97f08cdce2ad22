import { UsageError } from "../errors.js";
import { readLockfile } from "../plan/lockfile.js";
import { openApp } from "../repo/target.js";
import { listPresetIds, loadPreset } from "../spec/presets.js";

export interface ListResult {
  presets: { id: string; displayName: string; pkce: boolean; scopes: string[]; docsUrl: string | null }[];
  installed: { id: string; displayName: string; templateSet: string; files: number }[] | null;
  target: string | null;
}

/** Presets, and the integrations the target's lockfile records (when `--target` is a Nexus app). */
export function runList(options: { target?: string }): ListResult {
  const presets = listPresetIds().map((id) => {
    const preset = loadPreset(id);
    return {
      id,
      displayName: preset.displayName ?? id,
      pkce: preset.pkce ?? true,
      scopes: [...(preset.scopes ?? [])],
      docsUrl: preset.docsUrl ?? null,
    };
  });
  let target: string | null = null;
  let installed: ListResult["installed"] = null;
  try {
    const resolved = openApp(options.target ?? ".");
    target = resolved.root;
    const { lock } = readLockfile(resolved.root);
    installed = Object.entries(lock?.integrations ?? {}).map(([id, entry]) => ({
      id,
      displayName: typeof entry.spec.displayName === "string" ? entry.spec.displayName : id,
      templateSet: entry.templateSet,
      files: entry.outputs.length,
    }));
  } catch (error) {
    // Without --target, a folder that is not an app just means "no installed integrations to show".
    if (!(error instanceof UsageError) || options.target !== undefined) throw error;
  }
  return { presets, installed, target };
}

export function formatList(result: ListResult): string[] {
  const lines = ["Presets:"];
  const width = Math.max(...result.presets.map((p) => p.id.length));
  for (const preset of result.presets) {
    lines.push(`  ${preset.id.padEnd(width)}  ${preset.displayName.padEnd(18)}  ${preset.pkce ? "PKCE  " : "      "}  ${preset.scopes.join(" ")}`);
  }
  if (result.installed !== null) {
    lines.push("", `Installed in ${result.target}:`);
    if (result.installed.length === 0) lines.push("  (none)");
    for (const entry of result.installed) {
      lines.push(`  ${entry.id}  ${entry.displayName}  (${entry.templateSet}, ${entry.files} files)`);
    }
  }
  return lines;
}
