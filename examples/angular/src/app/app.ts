import { HttpErrorResponse } from '@angular/common/http';
import { Component, inject, signal } from '@angular/core';
import { forkJoin } from 'rxjs';
import { AuthRefreshError } from 'rxjs-auth-http';
import { AuthService } from './auth.service';
import { OrdersService, type Order } from './orders.service';

const PARALLEL_ORDERS = 10;

@Component({
  selector: 'app-root',
  template: `
    @if (auth.signedIn()) {
      <section id="signed-in">
        <button id="load-orders" (click)="loadOrders()">Load {{ parallelOrders }} orders</button>
        <button id="log-out" (click)="auth.logout()">Log out</button>
        @if (orders(); as loaded) {
          <p id="orders">Loaded {{ loaded.length }} orders</p>
        }
      </section>
    } @else {
      <section id="signed-out">
        <p>You are signed out.</p>
        @if (failure(); as reason) {
          <p>
            Last request failed: <span id="failure">{{ reason }}</span>
          </p>
        }
        <button id="log-in" (click)="logIn()">Sign in</button>
      </section>
    }
    <button id="check-status" (click)="checkStatus()">Service status</button>
    @if (status(); as checked) {
      <p id="status">{{ checked }}</p>
    }
  `,
})
export class App {
  // Injected here so that the service, and its subscription to the session's events, exist from startup.
  protected readonly auth = inject(AuthService);
  private readonly ordersService = inject(OrdersService);
  protected readonly parallelOrders = PARALLEL_ORDERS;
  protected readonly orders = signal<readonly Order[] | null>(null);
  protected readonly failure = signal<string | null>(null);
  protected readonly status = signal<string | null>(null);

  protected async logIn(): Promise<void> {
    this.failure.set(null);
    await this.auth.login();
  }

  protected loadOrders(): void {
    this.orders.set(null);
    const ids = Array.from({ length: PARALLEL_ORDERS }, (_, index) => index + 1);
    forkJoin(ids.map((id) => this.ordersService.get(id))).subscribe({
      next: (orders) => this.orders.set(orders),
      error: (error: unknown) => this.failure.set(describe(error)),
    });
  }

  protected checkStatus(): void {
    this.ordersService.serviceStatus().subscribe({
      next: ({ sentAuthorization }) =>
        this.status.set(sentAuthorization ? 'sent with a token' : 'sent without a token'),
      error: (error: unknown) => this.status.set(describe(error)),
    });
  }
}

/** What the page shows for a failed request: the refresh's reason, or the HTTP status. */
function describe(error: unknown): string {
  if (error instanceof AuthRefreshError) return `AuthRefreshError ${error.reason}`;
  if (error instanceof HttpErrorResponse) return `HTTP ${error.status}`;
  return String(error);
}
