import { isPlatformServer } from '@angular/common';
import { ApplicationRef, inject, PLATFORM_ID } from '@angular/core';
import type { AuthSession } from '../index';
import { SharedAcrossAppsError } from './shared-across-apps-error';

// The app instance that first used each store and session on this server. The values are small
// ids, not apps, so that a store left at module scope does not keep a finished render alive.
const owners = new WeakMap<object, object>();
const appIds = new WeakMap<ApplicationRef, object>();

/**
 * The error to fail a request with when, on the server, `session` or its store was first used by
 * another app instance; `undefined` in the browser, where one page is one user. Ownership is for
 * good, not only while the first app renders: a store reused by the next request would hand the
 * previous user's tokens to a request that brings none. Call it in an injection context.
 */
export function sharedAcrossApps(session: AuthSession): SharedAcrossAppsError | undefined {
  if (!isPlatformServer(inject(PLATFORM_ID))) return undefined;
  const app = inject(ApplicationRef);
  let id = appIds.get(app);
  if (id === undefined) appIds.set(app, (id = {}));
  if (!claim(session, id)) return new SharedAcrossAppsError('session');
  if (!claim(session.store, id)) return new SharedAcrossAppsError('store');
  return undefined;
}

function claim(thing: object, app: object): boolean {
  const owner = owners.get(thing);
  if (owner === undefined) owners.set(thing, app);
  return owner === undefined || owner === app;
}
