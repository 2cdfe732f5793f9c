// Run in a process of its own by the spec: zone.js patches Promise and the timers of the whole
// process, which the other specs (zoneless, as Angular 21 apps are) must not run under.
import 'zone.js';
import 'zone.js/testing';
import '@angular/compiler';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { fakeAsync, flushMicrotasks } from '@angular/core/testing';
import { expectTokenRequest } from '../../../../lib/testing/angular/index';
import { angularInjector } from '../../../angular/angular-injector';

const injector = angularInjector([provideHttpClient(), provideHttpClientTesting()]);
const controller = injector.get(HttpTestingController);
let caught: unknown = 'nothing';
// What zone.js's jasmine patch does for every spec: fakeAsync runs only inside a ProxyZone.
const ProxyZoneSpec = (Zone as unknown as { ProxyZoneSpec: new () => ZoneSpec }).ProxyZoneSpec;
Zone.current.fork(new ProxyZoneSpec()).run(
  fakeAsync(() => {
    expectTokenRequest(controller).catch((error: unknown) => (caught = error));
    flushMicrotasks();
  }),
);
// Native async functions settle outside the fake zone's microtask queue: read the outcome a turn later.
setImmediate(() => {
  const { name, reason, message } = caught as { name?: string; reason?: string; message?: string };
  console.log(`probe: ${JSON.stringify({ name, reason, message })}`);
  injector.destroy();
});
