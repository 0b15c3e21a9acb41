import { runLoad } from './load-scenario';

jest.setTimeout(300_000);

test('50 copies in one stack, at most 5 requests per second per operation: every copy is TRAINED, nothing fails, no stampede', async () => {
  const figures = await runLoad(50, { maxPerSecond: 5 });

  expect(figures.failures).toEqual([]);
  expect(figures.status).toBe('COMPLETE');
  expect(figures.trained).toBe(50);
  // Exactly one import went through per copy.
  expect(figures.calls.ImportModel.ok).toBe(50);
  expect(figures.importedTwice).toEqual([]);
  // The imports spread over the stack's window (24.5 s for 50, at two a second), not all in the first second...
  expect(figures.importSpanSeconds).toBeGreaterThan(15);
  // ...so the limit costs at most a fifth more calls than the 8 a copy takes unthrottled (1 ImportModel, 6 Describe
  // over 70 s at 15 s intervals, 1 ListTagsForResource); before the window it cost 17 a copy.
  expect(figures.totalCalls / 50).toBeLessThanOrEqual(8 * 1.2);
});

test('the same 50 copies without the window, all calling ImportModel at once: throttled, retried, each imported once', async () => {
  const figures = await runLoad(50, { maxPerSecond: 5, spread: false });

  expect(figures.failures).toEqual([]);
  expect(figures.trained).toBe(50);
  // The limit really was hit, and absorbed by retries rather than surfaced.
  expect(figures.throttled).toBeGreaterThan(0);
  expect(figures.calls.ImportModel.ok).toBe(50);
  expect(figures.importedTwice).toEqual([]);
});
