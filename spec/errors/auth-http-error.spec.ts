import {
  AuthHttpError,
  AuthRefreshError,
  HttpError,
  InvalidRequestError,
  NetworkError,
  RefreshLockError,
  RefreshStormError,
  RequestTimeoutError,
  ResponseParseError,
  TokenStoreError,
} from '../../lib';

// toJSON() is one method on the base class: what each error shows a logger is its class's fields.
describe('AuthHttpError.toJSON()', () => {
  const request = { method: 'GET', url: 'https://api.test/me?access_token=[redacted]', headers: {} };
  const cause = new Error('the cause, which a logger prints on its own');

  it('gives name, message and the fields of each class, never the cause or the stack', () => {
    const cases: Array<[AuthHttpError, Record<string, unknown>]> = [
      [new AuthHttpError('plain'), { name: 'AuthHttpError', message: 'plain' }],
      [
        new NetworkError(request, Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
        {
          name: 'NetworkError',
          message: 'GET https://api.test/me?access_token=[redacted] failed: no response (ECONNREFUSED)',
          request,
          code: 'ECONNREFUSED',
        },
      ],
      [
        new RequestTimeoutError(request, 250, 'connect'),
        {
          name: 'RequestTimeoutError',
          message: 'GET https://api.test/me?access_token=[redacted] could not connect within 250 ms (connectTimeout)',
          request,
          timeout: 250,
          phase: 'connect',
        },
      ],
      [
        new InvalidRequestError('a symbol body cannot be sent', request, { cause }),
        { name: 'InvalidRequestError', message: 'a symbol body cannot be sent', request },
      ],
      [
        new AuthRefreshError('rejected', cause, 'invalid_grant'),
        {
          name: 'AuthRefreshError',
          message: 'token refresh failed (rejected: invalid_grant)',
          request: undefined,
          reason: 'rejected',
          oauthError: 'invalid_grant',
        },
      ],
      [
        new TokenStoreError('set', cause),
        { name: 'TokenStoreError', message: 'the token store failed to set tokens', operation: 'set' },
      ],
      [
        new RefreshLockError('lost', cause),
        { name: 'RefreshLockError', message: 'the refresh lock failed (lost)', reason: 'lost' },
      ],
      [
        new RefreshStormError(10, 60_000, 1_500),
        {
          name: 'RefreshStormError',
          message: '10 refreshes started within 60000 ms: the token server is left alone for 1500 ms',
          count: 10,
          windowMs: 60_000,
          retryAfterMs: 1_500,
        },
      ],
    ];
    for (const [error, json] of cases) {
      expect(error.toJSON()).withContext(error.name).toEqual(json);
      expect(Object.keys(error.toJSON()).slice(0, 2)).withContext(error.name).toEqual(['name', 'message']);
    }
  });

  it('keeps HttpError headers free of credentials and leaves ResponseParseError text out', () => {
    const http = new HttpError({
      status: 502,
      headers: { 'content-type': 'text/plain', 'set-cookie': 'sid=1' },
      body: 'bad gateway',
      url: 'https://api.test/me',
      request,
    });
    expect(http.toJSON()).toEqual({
      name: 'HttpError',
      message: 'GET https://api.test/me?access_token=[redacted] failed with status 502',
      request,
      status: 502,
      headers: { 'content-type': 'text/plain' },
      body: 'bad gateway',
      url: 'https://api.test/me',
    });
    const parse = new ResponseParseError(request, 200, '<html>a whole page</html>', cause);
    expect(parse.toJSON()).toEqual({
      name: 'ResponseParseError',
      message: 'GET https://api.test/me?access_token=[redacted] returned a body that is not valid JSON',
      request,
      status: 200,
    });
    expect(parse.text).toBe('<html>a whole page</html>');
  });
});
