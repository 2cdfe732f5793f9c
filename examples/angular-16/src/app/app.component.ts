import { HttpClient } from '@angular/common/http';
import { Component, inject } from '@angular/core';
import { AuthRefreshError } from 'rxjs-auth-http';
import { AUTH_EVENTS, AUTH_SESSION, skipAuth } from 'rxjs-auth-http/angular';
import { SessionBadgeComponent } from './session-badge.component';

@Component({
  selector: 'app-root',
  standalone: true,
  imports: [SessionBadgeComponent], // docs/angular.md shows it: built here on Angular 16
  template: `<p>{{ message }}</p>
    <app-session-badge></app-session-badge>`,
})
export class AppComponent {
  private readonly http = inject(HttpClient);
  private readonly session = inject(AUTH_SESSION);
  message = 'loading';

  constructor() {
    inject(AUTH_EVENTS).subscribe((event) => (this.message = event.type));
    this.http.get<{ status: string }>('https://status.example.com/health', { context: skipAuth() }).subscribe({
      next: ({ status }) => (this.message = status),
      error: (error: unknown) => (this.message = error instanceof AuthRefreshError ? error.reason : 'unavailable'),
    });
  }

  logout(): Promise<void> {
    return this.session.logout();
  }
}
