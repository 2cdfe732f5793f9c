import type { AuthTokens, TokenStore } from 'rxjs-auth-http';

/** Tokens that survive a reload (the default MemoryTokenStore forgets them). */
export const localStorageStore: TokenStore = {
  get: () => JSON.parse(localStorage.getItem('auth') ?? 'null') as AuthTokens | null,
  set: (tokens) => localStorage.setItem('auth', JSON.stringify(tokens)),
  clear: () => localStorage.removeItem('auth'),
};
