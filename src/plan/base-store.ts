import { readFileSync } from "node:fs";
import { resolveInside, type Target } from "../repo/target.js";

/**
 * The merge base of every generated output: exactly what the tool last wrote, kept under the target in
 * `.nexus-integrate/base/` (commit it). It survives tool upgrades, so `regenerate` can merge three ways
 * even when the templates that produced the base are gone.
 */
export const STATE_DIR = ".nexus-integrate";
export const BASE_DIR = `${STATE_DIR}/base`;

export function basePath(output: { path: string; kind: "file" | "block"; owner: string; region?: string | null }): string {
  if (output.kind === "file") return `${BASE_DIR}/${output.path}`;
  return `${BASE_DIR}/${output.path}@${output.owner}${output.region ? `@${output.region}` : ""}.block`;
}

export function readBase(target: Target, relative: string): string | null {
  try {
    return readFileSync(resolveInside(target, relative), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
