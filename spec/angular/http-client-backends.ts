// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import { XhrFactory } from '@angular/common';
import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import type { EnvironmentProviders, Provider } from '@angular/core';
import { authRefreshInterceptor } from '../../lib/angular/index';
import { NodeXMLHttpRequest } from '../../lib/transport/node-xhr';

/** An Angular HttpClient set-up with `authRefreshInterceptor`, named for the spec titles. */
export interface HttpClientBackend {
  readonly name: string;
  readonly providers: () => Array<Provider | EnvironmentProviders>;
}

/**
 * Angular's real HttpClient through both of its real backends: fetch (`withFetch()`), and XHR
 * (the default) with xhr2 standing in for the browser's.
 */
export const httpClientBackends: readonly HttpClientBackend[] = [
  { name: 'fetch', providers: () => [provideHttpClient(withFetch(), withInterceptors([authRefreshInterceptor]))] },
  {
    name: 'XHR',
    providers: () => [
      provideHttpClient(withInterceptors([authRefreshInterceptor])),
      { provide: XhrFactory, useValue: { build: (): XMLHttpRequest => new NodeXMLHttpRequest() } },
    ],
  },
];
