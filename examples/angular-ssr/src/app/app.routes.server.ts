import { RenderMode, ServerRoute } from '@angular/ssr';

// Rendered per request, never prerendered: the page shows the user's own data.
export const serverRoutes: ServerRoute[] = [{ path: '**', renderMode: RenderMode.Server }];
