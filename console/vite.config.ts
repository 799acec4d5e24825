/**
 * The web console's build (`npm run console:build`, scripts/console/build.ts): Vite + Preact, JSX by esbuild
 * (no Babel preset). The output is packed into console/dist/bundle.json, which the consoleAssets function
 * serves at /console (functions/console/assets/handler.ts).
 */
import path from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  base: '/console/',
  // The console's own folder holds no public/ assets; everything is imported.
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: path.resolve(__dirname, '..', '.build', 'console'),
    emptyOutDir: true,
    target: 'es2022',
    // One script and one stylesheet: the CSP allows only 'self', never inline code.
    assetsInlineLimit: 0,
    modulePreload: false,
    cssCodeSplit: false,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
