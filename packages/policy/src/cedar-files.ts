import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadFailed } from "./cedar-diagnostics.js";

/** One Cedar text and the name errors call it by (usually its path). */
export interface CedarSource {
  readonly name: string;
  readonly text: string;
}

/** What a {@link CedarPolicyEngine} is built from: one schema and any number of policy files. */
export interface CedarSources {
  readonly schema: CedarSource;
  readonly policies: readonly CedarSource[];
}

const POLICY_EXT = ".cedar";
const SCHEMA_EXT = ".cedarschema";

const toPath = (file: string | URL) => (file instanceof URL ? fileURLToPath(file) : file);

/**
 * Reads the `*.cedar` files and the one `*.cedarschema` in a directory (not its
 * subdirectories), in name order so the same directory always loads the same way.
 */
export function readCedarDirectory(dir: string | URL): CedarSources {
  const root = toPath(dir);
  let names: string[];
  try {
    names = fs.readdirSync(root).sort();
  } catch (error) {
    throw loadFailed(root, `cannot read the policy directory: ${(error as Error).message}`);
  }
  const files = names
    .filter((name) => name.endsWith(POLICY_EXT) || name.endsWith(SCHEMA_EXT))
    .map((name) => path.join(root, name));
  return readCedarFiles(files, root);
}

/**
 * Reads an explicit list of policy and schema files. Exactly one schema: policies are
 * validated against it, and two schemas would leave it unclear which one a policy meant.
 */
export function readCedarFiles(files: readonly (string | URL)[], origin = "the file list"): CedarSources {
  const paths = files.map(toPath);
  const unknown = paths.find((file) => !file.endsWith(POLICY_EXT) && !file.endsWith(SCHEMA_EXT));
  if (unknown) throw loadFailed(unknown, `expected a ${POLICY_EXT} policy file or a ${SCHEMA_EXT} schema`);
  const schemas = paths.filter((file) => file.endsWith(SCHEMA_EXT));
  const policies = paths.filter((file) => file.endsWith(POLICY_EXT));
  if (schemas.length !== 1) {
    const found = schemas.length ? `found ${schemas.join(", ")}` : "found none";
    throw loadFailed(origin, `expected exactly one ${SCHEMA_EXT} schema, ${found}`);
  }
  if (!policies.length) throw loadFailed(origin, `no ${POLICY_EXT} policy files: every call would be denied`);
  return { schema: read(schemas[0] as string), policies: policies.map(read) };
}

function read(file: string): CedarSource {
  try {
    return { name: file, text: fs.readFileSync(file, "utf8") };
  } catch (error) {
    throw loadFailed(file, `cannot read the file: ${(error as Error).message}`);
  }
}
