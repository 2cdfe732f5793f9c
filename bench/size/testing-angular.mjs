// The testing kit's Angular helpers (in an app's unit-test bundle, never in the app's).
export {
  expectTokenRequest,
  expectRequest,
  expectRequests,
  expireAccessToken,
} from '../../dist/esm/testing-angular.mjs';
