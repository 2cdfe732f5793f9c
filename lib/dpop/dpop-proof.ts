import { base64url, exportJWK, SignJWT, type JWK } from 'jose';

/** What one proof (RFC 9449 section 4.2) is about. */
export interface ProofClaims {
  readonly method: string;
  readonly url: string;
  /** The access token the request carries, hashed into `ath`; absent at the token endpoint. */
  readonly accessToken: string | undefined;
  /** The server's latest nonce for the URL's origin, if it sent one. */
  readonly nonce: string | undefined;
}

/** The public half of `keys` as the JWK a proof's header carries, computed once per key. */
export async function publicJwkOf(keys: CryptoKeyPair): Promise<JWK> {
  const { kty, crv, x, y } = await exportJWK(keys.publicKey);
  return { kty, crv, x, y };
}

/** A fresh signed proof: a new `jti` and `iat` every time, so no two attempts share one. */
export async function signProof(keys: CryptoKeyPair, jwk: JWK, claims: ProofClaims): Promise<string> {
  const payload: Record<string, string> = { htm: claims.method.toUpperCase(), htu: htuOf(claims.url) };
  if (claims.accessToken !== undefined) payload['ath'] = await sha256Base64Url(claims.accessToken);
  if (claims.nonce !== undefined) payload['nonce'] = claims.nonce;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .sign(keys.privateKey);
}

/** RFC 9449 section 4.2: `htu` is the target URI without query and fragment. */
export function htuOf(url: string): string {
  const target = new URL(url, pageBase());
  target.search = '';
  target.hash = '';
  return target.href;
}

/** What the browser resolves a relative URL against (a `<base>` element included); none in Node. */
export function pageBase(): string | undefined {
  return globalThis.document?.baseURI ?? globalThis.location?.href;
}

async function sha256Base64Url(text: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}
