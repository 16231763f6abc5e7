// Bundles the CLI (and the churn-mlops workload) into dist/ so that start-up loads one file,
// not hundreds of modules. The terminal app is split into its own chunk and loaded only by `start`.
import { chmod, rm, writeFile } from 'node:fs/promises';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');

const options = {
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies (prom-client, ...) call require() for Node built-ins.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
  },
  // react-devtools-core is an optional dev-only import of Ink.
  external: ['react-devtools-core'],
  define: { 'process.env.NODE_ENV': '"production"' },
};

// The workload is one self-contained file, without shared chunks: the Dockerfile copies only
// dist/churn-mlops.js into the images.
const workloadOptions = {
  ...options,
  entryPoints: { 'churn-mlops': 'src/workload/main.ts' },
  splitting: false,
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  await (await esbuild.context(workloadOptions)).watch();
} else {
  // Chunk names carry content hashes: start from an empty folder so no stale chunk ships.
  await rm('dist', { recursive: true, force: true });
  await esbuild.build(workloadOptions);
  const result = await esbuild.build({ ...options, metafile: true });
  // The import graph of the bundle, so a test can prove which commands load the terminal app.
  await writeFile('dist/meta.json', JSON.stringify(result.metafile));
  await chmod('dist/cli.js', 0o755);
  await chmod('dist/churn-mlops.js', 0o755);
  await compileCourse();
}

/** Validates labs/ and quizzes/ and writes dist/course.json, so that start-up skips YAML and schemas. */
async function compileCourse() {
  const script = 'dist/.compile-course.mjs';
  await esbuild.build({
    ...options,
    entryPoints: ['scripts/compile-course.ts'],
    outdir: undefined,
    outfile: script,
    splitting: false,
    sourcemap: false,
  });
  try {
    const { compileCourse: compile } = await import(`../${script}?${Date.now()}`);
    await compile();
  } catch (error) {
    console.error(error?.name === 'ContentError' ? `churn-labs content: ${error.message}` : error);
    process.exitCode = 2;
  } finally {
    await rm(script, { force: true });
  }
}
