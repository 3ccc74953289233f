import { html } from "hono/html";
import type { Flash, Html } from "../console-context.js";

export interface LayoutParts {
  readonly title: string;
  readonly body: Html;
  readonly flash?: Flash;
  /** Runs waiting for a decision, shown beside "Approvals". */
  readonly waiting: number;
  /** Where the store is, for the footer (already stripped of any password). */
  readonly store: string;
  /** The path of the page, to mark its navigation entry. */
  readonly path: string;
}

const SECTIONS = [
  ["/runs", "Runs"],
  ["/approvals", "Approvals"],
  ["/graphs", "Graphs"],
  ["/audit", "Audit"],
  ["/controls", "Controls"],
] as const;

/**
 * The page shell: navigation, the flash left by a POST, then the page. The one script and the
 * stylesheets are files under /static (the CSP forbids inline script and style).
 */
export function renderLayout(parts: LayoutParts): Html {
  const nav = SECTIONS.map(([href, label]) => {
    const current = parts.path === href || parts.path.startsWith(`${href}/`);
    const count =
      href === "/approvals"
        ? html` <span class="count" data-testid="waiting-count">${parts.waiting}</span>`
        : "";
    return html`<a href="${href}"${current ? html` aria-current="page"` : ""}>${label}${count}</a>`;
  });
  const flash = parts.flash
    ? html`<p class="flash ${parts.flash.kind}" data-testid="flash" role="status">${parts.flash.message}</p>`
    : "";
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${parts.title} · Governor console</title>
<link rel="stylesheet" href="/static/console.css">
<link rel="stylesheet" href="/static/graph.css">
<script src="/static/console.js" defer></script>
</head>
<body>
<header><span class="brand">Governor</span><nav>${nav}</nav></header>
<main>
${flash}
<h1>${parts.title}</h1>
${parts.body}
</main>
<footer>store: ${parts.store}</footer>
</body>
</html>`;
}

/**
 * A store location a page may show: a database URL loses its user's password (DATABASE_URL's
 * password must never reach a page); a path is shown as it is.
 */
export function displayLocation(location: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = "***";
    url.search = "";
    return url.toString();
  } catch {
    return "(a database URL)";
  }
}
