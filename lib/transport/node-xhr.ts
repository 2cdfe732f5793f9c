import type { ClientRequest, IncomingMessage } from 'node:http';
import XHR2 from 'xhr2';
import type http from 'node:http';
import type https from 'node:https';
import { connectTimingAgent, type AgentClass } from './keep-alive-agents';
import {
  heldRedirect,
  holdsRedirects,
  isCredentialHeader,
  MAX_REDIRECTS,
  REDIRECT_STATUSES,
  redirectsToGet,
  tooManyRedirects,
} from './redirects';

/** The parts of xhr2 0.2.x that this subclass reaches into; pinned by the exact xhr2 version. */
interface Xhr2Internals {
  _request: ClientRequest | null;
  _response: IncomingMessage | null;
  _method: string;
  _url: Xhr2Url;
  nodejsBaseUrl: string | null;
  nodejsHttpAgent: http.Agent;
  nodejsHttpsAgent: https.Agent;
  _headers: Record<string, string>;
  _loweredHeaders: Record<string, string>;
  _responseHeaders: Record<string, string> | null;
  upload: { _reset(): void; _body: Buffer | null };
  _parseUrl(url: string): Xhr2Url;
  _finalizeHeaders(): void;
  _sendHxxpRequest(): void;
  _onHttpResponse(request: ClientRequest, response: IncomingMessage): void;
  _onHttpRequestError(request: ClientRequest, error: Error): void;
  _onHttpTimeout(request: ClientRequest): void;
  _dispatchProgress(eventType: string): void;
  _onHttpResponseClose(response: IncomingMessage): void;
  _setError(): void;
}

/** The parts of a legacy `url.parse` result that xhr2 sends from. */
interface Xhr2Url {
  readonly href: string;
  readonly protocol: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string | null;
  readonly path: string;
  /** Decoded `user:password`, or null. */
  readonly auth: string | null;
}

function timeOut(xhr: NodeXMLHttpRequest): void {
  xhr.timedOut();
}

interface AgentPair {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

// One pair of agents per connect limit, shared by every XHR with that limit, so their sockets are
// kept alive across requests as the global agents would keep them. Apps use one limit or a few.
const agentsByLimit = new Map<number, AgentPair>();

function agentsWithConnectLimit(ms: number): AgentPair {
  let agents = agentsByLimit.get(ms);
  if (!agents) {
    // The Agent classes of the node:http and node:https that xhr2 sends with, from its default
    // agents: this file imports no node: module, so a bundle that maps xhr2 to the browser's XHR
    // still builds (there the transport uses the browser's XHR and never sets a connect limit).
    const { nodejsHttpAgent, nodejsHttpsAgent } = Xhr2Base.prototype as Xhr2Internals;
    agents = {
      http: connectTimingAgent(nodejsHttpAgent.constructor as AgentClass<http.Agent>, ms),
      https: connectTimingAgent(nodejsHttpsAgent.constructor as AgentClass<https.Agent>, ms),
    };
    agentsByLimit.set(ms, agents);
  }
  return agents;
}

const OPENED = 1; // XMLHttpRequest.OPENED, which Node has no global for

const Xhr2Base = XHR2 as unknown as new () => XMLHttpRequest & Xhr2Internals;

/**
 * xhr2's XMLHttpRequest with four faults fixed, so Node behaves like a browser, or like a Node client
 * where browser rules make no sense (and one waste, the empty body write, see `_finalizeHeaders`):
 * - the Node error behind a network failure (ECONNREFUSED, ECONNRESET...) is kept in `failure`
 *   instead of being dropped;
 * - redirects resolve relative `Location`s against the current URL, keep method and body where a
 *   browser does (see `redirectsToGet`), stop after 20 hops, and strip credentials when they
 *   leave the origin; a request carrying a DPoP proof stops at the redirect (see `holdsRedirects`);
 * - `timeout` bounds the whole exchange, redirects included, as a browser's does (xhr2 applied it
 *   to each socket's idle time, so a trickling answer never timed out);
 * - a response cut off mid-body reports a reset instead of an anonymous error, with status 0 as
 *   a browser's network error has (xhr2 kept the 200 of the headers, so it passed for an HttpError);
 * - headers are sent as set: xhr2 applies a browser's forbidden list (Cookie, Origin, Referer,
 *   Accept-Encoding, Proxy-*...) with a console.warn, and replaces the caller's User-Agent by its
 *   own. Those rules protect a page's user; a Node client speaks for itself. (The headers only the
 *   transport may set are refused before this, see `transport-headers.ts`.)
 */
export class NodeXMLHttpRequest extends Xhr2Base {
  /** Why the request failed without a response, when Node said. */
  failure: Error | undefined;
  private redirects = 0;
  private connectLimit = 0;
  private deadline: ReturnType<typeof setTimeout> | undefined;

  /**
   * The response's headers by lower-case name, as `getAllResponseHeaders()` lists them, without
   * the text round trip: Node has parsed and trimmed them already (Set-Cookie left out, as an XHR
   * does). Null before the headers arrive. The transport reads this instead of re-parsing ajax's
   * split of the raw block, which kept each value's '\r' and cost an object per response.
   */
  get responseHeaderRecord(): Readonly<Record<string, string>> | null {
    return this._responseHeaders ?? null;
  }

  /**
   * Limit in ms on establishing each new connection; 0 for none. Set by the transport. A limit
   * sends through keep-alive agents that bound each new connection as they make it, so a request
   * on a kept-alive socket pays nothing for it.
   */
  get connectTimeout(): number {
    return this.connectLimit;
  }

  set connectTimeout(ms: number) {
    this.connectLimit = ms;
    if (!(ms > 0 && Number.isFinite(ms))) return;
    const agents = agentsWithConnectLimit(ms);
    this.nodejsHttpAgent = agents.http;
    this.nodejsHttpsAgent = agents.https;
  }

  override setRequestHeader(name: string, value: string): void {
    if (this.readyState !== OPENED) {
      super.setRequestHeader(name, value); // throws xhr2's InvalidStateError
      return;
    }
    const lowered = name.toLowerCase();
    const existing = this._loweredHeaders[lowered];
    if (existing === undefined) {
      this._loweredHeaders[lowered] = name;
      this._headers[name] = String(value);
    } else {
      this._headers[existing] += `, ${String(value)}`; // what an XHR does with a repeated name
    }
  }

  // xhr2 parses with Node's legacy url.parse, which escapes ' | ^ { } and backticks in the path
  // that the WHATWG parser (browsers, fetch, Node's URL) sends as they are, and reads backslashes
  // its own way. What goes on the wire must be what `new URL` says, or a DPoP proof's htu (and any
  // signature over the URL) would name another URI than the one sent. The fields are the ones
  // xhr2 sends from; no url.parse at all, which also saves its allocation per request.
  override _parseUrl(urlString: string): Xhr2Url {
    const target = new URL(urlString, this.nodejsBaseUrl ?? undefined);
    const { username, password, hostname, pathname, search } = target;
    return {
      href: target.href,
      protocol: target.protocol,
      host: target.host,
      // Node's http.request takes an IPv6 address without its brackets.
      hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
      port: target.port || null,
      path: pathname + search,
      auth: username || password ? `${decodeURIComponent(username)}:${decodeURIComponent(password)}` : null,
    };
  }

  override send(body?: Document | XMLHttpRequestBodyInit | null): void {
    super.send(body);
    if (this.timeout > 0 && this._request) this.deadline = setTimeout(timeOut, this.timeout, this);
  }

  override _dispatchProgress(eventType: string): void {
    if (eventType === 'loadend') clearTimeout(this.deadline);
    super._dispatchProgress(eventType);
  }

  /** The deadline passed: the exchange ends as xhr2 ends one whose socket idled too long. */
  timedOut(): void {
    if (this._request) this._onHttpTimeout(this._request);
  }

  override _sendHxxpRequest(): void {
    // xhr2 would also arm an idle timer on each hop's socket; the deadline above covers them all.
    const { timeout } = this;
    this.timeout = 0;
    try {
      super._sendHxxpRequest();
    } finally {
      this.timeout = timeout;
    }
  }

  override _onHttpRequestError(request: ClientRequest, error: Error): void {
    if (this._request === request) this.failure = error;
    super._onHttpRequestError(request, error);
  }

  override _onHttpResponseClose(response: IncomingMessage): void {
    // Node emits 'close' after complete responses too, which xhr2 has already let go of (and then
    // ignores): an Error, stack trace and all, for every request showed in the benchmarks.
    if (this._response === response) {
      this.failure ??= Object.assign(new Error('the connection closed before the response ended'), {
        code: 'ECONNRESET',
      });
    }
    super._onHttpResponseClose(response);
  }

  override _finalizeHeaders(): void {
    super._finalizeHeaders();
    // xhr2 adds its own User-Agent unless one is stored under exactly that spelling; Node would
    // then send the later of the two. The caller's, in whatever case, wins.
    const userAgent = this._loweredHeaders['user-agent'];
    if (userAgent !== undefined && userAgent !== 'User-Agent') delete this._headers['User-Agent'];
    // xhr2 turns "no body" into an empty Buffer and writes it before it ends the request, so every
    // GET left as three chunks (headers, '', '') in one writev, which cost CPU in the benchmarks.
    // Content-Length is set from the body by now, so the empty one can go.
    if (this.upload._body?.length === 0) this.upload._body = null;
  }

  override _setError(): void {
    super._setError();
    (this as { status: number }).status = 0;
  }

  override _onHttpResponse(request: ClientRequest, response: IncomingMessage): void {
    const location = response.headers.location;
    if (this._request !== request || !REDIRECT_STATUSES.has(response.statusCode ?? 0) || !location) {
      super._onHttpResponse(request, response);
      return;
    }
    response.resume(); // drain the redirect's body so its socket goes back to the pool
    if (++this.redirects > MAX_REDIRECTS) {
      this._onHttpRequestError(request, tooManyRedirects());
      return;
    }
    const from = new URL(this._url.href);
    const to = new URL(location, from);
    if (holdsRedirects(this._loweredHeaders)) {
      this._onHttpRequestError(request, heldRedirect(response.statusCode ?? 0, to.href));
      return;
    }
    if (to.origin !== from.origin) this.dropCredentialHeaders();
    if (redirectsToGet(response.statusCode ?? 0, this._method)) this.becomeGet();
    this._url = this._parseUrl(to.href);
    this._finalizeHeaders();
    this._sendHxxpRequest();
  }

  private dropCredentialHeaders(): void {
    for (const name of Object.keys(this._headers)) {
      if (isCredentialHeader(name)) delete this._headers[name];
    }
    for (const lowered of Object.keys(this._loweredHeaders)) {
      if (isCredentialHeader(lowered)) delete this._loweredHeaders[lowered];
    }
  }

  // What `redirectsToGet` asks for: a GET without a body, as browsers do.
  private becomeGet(): void {
    this._method = 'GET';
    for (const name of Object.keys(this._headers)) {
      const lowered = name.toLowerCase();
      if (lowered === 'content-type' || lowered === 'content-length') delete this._headers[name];
    }
    delete this._loweredHeaders['content-type'];
    this.upload._reset();
  }
}
