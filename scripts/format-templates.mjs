#!/usr/bin/env node
// Formats the templates that are plain code (no Handlebars blocks or names in code positions) with prettier,
// so their output is prettier-clean: `node scripts/format-templates.mjs [--check]`. Templates with
// Handlebars in code positions are formatted by hand.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";

const root = fileURLToPath(new URL("..", import.meta.url));
const check = process.argv.includes("--check");
const OPTIONS = { printWidth: 120 };
const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (/\.tsx?\.hbs$/.test(entry.name)) files.push(full);
  }
};
walk(path.join(root, "templates"));
let changed = 0;
for (const file of files) {
  const source = readFileSync(file, "utf8");
  // Only mustaches inside strings or comments: `{{` preceded by a quote, backtick or comment on its line.
  const plainCode = source.split("\n").every((line) => !line.includes("{{") || /(\/\/|\/\*|\*|"[^"]*\{\{|`[^`]*\{\{)/.test(line.slice(0, line.indexOf("{{") + 2)));
  if (!plainCode || /\{\{[#/]/.test(source)) continue;
  const parser = file.endsWith(".tsx.hbs") ? "babel-ts" : "typescript";
  let formatted;
  try {
    formatted = await prettier.format(source, { ...OPTIONS, parser });
  } catch {
    continue; // not parseable as plain code after all
  }
  if (formatted !== source) {
    changed++;
    console.log(`${check ? "not formatted" : "formatted"}: ${path.relative(root, file)}`);
    if (!check) writeFileSync(file, formatted);
  }
}
process.exitCode = check && changed > 0 ? 1 : 0;
