import nodeModule from 'node:module';

/**
 * The entry point. On Node 22.1 and newer, V8 keeps the compiled code of our bundle on disk
 * between runs: most of a `churn-labs check` is start-up, and compiling the bundle is a good part
 * of it. It must be switched on before the bundle loads, hence this small first module. Node 20
 * has no compile cache and goes on as before; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// `churn-labs quiz … | head`: the reader left, so stop writing, quietly, like any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const { main } = await import('./program.js');
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`churn-labs: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
