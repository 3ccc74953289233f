import {
  describeApprovalUsesContract,
  describeEffectJournalContract,
  describeKillSwitchContract,
  describeLeaseStoreContract,
  describeRunStoreContract,
  describeSpendLedgerContract,
  type OpenStore,
} from "@governor/store-contracts";
import type pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { openPool } from "../src/connection.js";
import { PgApprovalUseLedger } from "../src/pg-approval-uses.js";
import { PgEffectJournal } from "../src/pg-effect-journal.js";
import { PgKillSwitches } from "../src/pg-kill-switches.js";
import { PgLeaseStore } from "../src/pg-lease-store.js";
import { PgRunStore } from "../src/pg-run-store.js";
import { PgSpendLedger } from "../src/pg-spend-ledger.js";
import { PgTestDatabases } from "./pg-test-databases.js";

const databases = new PgTestDatabases();
beforeAll(() => databases.start());
afterAll(() => databases.stop());

/**
 * Each PostgreSQL store on a fresh database per test; `another` is the same store on a pool
 * of its own (as another worker would have), so races go through separate connections.
 */
function postgres<TStore>(make: (pool: pg.Pool) => TStore): OpenStore<TStore> {
  return async () => {
    const url = await databases.fresh();
    const first = openPool(url);
    const pools = [first];
    return {
      store: make(first),
      async another() {
        const pool = openPool(url);
        pools.push(pool);
        return make(pool);
      },
      async close() {
        await Promise.all(pools.map((pool) => pool.end()));
        await databases.drop(url);
      },
    };
  };
}

describeEffectJournalContract(
  "PostgreSQL",
  postgres((pool) => new PgEffectJournal(pool)),
);
describeApprovalUsesContract(
  "PostgreSQL",
  postgres((pool) => new PgApprovalUseLedger(pool)),
);
describeKillSwitchContract(
  "PostgreSQL",
  postgres((pool) => new PgKillSwitches(pool)),
);
describeSpendLedgerContract(
  "PostgreSQL",
  postgres((pool) => new PgSpendLedger(pool)),
);
describeRunStoreContract(
  "PostgreSQL",
  postgres((pool) => new PgRunStore(pool)),
);
describeLeaseStoreContract(
  "PostgreSQL",
  postgres((pool) => new PgLeaseStore(pool)),
);
