import { HttpClient } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { filter, firstValueFrom } from 'rxjs';
import { AUTH_EVENTS, AUTH_SESSION, skipAuth } from 'rxjs-auth-http/angular';
import { AUTH_SERVER } from './api-origins';
import { toTokens, type TokenResponse } from './token-response';

/** Logs in, logs out, and logs out when the session expires. */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly session = inject(AUTH_SESSION);
  readonly signedIn = signal(false);

  constructor() {
    // The events are hot: the root component injects this service, so it exists before any request.
    // 'session-expired': the token endpoint rejected the refresh token; the store is already cleared.
    inject(AUTH_EVENTS)
      .pipe(
        filter((event) => event.type === 'session-expired'),
        takeUntilDestroyed(),
      )
      .subscribe(() => void this.logout());
    void Promise.resolve(this.session.store.get()).then((tokens) => this.signedIn.set(tokens !== null));
  }

  async login(): Promise<void> {
    // skipAuth(): the login request carries no token, and a 401 here means "wrong password", not "refresh".
    const answer = await firstValueFrom(
      this.http.post<TokenResponse>(`${AUTH_SERVER}/login`, {}, { context: skipAuth() }),
    );
    await this.session.store.set(toTokens(answer));
    this.signedIn.set(true);
  }

  async logout(): Promise<void> {
    await this.session.logout(); // clears the store; a refresh still running is dropped
    this.signedIn.set(false); // with @angular/router: inject(Router).navigateByUrl('/login')
  }
}
