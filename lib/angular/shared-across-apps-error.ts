import { RequestError } from '../index';

/**
 * On the server, a token store or session used by two Angular app instances: every request of
 * both through it fails with this error from then on. One Node process renders for many users,
 * one app instance per request: a store created at module scope (in `app.config.ts`, say) is one
 * store for all of them, and would send one user's token with another user's page. `shared` says
 * which object was shared. Create the store per app instance instead:
 * `provideAuthRefresh(() => ({ store: new MemoryTokenStore(...) }))`.
 *
 * @example
 * ```ts
 * import { HttpClient } from '@angular/common/http';
 * import { inject } from '@angular/core';
 * import { SharedAcrossAppsError } from 'rxjs-auth-http/angular';
 *
 * inject(HttpClient)
 *   .get('/api/orders')
 *   .subscribe({ error: (error) => error instanceof SharedAcrossAppsError && console.error(error.message) });
 * ```
 */
export class SharedAcrossAppsError extends RequestError {
  override name = 'SharedAcrossAppsError' as const;
  /** What two app instances shared: the token store, or the whole session. */
  readonly shared: 'store' | 'session';

  constructor(shared: 'store' | 'session') {
    super(
      `rxjs-auth-http: this token ${shared} is used by more than one Angular app instance on this server. ` +
        `Each server-side render serves one user: create the store per app instance, e.g. ` +
        `provideAuthRefresh(() => ({ store: new MemoryTokenStore(tokensFromTheRequest) })); ` +
        `see "Server-side rendering" in docs/angular.md`,
      undefined,
    );
    this.shared = shared;
  }
}
