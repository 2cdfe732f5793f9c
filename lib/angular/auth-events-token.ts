import { InjectionToken } from '@angular/core';
import type { Observable } from 'rxjs';
import type { AuthEvent } from '../index';

/**
 * The session's {@link AuthEvent}s (refresh started, succeeded, failed; session expired) as a hot
 * Observable, provided by {@link provideAuthRefresh}. Events carry no tokens.
 *
 * @example
 * ```ts
 * import { Injectable, inject } from '@angular/core';
 * import { filter } from 'rxjs';
 * import { AUTH_EVENTS } from 'rxjs-auth-http/angular';
 *
 * @Injectable({ providedIn: 'root' })
 * export class SessionWatcher {
 *   readonly expired$ = inject(AUTH_EVENTS).pipe(filter((event) => event.type === 'session-expired'));
 * }
 * ```
 */
export const AUTH_EVENTS = new InjectionToken<Observable<AuthEvent>>('rxjs-auth-http AUTH_EVENTS');
