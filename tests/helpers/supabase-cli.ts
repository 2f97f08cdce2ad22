import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { REPO_ROOT } from "./paths.js";

/**
 * The Supabase CLI the tests deploy with: the npm `supabase` package at exactly the version package.json's
 * `config.supabaseCli` names. It is not a devDependency: its platform binaries are optional dependencies, and a
 * lockfile written on one platform lists only that platform's, which `npm ci` then refuses. So it is installed on
 * its own, once, into `.cache/supabase-cli/<version>/` (staged, then renamed: an interrupted install leaves nothing
 * half-written), by the test run's global setup.
 */
export const SUPABASE_CLI_VERSION: string = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { config: { supabaseCli: string } }
).config.supabaseCli;

const dir = path.join(REPO_ROOT, ".cache", "supabase-cli", SUPABASE_CLI_VERSION);

export const SUPABASE_CLI = path.join(dir, "node_modules", ".bin", "supabase");

export async function ensureSupabaseCli(): Promise<string> {
  if (existsSync(path.join(dir, ".complete")) && existsSync(SUPABASE_CLI)) return SUPABASE_CLI;
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(path.join(staging, "package.json"), `${JSON.stringify({ private: true }, null, 2)}\n`);
  await execa(
    "npm",
    ["install", "--no-audit", "--no-fund", "--no-package-lock", "--save-exact", `supabase@${SUPABASE_CLI_VERSION}`],
    { cwd: staging, stdio: "inherit" },
  );
  const { stdout } = await execa(path.join(staging, "node_modules", ".bin", "supabase"), ["--version"], { stdin: "ignore" });
  if (stdout.trim() !== SUPABASE_CLI_VERSION) {
    throw new Error(`npm installed Supabase CLI ${stdout.trim()}, not ${SUPABASE_CLI_VERSION}`);
  }
  writeFileSync(path.join(staging, ".complete"), new Date().toISOString());
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(staging, dir);
  return SUPABASE_CLI;
}
