// Angular's npm packages are partially compiled: the JIT compiler links them at run time.
import '@angular/compiler';
import {
  createEnvironmentInjector,
  platformCore,
  provideZonelessChangeDetection,
  ɵINJECTOR_SCOPE as INJECTOR_SCOPE,
  type EnvironmentInjector,
  type EnvironmentProviders,
  type PlatformRef,
  type Provider,
} from '@angular/core';

let platform: PlatformRef | undefined;

/**
 * An application-like root injector in Node, without a DOM: TestBed and `createApplication`
 * need the browser platform, which reads `document`. The 'root' scope makes the
 * `providedIn: 'root'` services HttpClient needs (PendingTasks...) resolvable here; Angular's
 * browser platform sets the same scope through BrowserModule. Zoneless, as Angular 21 apps are.
 */
export function angularInjector(providers: Array<Provider | EnvironmentProviders>): EnvironmentInjector {
  platform ??= platformCore();
  return createEnvironmentInjector(
    [{ provide: INJECTOR_SCOPE, useValue: 'root' }, provideZonelessChangeDetection(), ...providers],
    platform.injector as EnvironmentInjector,
  );
}
