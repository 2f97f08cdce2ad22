import { readFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";
import type { IntegrationSpecInput } from "./schema.js";

/** Reads a spec file (JSON, or YAML by extension); the yaml parser is loaded only when needed. */
export async function readSpecFile(file: string): Promise<IntegrationSpecInput> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read spec file ${file}`, [
      { path: "--spec", message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` },
    ]);
  }
  const extension = path.extname(file).toLowerCase();
  let data: unknown;
  try {
    if (extension === ".yaml" || extension === ".yml") {
      const yaml = await import("yaml");
      // yaml is CommonJS: bundled, its functions may sit on the default export.
      const parse = yaml.parse ?? (yaml as unknown as { default: typeof yaml }).default.parse;
      data = parse(text, { prettyErrors: true });
    } else {
      data = JSON.parse(text);
    }
  } catch (error) {
    throw new UsageError(`spec file ${file} does not parse`, [
      { path: "--spec", message: `${file}: ${(error as Error).message.split("\n")[0]}` },
    ]);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UsageError(`spec file ${file} must hold an object`, [
      { path: "--spec", message: `${file} must contain a mapping of spec fields` },
    ]);
  }
  // `$schema` lets editors validate the file against `nexus-integrate schema`; it is not a spec field.
  const { $schema: _schema, ...fields } = data as Record<string, unknown>;
  return fields as IntegrationSpecInput;
}
