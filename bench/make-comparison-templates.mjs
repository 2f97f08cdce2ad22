#!/usr/bin/env node
// Writes the plop and hygen templates the benchmark compares against: the same files `nexus-integrate new
// hubspot --yes` creates in the example app, with the integration's names turned into each tool's
// placeholders. Run it again when the basic template set changes: `node bench/make-comparison-templates.mjs`.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), "nexus-bench-templates-"));
const app = path.join(work, "app");
cpSync(path.join(root, "examples", "nexus-app"), app, { recursive: true, filter: (s) => !s.includes("node_modules") });
const report = JSON.parse(
  execFileSync(process.execPath, [path.join(root, "bin", "nexus-integrate.js"), "new", "hubspot", "--yes", "--json", "--target", app], {
    env: { ...process.env, SOURCE_DATE_EPOCH: "1764000000" },
  }).toString(),
);
const created = report.files.filter((f) => f.action === "create").map((f) => f.path);

const names = [
  ["HubSpot", "pascal"],
  ["HUBSPOT", "constant"],
  ["hubspot", "id"],
];
const toPlop = (text) => names.reduce((t, [from, to]) => t.split(from).join(`{{${to}}}`), text.replace(/\{\{/g, "\\{{"));
const toHygen = (text) => names.reduce((t, [from, to]) => t.split(from).join(`<%= ${to} %>`), text.replace(/<%/g, "<%%"));

const plopDir = path.join(root, "bench", "plop");
const hygenDir = path.join(root, "bench", "hygen", "_templates", "integration", "new");
rmSync(path.join(plopDir, "templates"), { recursive: true, force: true });
rmSync(hygenDir, { recursive: true, force: true });
mkdirSync(hygenDir, { recursive: true });
const actions = [];
created.forEach((file, i) => {
  const text = readFileSync(path.join(app, file), "utf8");
  const template = path.join(plopDir, "templates", `${i}.hbs`);
  mkdirSync(path.dirname(template), { recursive: true });
  writeFileSync(template, toPlop(text));
  actions.push({ path: toPlop(file), templateFile: `templates/${i}.hbs` });
  writeFileSync(path.join(hygenDir, `${String(i).padStart(2, "0")}.ejs.t`), `---\nto: ${toHygen(file)}\n---\n${toHygen(text)}`);
});
writeFileSync(path.join(plopDir, "actions.json"), `${JSON.stringify(actions, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
console.log(`${created.length} files → bench/plop/templates and bench/hygen/_templates`);
