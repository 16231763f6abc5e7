import { join } from 'node:path';
import type { ControllerOptions, Runtime } from '../runtime-api.js';
import type { Store } from '../store.js';
import type { Controller } from './controller.js';
import { CronJobController } from './cronjob.js';
import { DaemonSetController } from './daemonset.js';
import { DeploymentController } from './deployment.js';
import { EndpointsController } from './endpoints.js';
import { GarbageCollector } from './garbage-collector.js';
import { HorizontalPodAutoscalerController, type HpaSettings } from './hpa.js';
import { JobController, type JobSettings } from './job.js';
import { TtlAfterFinishedController } from './job-ttl.js';
import { NamespaceController } from './namespace.js';
import { ReplicaSetController, ReplicationControllerManager } from './replicaset.js';
import { ResourceQuotaController } from './resource-quota.js';
import { Scheduler } from './scheduler.js';
import { SimClock } from './sim-clock.js';
import { StatefulSetController } from './statefulset.js';
import { VolumeController } from './volumes.js';

export interface ControlPlaneOptions extends ControllerOptions {
  /** Where reconcile errors are reported (the simulator's stderr log). */
  log?: (line: string) => void;
  /** How often every controller looks at everything again (10 s). */
  resyncMs?: number;
  /** The CronJob clock; by default one at options.timeScale, kept in `<stateDir>/clock.json`. */
  clock?: SimClock;
  hpa?: HpaSettings;
  job?: JobSettings;
}

export interface ControlPlane {
  clock: SimClock;
  stop(): void;
}

/**
 * kube-scheduler and kube-controller-manager of the simulated cluster: every controller, started
 * on one store. `metrics` is what metrics-server would report (the kubelet's Runtime.usage).
 */
export function startControlPlane(
  store: Store,
  metrics: Pick<Runtime, 'usage'>,
  options: ControlPlaneOptions,
): ControlPlane {
  const settings = { log: options.log, resyncMs: options.resyncMs };
  const clock =
    options.clock ??
    new SimClock(options.timeScale ?? 1, options.stateDir ? join(options.stateDir, 'clock.json') : undefined);
  const controllers: Controller[] = [
    new NamespaceController(store, settings),
    new GarbageCollector(store, settings),
    new VolumeController(store, settings),
    new Scheduler(store, settings),
    new ReplicaSetController(store, settings),
    new ReplicationControllerManager(store, settings),
    new DeploymentController(store, settings),
    new DaemonSetController(store, settings),
    new StatefulSetController(store, settings),
    new JobController(store, { ...settings, ...options.job }),
    new TtlAfterFinishedController(store, settings),
    new CronJobController(store, clock, settings),
    new EndpointsController(store, settings),
    new ResourceQuotaController(store, settings),
    new HorizontalPodAutoscalerController(store, metrics, { ...settings, ...options.hpa }),
  ];
  for (const controller of controllers) controller.start();
  return {
    clock,
    stop() {
      for (const controller of controllers) controller.stop();
      clock.save();
    },
  };
}
