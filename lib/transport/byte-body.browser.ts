import type { byteBody as encoded } from './byte-body';

/**
 * The browser build's stand-in for `byte-body.ts`. A browser's XMLHttpRequest sends URLSearchParams,
 * FormData and Blob bodies itself, so they go as they are, and xhr2's encoders stay out of browser
 * bundles.
 */
export const byteBody: typeof encoded = (body, headers) => ({ body, headers });
