// Handler side: when an import calls ImportModel. CloudFormation creates a stack's independent resources at once, so
// every import of a stack would call ImportModel in the same second, and Comprehend throttles a burst by the request:
// the SDK's retries then resend most of them, and the waiters that start together poll together ever after. Each
// import instead waits for its own place in a window the construct sizes to the stack's number of imports; the
// waiter's polls inherit the spread.
import { createHash } from 'crypto';
import { IMPORT_SPREAD_ENV } from '../../contract/import-properties';
import { handlerClock } from '../common/clock';

/**
 * Waits for this resource's place in the stack's window of imports: a fraction of the window fixed by the resource's
 * identity (`resourceKey`), so every attempt of one event waits as long, and the stack's imports spread evenly. Never
 * more than a third of `remainingMs` (the invocation's time left, when Lambda tells it), whatever the window says: the
 * rest is the SDK's room for retries.
 */
export async function waitForImportSlot(resourceKey: string, remainingMs?: number): Promise<void> {
  const slotMs = importSlotSeconds(resourceKey, Number(process.env[IMPORT_SPREAD_ENV] ?? 0)) * 1000;
  const delayMs = remainingMs === undefined ? slotMs : Math.min(slotMs, remainingMs / 3);
  if (delayMs > 0) {
    await handlerClock.sleep(delayMs);
  }
}

/** The seconds `resourceKey` waits in a window of `spreadSeconds`: uniform over the window across resources. */
export function importSlotSeconds(resourceKey: string, spreadSeconds: number): number {
  if (!(spreadSeconds > 0)) {
    return 0;
  }
  const fraction = createHash('sha256').update(resourceKey).digest().readUInt32BE(0) / 2 ** 32;
  return fraction * spreadSeconds;
}
