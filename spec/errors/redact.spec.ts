import { redactHeaders, redactUrl } from '../../lib/errors/redact';

describe('redaction of what errors carry', () => {
  it('hides secret-looking query parameters, drops the fragment and keeps the rest', () => {
    expect(redactUrl('https://a.test/p?access_token=abc&page=2&api_key=k#frag')).toBe(
      'https://a.test/p?access_token=[redacted]&page=2&api_key=[redacted]',
    );
    expect(redactUrl('https://a.test/cb#access_token=abc')).toBe('https://a.test/cb');
    expect(redactUrl('https://a.test/p')).toBe('https://a.test/p');
  });

  it('hides credential headers', () => {
    expect(
      redactHeaders({ authorization: 'Bearer x', 'x-api-key': 'k', cookie: 'c', accept: 'application/json' }),
    ).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      cookie: '[redacted]',
      accept: 'application/json',
    });
  });
});
