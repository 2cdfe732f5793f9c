import { InjectionToken, makeStateKey } from '@angular/core';

/** Where the API and its token endpoint live, e.g. `https://api.example.com`. */
export const API_ORIGIN = new InjectionToken<string>('API origin');

/** The server hands the API origin it was started with to the browser through TransferState. */
export const API_ORIGIN_KEY = makeStateKey<string>('apiOrigin');
