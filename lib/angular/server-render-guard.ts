import { isPlatformServer } from '@angular/common';
import { ApplicationRef, inject, PLATFORM_ID } from '@angular/core';
import type { AuthSession } from '../index';
import { SharedAcrossAppsError } from './shared-across-apps-error';

// The app instance that first used each store and session on this server. The values are small
// ids, not apps, so that a store left at module scope does not keep a finished render alive.
const owners = new WeakMap<object, object>();
const appIds = new WeakMap<ApplicationRef, object>();
// Stores and sessions seen by a second app: refused from then on to every app, the first one
// included, since the second may already have written its user's tokens into the store.
const shared = new WeakSet<object>();

// Each server check of this entry starts with `typeof ngServerMode !== 'undefined' && !ngServerMode`,
// written out where it is used: Angular's builder (v19 on) defines `ngServerMode` as the constant
// `false` in a browser bundle, as Angular's own packages rely on, and the bundler then drops the
// server-only code behind the check, which browsers never run. Anywhere else (Angular 16 to 18, a
// server bundle, tests) the platform decides at run time. (A named constant would not fold: the
// build makes it a `var`.)

/**
 * On the server, claims `things` (a session, a store) for the current app instance and answers
 * true; in the browser, where one page is one user, does nothing and answers false. Ownership
 * lasts for good, not only while the first app renders: a store reused by the next request would
 * hand the previous user's tokens to a request that brings none. Call it in an injection context.
 */
export function claimForThisApp(...things: object[]): boolean {
  if ((typeof ngServerMode !== 'undefined' && !ngServerMode) || !isPlatformServer(inject(PLATFORM_ID))) return false;
  const app = appId(inject(ApplicationRef));
  for (const thing of things) claim(thing, app);
  return true;
}

/**
 * The error for a send through `session` once it, or its store, was claimed by two app instances.
 * Check before every send: a retry after a 401 re-reads a store another render may have written.
 */
export function sharedAcrossApps(session: AuthSession): SharedAcrossAppsError | undefined {
  if (shared.has(session)) return new SharedAcrossAppsError('session');
  return shared.has(session.store) ? new SharedAcrossAppsError('store') : undefined;
}

function appId(app: ApplicationRef): object {
  let id = appIds.get(app);
  if (id === undefined) appIds.set(app, (id = {}));
  return id;
}

function claim(thing: object, app: object): void {
  const owner = owners.get(thing);
  if (owner === undefined) owners.set(thing, app);
  else if (owner !== app) shared.add(thing);
}
