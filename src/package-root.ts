import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The installed package's root folder (holds templates/ and presets/), from src/ and from dist/ alike. */
export const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));

let cachedVersion: string | undefined;

export function toolVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
    .version;
  return cachedVersion;
}
