import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GovernorStore, type GovernorStores } from "@governor/core";
import {
  describeApprovalUsesContract,
  describeEffectJournalContract,
  describeKillSwitchContract,
  describeLeaseStoreContract,
  describeRunStoreContract,
  describeSpendLedgerContract,
  type OpenStore,
} from "@governor/store-contracts";

/**
 * Each store of the embedded backend, as GovernorStore wires it, on a fresh temp dir per
 * test; `another` opens a second GovernorStore on the same dir (its own connection to
 * governor.db, as another process would have).
 */
function sqlite<TStore>(pick: (stores: GovernorStores) => TStore): OpenStore<TStore> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-contract-"));
    const first = new GovernorStore(dir);
    const opened = [first];
    return {
      store: pick(first),
      async another() {
        const other = new GovernorStore(dir);
        opened.push(other);
        return pick(other);
      },
      async close() {
        for (const store of opened) store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

describeEffectJournalContract(
  "SQLite",
  sqlite((stores) => stores.effects),
);
describeApprovalUsesContract(
  "SQLite",
  sqlite((stores) => stores.approvalUses),
);
describeKillSwitchContract(
  "SQLite",
  sqlite((stores) => stores.kills),
);
describeSpendLedgerContract(
  "SQLite",
  sqlite((stores) => stores.spend),
);
describeRunStoreContract(
  "SQLite",
  sqlite((stores) => stores.runs),
);
describeLeaseStoreContract(
  "SQLite",
  sqlite((stores) => stores.leases),
);
