import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { GovernorError } from "@governor/errors";

export type TokenAlgorithm = "HS256" | "EdDSA";

/**
 * The keys Governor signs and verifies its tokens with: one shared HS256 secret, or an
 * Ed25519 pair (EdDSA) where verifiers need only the public half.
 *
 * Keys are held as `KeyObject`s so a logged or serialised `TokenKeys` never prints the secret,
 * and so a bad key fails when the keys are built, not at the first token.
 */
export interface TokenKeys {
  readonly algorithm: TokenAlgorithm;
  /** Absent on verify-only keys (an Ed25519 public key alone). */
  readonly signingKey: KeyObject | undefined;
  readonly verificationKey: KeyObject;
}

/** HS256 secrets shorter than the hash output (32 bytes) can be brute-forced offline from one token. */
export const MIN_SECRET_BYTES = 32;

/**
 * HS256 keys from a shared secret (a string is taken as its UTF-8 bytes).
 *
 * @throws {GovernorError} CONFIG_INVALID when the secret is shorter than 32 bytes.
 * @example hs256Keys(process.env.GOVERNOR_TOKEN_SECRET ?? "")
 */
export function hs256Keys(secret: string | Uint8Array): TokenKeys {
  const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `The HS256 token secret is ${bytes.byteLength} bytes; it needs at least ${MIN_SECRET_BYTES} (e.g. \`openssl rand -base64 48\`)`,
      { bytes: bytes.byteLength, minimum: MIN_SECRET_BYTES },
    );
  }
  const key = createSecretKey(bytes);
  return Object.freeze({ algorithm: "HS256", signingKey: key, verificationKey: key });
}

export interface Ed25519KeyInput {
  /** The public key; derived from `privateKey` when omitted. */
  readonly publicKey?: JsonWebKey | KeyObject;
  /** The private key; omit it where tokens are only verified. */
  readonly privateKey?: JsonWebKey | KeyObject;
}

/**
 * EdDSA (Ed25519) keys from JWKs or `KeyObject`s. With only a public key they verify but
 * cannot sign, which is what every service but the issuer should hold.
 *
 * @throws {GovernorError} CONFIG_INVALID when a key is not Ed25519, a private key is given as
 * the public one, or the two halves do not belong together.
 */
export function eddsaKeys(input: Ed25519KeyInput): TokenKeys {
  const privateKey = input.privateKey === undefined ? undefined : toEd25519(input.privateKey, "private");
  const publicKey =
    input.publicKey === undefined
      ? privateKey && createPublicKey(privateKey)
      : toEd25519(input.publicKey, "public");
  if (!publicKey) {
    throw new GovernorError("CONFIG_INVALID", "EdDSA token keys need a publicKey, a privateKey or both", {});
  }
  if (privateKey && !samePublicKey(createPublicKey(privateKey), publicKey)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      "The Ed25519 publicKey does not belong to the privateKey: tokens signed with it would never verify",
      {},
    );
  }
  return Object.freeze({ algorithm: "EdDSA", signingKey: privateKey, verificationKey: publicKey });
}

/** A fresh Ed25519 pair as JWKs, ready for `eddsaKeys()` or the GOVERNOR_TOKEN_*_JWK variables (tests, dev). */
export function generateEd25519KeyPair(): { publicKey: JsonWebKey; privateKey: JsonWebKey } {
  const pair = generateKeyPairSync("ed25519");
  return {
    publicKey: pair.publicKey.export({ format: "jwk" }),
    privateKey: pair.privateKey.export({ format: "jwk" }),
  };
}

/** The key tokens are signed with, or a CONFIG_INVALID saying why these keys cannot sign. */
export function requireSigningKey(keys: TokenKeys): KeyObject {
  if (!keys.signingKey) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `These ${keys.algorithm} token keys hold only a public key: they verify tokens but cannot sign them; provide the private key`,
      { algorithm: keys.algorithm },
    );
  }
  return keys.signingKey;
}

function toEd25519(key: JsonWebKey | KeyObject, half: "public" | "private"): KeyObject {
  let keyObject: KeyObject;
  if (isKeyObject(key)) {
    keyObject = key;
  } else {
    if (half === "public" && key.d !== undefined) {
      throw new GovernorError(
        "CONFIG_INVALID",
        'The Ed25519 public JWK contains a private part ("d"): pass it as the private key and publish only the public half',
        {},
      );
    }
    try {
      const source = { key, format: "jwk" } as const;
      keyObject = half === "public" ? createPublicKey(source) : createPrivateKey(source);
    } catch (cause) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `The Ed25519 ${half} JWK cannot be read: ${(cause as Error).message}`,
        { half },
        { cause },
      );
    }
  }
  if (keyObject.type !== half || keyObject.asymmetricKeyType !== "ed25519") {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Expected an Ed25519 ${half} key, got a ${keyObject.asymmetricKeyType ?? "symmetric"} ${keyObject.type} key`,
      { half, type: keyObject.type, asymmetricKeyType: keyObject.asymmetricKeyType },
    );
  }
  return keyObject;
}

function isKeyObject(key: JsonWebKey | KeyObject): key is KeyObject {
  return (key as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === "KeyObject";
}

function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ format: "jwk" }).x === b.export({ format: "jwk" }).x;
}
