/** A successful (2xx) response. */
export interface HttpResponse<T> {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: T;
  /** The final URL, after redirects. */
  readonly url: string;
}
