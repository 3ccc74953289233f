import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { ConsoleRequest, Flash } from "./console-context.js";
import type { ConsoleSecrets } from "./security/console-secrets.js";

const FLASH_COOKIE = "governor_flash";
const MAX_MESSAGE = 1_000;

/**
 * Leaves a POST's outcome for the page it redirects to. It travels in a signed, HttpOnly
 * cookie rather than the URL, so another site cannot link to a console page that claims
 * "approved" or "kill switch released" when nothing happened.
 */
export async function setFlash(c: ConsoleRequest, secrets: ConsoleSecrets, flash: Flash): Promise<void> {
  const value = JSON.stringify({ kind: flash.kind, message: flash.message.slice(0, MAX_MESSAGE) });
  await setSignedCookie(c, FLASH_COOKIE, value, secrets.csrfKey, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
  });
}

/** The flash left for this browser, removed as it is read (it shows once). */
export async function takeFlash(c: ConsoleRequest, secrets: ConsoleSecrets): Promise<Flash | undefined> {
  const value = await getSignedCookie(c, secrets.csrfKey, FLASH_COOKIE);
  if (value === undefined) return undefined;
  deleteCookie(c, FLASH_COOKIE, { path: "/" });
  if (value === false) return undefined;
  try {
    const parsed = JSON.parse(value) as { kind?: unknown; message?: unknown };
    if ((parsed.kind === "ok" || parsed.kind === "error") && typeof parsed.message === "string") {
      return { kind: parsed.kind, message: parsed.message };
    }
  } catch {
    // A cookie this console did not write reads as no flash.
  }
  return undefined;
}
