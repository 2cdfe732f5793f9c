import { TokenLedger, type RefreshRules } from '../../lib/testing/token-ledger';

// The test server's bookkeeping without HTTP: `now` is passed in, so expiry by lifetime and the
// reuse grace period are pinned to the millisecond without waiting for anything.
describe('TokenLedger: the test server’s tokens, rotation and reuse detection', () => {
  const rules: RefreshRules = { rotate: true, reuseGraceMs: 0, accessTokenLifetimeMs: 1_000, jwt: false };
  let ledger: TokenLedger;
  beforeEach(() => (ledger = new TokenLedger()));

  it('accepts an access token until its lifetime is over, and not a moment longer', () => {
    const tokens = ledger.issue(10_000, 1_000, false);
    expect(tokens.expiresAt).toBe(11_000);
    expect(ledger.accepts(tokens.accessToken, 10_999)).toBeTrue();
    expect(ledger.accepts(tokens.accessToken, 11_000)).toBeFalse();
    expect(ledger.accepts('never-issued', 10_000)).toBeFalse();
  });

  it('rotates: the presented refresh token is spent, the new pair works', () => {
    const first = ledger.issue(0, 1_000, false);
    const outcome = ledger.refresh(first.refreshToken, 5, rules);
    if (outcome.kind !== 'issued') throw new Error(`expected new tokens, got ${outcome.kind}`);
    expect(outcome.rotated).toBeTrue();
    expect(outcome.tokens.refreshToken).not.toBe(first.refreshToken);
    expect(outcome.tokens.expiresAt).toBe(1_005);
    expect(ledger.refresh(outcome.tokens.refreshToken, 6, rules).kind).toBe('issued');
  });

  it('treats a spent refresh token as reuse and revokes its whole family, the legitimate successor included', () => {
    const first = ledger.issue(0, 1_000, false);
    const other = ledger.issue(0, 1_000, false); // another sign-in: another family
    const second = ledger.refresh(first.refreshToken, 1, rules);
    if (second.kind !== 'issued') throw new Error('expected new tokens');
    expect(ledger.refresh(first.refreshToken, 2, rules).kind).toBe('reused');
    // The successor dies with its family; presenting it is not reuse, it is a revoked token.
    expect(ledger.refresh(second.tokens.refreshToken, 3, rules).kind).toBe('unknown');
    expect(ledger.refresh(other.refreshToken, 4, rules).kind).toBe('issued');
    // Access tokens are not revoked with the family: they run out on their own, as JWTs do.
    expect(ledger.accepts(second.tokens.accessToken, 5)).toBeTrue();
  });

  it('honours a spent refresh token within the grace period, and calls it reuse from its last millisecond on', () => {
    const grace = { ...rules, reuseGraceMs: 100 };
    const first = ledger.issue(0, 1_000, false);
    expect(ledger.refresh(first.refreshToken, 1_000, grace).kind).toBe('issued');
    const again = ledger.refresh(first.refreshToken, 1_099, grace);
    expect(again.kind).toBe('grace');
    expect(ledger.refresh(first.refreshToken, 1_100, grace).kind).toBe('reused');
  });

  it('keeps the refresh token working when it does not rotate, and never hands out the unused new one', () => {
    const fixed = { ...rules, rotate: false };
    const first = ledger.issue(0, 1_000, false);
    const outcome = ledger.refresh(first.refreshToken, 1, fixed);
    if (outcome.kind !== 'issued') throw new Error('expected new tokens');
    expect(outcome.rotated).toBeFalse();
    expect(ledger.refresh(first.refreshToken, 2, fixed).kind).toBe('issued');
    expect(ledger.refresh(outcome.tokens.refreshToken, 3, fixed).kind).toBe('unknown');
  });

  it('expires on demand: access tokens alone, or refresh tokens alone (never counted as reuse)', () => {
    const tokens = ledger.issue(0, 1_000, false);
    ledger.expireAccessTokens();
    expect(ledger.accepts(tokens.accessToken, 1)).toBeFalse();
    const fresh = ledger.refresh(tokens.refreshToken, 1, rules);
    if (fresh.kind !== 'issued') throw new Error('expected new tokens');
    ledger.expireRefreshTokens();
    expect(ledger.refresh(fresh.tokens.refreshToken, 2, rules).kind).toBe('unknown');
    expect(ledger.accepts(fresh.tokens.accessToken, 2)).toBeTrue();
  });

  it('revokes a refresh token with its family, and an access token alone (RFC 7009)', () => {
    const a = ledger.issue(0, 1_000, false);
    const b = ledger.issue(0, 1_000, false);
    ledger.revoke(a.refreshToken);
    ledger.revoke(b.accessToken);
    ledger.revoke('never-issued');
    expect(ledger.refresh(a.refreshToken, 1, rules).kind).toBe('unknown');
    expect(ledger.accepts(a.accessToken, 1)).toBeTrue();
    expect(ledger.accepts(b.accessToken, 1)).toBeFalse();
    expect(ledger.refresh(b.refreshToken, 1, rules).kind).toBe('issued');
  });

  it('issues unsigned JWTs whose exp is the expiry, in seconds', () => {
    const { accessToken, expiresAt } = ledger.issue(1_700_000_000_500, 60_000, true);
    const [header, claims, signature] = accessToken.split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({ alg: 'none', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(claims ?? '', 'base64url').toString())).toEqual(
      jasmine.objectContaining({ exp: Math.floor(expiresAt / 1000) }),
    );
    expect(signature).toBe('');
  });
});
