import { lowerCased } from '../headers';
import type { sendableHeaders as checked } from './transport-headers';

/**
 * The browser build's stand-in for `transport-headers.ts`: a browser's XMLHttpRequest keeps the
 * headers only it may set to itself (its list is longer than Node's), so none is refused here.
 */
export const sendableHeaders: typeof checked = (req) => lowerCased(req.headers);
