// A tab of an Angular app with zone.js, sharing its session with the other tabs through the same
// store and lock as spec/browser/page/tabs-suite.ts. The runner checks that change detection runs
// after a request that waited on the cross-tab lock.
import 'zone.js'; // first: it patches the globals (Promise, XMLHttpRequest, timers) Angular's zone relies on
import '@angular/compiler'; // Angular's npm packages are partially compiled: the JIT compiler links them
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { type ApplicationRef, Component, inject, NgZone, provideZoneChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { oauth2Refresh } from '../../../lib';
import { LocalStorageTokenStore, WebLocksRefreshLock } from '../../../lib/tabs';
import { authRefreshInterceptor, provideAuthRefresh } from '../../../lib/angular';
import type { TabSetup } from './tabs-suite';

/** The app's only component: shows what the last request answered. No decorator syntax, so esbuild needs no decorator support. */
class AnswerComponent {
  answer = 'none';
  /** Whether the request's subscriber ran in Angular's zone. */
  inAngularZone: boolean | null = null;
  private readonly http = inject(HttpClient);

  load(): void {
    this.http.get<unknown>('/api/echo').subscribe({
      next: () => {
        this.inAngularZone = NgZone.isInAngularZone();
        this.answer = 'loaded'; // no detectChanges(): zone.js must run change detection
      },
      error: (error: unknown) => (this.answer = `failed: ${error instanceof Error ? error.name : String(error)}`),
    });
  }
}
const Answer = Component({ selector: 'app-answer', template: '<p id="answer">{{ answer }}</p>' })(AnswerComponent);

let app: { readonly component: AnswerComponent; readonly zone: NgZone } | null = null;

async function start(setup: TabSetup): Promise<void> {
  document.body.append(document.createElement('app-answer'));
  const appRef: ApplicationRef = await bootstrapApplication(Answer, {
    providers: [
      provideZoneChangeDetection(),
      provideHttpClient(
        withInterceptors([(req, next) => next(req.clone({ url: `${setup.api}${req.url}` })), authRefreshInterceptor]),
      ),
      provideAuthRefresh({
        store: new LocalStorageTokenStore(setup.storeKey),
        lock: new WebLocksRefreshLock(setup.lockName),
        refresh: oauth2Refresh({ tokenUrl: `${setup.api}/oauth/token` }),
        allowedOrigins: [setup.api],
      }),
    ],
  });
  const component = appRef.components[0]?.instance as AnswerComponent | undefined;
  if (!component) throw new Error('the Angular app did not start');
  app = { component, zone: appRef.injector.get(NgZone) };
}

function current(): NonNullable<typeof app> {
  if (app === null) throw new Error('start() was not called in this tab');
  return app;
}

/** Sends the component's request from inside Angular's zone, as a click handler would. */
function load(): void {
  const { zone, component } = current();
  zone.run(() => component.load());
}

export const angularTab = { start, load, inAngularZone: () => current().component.inAngularZone };

export type AngularTab = typeof angularTab;

declare global {
  interface Window {
    /** Set by the Angular several-tabs test page (spec/browser); absent everywhere else. */
    angularTab?: AngularTab;
  }
}

window.angularTab = angularTab;
