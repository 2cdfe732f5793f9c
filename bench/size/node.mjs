// The Node transport on top of the core (a server bundle).
export { nodeHttpTransport } from '../../dist/esm/node.mjs';
