/** What server.ts passes to each render, read through Angular's REQUEST_CONTEXT. */
export interface RenderContext {
  readonly apiOrigin: string;
  /** Only for the test that shows the library refusing it: one store at module scope. */
  readonly sharedStoreMistake?: boolean;
}
