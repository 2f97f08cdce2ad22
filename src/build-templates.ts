import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { precompileModule } from "./render/engine.js";

/** Build entry (scripts/build.mjs): precompiles every template under templates/ into one CommonJS module. */
export function builtinTemplatesModule(templatesDir: string): string {
  const templates: { key: string; source: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".hbs")) {
        templates.push({ key: path.relative(templatesDir, full).split(path.sep).join("/"), source: readFileSync(full, "utf8") });
      }
    }
  };
  walk(templatesDir);
  templates.sort((a, b) => a.key.localeCompare(b.key));
  return precompileModule(templates);
}
