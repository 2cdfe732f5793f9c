// One tab of an app whose users sign in with Firebase, set up as docs/firebase.md says. The Node
// runner (spec/firebase/chromium-firebase.firebase.ts) opens it in Chromium and drives it through
// `window.firebaseTab`.
import '@angular/compiler'; // Angular's npm packages are partially compiled: the JIT compiler links them
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { createApplication } from '@angular/platform-browser';
import { initializeApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword, signOut, type Auth } from 'firebase/auth';
import { firstValueFrom, forkJoin, type Observable } from 'rxjs';
import { createHttpClient, type AuthEvent, type AuthOptions } from '../../../lib';
import { WebLocksRefreshLock } from '../../../lib/tabs';
import { AUTH_EVENTS, authRefreshInterceptor, provideAuthRefresh } from '../../../lib/angular';
import { fromFirebaseAuth } from '../../../lib/firebase';
import { endingOf } from '../support/ending-of';

/** Where the tab's app finds the emulator (the runner's counting proxy) and the API. */
export interface TabSetup {
  readonly emulator: string;
  readonly api: string;
  readonly projectId: string;
  /** A WebLocksRefreshLock's name, for tabs that share their refreshes; none: each tab alone. */
  readonly lockName: string | null;
  /** Whether the app sends through Angular's HttpClient (zoneless) rather than the library's client. */
  readonly angular: boolean;
}

let tab: { readonly auth: Auth; readonly get: () => Observable<unknown>; readonly events: string[] } | null = null;
const eventWaiters: Array<() => void> = [];

function current(): NonNullable<typeof tab> {
  if (tab === null) throw new Error('open() was not called in this tab');
  return tab;
}

/**
 * Sets the app up and sends one request at once, before the SDK has loaded the user this origin
 * signed in (if any) from IndexedDB; answers how that request ended, and whether a user is signed in.
 */
async function open(setup: TabSetup): Promise<{ signedIn: boolean; first: string[] }> {
  const app = initializeApp({ apiKey: 'demo-api-key', projectId: setup.projectId });
  const auth = getAuth(app);
  connectAuthEmulator(auth, setup.emulator, { disableWarnings: true });
  const lock = setup.lockName === null ? {} : { lock: new WebLocksRefreshLock(setup.lockName) };
  const options = fromFirebaseAuth(auth, { ...lock, allowedOrigins: [setup.api] });
  const { get, events$ } = setup.angular
    ? await angularApp(setup.api, () => options)
    : libraryClient(setup.api, options);
  const events: string[] = [];
  events$.subscribe((event) => {
    events.push(event.type);
    for (const wake of eventWaiters.splice(0)) wake();
  });
  tab = { auth, get, events };
  const first = burst(1);
  await auth.authStateReady();
  return { signedIn: auth.currentUser !== null, first: await first };
}

function libraryClient(api: string, auth: AuthOptions) {
  const client = createHttpClient({ baseUrl: api, retry: false, auth });
  return { get: () => client.get('/me'), events$: client.authEvents$ };
}

// As docs/firebase.md sets Angular up: provideAuthRefresh with a function returning fromFirebaseAuth(...).
async function angularApp(api: string, options: () => AuthOptions) {
  const app = await createApplication({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([authRefreshInterceptor])),
      provideAuthRefresh(options),
    ],
  });
  const http = app.injector.get(HttpClient);
  const events$: Observable<AuthEvent> = app.injector.get(AUTH_EVENTS);
  return { get: () => http.get(`${api}/me`), events$ };
}

async function signIn(email: string, password: string): Promise<void> {
  await signInWithEmailAndPassword(current().auth, email, password);
}

/** Sends `n` requests at once; answers how each ended: 'ok', a refresh error's reason, or 'http <status>'. */
function burst(n: number): Promise<string[]> {
  const { get } = current();
  const one = () => endingOf(get());
  return firstValueFrom(forkJoin(Array.from({ length: n }, one)));
}

/** What the app's own code might do: force a new ID token outside the client. */
async function refreshElsewhere(): Promise<void> {
  const user = current().auth.currentUser;
  if (user === null) throw new Error('nobody is signed in');
  await user.getIdToken(true);
}

async function signOutOfFirebase(): Promise<void> {
  await signOut(current().auth);
}

/** The tab's auth events so far, once there are at least `count` of them. */
async function events(count = 0): Promise<string[]> {
  const { events } = current();
  while (events.length < count) await new Promise<void>((resolve) => eventWaiters.push(resolve));
  return [...events];
}

function signedIn(): boolean {
  return current().auth.currentUser !== null;
}

const firebaseTab = { open, signIn, burst, refreshElsewhere, signOutOfFirebase, events, signedIn };
export type FirebaseTab = typeof firebaseTab;

declare global {
  interface Window {
    firebaseTab?: FirebaseTab;
  }
}
window.firebaseTab = firebaseTab;
