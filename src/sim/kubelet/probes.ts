import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Probe } from './types.js';

/**
 * Probes as the kubelet's prober runs them, against the container's real local port: httpGet
 * (success = status 200-399, with the `kube-probe/1.32` user agent), tcpSocket (a connection opens)
 * and exec (exit code 0, through the node's exec support). A probe worker honours
 * initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold and failureThreshold, and
 * starts from the result Kubernetes starts from: readiness failing, liveness passing.
 */
export type ProbeKind = 'Liveness' | 'Readiness' | 'Startup';

export interface ProbeTarget {
  /** The pod IP, for messages worded like the real ones. */
  podIP: string;
  /** The local port where a container port (number or name) really listens, and its declared number. */
  resolvePort(port: number | string): { local: number; declared: number } | undefined;
  exec(command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string } | undefined>;
}

export interface ProbeOutcome {
  ok: boolean;
  /** Why it failed, as the Unhealthy event words it. */
  message?: string;
}

export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) return httpProbe(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket.port, target, timeoutMs);
  if (probe.exec) {
    const command = probe.exec.command ?? [];
    const result = await target.exec(command, timeoutMs);
    if (!result) return { ok: false, message: `command "${command.join(' ')}" timed out` };
    return result.exitCode === 0 ? { ok: true } : { ok: false, message: result.output.trim() };
  }
  return { ok: true };
}

function httpProbe(
  get: NonNullable<Probe['httpGet']>,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const port = target.resolvePort(get.port);
  const scheme = (get.scheme ?? 'HTTP').toLowerCase();
  const path = get.path ? (get.path.startsWith('/') ? get.path : `/${get.path}`) : '/';
  const url = `${scheme}://${target.podIP}:${port?.declared ?? get.port}${path}`;
  if (!port)
    return Promise.resolve({ ok: false, message: `Get "${url}": port ${get.port} is not a container port` });
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
  const request = scheme === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: port.local,
        path,
        method: 'GET',
        headers,
        agent: false,
        timeout: timeoutMs,
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(
          status >= 200 && status < 400
            ? { ok: true }
            : { ok: false, message: `HTTP probe failed with statuscode: ${status}` },
        );
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({
        ok: false,
        message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ ok: false, message: `Get "${url}": ${dialError(error, target.podIP, port.declared)}` });
    });
    req.end();
  });
}

function tcpProbe(portSpec: number | string, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = target.resolvePort(portSpec);
  if (!port) return Promise.resolve({ ok: false, message: `port ${portSpec} is not a container port` });
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: port.local, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, message: `dial tcp ${target.podIP}:${port.declared}: i/o timeout` });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve({ ok: false, message: dialError(error, target.podIP, port.declared) });
    });
  });
}

function dialError(error: NodeJS.ErrnoException, ip: string, port: number): string {
  if (error.code === 'ECONNREFUSED') return `dial tcp ${ip}:${port}: connect: connection refused`;
  if (error.code === 'ECONNRESET') return `read tcp ${ip}:${port}: read: connection reset by peer`;
  return `dial tcp ${ip}:${port}: ${error.message}`;
}

/**
 * Runs one probe of one container on its schedule and reports when its result flips. Liveness and
 * startup workers stop after reporting a failure: the container is being restarted.
 */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  private result: boolean;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly target: ProbeTarget,
    private readonly report: (kind: ProbeKind, ok: boolean, message?: string) => void,
    private readonly onFailedProbe: (kind: ProbeKind, message: string) => void,
  ) {
    this.result = kind === 'Liveness';
  }

  /** Starts probing; `startedAt` is when the container started (initialDelaySeconds counts from it). */
  start(startedAt: number): void {
    const delay = Math.max(0, startedAt + (this.probe.initialDelaySeconds ?? 0) * 1000 - Date.now());
    this.schedule(delay);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const outcome = await runProbe(this.probe, this.target).catch(
      (error: Error): ProbeOutcome => ({ ok: false, message: error.message }),
    );
    if (this.stopped) return;
    if (outcome.ok) {
      this.successes++;
      this.failures = 0;
    } else {
      this.failures++;
      this.successes = 0;
      this.onFailedProbe(this.kind, outcome.message ?? 'probe failed');
    }
    const successThreshold = this.kind === 'Readiness' ? (this.probe.successThreshold ?? 1) : 1;
    const failureThreshold = this.probe.failureThreshold ?? 3;
    // Startup and liveness results are final once reached; readiness flips back and forth.
    const final = this.kind !== 'Readiness';
    let decided: boolean | undefined;
    if (outcome.ok && this.successes >= successThreshold && this.kind !== 'Liveness' && !this.result)
      decided = true;
    if (!outcome.ok && this.failures >= failureThreshold && (this.result || final)) decided = false;
    if (decided !== undefined) {
      this.result = decided;
      this.report(this.kind, decided, outcome.message);
      if (final && (this.kind === 'Startup' || !decided)) return;
    }
    this.schedule(Math.max(1, this.probe.periodSeconds ?? 10) * 1000);
  }
}
