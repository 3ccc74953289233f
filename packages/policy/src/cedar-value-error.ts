/** A value a request carries that Cedar cannot represent faithfully; the engine denies with its message. */
export class CedarValueError extends Error {}
