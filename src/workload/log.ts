/**
 * Pod logs: one line per event a learner reads with `kubectl logs` (start-up, a model loaded,
 * a job's result, shutdown), never one per request, so the logs stay readable under load.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(level: LogLevel = 'info', write = defaultWrite): Logger {
  const at = (lineLevel: LogLevel) => (message: string) => {
    if (RANK[lineLevel] >= RANK[level])
      write(lineLevel, `${new Date().toISOString()} ${lineLevel.toUpperCase()} ${message}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function defaultWrite(level: LogLevel, line: string): void {
  (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
}
