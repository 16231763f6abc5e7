import { type ProbeKind, type ProbeTarget, ProbeWorker } from './probes.js';
import type { Container, Probe } from './types.js';

/**
 * A container instance's three probes, wired as the kubelet's prober manager wires them: the
 * startup probe first; liveness and readiness only once it has passed (or at once without one).
 */
export interface ProbeListener {
  /** The startup probe passed. */
  started(): void;
  /** The readiness probe's result flipped. */
  ready(ok: boolean): void;
  /** The liveness or startup probe failed for good: the container must be restarted. */
  failed(kind: 'Liveness' | 'Startup'): void;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export class ContainerProbes {
  private workers: ProbeWorker[] = [];
  private stopped = false;

  constructor(
    private readonly spec: Container,
    private readonly target: ProbeTarget,
    private readonly listener: ProbeListener,
  ) {}

  start(startedAt: number): void {
    if (this.spec.startupProbe) this.begin('Startup', this.spec.startupProbe, startedAt);
    else this.beginMain(startedAt);
  }

  stop(): void {
    this.stopped = true;
    for (const worker of this.workers) worker.stop();
    this.workers = [];
  }

  private beginMain(startedAt: number): void {
    this.begin('Readiness', this.spec.readinessProbe, startedAt);
    this.begin('Liveness', this.spec.livenessProbe, startedAt);
  }

  private begin(kind: ProbeKind, probe: Probe | undefined, startedAt: number): void {
    if (!probe || this.stopped) return;
    if (probe.grpc) {
      this.listener.event(
        'Warning',
        'Unhealthy',
        `${kind} probe: the simulated node cannot run gRPC probes; it counts them as passing`,
      );
    }
    const worker = new ProbeWorker(
      kind,
      probe,
      this.target,
      (k, ok) => this.result(k, ok, startedAt),
      (k, message) => this.listener.event('Warning', 'Unhealthy', `${k} probe failed: ${message}`),
    );
    this.workers.push(worker);
    worker.start(startedAt);
  }

  private result(kind: ProbeKind, ok: boolean, startedAt: number): void {
    if (this.stopped) return;
    if (kind === 'Readiness') this.listener.ready(ok);
    else if (kind === 'Startup' && ok) {
      this.listener.started();
      this.beginMain(startedAt);
    } else if (!ok) this.listener.failed(kind);
  }
}
