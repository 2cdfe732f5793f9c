// The DPoP entry as built (with jose, its dependency), on top of an app that has the core already.
export { DPoP } from '../../dist/esm/dpop.mjs';
