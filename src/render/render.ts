import { sha256 } from "../plan/hash.js";
import { SHARED_OWNER } from "../plan/lockfile.js";
import { deliveredSteps, REMOVAL_STEP, stepMarker, type MigrationRecord } from "../plan/migrations.js";
import type { RepoConfig } from "../repo/config.js";
import type { IntegrationSpec } from "../spec/schema.js";
import { buildIntegrationContext, buildSharedContext, type AdoptionContext } from "./context.js";
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
  /**
   * For a SQL migration: the schema step it delivers (see plan/migrations.ts), null for every other output.
   * Migrations are history: rendered only while their step is undelivered, never rewritten.
   */
  step: string | null;
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
  /** Schema steps the app has received (lockfile and disk): a delivered step is not rendered again. */
  history: readonly MigrationRecord[];
  /** Versions (timestamp prefixes) of migrations already in the target. */
  existingMigrationVersions: string[];
  /** The clock for new migration names (SOURCE_DATE_EPOCH when set). */
  now: Date;
  /** `adopt`: the hand-written integration's rows, for the adoption group (rendered only when set). */
  adoption?: AdoptionContext;
  /** Shared templates this run already rendered for another integration: not rendered again. */
  renderedShared?: ReadonlySet<string>;
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

/** Renders the shared templates and the integration's templates. Pure apart from the engine's cache. */
export function renderIntegration(input: RenderInput, engine = new TemplateEngine()): RenderedOutput[] {
  return renderGroups(input, input.adoption ? ["shared", "integration", "adoption"] : ["shared", "integration"], engine);
}

/** Groups in the order their migrations must apply: the shared schema, the integration's, then what adopts into it. */
const GROUP_ORDER: Record<TemplateFile["group"], number> = { shared: 0, integration: 1, adoption: 2, removal: 3 };

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
  // Shared templates first, so shared steps get the earlier versions; steps in their NNN order.
  const ordered = input.templates
    .filter((t) => groups.includes(t.group) && !(t.group === "shared" && input.renderedShared?.has(t.key)))
    .sort((a, b) => GROUP_ORDER[a.group] - GROUP_ORDER[b.group] || a.key.localeCompare(b.key));
  const delivered = new Map<string, Set<string>>();
  const deliveredTo = (owner: string) => {
    if (!delivered.has(owner)) delivered.set(owner, deliveredSteps(input.history, owner));
    return delivered.get(owner)!;
  };
  // A step the app has received is history: it is neither rendered nor compared again.
  const due = ordered.filter((t) => t.step === null || t.step === REMOVAL_STEP || !deliveredTo(t.group === "shared" ? SHARED_OWNER : input.spec.id).has(t.step));
  // A template that renders to nothing (its content wrapped in an `{{#if}}` that is false: no webhook receiver
  // for a provider without webhooks) has no output.
  return due.flatMap((template) => {
    const owner = template.group === "shared" ? SHARED_OWNER : input.spec.id;
    const context =
      template.group === "shared" ? sharedContext : template.group === "adoption" ? { ...integrationContext, adoption: input.adoption } : integrationContext;
    // Route folders (file routes): the routes' base and the page after connecting, as folder paths.
    const routeTokens = { routesBase: input.config.routesBase.slice(1), afterConnect: input.config.frontEnd.afterConnectPath.slice(1) };
    const pathTokens: Record<string, string> = template.group === "shared" ? { ...routeTokens } : { ...tokens, ...routeTokens };
    if (usesToken(template.layoutPath, "timestamp")) pathTokens.timestamp = clock.allocate();
    const outputPath = mapOutputPath(template.layoutPath, input.config, pathTokens);
    const render = engine.compile(template.displayPath, template.source, context);
    const text = render(context);
    if (text.trim() === "") return [];
    const body = ensureFinalNewline(text);
    return [{
      path: outputPath,
      kind: template.kind,
      template: template.key,
      owner,
      content: template.step === null ? body : `${stepMarker(owner, template.step)}\n${body}`,
      step: template.step,
      region: template.region,
      source: template.origin === "builtin" ? `builtin@${input.version}` : template.displayPath,
      templateSha256: sha256(template.source),
    }];
  });
}
