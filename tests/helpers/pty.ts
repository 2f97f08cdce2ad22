import { execa } from "execa";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { BIN, REPO_ROOT, tempDir } from "./fixtures.js";

export const ENTER = "\r";

/** Drives the built binary in a pseudo-terminal (python's pty), answering each prompt as a person would. */
export async function ptySession(args: string[], steps: [string, string][], options: { cwd?: string } = {}) {
  const script = path.join(tempDir(), "steps.json");
  writeFileSync(script, JSON.stringify(steps));
  const result = await execa(
    "python3",
    [path.join(REPO_ROOT, "tests/helpers/pty-session.py"), script, "--", "node", BIN, ...args],
    { env: { SOURCE_DATE_EPOCH: "1764000000", NO_COLOR: "1" }, timeout: 90_000, ...(options.cwd ? { cwd: options.cwd } : {}) },
  );
  return JSON.parse(result.stdout) as { exitCode: number; stepsDone: number; output: string };
}
