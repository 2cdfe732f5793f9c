import { NetworkError } from '../errors/network-error';
import { REDIRECT_HELD } from '../transport/redirects';

/** A redirect a transport stopped at rather than re-send a DPoP proof: where it pointed, and how. */
export interface HeldRedirect {
  readonly status: number;
  /** Absolute. */
  readonly location: string;
}

/** The redirect behind `error`, when it is a transport's held redirect. */
export function heldRedirectOf(error: unknown): HeldRedirect | undefined {
  if (!(error instanceof NetworkError) || error.code !== REDIRECT_HELD) return undefined;
  const { status, location } = (error.cause ?? {}) as { status?: unknown; location?: unknown };
  // A cause stripped of a secret in its URL loses both: then the redirect cannot be followed.
  return typeof status === 'number' && typeof location === 'string' ? { status, location } : undefined;
}
