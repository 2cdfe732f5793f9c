import { InjectionToken } from '@angular/core';
import type { AuthSession } from '../index';

/**
 * The app's one {@link AuthSession}, created by {@link provideAuthRefresh}. Inject it to log out,
 * to read the token store, or to give a non-HttpClient transport the same refresh.
 *
 * @example
 * ```ts
 * import { Injectable, inject } from '@angular/core';
 * import { AUTH_SESSION } from 'rxjs-auth-http/angular';
 *
 * @Injectable({ providedIn: 'root' })
 * export class LogoutButtonService {
 *   private readonly session = inject(AUTH_SESSION);
 *   logout(): Promise<void> {
 *     return this.session.logout();
 *   }
 * }
 * ```
 */
export const AUTH_SESSION = new InjectionToken<AuthSession>('rxjs-auth-http AUTH_SESSION');
