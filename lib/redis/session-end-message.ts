import type { SessionEnd } from '../index';

/**
 * The message one process publishes when its session ended: who sent it and how the session
 * ended, never a token. Redis delivers a message to its sender too, so the sender's id travels
 * with it and each process drops its own.
 */
export function sessionEndMessage(sender: string, end: SessionEnd): string {
  return JSON.stringify({ from: sender, sessionEnd: end });
}

/**
 * How the session ended, from a message another process published; null for this process's own
 * message and for anything malformed, which is ignored rather than trusted.
 */
export function sessionEndFrom(message: string, self: string): SessionEnd | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  const { from, sessionEnd } = (parsed ?? {}) as { from?: unknown; sessionEnd?: unknown };
  if (typeof from !== 'string' || from === self) return null;
  return sessionEnd === 'session-expired' || sessionEnd === 'logout' ? sessionEnd : null;
}
