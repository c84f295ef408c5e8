import { describe, expect, it } from 'vitest';
import { JobSlots } from '../../src/manager/job-slots.js';

const never = new AbortController().signal;

describe('JobSlots', () => {
  it('admits up to the running limit, queues up to the bound, refuses beyond', async () => {
    const slots = new JobSlots(2, 1);
    const a = slots.admit();
    const b = slots.admit();
    const c = slots.admit();
    expect([a?.queued, b?.queued, c?.queued]).toEqual([false, false, true]);
    expect(slots.admit()).toBeNull();
    expect([slots.runningCount, slots.queuedCount]).toEqual([2, 1]);
    let started = false;
    const cStarted = c?.started(never).then(() => (started = true));
    await Promise.resolve();
    expect(started).toBe(false);
    a?.release();
    await cStarted;
    expect(started).toBe(true);
    expect([slots.runningCount, slots.queuedCount]).toEqual([2, 0]);
  });

  it('starts queued jobs in arrival order', async () => {
    const slots = new JobSlots(1, 3);
    const running = slots.admit();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => {
      const ticket = slots.admit();
      return ticket?.started(never).then(() => {
        order.push(n);
        ticket.release();
      });
    });
    running?.release();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(slots.runningCount).toBe(0);
  });

  it('rejects a queued ticket with the abort reason and frees its place', async () => {
    const slots = new JobSlots(1, 1);
    const running = slots.admit();
    const queued = slots.admit();
    const controller = new AbortController();
    const started = queued?.started(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(started).rejects.toThrow('cancelled');
    queued?.release();
    expect(slots.queuedCount).toBe(0);
    expect(slots.admit()?.queued).toBe(true);
    running?.release();
    running?.release(); // idempotent
    expect(slots.runningCount).toBe(1);
  });
});
