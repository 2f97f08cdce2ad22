#!/usr/bin/env node
// The plop and hygen templates the benchmark compares against, made from the current templates each time the
// benchmark runs (nothing is committed, so nothing drifts): the same files `nexus-integrate new hubspot --yes`
// creates in the example app, with the integration's names turned into each tool's placeholders.
// bench/run.mjs calls makeComparisonTemplates(<temp folder>); run alone, it writes them to the folder it is given.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const PLOPFILE = `// plop's side of the benchmark: the same files nexus-integrate creates, from ./templates.
import { readFileSync } from "node:fs";

const actions = JSON.parse(readFileSync(new URL("./actions.json", import.meta.url), "utf8"));

export default function (plop) {
  plop.setGenerator("integration", {
    description: "an OAuth integration",
    prompts: [
      { type: "input", name: "id", message: "id" },
      { type: "input", name: "pascal", message: "PascalName" },
      { type: "input", name: "constant", message: "CONSTANT_NAME" },
    ],
    actions: actions.map((action) => ({ type: "add", path: action.path, templateFile: action.templateFile })),
  });
}
`;

/** Writes `<outDir>/plop/plopfile.mjs` (+ templates) and `<outDir>/hygen/_templates`; returns the file count. */
export function makeComparisonTemplates(outDir) {
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

  const plopDir = path.join(outDir, "plop");
  const hygenDir = path.join(outDir, "hygen", "_templates", "integration", "new");
  mkdirSync(hygenDir, { recursive: true });
  mkdirSync(path.join(plopDir, "templates"), { recursive: true });
  const actions = [];
  created.forEach((file, i) => {
    const text = readFileSync(path.join(app, file), "utf8");
    writeFileSync(path.join(plopDir, "templates", `${i}.hbs`), toPlop(text));
    actions.push({ path: toPlop(file), templateFile: `templates/${i}.hbs` });
    writeFileSync(path.join(hygenDir, `${String(i).padStart(2, "0")}.ejs.t`), `---\nto: ${toHygen(file)}\n---\n${toHygen(text)}`);
  });
  writeFileSync(path.join(plopDir, "actions.json"), `${JSON.stringify(actions, null, 2)}\n`);
  writeFileSync(path.join(plopDir, "plopfile.mjs"), PLOPFILE);
  rmSync(work, { recursive: true, force: true });
  return created.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const out = path.resolve(process.argv[2] ?? mkdtempSync(path.join(tmpdir(), "nexus-bench-comparison-")));
  console.log(`${makeComparisonTemplates(out)} files → ${out}/plop and ${out}/hygen`);
}
