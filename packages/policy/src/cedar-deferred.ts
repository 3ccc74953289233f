import { type CedarSources, readCedarDirectory } from "./cedar-files.js";
import { CedarPolicyEngine } from "./cedar-policy-engine.js";
import type { CedarPolicyInfo } from "./cedar-policy-set.js";
import type {
  ContractMismatch,
  ContractTool,
  PolicyDecision,
  PolicyEngine,
  PolicyExplanation,
  PolicyRequest,
} from "./decision.js";

/**
 * A {@link CedarPolicyEngine} whose texts are read now and parsed, validated and pre-parsed
 * into Cedar on first use.
 *
 * Loading a policy set runs Cedar's parser and validator in wasm, a few hundred milliseconds
 * of CPU for the first set of a process. A module that declares a workflow's policy at import
 * (every sample does) would make whoever imports it pay for a policy set it may never use:
 * `governor samples`, a test that reads one constant, a CLI that runs another sample. This
 * engine defers that cost to the first question asked of it. `compile()` asks at once (it
 * checks the tools' contracts against the schema), so a workflow with a broken policy still
 * fails before its first run, with the same POLICY_LOAD_FAILED error, never with a decision.
 *
 * The texts are read when this is constructed, so the engine built later is the one the files
 * held then: editing them afterwards changes nothing in this process (as with the eager engine).
 *
 * @example
 * ```ts
 * export const deskPolicy = DeferredCedarPolicyEngine.fromDirectory(new URL("../policies/", import.meta.url));
 * ```
 */
export class DeferredCedarPolicyEngine implements PolicyEngine {
  readonly #sources: CedarSources;
  #engine: CedarPolicyEngine | undefined;

  /** Keeps the texts; nothing is parsed until the engine is first used. */
  constructor(sources: CedarSources) {
    this.#sources = sources;
  }

  /**
   * Reads the `*.cedar` files and the one `*.cedarschema` of a directory now.
   *
   * @throws {GovernorError} POLICY_LOAD_FAILED when the directory or a file cannot be read,
   *   or the directory holds no schema or no policy (parse and validation errors come on first use).
   */
  static fromDirectory(dir: string | URL): DeferredCedarPolicyEngine {
    return new DeferredCedarPolicyEngine(readCedarDirectory(dir));
  }

  /** Whether the policy set has been parsed yet (for tests and diagnostics). */
  get loaded(): boolean {
    return this.#engine !== undefined;
  }

  /**
   * The engine, built on the first call. A load that fails is not cached: every later use
   * throws the same error, so nothing ever decides on a set that did not load.
   *
   * @throws {GovernorError} POLICY_LOAD_FAILED when the texts do not parse or validate.
   */
  get engine(): CedarPolicyEngine {
    this.#engine ??= new CedarPolicyEngine(this.#sources);
    return this.#engine;
  }

  /** @throws {GovernorError} POLICY_LOAD_FAILED, see {@link engine}. */
  get version(): string {
    return this.engine.version;
  }

  /** @throws {GovernorError} POLICY_LOAD_FAILED, see {@link engine}. */
  get policies(): ReadonlyMap<string, CedarPolicyInfo> {
    return this.engine.policies;
  }

  /** @throws {GovernorError} POLICY_LOAD_FAILED, see {@link engine}. */
  get warnings(): readonly string[] {
    return this.engine.warnings;
  }

  /** @throws {GovernorError} POLICY_LOAD_FAILED, see {@link engine}. */
  decide(request: PolicyRequest): PolicyDecision {
    return this.engine.decide(request);
  }

  /** @throws {GovernorError} POLICY_LOAD_FAILED, see {@link engine}. */
  explain(request: PolicyRequest): PolicyExplanation {
    return this.engine.explain(request);
  }

  /** @throws {GovernorError} POLICY_LOAD_FAILED, see {@link engine}. */
  checkContracts(tools: readonly ContractTool[]): ContractMismatch[] {
    return this.engine.checkContracts(tools);
  }
}
