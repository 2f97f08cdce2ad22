#!/usr/bin/env node
// Runs `nexus-integrate new hubspot --yes` on a fresh temp copy of examples/nexus-app and shows what it generated,
// migrations included; the copy is removed afterwards unless --keep is passed.
//   npm run example [-- <provider>] [-- --keep]
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const keep = args.includes("--keep");
const work = mkdtempSync(path.join(tmpdir(), "nexus-example-"));
const target = path.join(work, "nexus-app");
cpSync(path.join(root, "examples", "nexus-app"), target, {
  recursive: true,
  filter: (source) => !source.split(path.sep).includes("node_modules"),
});

const provider = args.find((arg) => !arg.startsWith("-")) ?? "hubspot";
try {
  execFileSync(
    process.execPath,
    [
      path.join(root, "bin", "nexus-integrate.js"),
      "new",
      provider,
      "--yes",
      "--target",
      target,
    ],
    {
      stdio: "inherit",
    },
  );

  const lock = JSON.parse(
    readFileSync(path.join(target, "nexus-integrate.lock.json"), "utf8"),
  );
  const files = [
    ...new Set([
      ...[
        ...lock.shared.outputs,
        ...Object.values(lock.integrations).flatMap((i) => i.outputs),
      ].map((o) => o.path),
      ...(lock.migrations ?? []).map((m) => m.file),
    ]),
  ].sort();
  const tree = {};
  for (const file of [...files, "nexus-integrate.lock.json"].sort()) {
    let node = tree;
    for (const part of file.split("/")) node = node[part] ??= {};
  }
  const print = (node, prefix = "") => {
    const entries = Object.keys(node).sort();
    entries.forEach((name, i) => {
      const last = i === entries.length - 1;
      console.log(`${prefix}${last ? "└── " : "├── "}${name}`);
      print(node[name], `${prefix}${last ? "    " : "│   "}`);
    });
  };
  console.log(`\nGenerated into ${target}:`);
  print(tree);
} finally {
  if (keep) console.log(`\nKept ${target} (delete it when done).`);
  else {
    rmSync(work, { recursive: true, force: true });
    console.log(
      "\nThe temporary copy was removed; `npm run example -- --keep` keeps it to look inside.",
    );
  }
}
