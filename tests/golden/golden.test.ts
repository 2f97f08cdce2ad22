import path from "node:path";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { renderIntegration } from "../../src/render/render.js";
import { loadTemplateSet } from "../../src/render/template-set.js";
import { resolveRepoConfig, type RepoConfig } from "../../src/repo/config.js";
import { buildSpec } from "../../src/spec/build.js";
import { readSpecFile } from "../../src/spec/spec-file.js";
import { REPO_ROOT } from "../helpers/paths.js";

/**
 * Golden outputs: what the templates produce for the preset the README shows and for each example spec.
 * A template change shows up here as a diff to read (`vitest -u` after reading it).
 */
const defaults = resolveRepoConfig({});
/** A shadcn app with every part, Tailwind 4, Recharts (the health page) and no page at /integrations (the index page). */
const shadcnBase = resolveRepoConfig({ appName: "Acme CRM", ui: { style: "shadcn" }, admin: { claim: "app_metadata.role", equals: "owner" } });
const shadcn: RepoConfig = {
  ...shadcnBase,
  frontEnd: {
    ...shadcnBase.frontEnd,
    style: "shadcn",
    tailwind: 4,
    parts: { button: true, card: true, alert: true, badge: true, table: true, skeleton: true, progress: true },
    indexPage: true,
    healthPage: true,
  },
};
const cases: [string, ReturnType<typeof buildSpec>, RepoConfig, string][] = [
  ["hubspot", buildSpec({ positional: "hubspot" }), defaults, "shared"],
  ["acme-crm-advanced", buildSpec({ specFile: await readSpecFile(path.join(REPO_ROOT, "examples/specs/acme.yaml")), flags: { template: "advanced" } }), defaults, "shared"],
  ["globex", buildSpec({ specFile: await readSpecFile(path.join(REPO_ROOT, "examples/specs/globex.json")) }), defaults, "shared"],
  ["hubspot-shadcn", buildSpec({ positional: "hubspot", flags: { template: "advanced" } }), shadcn, "shared-shadcn"],
];

describe.each(cases)("golden output: %s", (name, spec, config, sharedDir) => {
  const outputs = renderIntegration({
    spec,
    templates: loadTemplateSet(spec.template),
    config,
    version: "0.0.0-golden",
    history: [],
    existingMigrationVersions: [],
    now: new Date(Date.UTC(2026, 0, 1)),
  });

  // Shared outputs render the same for every integration: one golden copy of them, under shared/.
  it.each(
    outputs.map((o) => [
      path.join(o.owner === "shared" ? sharedDir : name, `${o.path}${o.kind === "block" ? `@${o.owner}${o.region ? `@${o.region}` : ""}.block` : ""}`),
      o.content,
    ] as const),
  )("%s", async (file, content) => {
    await expect(content).toMatchFileSnapshot(path.join("__golden__", file));
  });

  // Templates are written formatted, so no formatter runs at generation time: the code they produce is
  // prettier-clean (print width 120, as the example app).
  it.each(outputs.filter((o) => o.kind === "file" && /\.(ts|tsx)$/.test(o.path)).map((o) => [o.path, o.content] as const))(
    "%s is prettier-clean",
    async (file, content) => {
      const formatted = await prettier.format(content, { parser: file.endsWith(".tsx") ? "babel-ts" : "typescript", printWidth: 120 });
      expect(content).toBe(formatted);
    },
  );
});
