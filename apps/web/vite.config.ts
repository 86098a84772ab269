import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(root, 'dist');

/** Writes `.br` and `.gz` beside every text file of the build, so the gateway serves them as they are. */
function precompress(): Plugin {
  return {
    name: 'e2gate-precompress',
    apply: 'build',
    async closeBundle() {
      for (const dir of [outDir, join(outDir, 'assets')]) {
        for (const name of await readdir(dir).catch(() => [] as string[])) {
          if (!/\.(js|css|html|svg|json)$/.test(name)) continue;
          const path = join(dir, name);
          const body = await readFile(path);
          await writeFile(
            `${path}.br`,
            brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }),
          );
          await writeFile(`${path}.gz`, gzipSync(body, { level: 9 }));
        }
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // The app shell stays small; hls.js (about 160 KB gzip) is its own chunk, loaded by the player only.
    chunkSizeWarningLimit: 600,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  plugins: [precompress()],
});
