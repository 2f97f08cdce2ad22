#!/usr/bin/env node
// npm run mutations [-- --only id,id] [--json out.json]
//
// The mutation round: breaks each safety line of the templates in turn (scripts/mutations/list.mjs), in a copy of
// the working tree, rebuilds, runs the behavioural tests named for it and reports whether they caught it. Before
// any mutation, the same test runs must pass on the unbroken copy (the baseline): a catch then means the mutation
// broke something, not that the test was failing anyway. Exits 1 when a mutation survives, a patch no longer applies,
// a mutated copy does not build, or the baseline fails. Not part of `npm test` (it takes about half an hour).
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { applyMutation, checkMutations } from "./check.mjs";
import { MUTATIONS } from "./list.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? null : (args[at + 1] ?? null);
};
const only = option("--only")?.split(",").filter(Boolean) ?? null;
const jsonOut = option("--json");
const RUN_TIMEOUT_MS = 20 * 60_000;

const unknown = (only ?? []).filter((id) => !MUTATIONS.some((m) => m.id === id));
if (unknown.length > 0) {
  console.error(`--only: no mutation named ${unknown.join(", ")} (see scripts/mutations/list.mjs)`);
  process.exit(2);
}
const chosen = only ? MUTATIONS.filter((m) => only.includes(m.id)) : MUTATIONS;

const problems = checkMutations(root, MUTATIONS);
if (problems.length > 0) {
  console.error("The mutation list no longer follows the code:");
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}

// A copy of the working tree (what git would commit, uncommitted changes included), sharing node_modules and the
// test caches (the apps' installed dependencies).
const work = mkdtempSync(path.join(os.tmpdir(), "nexus-mutations-"));
const copy = path.join(work, "nexus-integrate");
const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
  .split("\0")
  .filter((file) => file !== "" && existsSync(path.join(root, file)));
for (const file of files) {
  mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
  cpSync(path.join(root, file), path.join(copy, file));
}
symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
mkdirSync(path.join(root, ".cache"), { recursive: true });
symlinkSync(path.join(root, ".cache"), path.join(copy, ".cache"), "dir");
const logs = path.join(work, "logs");
mkdirSync(logs);
console.log(`Working copy: ${copy} (logs in ${logs})`);

// Ctrl-C (or a kill) stops the running test process group and removes the working copy.
let running = null;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (running) {
      try {
        process.kill(-running.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    rmSync(work, { recursive: true, force: true });
    console.error(`\nStopped (${signal}); the working copy is removed.`);
    process.exit(130);
  });
}

function run(command, argv, logFile) {
  return new Promise((resolve) => {
    const out = [];
    const child = spawn(command, argv, { cwd: copy, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
    running = child;
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => out.push(chunk));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }, RUN_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running = null;
      writeFileSync(logFile, Buffer.concat(out));
      resolve({ code: code ?? 1, signal, output: Buffer.concat(out).toString() });
    });
  });
}

const build = (name) => run(process.execPath, ["scripts/build.mjs"], path.join(logs, `${name}.build.log`));

/** Runs a mutation's tests; the names of the tests that failed (or why the run failed without one). */
async function runTests(m, name) {
  const report = path.join(logs, `${name}.json`);
  rmSync(report, { force: true });
  const argv = ["node_modules/vitest/vitest.mjs", "run", ...m.tests, "--reporter=dot", "--reporter=json", `--outputFile.json=${report}`];
  if (m.grep) argv.push("-t", m.grep);
  const started = Date.now();
  const result = await run(process.execPath, argv, path.join(logs, `${name}.log`));
  const seconds = Math.round((Date.now() - started) / 1000);
  let failed = [];
  let ran = 0;
  if (existsSync(report)) {
    const parsed = JSON.parse(readFileSync(report, "utf8"));
    for (const file of parsed.testResults ?? []) {
      for (const test of file.assertionResults ?? []) {
        if (test.status === "passed" || test.status === "failed") ran++;
        if (test.status === "failed") failed.push(`${path.basename(file.name)}: ${test.fullName ?? test.title}`);
      }
      if (file.status === "failed" && (file.assertionResults ?? []).every((t) => t.status !== "failed")) {
        failed.push(`${path.basename(file.name)}: failed before its tests (${(file.message ?? "").split("\n")[0].slice(0, 120)})`);
      }
    }
  } else if (result.code !== 0) {
    failed.push(`vitest did not report (exit ${result.code}${result.signal ? `, ${result.signal}` : ""})`);
  }
  return { passed: result.code === 0, failed, ran, seconds };
}

const commandKey = (m) => JSON.stringify([m.tests, m.grep ?? null]);
const firstBuild = await build("baseline");
if (firstBuild.code !== 0) {
  console.error(`The unbroken copy does not build:\n${firstBuild.output}`);
  process.exit(1);
}
console.log("Baseline: the tests each mutation names, on the unbroken code");
const baselines = new Map();
for (const m of chosen) {
  const key = commandKey(m);
  if (baselines.has(key)) continue;
  const name = `baseline-${baselines.size + 1}`;
  const result = await runTests(m, name);
  baselines.set(key, result);
  const what = `${m.tests.join(" ")}${m.grep ? ` -t "${m.grep}"` : ""}`;
  console.log(`  ${result.passed && result.ran > 0 ? "pass" : "FAIL"}  ${what}  (${result.ran} tests, ${result.seconds} s)`);
  if (!result.passed || result.ran === 0) {
    console.error(result.ran === 0 ? "    no test matched" : result.failed.map((f) => `    ${f}`).join("\n"));
    console.error(`The baseline must pass before a mutation can be judged (log: ${path.join(logs, `${name}.log`)}).`);
    process.exit(1);
  }
}

const results = [];
for (const m of chosen) {
  const texts = applyMutation(copy, m);
  const originals = new Map([...texts.keys()].map((file) => [file, readFileSync(path.join(copy, file), "utf8")]));
  for (const [file, text] of texts) writeFileSync(path.join(copy, file), text);
  let result;
  try {
    const built = await build(m.id);
    if (built.code !== 0) {
      result = { id: m.id, verdict: "did not build", caughtBy: [], seconds: 0 };
    } else {
      const tests = await runTests(m, m.id);
      result = { id: m.id, verdict: tests.passed ? "survived" : "caught", caughtBy: tests.failed, seconds: tests.seconds };
    }
  } finally {
    for (const [file, text] of originals) writeFileSync(path.join(copy, file), text);
  }
  results.push({ ...result, where: m.where, lets: m.lets, tests: m.tests, grep: m.grep ?? null });
  const mark = result.verdict === "caught" ? "caught  " : result.verdict === "survived" ? "SURVIVED" : "NO BUILD";
  console.log(`${mark}  ${m.id}  (${result.seconds} s)${result.caughtBy[0] ? `  by ${result.caughtBy[0]}` : ""}`);
}

const survived = results.filter((r) => r.verdict !== "caught");
const cell = (text) => text.replace(/\|/g, "\\|");
console.log("");
console.log("| mutation | safety line | what it would let through | caught by |");
console.log("| --- | --- | --- | --- |");
for (const r of results) {
  const by = r.verdict === "caught" ? `${r.caughtBy[0] ?? ""}${r.caughtBy.length > 1 ? ` (+${r.caughtBy.length - 1})` : ""}` : `**${r.verdict}**`;
  console.log(`| \`${r.id}\` | ${cell(r.where)} | ${cell(r.lets)} | ${cell(by)} |`);
}
console.log("");
console.log(`${results.length - survived.length} of ${results.length} mutations caught by a behavioural test.`);
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
if (survived.length === 0) rmSync(work, { recursive: true, force: true });
else console.log(`Logs kept in ${logs}.`);
process.exit(survived.length === 0 ? 0 : 1);
