// vite.config.ts - the agent web app: index.html plus hashed files under assets/.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // The server's Content-Security-Policy allows no inline script: keep everything in files.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2020',
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
