import { Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { AUTH_EVENTS, AUTH_SESSION } from 'rxjs-auth-http/angular';

@Component({
  selector: 'app-session-badge',
  standalone: true, // the default from Angular 19; needed before
  // [hidden] rather than @if (Angular 17) or *ngIf (deprecated since 20): the same on every version.
  template: `
    <span [hidden]="lastEvent()?.type !== 'refresh-start'">Renewing your session...</span>
    <button (click)="logout()">Log out</button>
  `,
})
export class SessionBadgeComponent {
  private readonly session = inject(AUTH_SESSION);
  readonly lastEvent = toSignal(inject(AUTH_EVENTS));

  logout(): Promise<void> {
    return this.session.logout();
  }
}
