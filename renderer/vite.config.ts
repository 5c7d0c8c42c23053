// The renderer's build. The page runs under a strict Content-Security-Policy (no inline scripts or
// styles, no eval), so the build must emit only external files: no module-preload polyfill (it is an
// inline script) and no eval-based source maps.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

const config = {
  root,
  // Relative asset URLs: Electron loads the page from a file:// address.
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: true,
    // Small assets must stay files: inlined `data:` fonts or scripts would need a looser policy.
    assetsInlineLimit: 0,
    target: 'chrome120',
  },
} satisfies UserConfig;

export default defineConfig(({ command, mode }) => {
  // The build's mode decides which React is bundled, not the NODE_ENV of whoever runs the build:
  // Vitest sets it to "test", which would ship React's development build (and its double effects).
  // Vite reads NODE_ENV only after loading this file, so setting it here is what its docs advise.
  if (command === 'build' && mode === 'production') process.env.NODE_ENV = 'production';
  return config;
});
