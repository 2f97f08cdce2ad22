import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { tempDir } from "./fixtures.js";
import { REPO_ROOT } from "./paths.js";

/**
 * A copy of the installed tool (bin, dist, templates, presets) whose templates a test may change: the way
 * to simulate a tool upgrade or a template update without touching the real package.
 */
export interface ToolCopy {
  root: string;
  bin: string;
  editTemplate(relative: string, edit: (text: string) => string): void;
  /** Adds a template, as a new tool version would (a new schema step, say). */
  addTemplate(relative: string, text: string): void;
  /** Changes a preset of the catalog, as another tool version ships it. */
  editPreset(id: string, edit: (preset: Record<string, unknown>) => void): void;
}

export function makeToolCopy(): ToolCopy {
  const root = path.join(tempDir("nexus-tool-"), "nexus-integrate");
  for (const part of ["bin", "dist", "templates", "presets", "package.json"]) {
    cpSync(path.join(REPO_ROOT, part), path.join(root, part), { recursive: true });
  }
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  return {
    root,
    bin: path.join(root, "bin", "nexus-integrate.js"),
    editTemplate(relative, edit) {
      const file = path.join(root, "templates", relative);
      const before = readFileSync(file, "utf8");
      const after = edit(before);
      if (after === before) throw new Error(`editTemplate: ${relative} did not change`);
      writeFileSync(file, after);
    },
    editPreset(id, edit) {
      const file = path.join(root, "presets", `${id}.json`);
      const preset = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      edit(preset);
      writeFileSync(file, `${JSON.stringify(preset, null, 2)}\n`);
    },
    addTemplate(relative, text) {
      const file = path.join(root, "templates", relative);
      if (existsSync(file)) throw new Error(`addTemplate: ${relative} exists`);
      writeFileSync(file, text);
    },
  };
}
