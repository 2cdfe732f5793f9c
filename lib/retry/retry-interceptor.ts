import type { HttpInterceptor } from '../client/interceptor';
import { retryAttempts } from './retry-with-backoff';

/**
 * The interceptor that retries transient failures as each request's `retry` settings say. The
 * client puts it right after the auth layer: the auth layer then wraps every retry, so a request
 * refreshes at most once however often it is retried, and the interceptors after this one run
 * again for every attempt on the network. A 401 passes straight through to the auth layer.
 */
export function retryInterceptor(): HttpInterceptor {
  return (req, next) => {
    if (req.retry.limit === 0 || !req.retry.methods.has(req.method)) return next(req);
    // Each attempt calls the rest of the chain anew, rather than resubscribing to what its first
    // call returned.
    return retryAttempts(() => next(req), req.retry);
  };
}
