import { HttpContext, HttpContextToken } from '@angular/common/http';

/**
 * Marks a request that must go out as it is: no token, and no refresh when it fails. Use it for
 * the login call and for every request the refresh function makes (those would otherwise wait
 * on the refresh they belong to).
 *
 * @example
 * ```ts
 * import { HttpClient, HttpContext } from '@angular/common/http';
 * import { inject } from '@angular/core';
 * import { SKIP_AUTH } from 'rxjs-auth-http/angular';
 *
 * const http = inject(HttpClient);
 * http.post('/login', { user: 'ada', password: 'secret' }, { context: new HttpContext().set(SKIP_AUTH, true) });
 * ```
 */
export const SKIP_AUTH = new HttpContextToken<boolean>(() => false);

/**
 * An `HttpContext` with {@link SKIP_AUTH} set: shorthand for the option bag of an `HttpClient` call.
 * Pass an existing context to add the flag to it.
 *
 * @example
 * ```ts
 * import { HttpClient } from '@angular/common/http';
 * import { inject } from '@angular/core';
 * import { skipAuth } from 'rxjs-auth-http/angular';
 *
 * const http = inject(HttpClient);
 * http.get('https://status.example.com/health', { context: skipAuth() });
 * ```
 */
export function skipAuth(context: HttpContext = new HttpContext()): HttpContext {
  return context.set(SKIP_AUTH, true);
}
