import { execa } from "execa";
import { createServer } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { linkAppDeps } from "../helpers/app-deps.js";
import { BIN, copyExampleApp, REPO_ROOT } from "../helpers/fixtures.js";
import { SUPABASE_CLI } from "../helpers/supabase-cli.js";
import type { Finding } from "../../src/commands/doctor.js";

/**
 * Local development as the docs page and the README describe it, run as written: the doctor that checks it first
 * fails naming every missing value, then passes once the section's commands have written them.
 */
function run(args: string[], cwd?: string) {
  return execa("node", [BIN, ...args], { reject: false, stdin: "ignore", cwd, env: { NO_COLOR: "1" } });
}

async function doctor(app: string): Promise<{ exitCode: number; findings: Finding[]; notChecked: string[] }> {
  const result = await run(["doctor", "--json", "--target", app]);
  const json = JSON.parse(result.stdout) as { findings: Finding[]; notChecked: string[] };
  return { exitCode: result.exitCode ?? -1, findings: json.findings, notChecked: json.notChecked };
}

const failing = (findings: Finding[]) => findings.filter((f) => !f.ok);

/** The ```sh blocks of the section headed `heading`, up to the next heading of its level or higher. */
function shellBlocks(markdown: string, heading: RegExp): string[] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => heading.test(line));
  expect(start, `no ${heading} section`).toBeGreaterThanOrEqual(0);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((line, index) => index > start && /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level);
  const section = lines.slice(start, end === -1 ? undefined : end).join("\n");
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

const USER_VALUES: Record<string, string> = { "<client id>": "hubspot-dev-client", "<client secret>": "hubspot-dev-secret" };

/** Runs one block in the app as a user's shell would (the Supabase CLI 3.1.0 first on PATH). */
async function runBlock(app: string, block: string): Promise<void> {
  const script = Object.entries(USER_VALUES).reduce((text, [placeholder, value]) => text.split(placeholder).join(value), block);
  expect(script, "a placeholder the test does not fill").not.toMatch(/<[a-z ]+>/);
  const env = { ...process.env, PATH: `${path.dirname(SUPABASE_CLI)}:${process.env.PATH}`, NO_COLOR: "1" };
  if (/^npm run dev\s*$/.test(script.trim())) {
    await devServerServes(app, env);
    return;
  }
  const result = await execa("bash", ["-eo", "pipefail", "-c", script], { cwd: app, env, reject: false, all: true, stdin: "ignore", timeout: 120_000 });
  if (/^supabase (start|functions serve)\b/.test(script.trim())) {
    // No Docker daemon here: the CLI must get as far as Docker (its flags parsed, its env file found).
    expect(result.all, script).not.toMatch(/Unrecognized flag|unknown command|unknown flag|not found|no such file/i);
    if (result.exitCode !== 0) expect(result.all, script).toMatch(/Cannot connect to the Docker daemon|docker/i);
    return;
  }
  expect(result.exitCode, `${script}\n${result.all}`).toBe(0);
}

/** `npm run dev` as written: Vite serves the setup page at the URL it prints; stopped by its process group. */
async function devServerServes(app: string, env: NodeJS.ProcessEnv): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer().once("error", () => resolve(false));
    probe.listen(5173, "localhost", () => probe.close(() => resolve(true)));
  });
  const server = execa("npm", ["run", "dev"], { cwd: app, env, reject: false, detached: true, all: true, stdin: "ignore" });
  try {
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`vite printed no URL: ${output}`)), 60_000);
      server.all!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Local:\s+(http:\/\/localhost:\d+)\//.exec(output.replace(/\u001b\[[0-9;]*m/g, ""));
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    if (free) expect(url).toBe("http://localhost:5173");
    const page = await fetch(`${url}/integrations/hubspot`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
  } finally {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
    await server;
  }
}

describe("local development", () => {
  it("doctor right after new hubspot names each missing setting with its fix (exit 1); after the docs page's section, run as written, it exits 0", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const before = await doctor(app);
    expect(before.exitCode).toBe(1);
    const problems = failing(before.findings);
    for (const setting of ["VITE_HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET", "NEXUS_TOKEN_ENCRYPTION_KEY", "NEXUS_STATE_SIGNING_KEY", "NEXUS_ALLOWED_ORIGINS"]) {
      const named = problems.find((f) => new RegExp(`\\b${setting}\\b`).test(f.message));
      expect(named, setting).toBeDefined();
      expect(named!.fix, setting).toMatch(new RegExp(`${setting}=`));
    }
    expect(problems.map((f) => f.check)).toContain("function-env");
    expect(before.notChecked.join("\n")).toContain("deployed function secrets");

    linkAppDeps(app);
    const blocks = shellBlocks(readFileSync(path.join(app, "docs/integrations/hubspot.md"), "utf8"), /^## Local development$/);
    expect(blocks.map((block) => block.trim().split("\n")[0])).toEqual([
      "supabase start",
      "test -e supabase/functions/.env || cat > supabase/functions/.env <<EOF",
      'echo "VITE_HUBSPOT_CLIENT_ID=<client id>" >> .env.local',
      "supabase functions serve --env-file supabase/functions/.env",
      "npm run dev",
    ]);
    for (const block of blocks) await runBlock(app, block);
    const after = await doctor(app);
    expect(failing(after.findings)).toEqual([]);
    expect(after.exitCode).toBe(0);
    // Written once: a second run of the section keeps the file (its keys unchanged).
    const env = readFileSync(path.join(app, "supabase/functions/.env"), "utf8");
    await runBlock(app, blocks[1]!);
    expect(readFileSync(path.join(app, "supabase/functions/.env"), "utf8")).toBe(env);
  });

  it("the README's local development blocks, run as written on the example app after new hubspot, leave doctor at exit 0", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    linkAppDeps(app);
    const blocks = shellBlocks(readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"), /^### Local development$/);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const page = shellBlocks(readFileSync(path.join(app, "docs/integrations/hubspot.md"), "utf8"), /^## Local development$/);
    expect(blocks, "the README shows what the docs page says").toEqual(page);
    for (const block of blocks) await runBlock(app, block);
    const after = await doctor(app);
    expect(failing(after.findings)).toEqual([]);
  });

  it("doctor checks the values, not only their presence: key length, one key in both rings, origins, the dev port, git", async () => {
    const app = copyExampleApp();
    expect((await run(["new", "hubspot", "--yes", "--target", app])).exitCode).toBe(0);
    const key = Buffer.alloc(32, 7).toString("base64");
    const write = (lines: Record<string, string>) =>
      writeFileSync(path.join(app, "supabase/functions/.env"), Object.entries(lines).map(([name, value]) => `${name}=${value}\n`).join(""));
    writeFileSync(path.join(app, ".env.local"), "VITE_HUBSPOT_CLIENT_ID=one-client\n");
    const good = { HUBSPOT_CLIENT_ID: "one-client", HUBSPOT_CLIENT_SECRET: "s", NEXUS_TOKEN_ENCRYPTION_KEY: key, NEXUS_STATE_SIGNING_KEY: Buffer.alloc(32, 9).toString("base64"), NEXUS_ALLOWED_ORIGINS: "http://localhost:5173,https://app.example.com" };
    write(good);
    expect(failing((await doctor(app)).findings)).toEqual([]);

    const cases: [Record<string, string>, string, RegExp][] = [
      [{ ...good, NEXUS_TOKEN_ENCRYPTION_KEY: Buffer.alloc(16, 1).toString("base64") }, "function-keys", /decodes to 16 bytes, not 32/],
      [{ ...good, NEXUS_STATE_SIGNING_KEY: "not base64!" }, "function-keys", /is not base64/],
      [{ ...good, NEXUS_STATE_SIGNING_KEYS: `${Buffer.alloc(32, 3).toString("base64")},${key}`, NEXUS_STATE_SIGNING_KEY: "" }, "function-keys", /share a key/],
      [{ ...good, NEXUS_ALLOWED_ORIGINS: "https://app.example.com/dashboard" }, "allowed-origins", /is not an origin/],
      [{ ...good, NEXUS_ALLOWED_ORIGINS: "https://app.example.com" }, "allowed-origins", /leaves out the dev server, http:\/\/localhost:5173/],
      [{ ...good, HUBSPOT_CLIENT_ID: "another-client" }, "function-secrets", /differ/],
      [{ ...good, HUBSPOT_CLIENT_SECRET: "" }, "function-secrets", /sets no HUBSPOT_CLIENT_SECRET/],
    ];
    for (const [values, check, message] of cases) {
      write(values);
      const problems = failing((await doctor(app)).findings);
      expect(problems.map((f) => f.check), JSON.stringify(values)).toEqual([check]);
      expect(problems[0]!.message).toMatch(message);
    }
    write(good);

    // The dev script moves the dev server: the redirect URI the docs register no longer reaches it.
    const pkgFile = path.join(app, "package.json");
    const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { scripts: Record<string, string> };
    writeFileSync(pkgFile, JSON.stringify({ ...pkg, scripts: { ...pkg.scripts, dev: "vite --port 3000" } }, null, 2));
    const moved = failing((await doctor(app)).findings);
    expect(moved.map((f) => f.check).sort()).toEqual(["allowed-origins", "redirect-uri"]);
    expect(moved.find((f) => f.check === "redirect-uri")!.message).toContain("the dev server runs on http://localhost:3000 (from package.json's dev script (--port 3000))");
    writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));

    // In a git work tree that does not ignore the function env file, its secrets are one commit from public.
    await execa("git", ["init", "-q"], { cwd: app });
    writeFileSync(path.join(app, ".gitignore"), "node_modules\n");
    const exposed = failing((await doctor(app)).findings);
    expect(exposed.map((f) => f.check)).toEqual(["function-env"]);
    expect(exposed[0]!.message).toContain("git does not ignore it");
    writeFileSync(path.join(app, ".gitignore"), "node_modules\nsupabase/functions/.env\n");
    expect(failing((await doctor(app)).findings)).toEqual([]);
  });
});
