#!/usr/bin/env node
// nexus-integrate benchmark: median wall time and peak memory, all in one run on this machine.
//   a. `nexus-integrate --version` vs `node -e 0`
//   b. `nexus-integrate new hubspot --yes` into a fresh copy of the example app vs plop and hygen writing the
//      same files from equivalent templates, made from the current templates into a temp folder at each run
//      (make-comparison-templates.mjs)
//   c. `regenerate --all --check` on targets holding 10, 100 and 300 integrations
// Usage: npm run bench [-- --runs 15 --sizes 10,100,300 --json bench/results/latest.json]
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const RUNS = Number(option("runs", "15"));
const SIZES = option("sizes", "10,100,300").split(",").map(Number);
const JSON_OUT = option("json", null);

const BIN = path.join(root, "bin", "nexus-integrate.js");
const PLOP = path.join(root, "node_modules", "plop", "bin", "plop.js");
const HYGEN = path.join(root, "node_modules", "hygen", "dist", "bin.js");
const work = mkdtempSync(path.join(tmpdir(), "nexus-bench-"));
const comparison = path.join(work, "comparison");
const { makeComparisonTemplates } = await import("./make-comparison-templates.mjs");
makeComparisonTemplates(comparison);
const rssFile = path.join(work, "rss.txt");
const baseEnv = {
  ...process.env,
  NO_COLOR: "1",
  SOURCE_DATE_EPOCH: "1764000000",
  NODE_OPTIONS: `--require ${path.join(root, "bench", "maxrss.cjs")}`,
  BENCH_RSS_FILE: rssFile,
};

function freshApp() {
  const dir = mkdtempSync(path.join(work, "app-"));
  cpSync(path.join(root, "examples", "nexus-app"), dir, { recursive: true, filter: (s) => !s.includes("node_modules") });
  return dir;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs `prepare()` (untimed) then the command, RUNS times; returns median ms and the peak RSS in MiB. */
function measure(label, command, argsFor, { prepare = () => ({}), cwdFor, runs = RUNS, env = {} } = {}) {
  const times = [];
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    const ctx = prepare();
    writeFileSync(rssFile, "");
    const start = process.hrtime.bigint();
    const result = spawnSync(command, argsFor(ctx), { cwd: cwdFor?.(ctx) ?? root, env: { ...baseEnv, ...env }, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${label} failed (${result.status}): ${result.stderr || result.stdout}`);
    times.push(ms);
    const rss = readFileSync(rssFile, "utf8").trim().split("\n").filter(Boolean).map(Number);
    peak = Math.max(peak, ...rss);
  }
  return { label, medianMs: Math.round(median(times) * 10) / 10, peakMiB: Math.round((peak / 1024) * 10) / 10, runs };
}

const results = {};
console.error(`nexus-integrate benchmark: ${RUNS} runs per case, node ${process.version}`);

// a. start-up
results.node = measure("node -e 0", process.execPath, () => ["-e", "0"]);
results.version = measure("nexus-integrate --version", process.execPath, () => [BIN, "--version"]);

// b. one integration, three generators — interleaved run by run, so drift in the machine's speed hits all three
const generators = {
  new: ["nexus-integrate new hubspot --yes", (app) => [BIN, "new", "hubspot", "--yes", "--target", app], {}],
  plop: [
    "plop (same files)",
    (app) => [PLOP, "--plopfile", path.join(comparison, "plop", "plopfile.mjs"), "--dest", app, "integration", "hubspot", "HubSpot", "HUBSPOT"],
    {},
  ],
  hygen: [
    "hygen (same files)",
    () => [HYGEN, "integration", "new", "--id", "hubspot", "--pascal", "HubSpot", "--constant", "HUBSPOT"],
    { cwdFor: (app) => app, env: { HYGEN_TMPLS: path.join(comparison, "hygen", "_templates") } },
  ],
};
const rounds = Object.fromEntries(Object.keys(generators).map((key) => [key, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [key, [label, argsFor, extra]] of Object.entries(generators)) {
    rounds[key].push(measure(label, process.execPath, argsFor, { prepare: freshApp, runs: 1, ...extra }));
  }
}
for (const [key, list] of Object.entries(rounds)) {
  results[key] = {
    label: list[0].label,
    medianMs: Math.round(median(list.map((r) => r.medianMs)) * 10) / 10,
    peakMiB: Math.max(...list.map((r) => r.peakMiB)),
    runs: list.length,
  };
}

// c. regenerate --all --check as the number of integrations grows
results.check = [];
for (const size of SIZES) {
  const app = freshApp();
  const specDir = mkdtempSync(path.join(work, "specs-"));
  console.error(`  preparing a target with ${size} integrations…`);
  for (let i = 1; i <= size; i++) {
    const spec = path.join(specDir, `s${i}.json`);
    writeFileSync(
      spec,
      JSON.stringify({
        id: `acme-${i}`,
        displayName: `Acme ${i}`,
        authorizationUrl: `https://auth${i}.acme.example/authorize`,
        tokenUrl: `https://auth${i}.acme.example/token`,
        apiBaseUrl: `https://api${i}.acme.example`,
        scopes: ["read", "offline_access"],
        sync: { path: "/v1/items", itemsField: "items" },
      }),
    );
    const made = spawnSync(process.execPath, [BIN, "new", "--spec", spec, "--yes", "--target", app], { env: { ...process.env, SOURCE_DATE_EPOCH: "1764000000" } });
    if (made.status !== 0) throw new Error(`preparing ${size}: ${made.stderr}`);
  }
  results.check.push({ integrations: size, ...measure(`regenerate --all --check (${size})`, process.execPath, () => [BIN, "regenerate", "--all", "--check", "--target", app], { runs: Math.max(3, Math.min(RUNS, 7)) }) });
}
rmSync(work, { recursive: true, force: true });

// Table and targets
const ratio = (a, b) => Math.round((a / b) * 100) / 100;
const rows = [
  [results.node.label, results.node.medianMs, results.node.peakMiB, ""],
  [results.version.label, results.version.medianMs, results.version.peakMiB, `${ratio(results.version.medianMs, results.node.medianMs)}× node`],
  [results.new.label, results.new.medianMs, results.new.peakMiB, ""],
  [results.plop.label, results.plop.medianMs, results.plop.peakMiB, `nexus = ${ratio(results.new.medianMs, results.plop.medianMs)}× plop`],
  [results.hygen.label, results.hygen.medianMs, results.hygen.peakMiB, `nexus = ${ratio(results.new.medianMs, results.hygen.medianMs)}× hygen`],
  ...results.check.map((c) => [c.label, c.medianMs, c.peakMiB, `${Math.round((c.medianMs / c.integrations) * 100) / 100} ms / integration`]),
];
const line = (cells) => `| ${cells.map(String).join(" | ")} |`;
const table = [line(["case", "median ms", "peak MiB", "ratio"]), line(["---", "---:", "---:", "---"]), ...rows.map(line)].join("\n");
const check100 = results.check.find((c) => c.integrations === 100);
const targets = {
  "version ≤ 1.5× node": ratio(results.version.medianMs, results.node.medianMs) <= 1.5,
  "new ≤ 0.5× plop": ratio(results.new.medianMs, results.plop.medianMs) <= 0.5,
  "new ≤ 1.0× hygen": ratio(results.new.medianMs, results.hygen.medianMs) <= 1.0,
  "new peak ≤ 80 MiB": results.new.peakMiB <= 80,
  ...(check100 ? { "check of 100 integrations ≤ 1 s": check100.medianMs <= 1000 } : {}),
};
console.log(table);
console.log("");
for (const [name, met] of Object.entries(targets)) console.log(`${met ? "met   " : "MISSED"}  ${name}`);
if (JSON_OUT) {
  mkdirSync(path.dirname(path.resolve(JSON_OUT)), { recursive: true });
  writeFileSync(JSON_OUT, `${JSON.stringify({ node: process.version, runs: RUNS, results, targets }, null, 2)}\n`);
}
