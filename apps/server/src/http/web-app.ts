/**
 * Serves the built web app (apps/web/dist) at `/`, with history-API fallback: a GET for a path
 * without a file extension that matches no file gets index.html, so deep links like /settings
 * work. Hashed assets under /assets/ are cached for a year; index.html is revalidated every time.
 * When the app is not built, `/` answers with a page saying so and how to build it (503: the UI is
 * genuinely unavailable; the API works).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isApiPath } from './security-headers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * apps/web/dist, resolved from this file: from the source (apps/server/src/http/) or from the
 * esbuild bundle (apps/server/dist/locker.js), whichever has a built app; else the source's guess.
 */
export const DEFAULT_WEB_DIST_DIR =
  [path.resolve(here, '../../../web/dist'), path.resolve(here, '../../web/dist')].find((dir) =>
    fs.existsSync(path.join(dir, 'index.html')),
  ) ?? path.resolve(here, '../../../web/dist');

const MISSING_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Evidence Locker: web app not built</title></head>
<body>
<h1>The Evidence Locker web app is not built</h1>
<p>The server is running and its API answers at <code>/trpc</code> and <code>/api</code>, but the
browser interface has not been built yet.</p>
<p>Build it from the repository root, then reload this page:</p>
<pre>pnpm install
pnpm --filter ./apps/web build</pre>
<p>The server looks for the built files in <code>apps/web/dist</code>.</p>
</body>
</html>
`;

/** Registers the SPA (or the not-built page) and the JSON 404 for everything else. */
export async function registerWebApp(app: FastifyInstance, distDir: string = DEFAULT_WEB_DIST_DIR): Promise<void> {
  const built = fs.existsSync(path.join(distDir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: distDir,
      prefix: '/',
      index: 'index.html',
      setHeaders: (reply, filePath) => {
        const immutable = filePath.startsWith(path.join(distDir, 'assets') + path.sep);
        reply.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    const wantsPage =
      (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(request.url) && !path.posix.basename(pathname).includes('.');
    if (!wantsPage) {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `Nothing at ${request.method} ${pathname}.` } });
    }
    if (!built) return reply.code(503).type('text/html; charset=utf-8').send(MISSING_PAGE);
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
  });
}
