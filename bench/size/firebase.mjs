// The Firebase adapter on top of the core (a browser bundle); it imports nothing from firebase.
export { fromFirebaseAuth } from '../../dist/esm/firebase.mjs';
