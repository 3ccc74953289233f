import { setFlagsFromString } from "node:v8";

/**
 * Keeps WebAssembly in V8's baseline compiler (Liftoff) for this process. Import first, before
 * anything loads Cedar.
 *
 * Cedar runs as a 4 MB wasm module. Loading one policy set (parse, validate, pre-parse) runs
 * enough of its parser and validator that V8's dynamic tiering recompiles those functions
 * with TurboFan, and that recompilation was most of the CPU of `governor run refund`: about
 * 0.9 s of a first policy set's 1.1 s, against 0.2 s with Liftoff alone. A CLI process lives
 * for a handful of runs, so optimised wasm never pays back; a decision's cost is dominated by
 * the JavaScript around the wasm call either way (p50 unchanged in a 3,000-decision loop).
 * Code generation changes, not semantics: Cedar decides exactly as before.
 *
 * Only the CLI sets this. A long-lived process (a server embedding Governor) keeps V8's
 * defaults, where TurboFan pays for itself.
 */
setFlagsFromString("--liftoff-only");
