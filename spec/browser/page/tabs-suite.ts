// One tab of an app whose tabs share their session: a LocalStorageTokenStore and a
// WebLocksRefreshLock, as docs/several-tabs.md sets them up. The Node runner opens several pages
// (tabs) of one origin and drives each through these functions.
import { defer, forkJoin, lastValueFrom, type Observable } from 'rxjs';
import { catchError, map } from 'rxjs/operators';
import { createHttpClient, oauth2Refresh, type AuthTokens, type HttpClient } from '../../../lib';
import { LocalStorageTokenStore, WebLocksRefreshLock } from '../../../lib/tabs';

/** What every tab of one spec shares: the API, and the names of the store and the lock. */
export interface TabSetup {
  readonly api: string;
  readonly storeKey: string;
  readonly lockName: string;
}

/** How a burst of requests of one tab ended: which succeeded, and the failures by error name and reason. */
export interface BurstReport {
  readonly succeeded: number;
  readonly failures: readonly string[];
}

let tab: {
  readonly client: HttpClient;
  readonly store: LocalStorageTokenStore;
  readonly lock: WebLocksRefreshLock;
  readonly events: string[];
} | null = null;
let running: Promise<BurstReport> | null = null;

/** Sets the tab's client up; answers whether Web Locks coordinate the tabs, and the token it starts with. */
function open(setup: TabSetup): { crossTab: boolean; storedAccessToken: string | null } {
  const store = new LocalStorageTokenStore(setup.storeKey);
  const lock = new WebLocksRefreshLock(setup.lockName);
  const client = createHttpClient({
    baseUrl: setup.api,
    retry: false, // each spec counts exactly what reached the server
    auth: { store, lock, refresh: oauth2Refresh({ tokenUrl: `${setup.api}/oauth/token` }) },
  });
  const events: string[] = [];
  client.authEvents$.subscribe((event) => events.push(event.type));
  tab = { client, store, lock, events };
  return { crossTab: lock.crossTab, storedAccessToken: store.get()?.accessToken ?? null };
}

function current(): NonNullable<typeof tab> {
  if (tab === null) throw new Error('open() was not called in this tab');
  return tab;
}

/** Stores tokens as a login form would. */
async function signIn(tokens: AuthTokens): Promise<void> {
  await current().store.set(tokens);
}

/** Sends `count` requests at once and reports how each ended. */
function burst(count: number): Promise<BurstReport> {
  const { client } = current();
  const one = (i: number): Observable<string | null> =>
    client.get('/api/echo', { params: { i } }).pipe(
      map(() => null),
      catchError((error: unknown) => [describe(error)]),
    );
  return lastValueFrom(forkJoin(Array.from({ length: count }, (_, i) => one(i)))).then((ends) => ({
    succeeded: ends.filter((end) => end === null).length,
    failures: ends.filter((end): end is string => end !== null),
  }));
}

/** Starts a burst and returns at once; `burstEnded` waits for it. */
function startBurst(count: number): void {
  running = burst(count);
}

function burstEnded(): Promise<BurstReport> {
  if (running === null) throw new Error('startBurst() was not called in this tab');
  return running;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const reason = (error as { reason?: unknown }).reason;
  const cause = (error as { cause?: { reason?: unknown } }).cause?.reason;
  return [error.name, reason, cause].filter((part): part is string => typeof part === 'string').join(' ');
}

/**
 * Takes the lock `rounds` times; each time reads the shared record inside it (a counter in the
 * access token) and writes the next value. Answers every value read: across all tabs, a value
 * read twice is a read that missed the previous holder's write.
 */
async function handovers(rounds: number): Promise<number[]> {
  const { store, lock } = current();
  const reads: number[] = [];
  const round = defer(async () => {
    const latest = await store.getLatest();
    const n = Number(latest?.accessToken.slice('n-'.length));
    reads.push(n);
    await store.replace(latest!, { accessToken: `n-${n + 1}` });
  });
  for (let i = 0; i < rounds; i++) await lastValueFrom(lock.withLock(round, { refreshTimeout: 10_000 }));
  return reads;
}

/**
 * The naive recipe the docs warn about, for comparison: the same handovers on a Web Lock of its own,
 * but the record read and written in `localStorage` itself. Answers every value read, as above.
 */
async function localStorageHandovers(rounds: number, key: string): Promise<number[]> {
  const reads: number[] = [];
  const round = (): void => {
    const n = Number(localStorage.getItem(key) ?? '0');
    reads.push(n);
    localStorage.setItem(key, String(n + 1));
  };
  for (let i = 0; i < rounds; i++) await navigator.locks.request(`${key}.lock`, round);
  return reads;
}

/** The scenarios the runner calls through `page.evaluate`. */
export const tabsSuite = {
  open,
  signIn,
  burst,
  startBurst,
  burstEnded,
  handovers,
  localStorageHandovers,
  logout: () => current().client.auth!.logout(),
  events: () => [...current().events],
  storedAccessToken: () => current().store.get()?.accessToken ?? null,
};

export type TabsSuite = typeof tabsSuite;

declare global {
  interface Window {
    /** Set by the several-tabs test page (spec/browser); absent everywhere else. */
    tabsSuite?: TabsSuite;
  }
}

window.tabsSuite = tabsSuite;
