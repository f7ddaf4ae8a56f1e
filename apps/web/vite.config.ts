/**
 * Vite config of the web app. `vite build` writes dist/, which the server serves at `/`; the dev
 * server proxies the API (/trpc, /api) to a locally running `locker serve` on port 8765.
 */
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const API = 'http://127.0.0.1:8765';

export default defineConfig({
  plugins: [vue()],
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
