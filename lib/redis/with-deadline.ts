/** Fails after `timeoutMs` and aborts the command, so no caller waits on a server that is gone. */
export function withDeadline<T>(timeoutMs: number, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return Promise.race([send(abort.signal), deadline]).finally(() => clearTimeout(timer));
}

/**
 * Resolves once `work` settles or `timeoutMs` passes, whichever is first, and never rejects: for a
 * close that must not hang on a server that is gone (the client given stays the caller's to end).
 */
export async function within(timeoutMs: number, work: () => Promise<unknown>): Promise<void> {
  await withDeadline(timeoutMs, work).catch(() => undefined);
}
