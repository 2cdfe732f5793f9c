/**
 * Firebase Auth as the token source of a client or session: the SDK's ID token, refreshed with
 * `getIdToken(true)` once per burst, and the SDK's sign-outs and error codes turned into the
 * session's events. Imports nothing from `firebase` (an optional peer): apps without it never
 * load this entry.
 *
 * @module rxjs-auth-http/firebase
 */
export { fromFirebaseAuth } from './from-firebase-auth';
export type { FromFirebaseAuthOptions } from './from-firebase-auth';
export type { FirebaseAuthLike, FirebaseUserLike } from './firebase-auth-like';
