/**
 * Vite config of the web app. `vite build` writes dist/, which the server serves at `/`; the dev
 * server proxies the API (/trpc, /api) to a locally running `locker serve` on port 8765.
 * vitest.config.ts extends this config, so tests compile the catalogs the same way.
 */
import { fileURLToPath } from 'node:url';
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const API = 'http://127.0.0.1:8765';

export default defineConfig({
  plugins: [
    vue(),
    VueI18nPlugin({
      // The JSON catalogs are compiled here, at build time: the browser never compiles a message.
      include: [fileURLToPath(new URL('./src/i18n/locales/*.json', import.meta.url))],
      // vue-i18n's runtime-only build, and without its message compiler: every message arrives
      // compiled, and nothing in the browser compiles text into code (no eval, no new Function),
      // as the server's CSP `script-src 'self'` requires. In vue-i18n 11 the runtime build still
      // registers the compiler; dropMessageCompiler is what leaves it out of the bundle.
      runtimeOnly: true,
      dropMessageCompiler: true,
      // A message holding HTML fails the build rather than reaching the page.
      strictMessage: true,
      escapeHtml: false,
    }),
  ],
  build: {
    // The server's CSP allows no inline scripts; keep every asset an external file.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/trpc': { target: API, changeOrigin: false },
      '/api': { target: API, changeOrigin: false },
    },
  },
});
