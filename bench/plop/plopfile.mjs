// plop's side of the benchmark: the same files nexus-integrate creates, from bench/plop/templates.
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
