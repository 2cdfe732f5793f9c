import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { map, type Observable } from 'rxjs';
import { skipAuth } from 'rxjs-auth-http/angular';
import { API } from './api-origins';

export interface Order {
  readonly id: number;
}

/** What the example API answers: the request as it arrived, so the page can show what was sent. */
interface Echo {
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

/** Plain HttpClient calls: the interceptor adds the token and handles the refresh. */
@Injectable({ providedIn: 'root' })
export class OrdersService {
  private readonly http = inject(HttpClient);

  get(id: number): Observable<Order> {
    return this.http
      .get<Echo>(`${API}/api/echo`, { params: { order: id } })
      .pipe(map((echo) => ({ id: Number(echo.query['order']) })));
  }

  /** A public endpoint: sent without a token (skipAuth), so it works signed out too. */
  serviceStatus(): Observable<{ readonly sentAuthorization: boolean }> {
    return this.http
      .get<Echo>(`${API}/public/echo`, { context: skipAuth() })
      .pipe(map((echo) => ({ sentAuthorization: echo.headers['authorization'] !== undefined })));
  }
}
