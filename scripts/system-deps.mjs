// Runs before `npm test` (npm's pretest): the tests need Debian's PostgreSQL (the database the generated
// migrations are applied to with the Supabase CLI) with pg_cron (postgresql-<version>-cron: Supabase Cron, loaded
// through shared_preload_libraries by the test cluster), and Chromium (the browser walk). As root (CI, the team's
// machines) it installs what is missing with apt-get; otherwise it says what to install.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const hasPostgres = () =>
  existsSync("/usr/lib/postgresql") && readdirSync("/usr/lib/postgresql").some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
const hasChromium = () => existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium");

const pgVersions = () =>
  existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) : [];
// pg_cron for the newest PostgreSQL the tests use (Debian 12's is 15); installed with it when missing.
const cronPackage = () => `postgresql-${pgVersions().sort((a, b) => Number(b) - Number(a))[0] ?? "15"}-cron`;
const hasCron = () => pgVersions().some((v) => existsSync(`/usr/share/postgresql/${v}/extension/pg_cron.control`));

const missing = [
  ...(process.env.PG_BIN || hasPostgres() ? [] : ["postgresql", "postgresql-15-cron"]),
  ...(process.env.PG_BIN || !hasPostgres() || hasCron() ? [] : [cronPackage()]),
  ...(hasChromium() ? [] : ["chromium"]),
];
if (missing.length === 0) process.exit(0);

const root = process.getuid?.() === 0;
if (!root || !existsSync("/usr/bin/apt-get")) {
  const required = missing.some((name) => name.startsWith("postgresql"));
  const needed = required ? "required" : "the browser walk is skipped without it";
  console.error(`The tests need Debian's ${missing.join(" and ")} (${needed}): sudo apt-get install -y ${missing.join(" ")}`);
  process.exit(required ? 1 : 0);
}
console.error(`Installing ${missing.join(", ")} with apt-get (needed by the tests)…`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", ...missing], { stdio: ["ignore", "ignore", "inherit"], env });
