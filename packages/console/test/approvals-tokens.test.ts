import { createHmac } from "node:crypto";
import type { GovernorError } from "@governor/core";
import { hs256Keys, issueDelegationToken } from "@governor/identity";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hmacApproverTokens, signApproverToken } from "../src/approver-auth.js";
import { APPROVER_COOKIE, provenApprover } from "../src/approver-auth-session.js";
import type { ConsoleRequest } from "../src/console-context.js";
import {
  type ApprovalsWorld,
  approvalsWorld,
  attributeOf,
  type ConsoleClient,
  cards,
  textOf,
} from "./approvals-fixture.js";

// With approver tokens configured the console decides only as the approver a signed token
// names: the form's approver field is ignored, and every token that is not a valid HS256 JWT
// for "governor-console" under the console's secret, unexpired and at most 12 h long, is refused.
const TEST_MS = 120_000;
const SECRET = "a-console-secret-of-at-least-32-bytes!!";
const OTHER_SECRET = "another-secret-of-at-least-32-bytes-long";

let world: ApprovalsWorld;
beforeEach(async () => {
  world = await approvalsWorld({ approverTokens: hmacApproverTokens(SECRET) });
});
afterEach(async () => {
  await world.close();
});

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT signed by hand, for shapes signApproverToken would never make. */
function handSigned(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  secret = SECRET,
  hash = "sha256",
) {
  const body = `${base64url(header)}.${base64url(claims)}`;
  return `${body}.${createHmac(hash, secret).update(body).digest("base64url")}`;
}

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: "governor",
    aud: "governor-console",
    sub: "supervisor:sam",
    iat: now,
    exp: now + 3600,
    jti: "j-1",
    ...overrides,
  };
}

/** Every token that must not prove anyone, by what is wrong with it. */
async function badTokens(): Promise<[string, string][]> {
  const now = Math.floor(Date.now() / 1000);
  const unsignedBody = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims())}`;
  return [
    [
      "expired",
      await signApproverToken(SECRET, "supervisor:sam", {
        expiresIn: "1h",
        now: new Date(Date.now() - 2 * 3_600_000),
      }),
    ],
    ["signed with another secret", await signApproverToken(OTHER_SECRET, "supervisor:sam")],
    [
      "for another audience (a delegation token under the same secret)",
      await issueDelegationToken(hs256Keys(SECRET), {
        agentId: "support",
        userId: "supervisor:sam",
        scopes: ["orders:read"],
      }),
    ],
    ["alg none, no signature", `${unsignedBody}.`],
    ["HS512 under the same secret", handSigned({ alg: "HS512", typ: "JWT" }, claims(), SECRET, "sha512")],
    ["living 13 h", handSigned({ alg: "HS256", typ: "JWT" }, claims({ exp: now + 13 * 3600 }))],
    ["without exp", handSigned({ alg: "HS256", typ: "JWT" }, claims({ exp: undefined }))],
    ["without sub", handSigned({ alg: "HS256", typ: "JWT" }, claims({ sub: undefined }))],
    ["not a JWT", "not-a-jwt-at-all"],
  ];
}

async function waitingRefund(client: ConsoleClient, threadId: string) {
  const card =
    cards(await client.inbox(), "approval").find((html) => html.includes(`data-thread="${threadId}"`)) ?? "";
  return {
    card,
    requestId: /data-request="([^"]+)"/.exec(card)?.[1] ?? "",
    callHash: attributeOf(card, "callHash") ?? "",
  };
}

async function signIn(client: ConsoleClient, token: string) {
  return client.post("/login", { token });
}

describe("approver tokens", () => {
  it(
    "decides as the token's subject even when the form names someone else, and the page never shows the token",
    async () => {
      const threadId = await world.start();
      const browser = world.client();
      const token = await signApproverToken(SECRET, "supervisor:sam", { expiresIn: "8h" });
      const login = await signIn(browser, token);
      expect(login.flash).toMatchObject({ kind: "ok", message: "Signed in: deciding as supervisor:sam" });

      const page = await browser.inbox();
      expect(textOf(page, "deciding-as")).toContain("supervisor:sam");
      expect(page).not.toContain('name="approver"');
      expect(page).not.toContain(token);
      expect((await browser.get("/login")).text).not.toContain(token);

      const { requestId, callHash } = await waitingRefund(browser, threadId);
      const answer = await browser.post(`/approvals/${threadId}/decide`, {
        requestId,
        callHash,
        decision: "approve",
        approver: "support:alex",
        reason: "signed in as sam",
      });

      expect(answer.flash?.kind, answer.flash?.message).toBe("ok");
      expect(answer.flash?.message).toContain("as supervisor:sam");
      expect(world.ledger.refunds.length).toBe(1);
      const approved = await world.records(threadId, "approval", "approved");
      expect(JSON.stringify(approved)).toContain("supervisor:sam");
      expect(JSON.stringify(approved)).not.toContain("support:alex");
    },
    TEST_MS,
  );

  it(
    "refuses a decision from a browser that has not signed in, pointing to /login, with nothing signed",
    async () => {
      const threadId = await world.start();
      const browser = world.client();
      expect(textOf(await browser.inbox(), "deciding-as")).toContain("Not signed in");
      const { requestId, callHash } = await waitingRefund(browser, threadId);

      const answer = await browser.post(`/approvals/${threadId}/decide`, {
        requestId,
        callHash,
        decision: "approve",
        approver: "supervisor:sam",
      });

      expect(answer.flash?.kind).toBe("error");
      expect(answer.flash?.message).toContain("/login");
      expect(await world.status(threadId)).toBe("waiting");
      const refused = await world.records(threadId, "approval", "refused");
      expect(refused).toHaveLength(1);
      // The typed name proved nothing, so it is not recorded as who tried.
      expect(refused[0]?.data).toMatchObject({ code: "APPROVAL_INVALID", approver: null });
    },
    TEST_MS,
  );

  it(
    "refuses every bad token at sign-in and when planted in the cookie: expired, another secret, another audience, alg none, HS512, 13 h, no exp, no sub, not a JWT",
    async () => {
      const threadId = await world.start();
      const tokens = await badTokens();
      for (const [what, token] of tokens) {
        const browser = world.client();
        const login = await signIn(browser, token);
        expect(login.flash?.kind, what).toBe("error");
        expect(login.flash?.message, what).toContain("Not signed in");
        expect(browser.cookies.has(APPROVER_COOKIE), what).toBe(false);

        // Set straight into the cookie, past the sign-in form: the decision checks it again.
        browser.cookies.set(APPROVER_COOKIE, token);
        const { requestId, callHash } = await waitingRefund(browser, threadId);
        const answer = await browser.post(`/approvals/${threadId}/decide`, {
          requestId,
          callHash,
          decision: "approve",
        });
        expect(answer.flash?.kind, what).toBe("error");
      }
      expect(await world.status(threadId)).toBe("waiting");
      expect(world.ledger.refunds.length).toBe(0);
      expect(await world.records(threadId, "approval", "approved")).toEqual([]);
      expect(await world.records(threadId, "approval", "refused")).toHaveLength(tokens.length);
    },
    TEST_MS,
  );

  it(
    "refuses a valid token whose approver may not decide, naming who may, whatever the form says",
    async () => {
      const threadId = await world.start();
      const browser = world.client();
      await signIn(browser, await signApproverToken(SECRET, "support:alex"));
      const { requestId, callHash } = await waitingRefund(browser, threadId);

      const answer = await browser.post(`/approvals/${threadId}/decide`, {
        requestId,
        callHash,
        decision: "approve",
        approver: "supervisor:sam",
      });

      expect(answer.flash?.kind).toBe("error");
      expect(answer.flash?.message).toContain("support:alex");
      expect(answer.flash?.message).toContain("Approvers who may: supervisor:sam");
      expect(world.ledger.refunds.length).toBe(0);
      expect((await world.records(threadId, "approval", "refused"))[0]?.principal).toBe("support:alex");
    },
    TEST_MS,
  );

  it(
    "signs out: the browser's later decisions are refused",
    async () => {
      const threadId = await world.start();
      const browser = world.client();
      await signIn(browser, await signApproverToken(SECRET, "supervisor:sam"));
      expect((await browser.post("/logout", {})).flash?.message).toBe("Signed out");
      const { requestId, callHash } = await waitingRefund(browser, threadId);

      const answer = await browser.post(`/approvals/${threadId}/decide`, {
        requestId,
        callHash,
        decision: "approve",
      });

      expect(answer.flash?.kind).toBe("error");
      expect(await world.status(threadId)).toBe("waiting");
    },
    TEST_MS,
  );
});

describe("minting approver tokens", () => {
  it("refuses a short secret, an empty approver and a lifetime over 12 h", async () => {
    const code = async (attempt: () => unknown) => {
      try {
        await attempt();
      } catch (error) {
        return (error as GovernorError).code;
      }
      return "no error";
    };
    expect(await code(() => hmacApproverTokens("short"))).toBe("CONFIG_INVALID");
    expect(await code(() => signApproverToken("short", "supervisor:sam"))).toBe("CONFIG_INVALID");
    expect(await code(() => signApproverToken(SECRET, "  "))).toBe("CONFIG_INVALID");
    expect(await code(() => signApproverToken(SECRET, "supervisor:sam", { expiresIn: "13h" }))).toBe(
      "CONFIG_INVALID",
    );
    expect(await code(() => signApproverToken(SECRET, "supervisor:sam", { expiresIn: "12h" }))).toBe(
      "no error",
    );
    await expect(hmacApproverTokens(SECRET).verify("")).rejects.toMatchObject({ code: "APPROVAL_INVALID" });
  });
});

describe("who decides off loopback", () => {
  it("is never the form's approver: with no approver tokens configured every decision is refused", async () => {
    const options = {
      runtime: world.runtime,
      workflows: [],
      workflowFor: async () => undefined,
    };
    // consoleSettingsOf refuses to start like this; the decision path refuses again on its own.
    const request = {} as ConsoleRequest;
    await expect(
      provenApprover({ loopback: false, options }, request, "supervisor:sam"),
    ).rejects.toMatchObject({
      code: "APPROVAL_INVALID",
    });
    await expect(
      provenApprover({ loopback: true, options: { ...options, defaultApprover: " " } }, request, undefined),
    ).rejects.toMatchObject({ code: "APPROVAL_INVALID" });
    expect(await provenApprover({ loopback: true, options }, request, "supervisor:sam")).toEqual({
      approver: "supervisor:sam",
      proof: "local-key",
    });
  });
});
