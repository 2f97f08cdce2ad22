// Preloaded into every benchmarked Node process (NODE_OPTIONS=--require): appends its peak RSS (KiB).
const { appendFileSync } = require("node:fs");
process.on("exit", () => {
  if (process.env.BENCH_RSS_FILE) appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
});
