// (c') The session alone: the app writes its refresh itself.
export { createAuthSession } from 'rxjs-auth-http';
