export { type GovernorMiddlewareOptions, governorMiddleware } from "./governor-middleware.js";
