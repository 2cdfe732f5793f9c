import { type Observable, of } from 'rxjs';
import { catchError, map } from 'rxjs/operators';
import { AuthRefreshError } from '../../../lib/index';

/**
 * How a failed request ended, as the figures count it: an AuthRefreshError's reason, or
 * 'http <status>' for an error with a status (the core's HttpError, Angular's HttpErrorResponse).
 */
export function failureName(error: unknown): string {
  if (error instanceof AuthRefreshError) return error.reason;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? `http ${status}` : String(error);
}

/** How `request` ended: 'ok', or its {@link failureName}. Never fails. */
export function endingOf(request: Observable<unknown>): Observable<string> {
  return request.pipe(
    map(() => 'ok'),
    catchError((error: unknown) => of(failureName(error))),
  );
}
