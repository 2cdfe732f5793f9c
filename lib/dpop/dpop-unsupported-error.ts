import { AuthHttpError } from '../errors/auth-http-error';

/**
 * `new DPoP()` where WebCrypto is missing: DPoP signs with `globalThis.crypto` (`crypto.subtle`
 * and `crypto.randomUUID`), which Node has as a global from version 20 (19 and Node 18 only behind
 * `--experimental-global-webcrypto`), and browsers only in a secure context (`https:`,
 * `http://localhost`). Thrown at once, so an app learns it at start-up, not at its first refresh.
 *
 * @example
 * ```ts
 * try {
 *   auth.dpop = new DPoP();
 * } catch (error) {
 *   if (error instanceof DPoPUnsupportedError) console.error(error.message); // names the requirement
 *   else throw error;
 * }
 * ```
 */
export class DPoPUnsupportedError extends AuthHttpError {
  override name = 'DPoPUnsupportedError' as const;

  constructor(missing: string) {
    super(`DPoP needs WebCrypto: ${missing} is missing (use Node 20+, or a browser page on https: or localhost)`);
  }
}
