import { readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GovernorRuntime } from "@governor/core";
import { describe, expect, test } from "vitest";
import { displayLocation } from "../src/pages/layout.js";
import { cookieFrom, get, page } from "./support/console-requests.js";
import { runCase, useConsoleStore } from "./support/console-store.js";
import { threeRuns } from "./support/three-runs.js";

const openStore = useConsoleStore();
const SLOW = 120_000;
const DB_PASSWORD = "pg-Secr3t-Pa55word";

/** Every spelling of a key a page could leak it in. */
function spellings(key: Buffer): string[] {
  return [key.toString("base64"), key.toString("base64url"), key.toString("hex")].filter(
    (text) => text.length >= 16,
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The console's view of the runtime, with its store reporting a PostgreSQL location that has a password. */
function onPostgres(runtime: GovernorRuntime): GovernorRuntime {
  const location = `postgres://governor:${DB_PASSWORD}@db.internal:5432/governor?password=${DB_PASSWORD}`;
  const store = new Proxy(runtime.store, {
    get: (target, key) => (key === "location" ? location : Reflect.get(target, key, target)),
  });
  return new Proxy(runtime, {
    get(target, key) {
      if (key === "store") return store;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("no secret reaches a page", () => {
  test(
    "store keys, the CSRF key and nonce, and DATABASE_URL's password appear on no page",
    async () => {
      const store = openStore({ seen: onPostgres });
      const runs = await threeRuns(store.runtime);
      await runCase(store.runtime, "large-refund");
      const keyFiles = filesUnder(join(store.dir, "keys"));
      expect(keyFiles.length).toBeGreaterThan(0);
      const secrets = [
        ...keyFiles.flatMap((file) => {
          const text = readFileSync(file, "utf8").trim();
          return [text, ...spellings(Buffer.from(text, "base64"))];
        }),
        ...spellings(store.secrets.csrfKey),
        DB_PASSWORD,
      ];
      const first = await get(store, "/runs");
      const nonce = cookieFrom(first, "governor_csrf");
      expect(nonce).toBeTruthy();
      secrets.push(nonce ?? "");
      const cookie = `governor_csrf=${nonce}`;
      const paths = [
        "/runs",
        "/runs?status=waiting",
        ...Object.values(runs).flatMap((thread) => [`/runs/${thread}`, `/audit/${thread}`]),
        "/graphs",
        "/graphs/refund",
        "/audit",
        "/audit/governor:kill-switch",
        "/controls",
        "/approvals",
      ];
      for (const path of paths) {
        const html = await get(store, path, { cookie }).then((r) => r.text());
        for (const secret of secrets) expect(html.includes(secret), `${path} shows a secret`).toBe(false);
      }
      expect(await page(store, "/runs")).toContain("postgres://governor:***@db.internal:5432/governor");
    },
    SLOW,
  );

  test("a database URL is shown without its password or query; a path as it is", () => {
    expect(displayLocation("postgres://u:p%40ss@h:5432/db?sslpassword=x")).toBe("postgres://u:***@h:5432/db");
    expect(displayLocation("postgresql://h/db")).toBe("postgresql://h/db");
    const storeDir = join(tmpdir(), "governor-store");
    expect(displayLocation(storeDir)).toBe(storeDir);
    expect(displayLocation("postgres://u:p@[bad")).toBe("(a database URL)");
  });
});
