import { execa } from "execa";
import { readdirSync } from "node:fs";
import path from "node:path";
import { denoCheck } from "./deno.js";

/** The app's own strict tsc over a generated copy (its node_modules linked from the cache). */
export function tscApp(app: string) {
  const tsc = path.join(app, "node_modules", "typescript", "bin", "tsc");
  return execa("node", [tsc, "--noEmit", "-p", "tsconfig.json"], { cwd: app, reject: false });
}

/** The entry points of every generated edge function (folders not starting with "_"). */
export function functionEntries(app: string): string[] {
  return readdirSync(path.join(app, "supabase", "functions"), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("_"))
    .map((e) => `${e.name}/index.ts`)
    .sort();
}

/** `deno check` over the given function files (relative to supabase/functions). */
export function denoCheckFunctions(app: string, files: string[]) {
  return denoCheck(path.join(app, "supabase", "functions"), files);
}
