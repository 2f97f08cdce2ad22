import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { UsageError, type FieldIssue } from "../errors.js";
import { toolVersion } from "../package-root.js";
import { customTemplates, withRunLock } from "../pipeline.js";
import { applyFileOps } from "../plan/apply.js";
import type { FileOp } from "../plan/plan.js";
import { checkTemplate, TemplateEngine } from "../render/engine.js";
import { renderIntegration } from "../render/render.js";
import { builtinSetFiles, loadTemplateSet } from "../render/template-set.js";
import { CONFIG_FILE, readConfigFile, readRepoConfig } from "../repo/config.js";
import { openApp, resolveInside } from "../repo/target.js";
import { buildSpec, finalizeSpec } from "../spec/build.js";
import type { RunReport } from "../report.js";
import type { CommandOutcome } from "./new.js";

export const DEFAULT_EJECT_DIR = ".nexus-integrate/templates";

/**
 * `templates eject`: copies a built-in set into the target (default .nexus-integrate/templates/<set>/) and
 * records the folder in nexus-integrate.config.json. Files the team deletes fall back to the built-in ones.
 */
export async function runEject(options: { target: string; set?: string; dir?: string; force?: boolean }): Promise<CommandOutcome> {
  const target = openApp(options.target);
  const set = options.set ?? "basic";
  if (set !== "basic" && set !== "advanced") {
    throw new UsageError("unknown template set", [{ path: "--set", message: `"${set}" must be basic or advanced` }]);
  }
  const dir = (options.dir ?? DEFAULT_EJECT_DIR).replace(/\/+$/, "");
  readConfigFile(target.root); // the config must be valid before we edit it
  const ops: FileOp[] = [];
  const conflicts: string[] = [];
  for (const file of builtinSetFiles(set)) {
    const relative = `${dir}/${file.relative}`;
    const absolute = resolveInside(target, relative, "--dir");
    const before = existsSync(absolute) ? readFileSync(absolute, "utf8") : null;
    const action = before === null ? "create" : before === file.source ? "unchanged" : options.force ? "update" : "conflict";
    if (action === "conflict") conflicts.push(relative);
    ops.push({ path: relative, action, before, after: file.source, kind: "file", forced: action === "update" });
  }
  const configPath = path.join(target.root, CONFIG_FILE);
  const configBefore = existsSync(configPath) ? readFileSync(configPath, "utf8") : null;
  const config = configBefore === null ? {} : (JSON.parse(configBefore) as Record<string, unknown>);
  const configAfter = `${JSON.stringify({ ...config, templates: dir }, null, 2)}\n`;
  ops.push({
    path: CONFIG_FILE,
    action: configBefore === null ? "create" : configBefore === configAfter ? "unchanged" : "update",
    before: configBefore,
    after: configAfter,
    kind: "file",
    forced: false,
  });
  const report: RunReport = {
    command: `templates eject --set ${set}`,
    target: target.root,
    dryRun: false,
    ops,
    nextSteps: [
      `Edit the templates under ${dir}/${set}/; delete the ones you do not change (they fall back to the built-in ones).`,
      "Check them: nexus-integrate templates check",
      "Apply them to installed integrations: nexus-integrate regenerate --all (CI: regenerate --all --check)",
    ],
  };
  if (conflicts.length > 0) {
    report.error = { message: "these templates were already ejected and edited; nothing was written (use --force to overwrite)", files: conflicts };
    return { report, exitCode: 1 };
  }
  await withRunLock(target, async () => applyFileOps(target, ops));
  return { report, exitCode: 0 };
}

export interface CheckResult {
  templatesDir: string | null;
  checked: number;
  problems: FieldIssue[];
}

/** `templates check`: parse and lint every template of each set, then render them with sample specs. */
export function runTemplatesCheck(options: { target: string; templates?: string }): CheckResult {
  const target = openApp(options.target);
  const config = readRepoConfig(target.root);
  const custom = customTemplates(target, config, options.templates);
  const problems: FieldIssue[] = [];
  let checked = 0;
  const samples = [
    buildSpec({ positional: "hubspot" }),
    finalizeSpec({
      id: "sample-check",
      displayName: `Sample "quoted" \`${"${x}"}\` </script>`,
      authorizationUrl: "https://auth.example.com/authorize",
      tokenUrl: "https://auth.example.com/token",
      apiBaseUrl: "https://api.example.com",
      scopes: ["read", "write:all"],
      sync: { path: "/items", itemsField: "items" },
    }),
  ];
  for (const set of ["basic", "advanced"] as const) {
    const templates = loadTemplateSet(set, custom?.dir, custom?.display);
    for (const template of templates) {
      if (set === "advanced" && template.displayPath.includes("/basic/")) continue; // checked with basic
      checked++;
      for (const problem of checkTemplate(template.displayPath, template.source)) {
        problems.push({ path: `${problem.template}:${problem.line}:${problem.column}`, message: problem.message });
      }
    }
    if (problems.length > 0) continue;
    for (const sample of samples) {
      try {
        const outputs = renderIntegration(
          { spec: { ...sample, template: set }, templates, config, version: toolVersion(), history: [], existingMigrationVersions: [], now: new Date(0) },
          new TemplateEngine(),
        );
        for (const output of outputs) {
          try {
            resolveInside(target, output.path, output.template);
          } catch (error) {
            if (error instanceof UsageError) problems.push(...error.issues);
            else throw error;
          }
        }
      } catch (error) {
        if (error instanceof UsageError) problems.push(...error.issues);
        else throw error;
      }
    }
  }
  return { templatesDir: custom?.display ?? null, checked, problems: dedupe(problems) };
}

function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
