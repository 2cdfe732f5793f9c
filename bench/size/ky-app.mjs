// The app of app.mjs with ky 2 and a refresh written by hand: one shared refresh per burst of 401s.
import ky from 'ky';

let tokens = { accessToken: 'a', refreshToken: 'r' };
let refreshing = null;

function refresh() {
  refreshing ??= ky
    .post('https://auth.example.com/oauth/token', {
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_id: 'web' }),
    })
    .json()
    .then((answer) => {
      tokens = { accessToken: answer.access_token, refreshToken: answer.refresh_token ?? tokens.refreshToken };
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

const api = ky.create({
  prefix: 'https://api.example.com',
  hooks: {
    beforeRequest: [({ request }) => request.headers.set('authorization', `Bearer ${tokens.accessToken}`)],
    beforeRetry: [({ request }) => request.headers.set('authorization', `Bearer ${tokens.accessToken}`)],
    afterResponse: [
      async ({ response, retryCount }) => {
        if (response.status !== 401 || retryCount > 0) return response;
        await refresh();
        return ky.retry();
      },
    ],
  },
});
api
  .get('me')
  .json()
  .then((me) => console.log(me));
