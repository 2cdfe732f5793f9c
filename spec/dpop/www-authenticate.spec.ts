import { asksForDPoPNonce, parseWwwAuthenticate } from '../../lib/dpop/www-authenticate';

describe('parseWwwAuthenticate (RFC 9110 section 11.6.1)', () => {
  it('reads several challenges, quoted values with commas and escapes, and token68 credentials', () => {
    expect(
      parseWwwAuthenticate(
        'Basic abc==, Bearer realm="a, b", error="invalid_token", DPoP algs="ES256 PS256" , error=use_dpop_nonce',
      ),
    ).toEqual([
      { scheme: 'basic', params: {} },
      { scheme: 'bearer', params: { realm: 'a, b', error: 'invalid_token' } },
      { scheme: 'dpop', params: { algs: 'ES256 PS256', error: 'use_dpop_nonce' } },
    ]);
    expect(parseWwwAuthenticate('Bearer error_description="say \\"hi\\""')).toEqual([
      { scheme: 'bearer', params: { error_description: 'say "hi"' } },
    ]);
  });

  it('keeps what it read before a malformed part, and reads nothing from garbage', () => {
    expect(parseWwwAuthenticate('DPoP error="use_dpop_nonce", Bearer realm="open')).toEqual([
      { scheme: 'dpop', params: { error: 'use_dpop_nonce' } },
      { scheme: 'bearer', params: {} },
    ]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate('"quoted"')).toEqual([]);
  });

  it('finds a DPoP nonce challenge only in a DPoP challenge, never in quoted text or another scheme', () => {
    expect(asksForDPoPNonce('dpop ERROR="use_dpop_nonce"')).toBe(true);
    expect(asksForDPoPNonce('Bearer realm="x", DPoP error="use_dpop_nonce", algs="ES256"')).toBe(true);
    expect(asksForDPoPNonce('Bearer error="use_dpop_nonce"')).toBe(false);
    expect(asksForDPoPNonce('DPoP error="invalid_token", error_description="error=use_dpop_nonce"')).toBe(false);
    expect(asksForDPoPNonce(undefined)).toBe(false);
  });
});
