import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { DEFAULT_PATHS, type RepoConfig } from "../repo/config.js";

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, "templates");

/**
 * shared: written once for all integrations; integration: per provider; removal: what `remove` adds;
 * adoption: what `adopt` adds (the migration that moves a hand-written integration's users).
 */
export type TemplateGroup = "shared" | "integration" | "removal" | "adoption";

/** Steps of the removal and adoption groups, by group: each group has exactly this one. */
export const GROUP_STEPS: Partial<Record<TemplateGroup, string>> = { removal: "remove", adoption: "adopt" };
/**
 * file: a whole file the tool owns; block: its lines inside an app file; scaffold: a file the tool creates only
 * when the app has none (an integrations registry), for blocks to go in, and deletes again only unchanged.
 */
export type OutputKind = "file" | "block" | "scaffold";

/** One template: `key` is its path inside the set (`integration/src/…/{{pascal}}Setup.tsx.hbs`). */
export interface TemplateFile {
  key: string;
  group: TemplateGroup;
  /** Output path as laid out in the set, before folder mapping and tokens. */
  layoutPath: string;
  kind: OutputKind;
  /** For a block: the marked region of the file it goes in (`App.tsx@routes.block.hbs`), or null. */
  region: string | null;
  source: string;
  /** `builtin`, or `custom` for a team's template (eject / --templates). */
  origin: "builtin" | "custom";
  /** Where the template is, for messages: `templates/basic/…` or the team's folder. */
  displayPath: string;
  /**
   * For a migration template: the schema step it delivers (`001_schema`, `002_webhooks`, `remove`), each
   * delivered once into the app's migrations; null for every other template.
   */
  step: string | null;
}

const STEP_NAME = /^\{\{timestamp\}\}_(?:nexus_integrate|\{\{snake\}\})_(\d{3}_[a-z][a-z0-9_]*|remove|adopt)\.sql$/;

/**
 * The step a migration template delivers, from its file name: shared steps are
 * `{{timestamp}}_nexus_integrate_NNN_<what>.sql.hbs`, an integration's `{{timestamp}}_{{snake}}_NNN_<what>.sql.hbs`
 * (NNN orders them), the removal group's `{{timestamp}}_{{snake}}_remove.sql.hbs` and the adoption group's
 * `{{timestamp}}_{{snake}}_adopt.sql.hbs`.
 */
function stepOf(group: TemplateGroup, layoutPath: string, key: string): string | null {
  if (!layoutPath.includes("{{timestamp}}")) return null;
  const base = layoutPath.slice(layoutPath.lastIndexOf("/") + 1);
  const match = STEP_NAME.exec(base);
  const prefix = group === "shared" ? "nexus_integrate" : "{{snake}}";
  const groupStep = GROUP_STEPS[group];
  const expected =
    groupStep !== undefined ? `{{timestamp}}_{{snake}}_${groupStep}.sql` : `{{timestamp}}_${prefix}_NNN_<what>.sql (NNN: three digits that order the steps)`;
  const step = match?.[1];
  const ok =
    step !== undefined &&
    base.startsWith(`{{timestamp}}_${prefix}_`) &&
    (groupStep !== undefined ? step === groupStep : !Object.values(GROUP_STEPS).includes(step));
  if (!ok) {
    throw new UsageError("a migration template is not named as a schema step", [
      { path: key, message: `migrations are delivered once each, as named steps: name it ${expected}.hbs` },
    ]);
  }
  return step;
}

function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, base));
    else if (entry.isFile()) out.push(path.relative(base, full).split(path.sep).join("/"));
  }
  return out.sort();
}

function readSetFolder(setDir: string, setName: string, origin: TemplateFile["origin"], displayBase: string): TemplateFile[] {
  const files: TemplateFile[] = [];
  for (const group of ["shared", "integration", "removal", "adoption"] as const) {
    const groupDir = path.join(setDir, group);
    if (!existsSync(groupDir)) continue;
    for (const relative of walk(groupDir)) {
      if (!relative.endsWith(".hbs")) {
        throw new UsageError(`template set ${setName} has a file that is not a template`, [
          { path: `${group}/${relative}`, message: 'template files end in ".hbs"' },
        ]);
      }
      const withoutHbs = relative.slice(0, -".hbs".length);
      const isBlock = withoutHbs.endsWith(".block");
      const isScaffold = withoutHbs.endsWith(".scaffold");
      const blockTarget = isBlock ? withoutHbs.slice(0, -".block".length) : isScaffold ? withoutHbs.slice(0, -".scaffold".length) : withoutHbs;
      const regionMatch = isBlock ? /^(.*)@([a-z][a-z0-9-]*)$/.exec(blockTarget) : null;
      const layoutPath = regionMatch ? regionMatch[1]! : blockTarget;
      files.push({
        key: `${group}/${relative}`,
        group,
        layoutPath,
        step: stepOf(group, layoutPath, `${displayBase}/${setName}/${group}/${relative}`),
        region: regionMatch ? regionMatch[2]! : null,
        kind: isBlock ? "block" : isScaffold ? "scaffold" : "file",
        source: readFileSync(path.join(groupDir, relative), "utf8"),
        origin,
        displayPath: `${displayBase}/${setName}/${group}/${relative}`,
      });
    }
  }
  return files;
}

/**
 * A template set: the built-in one (`advanced` is `basic` plus its own files), with a team's templates laid
 * over it file by file when `customDir` is given (`<customDir>/<set>/…`, as `templates eject` writes them):
 * a file the team has replaces the built-in one with the same path, a new file is added, the rest fall back.
 */
export function loadTemplateSet(name: string, customDir?: string, displayCustom = customDir): TemplateFile[] {
  const chain = name === "advanced" ? ["basic", "advanced"] : [name];
  const byKey = new Map<string, TemplateFile>();
  for (const setName of chain) {
    const setDir = path.join(TEMPLATES_DIR, setName);
    if (!existsSync(setDir)) {
      throw new UsageError(`template set "${name}" is not available`, [
        { path: "template", message: `"${name}" is not available (available: basic, advanced)` },
      ]);
    }
    for (const file of readSetFolder(setDir, setName, "builtin", "templates")) byKey.set(file.key, file);
  }
  if (customDir !== undefined) {
    if (!existsSync(customDir)) {
      throw new UsageError("template folder not found", [{ path: "--templates", message: `${displayCustom} does not exist` }]);
    }
    for (const setName of chain) {
      const setDir = path.join(customDir, setName);
      if (!existsSync(setDir)) continue;
      for (const file of readSetFolder(setDir, setName, "custom", displayCustom ?? customDir)) byKey.set(file.key, file);
    }
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Copies of the built-in set's files (for `templates eject`): path inside the set → source. */
export function builtinSetFiles(name: string): { relative: string; source: string }[] {
  return loadTemplateSet(name).map((file) => ({
    relative: file.displayPath.slice("templates/".length),
    source: file.source,
  }));
}

const ROLES_BY_LENGTH = (Object.entries(DEFAULT_PATHS) as [keyof typeof DEFAULT_PATHS, string][]).sort(
  (a, b) => b[1].length - a[1].length,
);

export type PathTokens = Record<string, string>;

/** Maps a layout path to the target's configured folders, then fills `{{token}}`s in it. */
export function mapOutputPath(layoutPath: string, config: RepoConfig, tokens: PathTokens): string {
  let mapped = layoutPath;
  for (const [role, defaultPath] of ROLES_BY_LENGTH) {
    if (layoutPath === defaultPath || layoutPath.startsWith(`${defaultPath}/`)) {
      mapped = config.paths[role] + layoutPath.slice(defaultPath.length);
      break;
    }
  }
  return mapped.replace(/\{\{(\w+)\}\}/g, (_whole, token: string) => {
    const value = tokens[token];
    if (value === undefined) {
      throw new UsageError("template path uses an unknown token", [
        { path: layoutPath, message: `unknown path token {{${token}}} (known: ${Object.keys(tokens).join(", ")})` },
      ]);
    }
    return value;
  });
}

export function usesToken(layoutPath: string, token: string): boolean {
  return layoutPath.includes(`{{${token}}}`);
}
