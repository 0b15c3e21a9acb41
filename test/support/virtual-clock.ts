// A clock the deploy driver moves forward by whole query intervals, so a 50-minute wait takes milliseconds.
// Date.now() is replaced while it runs: the bundled handlers compute their deadlines with it, and the
// emulator moves models through their statuses with it.

export class VirtualClock {
  private offsetMs = 0;
  private readonly realNow = Date.now;

  /** Makes Date.now() follow this clock until restore(). */
  public install(): this {
    const realNow = this.realNow;
    Date.now = () => realNow() + this.offsetMs;
    return this;
  }

  public restore(): void {
    Date.now = this.realNow;
  }

  public now(): number {
    return this.realNow() + this.offsetMs;
  }

  public advance(ms: number): void {
    this.offsetMs += ms;
  }
}
