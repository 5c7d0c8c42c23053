// The benchmarks' TypeScript runners, bundled for Node into a folder two levels below the project
// (`.tmp/<name>`), where their imports find node_modules and the built renderer.
import { build as esbuild } from 'esbuild';

export async function bundleRunners(entryPoints, outdir) {
  await esbuild({
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
}
