import type { Store, StoreEvent } from '../store.js';
import { WorkQueue } from './queue.js';

export interface ControllerSettings {
  /** How often every object is looked at again, as informers resync, so a missed change is not lost. */
  resyncMs?: number;
  /** Where reconcile errors go (the simulator's diagnostics); silent when absent. */
  log?: (line: string) => void;
}

/**
 * The shape every controller here shares: a listener that turns store changes into keys (reading
 * nothing, so it never re-enters the store), a work queue that reconciles each key once however many
 * changes arrived, a full pass at start (state survives restarts) and a periodic resync.
 */
export abstract class Controller {
  protected readonly queue: WorkQueue;
  private unsubscribe: (() => void) | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly lastError = new Map<string, string>();

  constructor(
    protected readonly store: Store,
    protected readonly settings: ControllerSettings = {},
  ) {
    this.queue = new WorkQueue(
      (key) => this.reconcile(key),
      (key, error) => this.report(key, error),
    );
  }

  /** A short name for diagnostics. */
  protected abstract readonly name: string;
  /** The keys a change concerns; must not read or write the store. */
  protected abstract keysFor(event: StoreEvent): string[];
  /** Every key this controller owns now (start-up and resync). */
  protected abstract allKeys(): string[];
  /** Brings one key's world in line; may throw (the key is retried) or queue itself for later. */
  protected abstract reconcile(key: string): void;

  start(): this {
    if (this.unsubscribe) return this;
    this.unsubscribe = this.store.subscribe((event) => {
      for (const key of this.keysFor(event)) this.queue.add(key);
    });
    this.resync();
    this.resyncTimer = setInterval(() => this.resync(), this.settings.resyncMs ?? 10_000);
    this.resyncTimer.unref();
    return this;
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    this.queue.stop();
  }

  private resync(): void {
    for (const key of this.allKeys()) this.queue.add(key);
  }

  private report(key: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // The same failure retried every few seconds would flood the log; say it once until it changes.
    if (this.lastError.get(key) === message) return;
    this.lastError.set(key, message);
    this.settings.log?.(`${this.name}: ${key}: ${message}`);
  }
}
