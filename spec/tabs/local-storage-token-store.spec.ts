import { LocalStorageTokenStore } from '../../lib/tabs';

// In Node (and server-side rendering) there is no localStorage and no IndexedDB: the store must
// still load and work, in memory only. Its browser behaviour runs in Chromium (spec/browser/tabs.browser.ts).
describe('LocalStorageTokenStore where there is no localStorage (Node, server-side rendering)', () => {
  it('keeps tokens in memory: set, get, getLatest, replace and clear all answer', async () => {
    const store = new LocalStorageTokenStore('spec.tokens');
    expect(store.get()).toBeNull();

    await store.set({ accessToken: 'at-1', refreshToken: 'rt-1' });
    expect(store.get()).toEqual({ accessToken: 'at-1', refreshToken: 'rt-1' });
    expect(await store.getLatest()).toEqual({ accessToken: 'at-1', refreshToken: 'rt-1' });

    expect(await store.replace({ accessToken: 'at-1' }, { accessToken: 'at-2' })).toEqual({ accessToken: 'at-2' });
    expect(await store.replace({ accessToken: 'at-1' }, { accessToken: 'at-3' }))
      .withContext('at-1 is gone')
      .toEqual({ accessToken: 'at-2' });
    expect(store.get()).toEqual({ accessToken: 'at-2' });

    await store.clear();
    expect(store.get()).toBeNull();
    expect(await store.getLatest()).toBeNull();
  });

  it('rejects an empty key with a TypeError', () => {
    expect(() => new LocalStorageTokenStore('')).toThrowError(TypeError, /key/);
  });
});
