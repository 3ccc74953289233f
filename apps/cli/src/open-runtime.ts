import { GovernorRuntime } from "@governor/core";

/** The runtime on the store the user chose: `--dir`, else GOVERNOR_DIR, else `.governor/`. */
export function openRuntime(dir: string | undefined): GovernorRuntime {
  return new GovernorRuntime({ dir });
}
