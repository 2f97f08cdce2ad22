import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { tscApp } from "../helpers/app-checks.js";
import { copyExampleApp } from "../helpers/fixtures.js";
import { generate } from "../helpers/generate.js";

/**
 * A typed client, as Lovable and `supabase gen types` make it (`createClient<Database>`): every table the app knows
 * is typed, and ours are not among them until the team regenerates its types. The generated front end reads its
 * tables and calls its functions through an untyped view of the client, so the app still compiles.
 */
const DATABASE_TYPES = `export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type Database = {
  public: {
    Tables: {
      profiles: {
        Row: { id: string; display_name: string | null };
        Insert: { id: string; display_name?: string | null };
        Update: { id?: string; display_name?: string | null };
        Relationships: [];
      };
    };
    Views: { [_ in never]: never };
    Functions: { [_ in never]: never };
    Enums: { [_ in never]: never };
    CompositeTypes: { [_ in never]: never };
  };
};
`;

const TYPED_CLIENT = `import { createClient } from "@supabase/supabase-js";
import type { Database } from "./database.types";

export const supabase = createClient<Database>(import.meta.env.VITE_SUPABASE_URL ?? "http://127.0.0.1:54321", "sb_publishable_local");
`;

it("the generated pages, services and the health page compile against the app's typed client (createClient<Database>)", async () => {
  const app = copyExampleApp();
  writeFileSync(path.join(app, "src/lib/database.types.ts"), DATABASE_TYPES);
  writeFileSync(path.join(app, "src/lib/supabase.ts"), TYPED_CLIENT);
  const report = await generate(app, "hubspot", { template: "advanced" });
  await generate(app, "github");
  expect(report.ops.map((op) => op.path)).toEqual(
    expect.arrayContaining(["src/pages/integrations/IntegrationHealthPage.tsx", "src/services/integrations/nexus-integrate/IntegrationService.ts"]),
  );
  linkAppDeps(app);
  // The example app's own pages are its business (they query our tables through its client too): only the
  // generated files' errors count, and before the untyped view there were six.
  const generated = new Set(report.ops.map((op) => op.path));
  const result = await tscApp(app);
  const errors = (result.stdout + result.stderr).split("\n").filter((line) => generated.has(line.split("(")[0]!));
  expect(errors).toEqual([]);
  // A next step names how to type the new tables for teams that want them typed.
  expect(report.nextSteps.join("\n")).toContain("supabase gen types typescript");
}, 120_000);
