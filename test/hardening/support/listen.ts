import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/**
 * The app behind one real HTTP server on 127.0.0.1:0 for a whole test file.
 * supertest given a listening server reuses it (and keep-alive connections)
 * instead of starting a server per request, which thousands of fuzz requests need.
 */
export async function listen(app: RequestListener): Promise<Listening> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
