import { type ConsoleStore, ORIGIN } from "./console-store.js";

/** A GET to the in-process app as a browser on the console's origin sends it. */
export async function get(
  store: ConsoleStore,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return store.app.request(`${ORIGIN}${path}`, { headers });
}

/** A page's HTML, asserting it answered 200. */
export async function page(store: ConsoleStore, path: string, cookie?: string): Promise<string> {
  const response = await get(store, path, cookie ? { cookie } : {});
  if (response.status !== 200)
    throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return response.text();
}

/** What a browser holds after loading a console page: its CSRF cookie and the form token. */
export interface BrowserSession {
  readonly cookie: string;
  readonly token: string;
}

/** Loads /controls as a fresh browser would, keeping the CSRF cookie and the token of its forms. */
export async function session(store: ConsoleStore): Promise<BrowserSession> {
  const response = await get(store, "/controls");
  const cookie = cookieFrom(response, "governor_csrf");
  const token = /name="csrf" value="([^"]+)"/.exec(await response.text())?.[1];
  if (!cookie || !token) throw new Error("the console page set no CSRF cookie or token");
  return { cookie: `governor_csrf=${cookie}`, token };
}

export function cookieFrom(response: Response, name: string): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const match = new RegExp(`^${name}=([^;]*)`).exec(header);
    if (match) return match[1];
  }
  return undefined;
}

/** A form POST; by default as the console's own page sends it (same origin, token, cookie). */
export async function post(
  store: ConsoleStore,
  path: string,
  fields: Record<string, string>,
  as: { session?: BrowserSession; headers?: Record<string, string>; omitOrigin?: boolean } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    ...(as.omitOrigin ? {} : { origin: ORIGIN }),
    ...(as.session ? { cookie: as.session.cookie } : {}),
    ...as.headers,
  };
  const body = new URLSearchParams({ ...(as.session ? { csrf: as.session.token } : {}), ...fields });
  return store.app.request(`${ORIGIN}${path}`, { method: "POST", headers, body });
}

/** Follows a POST's 303 with the cookies it set (the flash), returning the page's HTML. */
export async function follow(
  store: ConsoleStore,
  response: Response,
  session: BrowserSession,
): Promise<string> {
  if (response.status !== 303)
    throw new Error(`expected 303, got ${response.status}: ${await response.text()}`);
  const flash = cookieFrom(response, "governor_flash");
  const cookie = [session.cookie, ...(flash ? [`governor_flash=${flash}`] : [])].join("; ");
  return page(store, response.headers.get("location") ?? "/", cookie);
}

/** The text of every element with this data-testid, as a browser shows it (tags stripped, entities decoded). */
export function testIds(html: string, id: string): string[] {
  const found: string[] = [];
  const open = new RegExp(`<(\\w+)[^>]*data-testid="${id}"[^>]*>`, "g");
  for (const match of html.matchAll(open)) {
    const tag = match[1];
    const start = (match.index ?? 0) + match[0].length;
    const end = html.indexOf(`</${tag}>`, start);
    found.push(decodeEntities(html.slice(start, end).replace(/<[^>]*>/g, "")).trim());
  }
  return found;
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
};

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity);
}
