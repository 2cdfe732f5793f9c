// The testing kit's Node server (in an app's tests, never in its bundle; node:http left out).
export { startTestAuthServer } from '../../dist/esm/testing.mjs';
