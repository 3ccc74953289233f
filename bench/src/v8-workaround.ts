/**
 * Import first. Node 20's V8 crashed the benchmark ("Fatal error … unreachable code" in
 * Deoptimizer::DoComputeBuiltinContinuation) after a few thousand Cedar decisions in one
 * process, each time while lazily deoptimizing CedarPolicyEngine's optimized `#evaluate`
 * (seen with --trace-deopt; three runs of the governed agent loop died between 200 and 400
 * runs). Keeping that one function out of TurboFan avoided it (450 runs, 9,000 decisions).
 * It stays in V8's baseline tiers: a thin wrapper around the wasm call, so the cost is small,
 * and it is only paid by the governed variants, which this makes slightly pessimistic.
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--turbo-filter=-#evaluate");
