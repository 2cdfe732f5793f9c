/**
 * The parts of a Firebase web SDK `User` (from 'firebase/auth') that {@link fromFirebaseAuth}
 * uses. Declared here by shape, so the entry compiles and loads without the `firebase` package.
 *
 * @example
 * ```ts
 * const user: FirebaseUserLike = getAuth(app).currentUser!;
 * const idToken = await user.getIdToken();
 * ```
 */
export interface FirebaseUserLike {
  readonly uid: string;
  getIdToken(forceRefresh?: boolean): Promise<string>;
}

/**
 * The parts of a Firebase web SDK `Auth` (`getAuth(app)`, or Angular's injected `Auth`) that
 * {@link fromFirebaseAuth} uses. A real `Auth` fits it; so does anything else with these members.
 *
 * @example
 * ```ts
 * import { getAuth } from 'firebase/auth';
 *
 * const auth: FirebaseAuthLike = getAuth(app);
 * ```
 */
export interface FirebaseAuthLike {
  readonly currentUser: FirebaseUserLike | null;
  onIdTokenChanged(next: (user: FirebaseUserLike | null) => void): () => void;
  signOut(): Promise<void>;
}
