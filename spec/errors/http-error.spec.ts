import { HttpError } from '../../lib';

describe('HttpError', () => {
  it('toJSON() leaves out cookies and credentials, whatever the transport put in headers', () => {
    const error = new HttpError({
      status: 500,
      headers: {
        'set-cookie': 'sid=s3cret',
        Authorization: 'Bearer s3cret',
        cookie: 'c=s3cret',
        'proxy-authorization': 'Basic s3cret',
        'x-id': '7',
      },
      body: null,
      url: 'https://api.test/x',
      request: { method: 'GET', url: 'https://api.test/x', headers: {} },
    });
    expect(error.toJSON()['headers']).toEqual({ 'x-id': '7' });
    expect(JSON.stringify(error)).not.toContain('s3cret');
  });
});
