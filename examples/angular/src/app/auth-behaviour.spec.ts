import { provideHttpClientTesting, HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom, forkJoin } from 'rxjs';
import { AuthRefreshError } from 'rxjs-auth-http';
import { expectRequests, expectTokenRequest, expireAccessToken } from 'rxjs-auth-http/testing/angular';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API } from './api-origins';
import { appConfig } from './app.config';
import { AuthService } from './auth.service';
import { OrdersService } from './orders.service';

// The app's auth behaviour in a unit test: its real providers (app.config.ts) over Angular's
// testing backend, driven with rxjs-auth-http/testing/angular (installed from the packed tarball).
describe('the app’s auth behaviour (TestBed, HttpTestingController, rxjs-auth-http/testing/angular)', () => {
  let controller: HttpTestingController;
  const isOrder = (req: { url: string }) => req.url === `${API}/api/echo`;

  beforeEach(() => {
    localStorage.setItem('auth', JSON.stringify({ accessToken: 'a1', refreshToken: 'r1' })); // signed in
    TestBed.configureTestingModule({ providers: [...appConfig.providers, provideHttpClientTesting()] });
    controller = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    controller.verify(); // nothing left unanswered: no second refresh above all
    localStorage.clear();
  });

  it('loads ten orders through an expired token with one refresh, and retries each with the new token', async () => {
    const orders = firstValueFrom(
      forkJoin(Array.from({ length: 10 }, (_, i) => TestBed.inject(OrdersService).get(i + 1))),
    );
    const expired = await expireAccessToken(controller, isOrder);
    expect(expired.map((req) => req.request.headers.get('Authorization'))).toEqual(Array(10).fill('Bearer a1'));

    // The app's own refresh (HttpClient, HttpParams, skipAuth): found by its grant_type.
    const refresh = await expectTokenRequest(controller);
    expect(refresh.request.request.url).toBe(`${API}/oauth/token`);
    expect(refresh.refreshToken).toBe('r1');
    const { accessToken } = refresh.flush();

    const retries = await expectRequests(controller, isOrder, 10);
    for (const retry of retries) {
      expect(retry.request.headers.get('Authorization')).toBe(`Bearer ${accessToken}`);
      retry.flush({ query: { order: retry.request.params.get('order') }, headers: {} });
    }
    expect((await orders).map((order) => order.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('signs out when the token endpoint rejects the refresh token (invalid_grant)', async () => {
    const auth = TestBed.inject(AuthService);
    const order = firstValueFrom(TestBed.inject(OrdersService).get(1)).catch((error: unknown) => error);
    await expireAccessToken(controller, isOrder);
    (await expectTokenRequest(controller)).fail('invalid_grant');

    const error = await order;
    expect(error).toBeInstanceOf(AuthRefreshError);
    expect((error as AuthRefreshError).reason).toBe('rejected');
    await expect.poll(() => auth.signedIn()).toBe(false);
    expect(localStorage.getItem('auth')).toBeNull();
  });

  it('sends the service-status request without a token (skipAuth), and never refreshes for it', async () => {
    const status = firstValueFrom(TestBed.inject(OrdersService).serviceStatus());
    const [sent] = await expireAccessToken(controller, `${API}/public/echo`);
    expect(sent?.request.headers.has('Authorization')).toBe(false);
    await expect(status).rejects.toMatchObject({ status: 401 });
    await expect(expectTokenRequest(controller, { maxTurns: 5 })).rejects.toMatchObject({ reason: 'not-sent' });
  });
});
