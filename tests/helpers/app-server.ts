import { execa, type ResultPromise } from "execa";
import { createServer } from "node:net";
import path from "node:path";

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Builds the app with Vite (env baked in as Vite does) and serves it with `vite preview` on 127.0.0.1. */
export async function buildAndServe(app: string, env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const vite = path.join(app, "node_modules", "vite", "bin", "vite.js");
  await execa("node", [vite, "build", "--logLevel", "error"], { cwd: app, env });
  const port = await freePort();
  const server: ResultPromise = execa("node", [vite, "preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
    cwd: app,
    env,
    reject: false,
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("vite preview did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop() {
      server.kill("SIGTERM");
      await server;
    },
  };
}
