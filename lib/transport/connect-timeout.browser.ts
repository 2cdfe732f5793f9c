import type { connectTimeoutOf as found } from './connect-timeout';

/**
 * The browser build's stand-in for `connect-timeout.ts`: browsers expose no connect phase, so no
 * failure is ever a connect timeout.
 */
export const connectTimeoutOf: typeof found = () => undefined;
