import { randomBytes, createHash } from 'node:crypto';
import type http from 'node:http';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWTPayload } from 'jose';

/** What the resource server saw, counted by itself. */
export interface DPoPResourceStats {
  /** Requests answered 200. */
  ok: number;
  /** 401s asking for the current nonce (`use_dpop_nonce`). */
  nonceChallenges: number;
  /** 401s for a token the server no longer honours (`invalid_token`). */
  invalidTokens: number;
  /** Proofs refused for anything else: signature, htm, htu, ath, iat, replay, key binding, scheme. */
  readonly refused: string[];
  /** Every proof's `jti` it accepted, to catch a replay. */
  readonly jtis: Set<string>;
}

/** A resource server that validates DPoP proofs (RFC 9449 section 4.3 and 7) with jose. */
export interface DPoPResource {
  readonly stats: DPoPResourceStats;
  /** The nonce it requires now. */
  readonly nonce: string;
  /** Starts requiring a new nonce, as a server does when its nonce ages out. */
  rotateNonce(): void;
  /** Answers a request that reached `origin`: its proof's `htu` must name the URI on the wire. */
  answer(req: http.IncomingMessage, res: http.ServerResponse, origin: string): Promise<void>;
}

/** The key thumbprint an access token is bound to (its `cnf.jkt`), or undefined when it is not live. */
export type FindBinding = (
  accessToken: string,
) => Promise<{ readonly subject: string; readonly jkt: string | undefined } | undefined>;

const IAT_WINDOW_S = 60;

export function dpopResource(findBinding: FindBinding): DPoPResource {
  const stats: DPoPResourceStats = { ok: 0, nonceChallenges: 0, invalidTokens: 0, refused: [], jtis: new Set() };
  let nonce = randomBytes(16).toString('base64url');

  const refuse = (res: http.ServerResponse, error: string, why: string): void => {
    if (error === 'use_dpop_nonce') stats.nonceChallenges++;
    else if (error === 'invalid_token') stats.invalidTokens++;
    else stats.refused.push(why);
    // A Bearer challenge first, holding the text `use_dpop_nonce` in a quoted value: a client that
    // matches substrings would be fooled by it; only the DPoP challenge counts.
    const challenge = `Bearer realm="api", error_description="not error=\\"use_dpop_nonce\\"", DPoP algs="ES256", error="${error}"`;
    res
      .writeHead(401, {
        'www-authenticate': challenge,
        'dpop-nonce': nonce,
        'access-control-expose-headers': 'DPoP-Nonce',
      })
      .end();
  };

  async function answer(req: http.IncomingMessage, res: http.ServerResponse, origin: string): Promise<void> {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    const proof = req.headers['dpop'];
    if (scheme !== 'DPoP' || !token) return refuse(res, 'invalid_token', `scheme ${scheme ?? 'none'}`);
    if (typeof proof !== 'string') return refuse(res, 'invalid_dpop_proof', 'no proof');
    let payload: JWTPayload;
    let jwk: Parameters<typeof calculateJwkThumbprint>[0];
    try {
      const verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
      payload = verified.payload;
      jwk = verified.protectedHeader.jwk!;
    } catch (error) {
      return refuse(res, 'invalid_dpop_proof', `signature: ${String(error)}`);
    }
    // The request target as it arrived, not re-parsed: a client that signs one spelling of the
    // path and sends another (O'Brien against O%27Brien) is refused, as RFC 9449 4.3 asks.
    const expectedHtu = origin + (req.url ?? '/').split('?')[0];
    if (payload['htm'] !== req.method) return refuse(res, 'invalid_dpop_proof', `htm ${String(payload['htm'])}`);
    if (payload['htu'] !== expectedHtu) return refuse(res, 'invalid_dpop_proof', `htu ${String(payload['htu'])}`);
    if (payload['ath'] !== createHash('sha256').update(token).digest('base64url'))
      return refuse(res, 'invalid_dpop_proof', 'ath');
    if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > IAT_WINDOW_S)
      return refuse(res, 'invalid_dpop_proof', 'iat');
    if (typeof payload.jti !== 'string' || stats.jtis.has(payload.jti))
      return refuse(res, 'invalid_dpop_proof', 'jti replayed');
    stats.jtis.add(payload.jti);
    if (payload['nonce'] !== nonce) return refuse(res, 'use_dpop_nonce', 'stale nonce');
    const binding = await findBinding(token);
    if (binding === undefined) return refuse(res, 'invalid_token', 'token not live');
    if (binding.jkt !== (await calculateJwkThumbprint(jwk)))
      return refuse(res, 'invalid_token', 'token bound to another key');
    stats.ok++;
    res
      .writeHead(200, { 'content-type': 'application/json', 'dpop-nonce': nonce })
      .end(JSON.stringify({ sub: binding.subject, path: req.url, method: req.method }));
  }

  return {
    stats,
    get nonce() {
      return nonce;
    },
    rotateNonce: () => {
      nonce = randomBytes(16).toString('base64url');
    },
    answer,
  };
}
