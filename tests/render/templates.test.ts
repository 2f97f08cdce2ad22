import { describe, expect, it } from "vitest";
import { syntaxErrors } from "../helpers/typescript.js";
import { checkTemplate, TemplateEngine } from "../../src/render/engine.js";
import { renderIntegration, MigrationClock, type RenderedOutput } from "../../src/render/render.js";
import { loadTemplateSet, mapOutputPath } from "../../src/render/template-set.js";
import { resolveRepoConfig } from "../../src/repo/config.js";
import { buildSpec, finalizeSpec } from "../../src/spec/build.js";
import { listPresetIds } from "../../src/spec/presets.js";
import { HOSTILE_DISPLAY_NAME, hostileSpecInput } from "../helpers/fixtures.js";

const config = resolveRepoConfig({});
const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

function render(spec = buildSpec({ positional: "hubspot" })): RenderedOutput[] {
  return renderIntegration({
    spec,
    templates: loadTemplateSet(spec.template),
    config,
    version: "0.0.0-test",
    history: [],
    existingMigrationVersions: [],
    now: NOW,
  });
}


describe("the basic template set", () => {
  it("writes every file of the design's list for hubspot", () => {
    const paths = render().map((o) => o.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "src/components/integrations/HubSpotSetup.tsx",
        "src/pages/integrations/HubSpotCallbackPage.tsx",
        "src/services/integrations/hubspot/utils.ts",
        "supabase/functions/hubspot-exchange-tokens/index.ts",
        "supabase/functions/hubspot-sync/index.ts",
        "supabase/functions/_shared/nexus-integrate/oauth.ts",
        "supabase/functions/_shared/nexus-integrate/crypto.ts",
        "supabase/migrations/20260102030405_nexus_integrate_001_schema.sql",
        "supabase/migrations/20260102030406_nexus_integrate_002_legacy_tokens.sql",
        "supabase/migrations/20260102030407_nexus_integrate_003_sync_jobs.sql",
        "supabase/migrations/20260102030408_nexus_integrate_004_health.sql",
        "supabase/migrations/20260102030409_nexus_integrate_005_key_ring.sql",
        "supabase/migrations/20260102030410_nexus_integrate_006_disconnect_through_function.sql",
        "supabase/migrations/20260102030411_nexus_integrate_007_function_roles.sql",
        "supabase/migrations/20260102030412_nexus_integrate_008_revocation_events.sql",
        "supabase/migrations/20260102030413_nexus_integrate_009_job_calls_take_role.sql",
        "supabase/migrations/20260102030414_hubspot_001_integration.sql",
        "supabase/migrations/20260102030415_hubspot_003_sync_schedule.sql",
        "supabase/migrations/20260102030416_hubspot_004_function_role.sql",
        "docs/integrations/hubspot.md",
        ".env.example",
        "supabase/functions/.env.example",
      ]),
    );
  });

  it.each([...listPresetIds().map((id) => [id, buildSpec({ positional: id })] as const), ["hostile", finalizeSpec(hostileSpecInput())] as const])(
    "%s renders TypeScript that parses",
    (_name, spec) => {
      const errors = render(spec)
        .filter((o) => o.kind === "file" && /\.(ts|tsx)$/.test(o.path))
        .flatMap((o) => syntaxErrors(o.content, o.path));
      expect(errors).toEqual([]);
    },
  );

  it("never prints a hostile value raw: each lands escaped for its context", () => {
    const outputs = render(finalizeSpec(hostileSpecInput()));
    for (const output of outputs) {
      expect(output.content, output.path).not.toContain(HOSTILE_DISPLAY_NAME);
      expect(output.content.toLowerCase(), output.path).not.toContain("</script><script>");
    }
    const utils = outputs.find((o) => o.path.endsWith("acme-hostile/utils.ts"))!;
    const literal = /\n  displayName: (".*"),\n/.exec(utils.content)![1]!;
    expect(JSON.parse(literal.replace(/<\\\//g, "</"))).toBe(HOSTILE_DISPLAY_NAME);
    const sql = outputs.find((o) => o.path.endsWith("_acme_hostile_001_integration.sql"))!;
    expect(sql.content).toContain("values ('acme-hostile', 'acme_hostile_records')");
  });

  it("puts no secret in a VITE_ variable and names the secret only as a function secret", () => {
    for (const output of render()) {
      expect(output.content, output.path).not.toMatch(/VITE_[A-Z_]*SECRET/);
    }
    const envBlock = render().find((o) => o.path === ".env.example")!;
    expect(envBlock.content).toContain("VITE_HUBSPOT_CLIENT_ID=");
    const fnEnv = render().filter((o) => o.path === "supabase/functions/.env.example").map((o) => o.content).join("");
    expect(fnEnv).toContain("HUBSPOT_CLIENT_SECRET=");
  });

  it("edge functions import only npm: specifiers and relative files", () => {
    for (const output of render().filter((o) => o.path.startsWith("supabase/functions/") && o.path.endsWith(".ts"))) {
      const specifiers = [...output.content.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
      // npm: specifiers are pinned exactly: a deploy never takes whatever minor version exists that day
      for (const specifier of specifiers) expect(specifier, output.path).toMatch(/^(npm:(@[a-z0-9-]+\/)?[a-z0-9.-]+@\d+\.\d+\.\d+(\/.*)?|\.\.?\/.*)$/);
    }
  });

  it("the docs page names the remaining risk when PKCE is off, and only then", () => {
    const docs = (spec: ReturnType<typeof buildSpec>) => render(spec).find((o) => o.path === `docs/integrations/${spec.id}.md`)!.content;
    const off = docs(buildSpec({ positional: "hubspot" }));
    expect(off).toContain("**Remaining risk: PKCE is off**");
    expect(off).toContain("authorization-code injection (RFC 9700 §2.1.1");
    expect(off).toContain("`nexus-integrate new hubspot --pkce`");
    const on = docs(buildSpec({ positional: "google-analytics" }));
    expect(on).toContain("with PKCE S256");
    expect(on).not.toContain("Remaining risk");
  });

  it("is deterministic", () => {
    expect(render()).toEqual(render());
  });
});

describe("template validation", () => {
  it("refuses a value printed without a context helper, with file:line:column", () => {
    expect(checkTemplate("t.ts.hbs", 'line one\nconst a = "{{spec.displayName}}";')).toEqual([
      expect.objectContaining({ template: "t.ts.hbs", line: 2, column: 12, message: expect.stringContaining("context helper") }),
    ]);
  });

  it("allows validated names raw and helpers anywhere", () => {
    expect(checkTemplate("t", "{{names.pascal}} {{tsString spec.displayName}} {{#if spec.pkce}}x{{/if}}")).toEqual([]);
  });

  it("reports unknown helpers and syntax errors", () => {
    expect(checkTemplate("t", "{{shout spec.id}}")[0]?.message).toContain('unknown helper "shout"');
    const [problem] = checkTemplate("t", "a\n{{#if x}}never closed");
    expect(problem?.line).toBeGreaterThanOrEqual(2);
  });

  it("fails on unknown variables at render time (strict mode)", () => {
    const engine = new TemplateEngine();
    const render = engine.compile("t.hbs", "{{names.nope}}");
    expect(() => render({ names: {} })).toThrow(/template failed to render/);
  });
});

describe("output paths", () => {
  it("follow nexus-integrate.config.json folders", () => {
    const custom = resolveRepoConfig({ paths: { components: "app/integrations/ui", functions: "backend/functions" } });
    expect(mapOutputPath("src/components/integrations/{{pascal}}Setup.tsx", custom, { pascal: "HubSpot" })).toBe(
      "app/integrations/ui/HubSpotSetup.tsx",
    );
    expect(mapOutputPath("supabase/functions/.env.example", custom, {})).toBe("backend/functions/.env.example");
  });

  it("refuses config paths that leave the target", () => {
    expect(() => resolveRepoConfig({ paths: { docs: "../outside" } })).toThrow(/not valid/);
  });

  it("allocates migration versions after existing ones, one second apart", () => {
    const clock = new MigrationClock(new Date(Date.UTC(2025, 0, 1)), ["20300101000000"]);
    expect([clock.allocate(), clock.allocate()]).toEqual(["20300101000001", "20300101000002"]);
  });
});
