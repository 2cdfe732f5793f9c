/**
 * The checks every option family shares (client, auth, retry, OAuth), one per kind of value, so
 * the rules and their messages cannot drift apart. Each failure is a TypeError naming the option.
 */
import type { HttpTransport } from './transport/http-transport';

/** A duration in milliseconds: a number >= 0 (the option says what `0` or `Infinity` means). */
export function checkMilliseconds(name: string, value: number): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError(`${name} must be a number of milliseconds >= 0`);
  }
  return value;
}

/** A list of HTTP error statuses, each a whole number from 400 to 599. */
export function checkErrorStatuses(name: string, statuses: readonly number[]): readonly number[] {
  const list: unknown = statuses; // checked as the unknown it may be at run time
  const isErrorStatus = (status: unknown) =>
    Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599;
  if (!Array.isArray(list) || !list.every(isErrorStatus))
    throw new TypeError(`${name} must list HTTP error statuses (400-599)`);
  return statuses;
}

/** A function; `what` says what it should do, for the message. */
export function checkFunction<F>(name: string, value: F, what: string): F {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function ${what}`);
  return value;
}

/**
 * A `transport` (such as `nodeHttpTransport()`), or undefined for the default one. Refused next to
 * a `createXHR`, which belongs to the default transport: ignoring either would send through a
 * transport the caller did not pick.
 */
export function checkTransport(transport: HttpTransport | undefined, createXHR: unknown): HttpTransport | undefined {
  if (transport === undefined) return undefined;
  if (typeof transport !== 'function') throw new TypeError('transport must be a function such as nodeHttpTransport()');
  if (createXHR !== undefined)
    throw new TypeError('createXHR applies to the default transport only: pass transport or createXHR, not both');
  return transport;
}
