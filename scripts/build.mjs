#!/usr/bin/env node
// Builds dist/: src bundled by esbuild into ESM chunks (commands stay lazy: each dynamic import is its own
// chunk), and the built-in templates precompiled into dist/builtin-templates.cjs. Type checking is tsc's job
// (`npm run typecheck`).
import { build } from "esbuild";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = path.join(root, "dist");
rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: { cli: "src/cli.ts", "build-templates": "src/build-templates.ts" },
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: dist,
  // Chunks sit next to cli.js: modules find the package root as "..", and dist/builtin-templates.cjs as ".".
  // The Handlebars compiler is required at run time (createRequire) only for custom or edited templates.
  chunkNames: "[name]-[hash]",
  banner: { js: "import { createRequire as __nexusCreateRequire } from 'node:module'; const require = __nexusCreateRequire(import.meta.url);" },
  logLevel: "warning",
  legalComments: "none",
  // Smaller sources parse and compile faster at start-up; identifiers stay readable in stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
});
const { builtinTemplatesModule } = await import(pathToFileURL(path.join(dist, "build-templates.js")).href);
writeFileSync(path.join(dist, "builtin-templates.cjs"), builtinTemplatesModule(path.join(root, "templates")));
rmSync(path.join(dist, "build-templates.js"));
