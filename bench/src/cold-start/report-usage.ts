/**
 * A preload for the cold-start figure: `node --import <this file> …` writes the process's own
 * CPU time (user + system since it started, Node's boot included) and peak RSS, as JSON, to
 * the file named by BENCH_USAGE_FILE when the process exits, however it exits normally.
 * A file, not stderr, so the measured program's own output stays untouched.
 */
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on("exit", (code) => {
    const cpu = process.cpuUsage();
    writeFileSync(
      file,
      JSON.stringify({
        code,
        userMs: cpu.user / 1000,
        systemMs: cpu.system / 1000,
        // resourceUsage().maxRSS is in kilobytes.
        maxRssMb: process.resourceUsage().maxRSS / 1024,
        uptimeMs: process.uptime() * 1000,
      }),
    );
  });
}
