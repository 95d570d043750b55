#!/usr/bin/env node
// Bundles the dashboard (src/main.js with @polkadot/api and uPlot) into dist/ for the browser.
//   node dashboard/build.mjs

import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/// Writes dist/main.js and dist/main.css.
export async function buildDashboard() {
  await build({
    entryPoints: [join(here, 'src', 'main.js')],
    outdir: join(here, 'dist'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    define: { global: 'globalThis' },
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildDashboard();
