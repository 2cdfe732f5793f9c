// One tab of an app whose users sign in with Firebase, set up as docs/firebase.md says. The Node
// runner (spec/firebase/chromium-firebase.firebase.ts) opens it in Chromium and drives it through
// `window.firebaseTab`.
import { initializeApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword, signOut, type Auth } from 'firebase/auth';
import { firstValueFrom, forkJoin } from 'rxjs';
import { createHttpClient, WebLocksRefreshLock, type HttpClient } from '../../../lib';
import { fromFirebaseAuth } from '../../../lib/firebase';
import { endingOf } from '../support/ending-of';

/** Where the tab's app finds the emulator (the runner's counting proxy) and the API. */
export interface TabSetup {
  readonly emulator: string;
  readonly api: string;
  readonly projectId: string;
  /** A WebLocksRefreshLock's name, for tabs that share their refreshes; none: each tab alone. */
  readonly lockName: string | null;
}

let tab: { readonly auth: Auth; readonly client: HttpClient; readonly events: string[] } | null = null;
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
  const client = createHttpClient({ baseUrl: setup.api, retry: false, auth: fromFirebaseAuth(auth, lock) });
  const events: string[] = [];
  client.authEvents$.subscribe((event) => {
    events.push(event.type);
    for (const wake of eventWaiters.splice(0)) wake();
  });
  tab = { auth, client, events };
  const first = burst(1);
  await auth.authStateReady();
  return { signedIn: auth.currentUser !== null, first: await first };
}

async function signIn(email: string, password: string): Promise<void> {
  await signInWithEmailAndPassword(current().auth, email, password);
}

/** Sends `n` requests at once; answers how each ended: 'ok', a refresh error's reason, or 'http <status>'. */
function burst(n: number): Promise<string[]> {
  const { client } = current();
  const one = () => endingOf(client.get('/me'));
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
