import { generateKeyPair, type JWK } from 'jose';
import { defer, from, type Observable, throwError } from 'rxjs';
import { catchError, switchMap, tap } from 'rxjs/operators';
import { oauthErrorOf } from '../oauth/oauth-error-of';
import { statusOf } from '../errors/status-of';
import { withHeader } from '../headers';
import type { HttpRequest } from '../client/http-request';
import type { HttpResponse } from '../client/http-response';
import type { HttpHandler, HttpInterceptor } from '../client/interceptor';
import { heldRedirectOf, MAX_REDIRECTS, redirectedRequest } from '../transport/redirects';
import { DPoPKeyLostError } from './dpop-key-lost-error';
import { DPoPUnsupportedError } from './dpop-unsupported-error';
import { headerOf } from './header-of';
import { IndexedDBKeyStore } from './indexeddb-key-store';
import { MemoryDPoPKeyStore, type DPoPKeyStore } from './dpop-key-store';
import { pageBase, publicJwkOf, signProof } from './dpop-proof';
import { asksForDPoPNonce } from './www-authenticate';

/**
 * Settings of a {@link DPoP} binding.
 *
 * @example
 * ```ts
 * const options: DPoPOptions = { keyStore: new MemoryDPoPKeyStore() };
 * ```
 */
export interface DPoPOptions {
  /**
   * Where the key pair lives; default an {@link IndexedDBKeyStore} where IndexedDB exists (browsers:
   * the key survives reloads, one per origin), else a new {@link MemoryDPoPKeyStore} (Node).
   */
  keyStore?: DPoPKeyStore;
}

interface LoadedKey {
  readonly keys: CryptoKeyPair;
  readonly jwk: JWK;
}

/**
 * Sender-constrained tokens (RFC 9449): one non-extractable ES256 key pair, a fresh signed proof
 * for every attempt, and the servers' nonces, one per origin. Give it to a session as `auth.dpop`:
 * requests then carry `Authorization: DPoP <token>` and a `DPoP` proof, `oauth2Refresh` signs its
 * token requests with the same key, and a nonce challenge is answered once without a refresh.
 *
 * @example
 * ```ts
 * import { DPoP } from 'rxjs-auth-http/dpop';
 *
 * const dpop = new DPoP();
 * const client = createHttpClient({
 *   baseUrl: 'https://api.example.com',
 *   auth: { store, dpop, refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/token', clientId: 'spa' }) },
 * });
 * ```
 */
export class DPoP {
  /**
   * Signs every attempt that carries a DPoP token, records each answer's `DPoP-Nonce`, and resends
   * once with the new nonce when the resource server asks for it. A client given the session as
   * `auth` puts it last in its chain itself; a chain built by hand must too, so a retry by an
   * interceptor after it is signed anew.
   */
  readonly interceptor: HttpInterceptor = (req, next) => {
    const token = /^DPoP (.+)$/.exec(req.headers['authorization'] ?? '')?.[1];
    if (token === undefined) return next(req).pipe(this.noteNonces(req.url));
    return this.signedHops(req, token, next, 0);
  };

  private readonly keyStore: DPoPKeyStore;
  private readonly nonces = new Map<string, string>();
  /** The key once loaded: every proof of the page signs with the same pair. */
  private loaded: Promise<LoadedKey> | null = null;

  constructor(options: DPoPOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('DPoP: options must be an object');
    const missing = missingWebCrypto();
    if (missing) throw new DPoPUnsupportedError(missing);
    this.keyStore =
      options.keyStore ?? (typeof indexedDB === 'undefined' ? new MemoryDPoPKeyStore() : new IndexedDBKeyStore());
    const { get, add } = this.keyStore as Partial<DPoPKeyStore>;
    if (typeof get !== 'function' || typeof add !== 'function')
      throw new TypeError('DPoP: keyStore must have get() and add()');
  }

  /**
   * A proof for one request, with the origin's latest nonce: for a request this library does not
   * send, such as the authorization code exchange. Without `accessToken` it creates the key pair
   * when the store has none; with one it rejects with {@link DPoPKeyLostError} instead, as the
   * token is bound to the lost key.
   */
  proof(method: string, url: string, accessToken?: string): Promise<string> {
    return this.proofFor(method, url, accessToken, accessToken === undefined);
  }

  /**
   * Records the `DPoP-Nonce` of an answer (or error) from `url` that this library did not receive:
   * a fetch `Response`, rxjs' `AjaxResponse` or `AjaxError`, Angular's `HttpResponse` or
   * `HttpErrorResponse`, or `{ headers }` with lower-case names.
   */
  observeNonce(url: string, answer: unknown): void {
    const nonce = headerOf(answer, 'dpop-nonce');
    if (nonce !== undefined) this.nonces.set(originOf(url), nonce);
  }

  /**
   * Sends one resource request through any transport: `send` gets a fresh proof for each attempt
   * and sends it as the `DPoP` header next to `Authorization: DPoP <accessToken>`. Nonces are read
   * from every answer and error (ours, rxjs/ajax's, Angular's, fetch's), and a 401
   * `use_dpop_nonce` is sent again once with the new one. Without `accessToken` (signed out) the
   * key is made if there is none; with one, a missing key is {@link DPoPKeyLostError}. For
   * `session.authorize` with your own transport; the client and the Angular adapter use it themselves.
   *
   * @example
   * ```ts
   * const me$ = session.authorize((token) =>
   *   dpop.signed('GET', url, token ?? undefined, (proof) =>
   *     ajax({ url, headers: { ...(token ? { Authorization: `DPoP ${token}` } : {}), DPoP: proof } }),
   *   ),
   * );
   * ```
   */
  signed<T>(
    method: string,
    url: string,
    accessToken: string | undefined,
    send: (proof: string) => Observable<T>,
  ): Observable<T> {
    // Signed out, nothing is bound yet: a first proof may make the key, as a login's does.
    return this.signedSend(method, url, accessToken, send, isResourceNonceChallenge, accessToken === undefined);
  }

  /**
   * Sends a token endpoint request with a proof, retrying once when the server answers
   * `use_dpop_nonce`. `newKey` says whether a key may be created (a login) or must exist (a refresh).
   * @internal For `oauth2Refresh` and `oauth2Revoke`.
   */
  sendToTokenEndpoint(req: HttpRequest, send: HttpHandler, newKey: boolean): Observable<HttpResponse<unknown>> {
    return this.signedSend(
      req.method,
      req.url,
      undefined,
      (proof) => send(withProof(req, proof)),
      isTokenEndpointNonceChallenge,
      newKey,
    );
  }

  /**
   * Whether `error` says the key the tokens are bound to is gone.
   * @internal For the session, which ends when the key is lost.
   */
  isKeyLost(error: unknown): boolean {
    return error instanceof DPoPKeyLostError;
  }

  /**
   * What a failed attempt says about the token, for the session: `true` when the key is lost (the
   * refresh then finds it lost and ends the session), `false` for a nonce challenge that remained
   * after its one retry (a new token would not help), `undefined` when the status decides.
   * @internal For the session's 401 handling.
   */
  asksForNewToken(error: unknown): boolean | undefined {
    if (this.isKeyLost(error)) return true;
    return isResourceNonceChallenge(error) ? false : undefined;
  }

  // One hop, signed for its own URI. Transports stop at a redirect of a request with a proof (a
  // proof re-sent to the next URI is refused there, or leaks); it is followed here instead: on the
  // same origin with a new proof and the token, elsewhere with neither, as browsers drop
  // Authorization when a redirect leaves the origin.
  private signedHops(
    req: HttpRequest,
    token: string,
    next: HttpHandler,
    hops: number,
  ): Observable<HttpResponse<unknown>> {
    return this.signed(req.method, req.url, token, (proof) => next(withProof(req, proof))).pipe(
      catchError((error: unknown) => {
        const held = heldRedirectOf(error);
        if (held === undefined || hops >= MAX_REDIRECTS) return throwError(() => error);
        const hop = redirectedRequest(req, held.status, held.location);
        // redirectedRequest dropped Authorization if the hop left the origin: then it goes unsigned.
        return 'authorization' in hop.headers ? this.signedHops(hop, token, next, hops + 1) : next(hop);
      }),
    );
  }

  // One attempt, and one more with the new nonce when the answer is a nonce challenge that
  // carried one. The retry is not wrapped in the catchError again: one nonce retry, never a loop.
  private signedSend<T>(
    method: string,
    url: string,
    accessToken: string | undefined,
    send: (proof: string) => Observable<T>,
    isNonceChallenge: (error: unknown) => boolean,
    newKey: boolean,
  ): Observable<T> {
    const attempt = (): Observable<T> =>
      defer(() => from(this.proofFor(method, url, accessToken, newKey))).pipe(switchMap(send), this.noteNonces(url));
    return attempt().pipe(
      catchError((error: unknown) =>
        isNonceChallenge(error) && headerOf(error, 'dpop-nonce') ? attempt() : throwError(() => error),
      ),
    );
  }

  private async proofFor(
    method: string,
    url: string,
    accessToken: string | undefined,
    newKey: boolean,
  ): Promise<string> {
    const { keys, jwk } = await this.key(newKey);
    return signProof(keys, jwk, { method, url, accessToken, nonce: this.nonces.get(originOf(url)) });
  }

  private noteNonces<T>(url: string): (source: Observable<T>) => Observable<T> {
    return tap({
      next: (answer) => this.observeNonce(url, answer),
      error: (error: unknown) => this.observeNonce(url, error),
    });
  }

  private key(mayCreate: boolean): Promise<LoadedKey> {
    this.loaded ??= this.load(mayCreate).catch((error: unknown) => {
      this.loaded = null; // a lost key stays lost, but a store that failed once may answer next time
      throw error;
    });
    return this.loaded;
  }

  private async load(mayCreate: boolean): Promise<LoadedKey> {
    let keys = await this.keyStore.get();
    if (keys === null) {
      if (!mayCreate) throw new DPoPKeyLostError();
      keys = await this.keyStore.add(await generateKeyPair('ES256', { extractable: false }));
    }
    return { keys, jwk: await publicJwkOf(keys) };
  }
}

function isResourceNonceChallenge(error: unknown): boolean {
  return statusOf(error) === 401 && asksForDPoPNonce(headerOf(error, 'www-authenticate'));
}

function isTokenEndpointNonceChallenge(error: unknown): boolean {
  return statusOf(error) === 400 && oauthErrorOf(error) === 'use_dpop_nonce';
}

function withProof(req: HttpRequest, proof: string): HttpRequest {
  return { ...req, headers: withHeader(req.headers, 'dpop', proof) };
}

function originOf(url: string): string {
  return new URL(url, pageBase()).origin;
}

// What the proofs need of WebCrypto, or null when it is all there. Without it jose and the proof
// code would fail at the first refresh with a bare ReferenceError ("crypto is not defined").
function missingWebCrypto(): string | null {
  const { crypto } = globalThis as { crypto?: Partial<Crypto> };
  return !crypto ? 'crypto' : !crypto.subtle ? 'crypto.subtle' : !crypto.randomUUID ? 'crypto.randomUUID' : null;
}
