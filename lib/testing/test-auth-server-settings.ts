import { checkFunction, checkMilliseconds } from '../option-checks';
import { echoRequest } from './echo-request';
import type { TestAuthServerSettings } from './test-auth-server';

/** What a server starts with: the defaults documented on {@link TestAuthServerSettings}. */
export const DEFAULT_SETTINGS: TestAuthServerSettings = {
  accessTokenLifetimeMs: 3_600_000,
  rotateRefreshTokens: true,
  reuseGraceMs: 0,
  tokenDelayMs: 0,
  abandonedGrants: 'commit',
  jwt: false,
  recordTokensSeen: true,
  handler: echoRequest,
};

/** `changes` checked and laid over `base`: every setting, each of the right kind. */
export function resolveSettings(
  changes: Partial<TestAuthServerSettings>,
  base: TestAuthServerSettings,
): TestAuthServerSettings {
  const next = { ...base, ...definedOnly(changes) };
  checkMilliseconds('accessTokenLifetimeMs', next.accessTokenLifetimeMs);
  if (next.accessTokenLifetimeMs === 0 || !Number.isFinite(next.accessTokenLifetimeMs))
    throw new TypeError('accessTokenLifetimeMs must be a finite number of milliseconds > 0');
  checkMilliseconds('reuseGraceMs', next.reuseGraceMs);
  checkMilliseconds('tokenDelayMs', next.tokenDelayMs);
  for (const name of ['rotateRefreshTokens', 'jwt', 'recordTokensSeen'] as const)
    if (typeof next[name] !== 'boolean') throw new TypeError(`${name} must be true or false`);
  if (next.abandonedGrants !== 'commit' && next.abandonedGrants !== 'drop')
    throw new TypeError("abandonedGrants must be 'commit' or 'drop'");
  checkFunction('handler', next.handler, 'that answers a request');
  return next;
}

function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}
