import { isPlatformBrowser } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { Component, inject, PLATFORM_ID } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { catchError, of, type Observable } from 'rxjs';
import { API_ORIGIN } from './api-origin';

interface Profile {
  readonly user: string;
}

interface Order {
  readonly id: string;
}

/** What a failed call shows instead of data: the error's name, never its details. */
interface Failure {
  readonly failed: string;
}

@Component({
  selector: 'app-root',
  template: `
    <main [attr.data-rendered-in]="renderedIn">
      @let me = profile();
      @if (me && 'user' in me) {
        <h1 id="user">{{ me.user }}</h1>
      } @else if (me) {
        <p class="failed">{{ me.failed }}</p>
      }
      @let list = orders();
      @if (list && 'failed' in list) {
        <p class="failed">{{ list.failed }}</p>
      } @else if (list) {
        <ul id="orders">
          @for (order of list; track order.id) {
            <li>{{ order.id }}</li>
          }
        </ul>
      }
    </main>
  `,
})
export class App {
  private readonly http = inject(HttpClient);
  private readonly api = inject(API_ORIGIN);
  readonly renderedIn = isPlatformBrowser(inject(PLATFORM_ID)) ? 'browser' : 'server';
  // Two calls per render: they share the render's one refresh.
  readonly profile = toSignal(this.load<Profile>('/api/profile'));
  readonly orders = toSignal(this.load<Order[]>('/api/orders'));

  private load<T>(path: string): Observable<T | Failure> {
    return this.http
      .get<T>(`${this.api}${path}`)
      .pipe(catchError((error: unknown) => of({ failed: error instanceof Error ? error.name : 'HttpErrorResponse' })));
  }
}
