import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { buildIntegrationContext, buildSharedContext, type AdoptionContext } from "./render/context.js";
import { precompileModule } from "./render/engine.js";
import { resolveRepoConfig } from "./repo/config.js";
import { buildSpec } from "./spec/build.js";

const SAMPLE_ADOPTION: AdoptionContext = {
  legacyIntegrationId: "00000000-0000-4000-8000-000000000000",
  legacyIntegrationName: null,
  legacyProvider: "hubspot",
  userIntegrations: true,
  oauthTokens: true,
};

/** Build entry (scripts/build.mjs): precompiles every template under templates/ into one CommonJS module. */
export function builtinTemplatesModule(templatesDir: string): string {
  // Sample contexts: every variable a built-in template reads must exist in them.
  const config = resolveRepoConfig({});
  const shared = buildSharedContext(config, "0.0.0");
  const integration = buildIntegrationContext({ ...buildSpec({ positional: "hubspot" }), template: "advanced" }, config, "0.0.0");
  const templates: { key: string; source: string; shape: object }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".hbs")) {
        const key = path.relative(templatesDir, full).split(path.sep).join("/");
        const shape = key.includes("/shared/") ? shared : key.includes("/adoption/") ? { ...integration, adoption: SAMPLE_ADOPTION } : integration;
        templates.push({ key, source: readFileSync(full, "utf8"), shape });
      }
    }
  };
  walk(templatesDir);
  templates.sort((a, b) => a.key.localeCompare(b.key));
  return precompileModule(templates);
}
