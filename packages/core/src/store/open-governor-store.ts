import { GovernorError } from "@governor/errors";
import { defaultGovernorDir, GovernorStore } from "../runtime/governor-store.js";
import type { GovernorStores } from "./governor-stores.js";

export interface OpenStoreOptions {
  /** The embedded store's directory (and, on PostgreSQL, where development keys are kept). Default: GOVERNOR_DIR or `.governor/`. */
  readonly dir?: string;
  /** `postgres://…` selects PostgreSQL. Default: DATABASE_URL; unset means the embedded SQLite store. */
  readonly databaseUrl?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What `@governor/store-postgres` exports for this function to call. */
interface PostgresBackend {
  openPostgresStore(options: {
    url: string;
    dir?: string;
    env?: Readonly<Record<string, string | undefined>>;
  }): Promise<GovernorStores>;
}

// A variable, not a literal: core does not depend on the PostgreSQL backend (which depends on
// core); it is loaded only when DATABASE_URL asks for it, so an embedded install never needs pg.
const POSTGRES_BACKEND = "@governor/store-postgres";

/**
 * The store the environment names: PostgreSQL when `DATABASE_URL` (or `databaseUrl`) is set,
 * else the embedded SQLite store in `dir`. Every command, worker and server opens its store
 * here, so one variable moves all of them.
 *
 * @throws {GovernorError} STORE_BACKEND_MISSING when DATABASE_URL is set and
 *   @governor/store-postgres is not installed; STORE_CONFIG_INVALID / STORE_UNREACHABLE /
 *   STORE_SCHEMA_MISMATCH from the PostgreSQL backend.
 */
export async function openGovernorStore(options: OpenStoreOptions = {}): Promise<GovernorStores> {
  const env = options.env ?? process.env;
  const url = options.databaseUrl ?? env.DATABASE_URL;
  const dir = options.dir ?? defaultGovernorDir(env);
  if (url === undefined || url === "") return new GovernorStore(dir);
  let backend: PostgresBackend;
  try {
    backend = (await import(POSTGRES_BACKEND)) as PostgresBackend;
  } catch (error) {
    throw new GovernorError(
      "STORE_BACKEND_MISSING",
      `DATABASE_URL is set, but ${POSTGRES_BACKEND} could not be loaded (${error instanceof Error ? error.message : String(error)}): install it (npm install ${POSTGRES_BACKEND}), or unset DATABASE_URL for the embedded store`,
      { package: POSTGRES_BACKEND },
      { cause: error },
    );
  }
  return backend.openPostgresStore({ url, dir, env });
}
