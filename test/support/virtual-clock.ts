// A clock the deploy driver moves forward by whole query intervals, so a 50-minute wait takes milliseconds.
// Date.now() is replaced while it runs: the bundled handlers compute their deadlines with it, and the
// emulator moves models through their statuses with it. The clock runs with real time, plus what it was moved on by.
//
// The handlers' waits (the SDK's backoff, an import's place in the stack's window) sleep on it too: the deploy driver
// hands sleep() to the bundles' handlerClock (src/handlers/common/clock.ts). A sleep ends when the clock reaches its
// wake-up, however it got there: moved on by advance(), or by the real time that passed (checked by wakeDue()). Who
// moves it on:
// - a sleep made by a handler invocation the driver runs (inside run(owner, ...)) belongs to that invocation: the
//   driver moves the clock on once every invocation it runs is asleep (deploy-driver.ts, sendTogether);
// - any other sleep (a unit test calling a handler, the driver's startCreates) has nobody to wait for: the clock moves
//   itself on to it at the next turn of the event loop (setImmediate), earliest sleeper first, so sleeps made at the
//   same time overlap there too.
import { AsyncLocalStorage } from 'async_hooks';

interface Sleeper {
  readonly wakeAt: number;
  /** The invocation that sleeps (see run()), or undefined outside any. */
  readonly owner: object | undefined;
  readonly wake: () => void;
}

export class VirtualClock {
  private offsetMs = 0;
  private readonly realNow = Date.now;
  private sleepers: Sleeper[] = [];
  private readonly owners = new AsyncLocalStorage<object>();
  /** Resolved at the next sleep(): the driver waits for a handler to fall asleep. */
  private fellAsleep?: { readonly promise: Promise<void>; readonly resolve: () => void };
  private selfAdvance?: NodeJS.Immediate;

  /** Makes Date.now() follow this clock until restore(). */
  public install(): this {
    const realNow = this.realNow;
    Date.now = () => realNow() + this.offsetMs;
    return this;
  }

  public restore(): void {
    Date.now = this.realNow;
    if (this.selfAdvance) {
      clearImmediate(this.selfAdvance);
      this.selfAdvance = undefined;
    }
  }

  public now(): number {
    return this.realNow() + this.offsetMs;
  }

  /** Moves the clock on by `ms`, and wakes the sleepers whose time has come, earliest first. */
  public advance(ms: number): void {
    this.offsetMs += ms;
    this.wakeDue();
  }

  /** Moves the clock on to `time` (epoch milliseconds), if it is not there yet; wakes the sleepers due. */
  public advanceTo(time: number): void {
    this.advance(Math.max(time - this.now(), 0));
  }

  /** A promise resolved when the clock reaches now + `ms`. */
  public sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const owner = this.owners.getStore();
      this.sleepers.push({ wakeAt: this.now() + Math.max(ms, 0), owner, wake: resolve });
      this.fellAsleep?.resolve();
      this.fellAsleep = undefined;
      if (owner === undefined) {
        this.scheduleSelfAdvance();
      }
    });
  }

  /** Runs `work` as `owner`: the sleeps it makes, however deep in its promises, are the owner's. */
  public run<T>(owner: object, work: () => T): T {
    return this.owners.run(owner, work);
  }

  /** Whether `owner` waits for the clock. */
  public isAsleep(owner: object): boolean {
    return this.sleepers.some(s => s.owner === owner);
  }

  /** When the first sleeper of `owners` wakes (Infinity when none sleeps). */
  public nextWakeOf(owners: Iterable<object>): number {
    const of = new Set(owners);
    return Math.min(...this.sleepers.filter(s => s.owner !== undefined && of.has(s.owner)).map(s => s.wakeAt));
  }

  /** Resolved at the next sleep(). */
  public nextSleep(): Promise<void> {
    if (!this.fellAsleep) {
      let resolve!: () => void;
      const promise = new Promise<void>(r => resolve = r);
      this.fellAsleep = { promise, resolve };
    }
    return this.fellAsleep.promise;
  }

  /** Wakes the sleepers whose time has come (moved on, or by real time), earliest first. */
  public wakeDue(): void {
    const now = this.now();
    const due = this.sleepers.filter(s => s.wakeAt <= now).sort((a, b) => a.wakeAt - b.wakeAt);
    if (due.length > 0) {
      this.sleepers = this.sleepers.filter(s => s.wakeAt > now);
      due.forEach(s => s.wake());
    }
  }

  /** The sleepers no driver runs: at the next turn of the event loop, the clock moves on to the first of them. */
  private scheduleSelfAdvance(): void {
    this.selfAdvance ??= setImmediate(() => {
      this.selfAdvance = undefined;
      const next = Math.min(...this.sleepers.filter(s => s.owner === undefined).map(s => s.wakeAt));
      if (Number.isFinite(next)) {
        this.advanceTo(next);
      }
      if (this.sleepers.some(s => s.owner === undefined)) {
        this.scheduleSelfAdvance();
      }
    });
  }
}
