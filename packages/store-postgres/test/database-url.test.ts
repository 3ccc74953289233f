import { describe, expect, it } from "vitest";
import { openPool } from "../src/connection.js";
import { parseDatabaseUrl, redactUrl } from "../src/database-url.js";

function failure(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a failure");
}

describe("DATABASE_URL checks", () => {
  it.each([
    ["", "is empty"],
    ["   ", "is empty"],
    ["localhost:5432/governor", 'uses "localhost:"'],
    ["not a url at all", "is not a URL"],
    ["mysql://user:s3cret@db:3306/governor", 'uses "mysql:"'],
    ["http://db/governor", 'uses "http:"'],
    ["postgres:///governor", "names no host"],
    ["postgres://user:s3cret@db:99999/governor", 'has port "99999"'],
    ["postgres://user:s3cret@db:0/governor", 'has port "0"'],
    ["postgres://user:s3cret@db:54x2/governor", 'has port "54x2"'],
    ["postgresql://user:s3cret@[::1:5432/governor", "is not a URL"],
    ["postgres://user:s3/cret@db:5432/governor", "is not a URL"],
  ])("refuses %j: DATABASE_URL %s", (url, problem) => {
    const error = failure(() => parseDatabaseUrl(url));
    expect(error.code).toBe("STORE_CONFIG_INVALID");
    expect(error.message).toContain(`DATABASE_URL ${problem}`);
    expect(error.message).not.toContain("s3cret");
    expect(JSON.stringify(error)).not.toContain("s3cret");
  });

  it("reads host, port and database, with PostgreSQL's defaults", () => {
    expect(parseDatabaseUrl("postgres://gov:s3cret@db.internal:6543/governor")).toMatchObject({
      host: "db.internal",
      port: 6543,
      database: "governor",
      redacted: "postgres://gov:***@db.internal:6543/governor",
    });
    expect(parseDatabaseUrl("postgresql://gov@db")).toMatchObject({
      host: "db",
      port: 5432,
      database: "gov",
    });
    expect(parseDatabaseUrl("postgres://[::1]:5433/x")).toMatchObject({ host: "[::1]", port: 5433 });
    expect(parseDatabaseUrl("postgres:///governor?host=/var/run/postgresql")).toMatchObject({
      host: "/var/run/postgresql",
      database: "governor",
    });
  });

  it("redacts a password, and leaves a URL without one as it was", () => {
    expect(redactUrl("postgres://u:p%40ss@h:1/d")).toBe("postgres://u:***@h:1/d");
    expect(redactUrl("postgres://u@h/d")).toBe("postgres://u@h/d");
    expect(redactUrl("garbage://u:secret@")).toBe("garbage://u:***@");
    expect(redactUrl("postgres://u:se/cr@et@h/d")).toBe("postgres://u:***@h/d");
    expect(parseDatabaseUrl("postgres://u:s3cret@db:5432@other/d")).toMatchObject({
      host: "other",
      redacted: "postgres://u:***@other/d",
    });
  });

  it("refuses a connect timeout that is not a positive whole number, from options or the environment", () => {
    const url = "postgres://u@127.0.0.1:1/d";
    expect(failure(() => openPool(url, { connectionTimeoutMillis: 0 })).code).toBe("STORE_CONFIG_INVALID");
    const error = failure(() => openPool(url, { env: { GOVERNOR_PG_CONNECT_TIMEOUT_MS: "soon" } }));
    expect(error.code).toBe("STORE_CONFIG_INVALID");
    expect(error.message).toContain("GOVERNOR_PG_CONNECT_TIMEOUT_MS");
    expect(failure(() => openPool(url, { env: { GOVERNOR_PG_POOL_MAX: "-3" } })).message).toContain(
      "GOVERNOR_PG_POOL_MAX",
    );
    expect(openPool(url, { env: { GOVERNOR_PG_POOL_MAX: "25" } }).options.max).toBe(25);
  });
});
