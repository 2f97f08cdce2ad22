import { sha256 } from "../plan/hash.js";
import { lockedOutputsOf, SHARED_OWNER, type LockedOutput, type Lockfile } from "../plan/lockfile.js";
import type { RepoConfig } from "../repo/config.js";
import type { IntegrationSpec } from "../spec/schema.js";
import { buildIntegrationContext, buildSharedContext } from "./context.js";
import { TemplateEngine } from "./engine.js";
import { mapOutputPath, usesToken, type OutputKind, type TemplateFile } from "./template-set.js";

/** One output of a render: a whole file, or a managed block inside a file. */
export interface RenderedOutput {
  path: string;
  kind: OutputKind;
  template: string;
  /** `shared` or the integration id. */
  owner: string;
  content: string;
  /** A SQL migration: history, never rewritten once written. */
  migration: boolean;
  /** For a block in a marked region of the file: the region's name. */
  region: string | null;
  /** `builtin@<tool version>` or the team template's path. */
  source: string;
  templateSha256: string;
}

export interface RenderInput {
  spec: IntegrationSpec;
  templates: TemplateFile[];
  config: RepoConfig;
  version: string;
  /** The lockfile before this run: a migration keeps the file name it was first written under. */
  previous: Lockfile | null;
  /** Versions (timestamp prefixes) of migrations already in the target. */
  existingMigrationVersions: string[];
  /** The clock for new migration names (SOURCE_DATE_EPOCH when set). */
  now: Date;
}

export { SHARED_OWNER };

function formatTimestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

function parseTimestamp(version: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (!m) return null;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/**
 * Allocates migration versions: never earlier than `now`, always after every existing migration, one
 * second apart, so Supabase applies them in order and no two share a version.
 */
export class MigrationClock {
  private next: number;
  constructor(now: Date, existingVersions: string[]) {
    const latest = Math.max(
      0,
      ...existingVersions.map((v) => parseTimestamp(v)?.getTime() ?? 0).filter((t) => Number.isFinite(t)),
    );
    this.next = Math.max(Math.floor(now.getTime() / 1000) * 1000, latest + 1000);
  }
  allocate(): string {
    const version = formatTimestamp(new Date(this.next));
    this.next += 1000;
    return version;
  }
}

function ensureFinalNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

function recordedOutput(lock: Lockfile | null, owner: string, template: string): LockedOutput | undefined {
  return lockedOutputsOf(lock, owner)?.find((output) => output.template === template);
}

/** Renders the shared templates and the integration's templates. Pure apart from the engine's cache. */
export function renderIntegration(input: RenderInput, engine = new TemplateEngine()): RenderedOutput[] {
  return renderGroups(input, ["shared", "integration"], engine);
}

/** Renders what `remove` adds (the migration that drops what the integration created). */
export function renderRemoval(input: RenderInput, engine = new TemplateEngine()): RenderedOutput[] {
  return renderGroups(input, ["removal"], engine);
}

function renderGroups(input: RenderInput, groups: TemplateFile["group"][], engine: TemplateEngine): RenderedOutput[] {
  const sharedContext = buildSharedContext(input.config, input.version);
  const integrationContext = buildIntegrationContext(input.spec, input.config, input.version);
  const clock = new MigrationClock(input.now, input.existingMigrationVersions);
  const tokens = {
    id: integrationContext.names.id,
    pascal: integrationContext.names.pascal,
    snake: integrationContext.names.snake,
  };
  // Shared templates first, so the shared migration gets the earlier version.
  const ordered = input.templates.filter((t) => groups.includes(t.group)).sort((a, b) =>
    a.group === b.group ? a.key.localeCompare(b.key) : a.group === "shared" ? -1 : 1,
  );
  return ordered.map((template) => {
    const owner = template.group === "shared" ? SHARED_OWNER : input.spec.id;
    const context = template.group === "shared" ? sharedContext : integrationContext;
    const recorded = recordedOutput(input.previous, owner, template.key);
    let outputPath: string;
    if (usesToken(template.layoutPath, "timestamp") && recorded) {
      outputPath = recorded.path;
    } else {
      const pathTokens: Record<string, string> =
        template.group === "shared" ? {} : { ...tokens };
      if (usesToken(template.layoutPath, "timestamp")) pathTokens.timestamp = clock.allocate();
      outputPath = mapOutputPath(template.layoutPath, input.config, pathTokens);
    }
    const render = engine.compile(template.displayPath, template.source, context);
    return {
      path: outputPath,
      kind: template.kind,
      template: template.key,
      owner,
      content: ensureFinalNewline(render(context)),
      migration: usesToken(template.layoutPath, "timestamp"),
      region: template.region,
      source: template.origin === "builtin" ? `builtin@${input.version}` : template.displayPath,
      templateSha256: sha256(template.source),
    };
  });
}
