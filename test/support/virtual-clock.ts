// A clock the deploy driver moves forward by whole query intervals, so a 50-minute wait takes milliseconds.
// Date.now() is replaced while it runs: the bundled handlers compute their deadlines with it, and the
// emulator moves models through their statuses with it. The clock runs with real time, plus what it was moved on by.
//
// The handlers' waits (the SDK's backoff, an import's place in the stack's window) sleep on it too: the deploy driver
// hands sleep() to the bundles' handlerClock (src/handlers/common/clock.ts). A sleep ends when the clock reaches its
// wake-up, however it got there: moved on by advance(), or by the real time that passed (checked by wakeDue()). Who
// moves it on:
// - a sleep made by a handler invocation the driver runs (inside run(owner, ...)) belongs to that invocation: the
//   driver moves the clock on once every invocation it runs is asleep (deploy-driver.ts, operate);
// - any other sleep (a unit test calling a handler, the driver's startCreates) has nobody to wait for: the clock moves
//   itself on to it at the next turn of the event loop (setImmediate), earliest sleeper first, so sleeps made at the
//   same time overlap there too.
// Two misuses would silently change a scenario, so they fail instead (the sleep rejects, and the driver's next check()
// throws, in case the handler caught the rejection): a sleep with no owner while a driver runs handlers (drive()), which
// means a handler invocation's async context was lost and the clock would move itself on mid-scenario; and an
// invocation sleeping twice at once, since the driver takes an invocation with a pending sleep for one that does
// nothing else (a handler's waits are sequential: src/handlers/common/clock.ts). restore() fails while sleepers are
// left.
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
  /** The driver loops running handlers now (drive()): a sleep with no owner is then an error. */
  private driving = 0;
  /** The first misuse a sleep() detected and check() has not thrown yet. */
  private misuse?: Error;

  /** Makes Date.now() follow this clock until restore(). */
  public install(): this {
    const realNow = this.realNow;
    Date.now = () => realNow() + this.offsetMs;
    return this;
  }

  /**
   * Gives Date.now() back. Throws when sleepers are left (a handler still waiting: its test ended before it did) or a
   * misuse went unreported; the sleepers are dropped, never woken.
   */
  public restore(): void {
    Date.now = this.realNow;
    if (this.selfAdvance) {
      clearImmediate(this.selfAdvance);
      this.selfAdvance = undefined;
    }
    const left = this.sleepers;
    this.sleepers = [];
    if (left.length > 0) {
      throw new Error(`VirtualClock.restore(): ${left.length} sleeper(s) never woken, waking at ${this.describe(left)}`);
    }
    this.check();
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

  /**
   * A promise resolved when the clock reaches now + `ms`. Rejected, the misuse kept for check(), when it has no owner
   * while a driver runs handlers, or when its owner already sleeps.
   */
  public sleep(ms: number): Promise<void> {
    const owner = this.owners.getStore();
    const wakeAt = this.now() + Math.max(ms, 0);
    const misuse = this.misuseOf(owner, wakeAt);
    if (misuse) {
      this.misuse ??= misuse;
      // The driver's loop wakes up to see it.
      this.fellAsleep?.resolve();
      this.fellAsleep = undefined;
      return Promise.reject(misuse);
    }
    return new Promise(resolve => {
      this.sleepers.push({ wakeAt, owner, wake: resolve });
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

  /**
   * Runs a driver's loop (deploy-driver.ts, operate), which moves the clock for the invocations it runs: meanwhile
   * a sleep with no owner is an error, not a sleep the clock moves itself on to. Throws a misuse detected meanwhile.
   */
  public async drive<T>(loop: () => Promise<T>): Promise<T> {
    const ownerless = this.sleepers.filter(s => s.owner === undefined);
    if (ownerless.length > 0) {
      throw new Error(`a driver starts while ${ownerless.length} sleep(s) with no owner are pending (waking at ${this.describe(ownerless)}): `
        + 'the clock would move itself on to them in the middle of its scenario');
    }
    this.driving++;
    try {
      const result = await loop();
      this.check();
      return result;
    } finally {
      this.driving--;
    }
  }

  /** Throws the misuse a sleep detected (see sleep()), once: a handler may have caught the sleep's rejection. */
  public check(): void {
    const misuse = this.misuse;
    this.misuse = undefined;
    if (misuse) {
      throw misuse;
    }
  }

  /** Whether `owner` waits for the clock (has a sleep pending: an invocation has at most one). */
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

  private misuseOf(owner: object | undefined, wakeAt: number): Error | undefined {
    const at = new Date(wakeAt).toISOString();
    if (owner === undefined && this.driving > 0) {
      return new Error(`a sleep until ${at} has no owner while a driver runs handlers: the handler invocation's async `
        + 'context was lost (AsyncLocalStorage did not follow it), so the driver would not wait for this sleep and the '
        + 'clock would move itself on to it in the middle of the scenario');
    }
    const already = owner === undefined ? [] : this.sleepers.filter(s => s.owner === owner);
    if (already.length > 0) {
      return new Error(`a handler invocation sleeps until ${at} while it already sleeps (until ${this.describe(already)}): `
        + 'an invocation\'s waits must be sequential (src/handlers/common/clock.ts), the driver takes one with a pending '
        + 'sleep for one that does nothing else');
    }
    return undefined;
  }

  private describe(sleepers: readonly Sleeper[]): string {
    return sleepers.map(s => `${new Date(s.wakeAt).toISOString()} (${s.owner === undefined ? 'no owner' : 'an invocation'})`).join(', ');
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
