// Runs before `npm test` (npm's pretest): the tests need two Debian packages, PostgreSQL (the database the
// generated migrations are applied to with the Supabase CLI) and Chromium (the browser walk). As root (CI,
// the team's machines) it installs what is missing with apt-get; otherwise it says what to install.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const hasPostgres = () =>
  existsSync("/usr/lib/postgresql") && readdirSync("/usr/lib/postgresql").some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
const hasChromium = () => existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium");

const missing = [...(process.env.PG_BIN || hasPostgres() ? [] : ["postgresql"]), ...(hasChromium() ? [] : ["chromium"])];
if (missing.length === 0) process.exit(0);

const root = process.getuid?.() === 0;
if (!root || !existsSync("/usr/bin/apt-get")) {
  const needed = missing.includes("postgresql") ? "required" : "the browser walk is skipped without it";
  console.error(`The tests need Debian's ${missing.join(" and ")} (${needed}): sudo apt-get install -y ${missing.join(" ")}`);
  process.exit(missing.includes("postgresql") ? 1 : 0);
}
console.error(`Installing ${missing.join(", ")} with apt-get (needed by the tests)…`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", ...missing], { stdio: ["ignore", "ignore", "inherit"], env });
