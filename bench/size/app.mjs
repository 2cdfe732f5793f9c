// The app the size comparison builds with each library: an API client that sends a bearer token
// from memory and, on a 401, gets new tokens with one shared refresh_token grant, then retries.
import { createHttpClient, MemoryTokenStore, oauth2Refresh } from 'rxjs-auth-http';

const api = createHttpClient({
  baseUrl: 'https://api.example.com',
  auth: {
    store: new MemoryTokenStore({ accessToken: 'a', refreshToken: 'r' }),
    refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'web' }),
  },
});
api.get('/me').subscribe((me) => console.log(me));
