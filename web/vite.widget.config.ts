// vite.widget.config.ts - the chat widget: one self-contained script, dist/widget.js.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2019',
    lib: {
      entry: 'src/widget/widget.ts',
      name: 'HarkWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
