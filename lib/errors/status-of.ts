/**
 * The HTTP status an error carries, read by shape rather than by class, so our HttpError, rxjs'
 * AjaxError and Angular's HttpErrorResponse all answer; 0 when there is none.
 */
export function statusOf(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : 0;
}
