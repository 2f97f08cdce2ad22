import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { UsageError, type FieldIssue } from "../../src/errors.js";

import { EXAMPLE_APP, LOVABLE_APP, PLAYBOOK_APP, SHADCN_APP, TANSTACK_APP } from "./paths.js";

export { BIN, EXAMPLE_APP, LOVABLE_APP, PLAYBOOK_APP, REPO_ROOT, SHADCN_APP, TANSTACK_APP } from "./paths.js";

const created: string[] = [];
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = "nexus-test-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A fresh copy of the example app (without node_modules). */
export function copyExampleApp(): string {
  return copyApp(EXAMPLE_APP);
}

/**
 * A fresh copy of the playbook fixture: a Nexus repo built by hand from the playbook (hand-written HubSpot and
 * Microsoft integrations, its own _shared/cors.ts, no markers, react-router-dom, split tsconfig, a leaked
 * VITE_ secret), optionally inside a monorepo-like parent (`<parent>/apps/nexus`).
 */
export function copyPlaybookApp(options: { inMonorepo?: boolean } = {}): string {
  return copyApp(PLAYBOOK_APP, options.inMonorepo ? "apps/nexus" : "app");
}

/**
 * A fresh copy of the shadcn fixture: a create-vite react-ts app with Tailwind v4, components.json and shadcn-style
 * `@/components/ui/*` parts (written for this project), react-router-dom `<Routes>`, no registry, no markers, no config.
 */
export function copyShadcnApp(): string {
  return copyApp(SHADCN_APP);
}

/**
 * A fresh copy of the Lovable-shaped fixture: Lovable's typed client at src/integrations/supabase/client.ts
 * (createClient<Database>, its types.ts), shadcn parts on Tailwind, react-router-dom, vite.config's server on port
 * 8080, tsconfig.app.json, `vite build` as its build; the shadcn fixture's packages (its node_modules are linked).
 */
export function copyLovableApp(): string {
  return copyApp(LOVABLE_APP);
}

/**
 * A fresh copy of the TanStack Router fixture: file-based routes through its Vite plugin (src/routes, a committed
 * src/routeTree.gen.ts), create-vite's strict tsconfig and `tsc -b && vite build`, no react-router, no config.
 */
export function copyTanstackApp(): string {
  return copyApp(TANSTACK_APP);
}

/** An env-optional Supabase client (null without VITE_SUPABASE_URL and its key), as many apps write one. */
export const ENV_OPTIONAL_CLIENT = `import { createClient } from "@supabase/supabase-js";

const url = import.meta.env.VITE_SUPABASE_URL as string | undefined;
const key = import.meta.env.VITE_SUPABASE_PUBLISHABLE_KEY as string | undefined;

export const supabase = url && key ? createClient(url, key) : null;
`;

function copyApp(source: string, under = "app"): string {
  const dir = path.join(tempDir(), under);
  cpSync(source, dir, {
    recursive: true,
    filter: (source) => !source.split(path.sep).includes("node_modules") && !source.endsWith(`${path.sep}dist`),
  });
  return dir;
}

/** Every file below `dir` with the sha256 of its bytes: compare two snapshots to prove nothing changed. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.name === "node_modules") continue; // a folder, or the link to the cached dependencies
      if (entry.isDirectory()) {
        walk(full);
      } else {
        out[path.relative(dir, full)] = createHash("sha256").update(readFileSync(full)).digest("hex");
      }
    }
  };
  walk(dir);
  return out;
}

export function mtimes(dir: string, files: string[]): Record<string, number> {
  return Object.fromEntries(files.map((f) => [f, statSync(path.join(dir, f)).mtimeMs]));
}

/** A valid spec whose display name and benefits are as hostile as the schema allows. */
export const HOSTILE_DISPLAY_NAME = "Acme \"Quote\" 'Single' `tick` ${x} </script> <b>&amp;</b> */ -- \\ 🚀";

export function hostileSpecInput(baseUrl = "https://auth.example.com") {
  return {
    id: "acme-hostile",
    displayName: HOSTILE_DISPLAY_NAME,
    authorizationUrl: `${baseUrl}/authorize?tenant=a'b`,
    tokenUrl: `${baseUrl}/token`,
    userinfoUrl: `${baseUrl}/userinfo`,
    apiBaseUrl: "https://api.example.com/v1",
    scopes: ["read:all", "https://api.example.com/scope$1", "a'b", "x`y", "${z}"],
    authorizationParams: { prompt: "consent", "x-odd": "</script> ' \" ` ${y}" },
    benefits: ["Benefit with \"quotes\" and `ticks` and ${template}", "</script><script>alert(1)</script>"],
    sync: { path: "/items?filter='x'&q=`y`", itemsField: "data.items", idField: "id" },
  };
}

/** The field issues of the UsageError that `fn` throws (fails the test when it throws anything else). */
export function usageIssues(fn: () => unknown): FieldIssue[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error.issues;
    throw error;
  }
  throw new Error("expected a UsageError");
}

/**
 * The local set-up a developer writes after `new` (the docs page's "Local development" section): the public client
 * ids in .env.local, the function secrets in supabase/functions/.env. Doctor passes on an app with it; `names` are
 * the integrations' constant names (HUBSPOT for hubspot).
 */
export function configureLocalEnv(app: string, names: string[], options: { origin?: string } = {}): void {
  const key = () => randomBytes(32).toString("base64");
  const lines = [`NEXUS_TOKEN_ENCRYPTION_KEY=${key()}`, `NEXUS_STATE_SIGNING_KEY=${key()}`, `NEXUS_ALLOWED_ORIGINS=${options.origin ?? "http://localhost:5173"}`];
  const browser: string[] = [];
  for (const name of names) {
    lines.push(`${name}_CLIENT_ID=${name.toLowerCase()}-client`, `${name}_CLIENT_SECRET=${name.toLowerCase()}-secret`);
    browser.push(`VITE_${name}_CLIENT_ID=${name.toLowerCase()}-client`);
  }
  mkdirSync(path.join(app, "supabase/functions"), { recursive: true });
  writeFileSync(path.join(app, "supabase/functions/.env"), `${lines.join("\n")}\n`);
  const local = path.join(app, ".env.local");
  writeFileSync(local, `${existsSync(local) ? readFileSync(local, "utf8") : ""}${browser.join("\n")}\n`);
}
