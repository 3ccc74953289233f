/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time grouped by package (default) or
 * by function, largest first.
 *
 *   node bench/dist/tools/profile-summary.js PROFILE.cpuprofile [pkg|fn] [TOP]
 *
 * "pkg" groups by npm package (node_modules/<name>) or workspace (packages/core, graphs/refund,
 * bench…); V8's own buckets keep their names ((garbage collector), (program), (idle)).
 * "fn" lists functions as `name file:line`.
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface Profile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: CallFrame }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The group a profile node's self time is counted under. */
function groupOf(frame: CallFrame, mode: "pkg" | "fn"): string {
  const url = frame.url || "(native)";
  if (mode === "fn") {
    const file = url.replace(/.*node_modules\//, "").replace(/.*\/(packages|graphs|apps|bench)\//, "$1/");
    return `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
  }
  const dependency = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
  if (dependency) return dependency[1] as string;
  const workspace = url.match(/\/(packages|graphs|apps|bench)\/([^/]+)/);
  if (workspace) return `${workspace[1]}/${workspace[2]}`;
  if (frame.functionName.startsWith("(")) return frame.functionName;
  return url.startsWith("node:") ? "node internals" : url;
}

/** Self time per group in ms, largest first, with the profile's total. */
function summarizeProfile(profile: Profile, mode: "pkg" | "fn"): { total: number; rows: [string, number][] } {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byGroup = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    const frame = frames.get(id);
    if (!frame) return;
    const group = groupOf(frame, mode);
    byGroup.set(group, (byGroup.get(group) ?? 0) + delta);
  });
  const rows = [...byGroup].map(([group, us]) => [group, us / 1000] as [string, number]);
  return { total: total / 1000, rows: rows.sort((a, b) => b[1] - a[1]) };
}

const [file, mode = "pkg", top = "30"] = process.argv.slice(2);
if (!file || (mode !== "pkg" && mode !== "fn")) {
  console.error("usage: node bench/dist/tools/profile-summary.js PROFILE.cpuprofile [pkg|fn] [TOP]");
  process.exitCode = 2;
} else {
  const { total, rows } = summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as Profile, mode);
  console.log(`${total.toFixed(0)} ms sampled in ${file}`);
  for (const [group, ms] of rows.slice(0, Number(top)))
    console.log(`${ms.toFixed(0).padStart(7)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${group}`);
}
