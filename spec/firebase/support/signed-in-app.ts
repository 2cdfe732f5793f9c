import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import {
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  getAuth,
  signInWithEmailAndPassword,
  type Auth,
  type User,
} from 'firebase/auth';
import { PROJECT_ID, type AuthEmulator } from './auth-emulator';

let apps = 0;

/**
 * A Firebase web app of its own, signed in to the emulator as a new user, as a user's app would
 * be; or as the user of `sameUserAs`, as another process of that user would be.
 */
export interface SignedInApp {
  readonly auth: Auth;
  readonly user: User;
  readonly email: string;
  close(): Promise<void>;
}

export async function signedInApp(emulator: AuthEmulator, sameUserAs?: SignedInApp): Promise<SignedInApp> {
  const name = `app-${++apps}`;
  const app: FirebaseApp = initializeApp({ apiKey: 'demo-api-key', projectId: PROJECT_ID }, name);
  const auth = getAuth(app);
  connectAuthEmulator(auth, emulator.url, { disableWarnings: true });
  const email = sameUserAs?.email ?? `${name}-${process.pid}@example.com`;
  const { user } = sameUserAs
    ? await signInWithEmailAndPassword(auth, email, 'a-password')
    : await createUserWithEmailAndPassword(auth, email, 'a-password');
  return { auth, user, email, close: () => deleteApp(app) };
}
