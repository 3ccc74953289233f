import { readFile } from "node:fs/promises";
import { Hono } from "hono";
import type { ConsoleEnv } from "../console-context.js";

/** `static/` beside `src/` and `dist/`: both are two levels below the package root here. */
const STATIC_DIR = new URL("../../static/", import.meta.url);

/** The only files served, by name: a fixed table, so no request path ever reaches the file system. */
const FILES: Readonly<Record<string, string>> = {
  "console.js": "text/javascript; charset=utf-8",
  "console.css": "text/css; charset=utf-8",
  "graph.css": "text/css; charset=utf-8",
};

/** GET /static/:file for the console's script and stylesheets. */
export function staticRoutes(): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get("/static/:file", async (c) => {
    const name = c.req.param("file");
    const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!type) return c.text("Not found", 404);
    let body: string;
    try {
      body = await readFile(new URL(name, STATIC_DIR), "utf8");
    } catch {
      return c.text("Not found", 404);
    }
    c.header("Cache-Control", "no-cache");
    c.header("Content-Type", type);
    return c.body(body);
  });
  return app;
}
