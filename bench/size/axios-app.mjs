// The app of app.mjs with axios and axios-auth-refresh (which shares one refresh between 401s).
import axios from 'axios';
import createAuthRefreshInterceptor from 'axios-auth-refresh';

let tokens = { accessToken: 'a', refreshToken: 'r' };
const api = axios.create({ baseURL: 'https://api.example.com' });
api.interceptors.request.use((config) => {
  config.headers.set('authorization', `Bearer ${tokens.accessToken}`);
  return config;
});
createAuthRefreshInterceptor(api, (failed) =>
  axios
    .post(
      'https://auth.example.com/oauth/token',
      new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_id: 'web' }),
    )
    .then(({ data }) => {
      tokens = { accessToken: data.access_token, refreshToken: data.refresh_token ?? tokens.refreshToken };
      failed.response.config.headers.set('authorization', `Bearer ${tokens.accessToken}`);
    }),
);
api.get('/me').then(({ data }) => console.log(data));
