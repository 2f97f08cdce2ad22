import { writeFileSync } from "node:fs";
import path from "node:path";
import { runAdopt, type AdoptOptions } from "../../src/commands/adopt.js";
import { runNew, type NewOptions } from "../../src/commands/new.js";
import { hasPreset, presetVariables } from "../../src/spec/presets.js";
import { tempDir } from "./fixtures.js";

/**
 * Runs the `new` pipeline in-process (the e2e tests cover the binary) and fails loudly on any problem. A preset's
 * required variables (Okta's domain) are given their example values, as a user gives them with --var, unless set.
 */
export async function generate(app: string, provider: string | undefined, options: Partial<NewOptions> = {}) {
  const preset = options.preset ?? provider;
  const required =
    preset !== undefined && hasPreset(preset)
      ? Object.entries(presetVariables(preset)).flatMap(([name, variable]) => (variable.required && !(options.var ?? []).some((pair) => pair.startsWith(`${name}=`)) ? [`${name}=${variable.example}`] : []))
      : [];
  const outcome = await runNew(provider, { target: app, yes: true, ...options, ...(required.length > 0 ? { var: [...(options.var ?? []), ...required] } : {}) });
  if (outcome.exitCode !== 0) {
    throw new Error(`generation failed: ${JSON.stringify(outcome.report.error ?? outcome.report.ops.filter((op) => op.action === "conflict"))}`);
  }
  return outcome.report;
}

/** Runs `adopt` in-process and fails loudly on any problem. */
export async function adopt(app: string, provider: string, options: Partial<AdoptOptions> = {}) {
  const outcome = await runAdopt(provider, { target: app, yes: true, ...options });
  if (outcome.exitCode !== 0) {
    throw new Error(`adopt failed: ${JSON.stringify(outcome.report.error ?? outcome.report.ops.filter((op) => op.action === "conflict"))}`);
  }
  return outcome.report;
}

export function writeSpecFile(spec: object, name = "spec.json"): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}
