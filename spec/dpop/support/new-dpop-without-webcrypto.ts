// Run by spec/dpop/dpop-unsupported.spec.ts in a child Node started with
// --no-experimental-global-webcrypto: Node 20 as Node 18 is, without the `crypto` global.
// Prints one JSON line: what `new DPoP()` did.
import { AuthHttpError } from '../../../lib';
import { DPoP, DPoPUnsupportedError } from '../../../lib/dpop';

let outcome: Record<string, unknown>;
try {
  new DPoP();
  outcome = { threw: false };
} catch (error) {
  outcome = {
    threw: true,
    name: (error as Error).name,
    message: (error as Error).message,
    typed: error instanceof DPoPUnsupportedError && error instanceof AuthHttpError,
  };
}
console.log(JSON.stringify({ cryptoGlobal: typeof globalThis.crypto, ...outcome }));
