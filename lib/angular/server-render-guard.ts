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

/**
 * On the server, claims `session` and its store for the current app instance and returns the
 * check to run before each send (a retry after a 401 re-reads the store, so checking once is not
 * enough); `undefined` in the browser, where one page is one user. Ownership lasts for good, not
 * only while the first app renders: a store reused by the next request would hand the previous
 * user's tokens to a request that brings none. Call it in an injection context.
 */
export function claimForThisApp(session: AuthSession): (() => SharedAcrossAppsError | undefined) | undefined {
  if (!isPlatformServer(inject(PLATFORM_ID))) return undefined;
  const app = appId(inject(ApplicationRef));
  claim(session, app);
  claim(session.store, app);
  return () => (shared.has(session) ? new SharedAcrossAppsError('session') : shared.has(session.store) ? new SharedAcrossAppsError('store') : undefined);
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
