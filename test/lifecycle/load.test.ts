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
  // ...so the limit costs at most a fifth more Comprehend calls than the 8 a copy takes unthrottled: 1 ImportModel in
  // onEvent (a Create looks nothing up first), 6 Describe by its waiter over 70 s at 15 s intervals, and 1
  // ListTagsForResource (the ownership check once TRAINED). Before the window it cost 17 a copy.
  expect(figures.comprehendCalls / 50).toBeLessThanOrEqual(8 * 1.2);
  // CloudFormation's calls, counted apart (DescribeStackResource; the limit is Comprehend's, so never throttled): the
  // record each onEvent reads when its request begins, and the proof before each attempt of ImportModel (the first, and
  // every retry of the SDK), a create's only mutating call. The waiters' polls change nothing, so read nothing: 2 a copy
  // unthrottled, and exactly one more for each ImportModel the limit makes the SDK send again.
  expect(figures.cloudFormationCalls).toBe(50 + figures.calls.ImportModel.all);
  // Those resent ImportModel calls are among the fifth more Comprehend calls allowed above (8 × 0.2 a copy), so
  // CloudFormation's calls stay within 2 + 1.6 a copy. ImportModel, a Create's first call again, is where the limit
  // bites: over 40 runs it was resent 0 to 14 times for 50 copies (2.00 to 2.28 a copy), a tail too long for 2 × 1.2.
  expect(figures.cloudFormationCalls / 50).toBeLessThanOrEqual(2 + 8 * 0.2);
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
