/**
 * Real services for tests: a throwaway PostgreSQL and redis-server started in temp dirs on
 * free ports, polled until ready. Nothing is mocked where a test names a real component.
 */
export { chromiumPath, type LaunchChromiumOptions, launchChromium } from "./chromium.js";
export { freePort } from "./free-port.js";
export { pollUntil } from "./poll.js";
export { type PostgresServer, startPostgres } from "./postgres.js";
export { type RedisServer, startRedis } from "./redis.js";
