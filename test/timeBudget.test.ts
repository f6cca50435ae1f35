import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../src/core/errors';
import { batchesThatFit, durationText, parseDuration } from '../src/core/jobs/timeBudget';

test('--budget reads 90s, 5m, 1h, 2m30s and bare seconds; anything else is one user error saying what is allowed', () => {
  assert.deepEqual(['90', '90s', '5m', '1.5m', '1h', '2m30s', '1h 1m 1s'].map(parseDuration), [90, 90, 300, 90, 3600, 150, 3661]);
  for (const bad of ['', '0', '5 minutes', 'm', '-3s', '10x']) assert.throws(() => parseDuration(bad), (error: Error) => error instanceof UserError && /allowed: a duration such as 90s, 5m, 1h or 2m30s/.test(error.message), bad);
  assert.deepEqual([durationText(0.001), durationText(4.25), durationText(45), durationText(600), durationText(150)], ['0.001 s', '4.3 s', '45 s', '10 min', '2 min 30 s']);
});

test('a budget keeps the batches that fit (threads sharing them), never more than there are; one too small for a batch says the smallest that works', () => {
  assert.equal(batchesThatFit(100, 10, 1, 60), 6);
  assert.equal(batchesThatFit(100, 10, 2, 60), 12);
  assert.equal(batchesThatFit(4, 10, 2, 600), 4);
  assert.equal(batchesThatFit(100, 10, 1, 10), 1);
  assert.throws(() => batchesThatFit(100, 12.2, 1, 5), (error: Error) => error instanceof UserError && error.message === "--budget 5 s is less than one batch's analysis here (12 s); the smallest budget that works is 13s");
});
