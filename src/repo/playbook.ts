import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Lockfile } from "../plan/lockfile.js";
import type { RepoConfig } from "./config.js";

/**
 * Integrations written by hand from the Integration Playbook: the five files it names, at the playbook's
 * paths (as configured). nexus-integrate never overwrites them; it recognises them so it can say so.
 */
export function playbookFiles(config: RepoConfig, id: string, pascal: string): string[] {
  return [
    `${config.paths.components}/${pascal}Setup.tsx`,
    `${config.paths.pages}/${pascal}CallbackPage.tsx`,
    `${config.paths.services}/${id}/utils.ts`,
    `${config.paths.functions}/${id}-exchange-tokens/index.ts`,
    `${config.paths.functions}/${id}-sync/index.ts`,
  ];
}

/** The playbook files of `id` that exist in the app and that the lockfile does not record as generated. */
export function handWrittenFiles(root: string, config: RepoConfig, lock: Lockfile | null, id: string, pascal: string): string[] {
  const generated = new Set(lock?.integrations[id]?.outputs.map((output) => output.path) ?? []);
  return playbookFiles(config, id, pascal).filter((file) => !generated.has(file) && existsSync(path.join(root, file)));
}

export interface HandWrittenIntegration {
  id: string;
  files: string[];
}

/**
 * Hand-written integrations found in the app: every `<id>-exchange-tokens` function that nexus-integrate did
 * not generate, with the other playbook files of that id that exist (the setup component's name is found by
 * the id: `hubspot` → any `*Setup.tsx` whose lowercased name is `hubspotsetup.tsx`).
 */
export function findHandWrittenIntegrations(root: string, config: RepoConfig, lock: Lockfile | null): HandWrittenIntegration[] {
  const generated = new Set(Object.values(lock?.integrations ?? {}).flatMap((entry) => entry.outputs.map((o) => o.path)));
  const listDir = (relative: string): string[] => {
    try {
      return readdirSync(path.join(root, relative));
    } catch {
      return [];
    }
  };
  const components = listDir(config.paths.components);
  const pages = listDir(config.paths.pages);
  const found: HandWrittenIntegration[] = [];
  for (const name of listDir(config.paths.functions).sort()) {
    const match = /^([a-z][a-z0-9-]*)-exchange-tokens$/.exec(name);
    if (!match) continue;
    const id = match[1]!;
    const entry = `${config.paths.functions}/${name}/index.ts`;
    if (generated.has(entry) || !existsSync(path.join(root, entry))) continue;
    const squashed = id.replace(/-/g, "");
    const setup = components.find((file) => file.toLowerCase() === `${squashed}setup.tsx`);
    const callback = pages.find((file) => file.toLowerCase() === `${squashed}callbackpage.tsx`);
    const files = [
      ...(setup ? [`${config.paths.components}/${setup}`] : []),
      ...(callback ? [`${config.paths.pages}/${callback}`] : []),
      `${config.paths.services}/${id}/utils.ts`,
      entry,
      `${config.paths.functions}/${id}-sync/index.ts`,
    ].filter((file) => !generated.has(file) && existsSync(path.join(root, file)));
    found.push({ id, files });
  }
  return found;
}
