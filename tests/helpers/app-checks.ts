import { execa } from "execa";
import { readdirSync } from "node:fs";
import path from "node:path";
import { DENO, denoCheckAsDeveloper, denoEnv } from "./deno.js";

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

/**
 * `deno check index.ts` in each function's folder of an app with its package.json and installed node_modules,
 * the way Supabase documents per-function dependencies (each function's deno.json is its configuration);
 * returns the failures with Deno's output.
 */
export async function denoCheckFunctions(app: string, entries: string[]): Promise<{ entry: string; output: string }[]> {
  const failures: { entry: string; output: string }[] = [];
  const queue = [...entries];
  // Two at a time (the machines have two cores); each run checks its function's whole graph.
  const worker = async () => {
    for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) {
      const result = await denoCheckAsDeveloper(path.join(app, "supabase", "functions", path.dirname(entry)));
      if (result.exitCode !== 0) failures.push({ entry, output: `${result.stdout}${result.stderr}` });
    }
  };
  await Promise.all([worker(), worker()]);
  return failures.sort((a, b) => a.entry.localeCompare(b.entry));
}

/**
 * `deno check supabase/functions/<name>/index.ts …` from the app root, as editors and people run it (the root's
 * Deno config, not each function's, is the one Deno reads there).
 */
export function denoCheckFromRoot(app: string, entries: string[]) {
  return execa(DENO, ["check", "--quiet", ...entries.map((entry) => `supabase/functions/${entry}`)], { cwd: app, reject: false, env: denoEnv(), timeout: 240_000 });
}
