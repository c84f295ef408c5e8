import { describe, expect, it } from 'vitest';
import { SpareBuffers } from '../../src/manager/spare-buffers.js';

describe('SpareBuffers', () => {
  it('keeps large buffers within the room it is given, dropping the oldest first', () => {
    const spares = new SpareBuffers(100);
    const [a, b, c] = [new ArrayBuffer(100), new ArrayBuffer(200), new ArrayBuffer(300)];
    spares.add([a, new ArrayBuffer(99), b], 1000); // too small to be worth keeping
    expect([spares.count, spares.bytes]).toEqual([2, 300]);
    spares.add([c], 500); // 600 > 500: the oldest goes
    expect([spares.count, spares.bytes]).toEqual([2, 500]);
    spares.trim(0);
    expect([spares.count, spares.bytes]).toEqual([0, 0]);
  });

  it('hands every spare over at once, and ignores detached buffers', () => {
    const spares = new SpareBuffers(1);
    const [a, b] = [new ArrayBuffer(10), new ArrayBuffer(20)];
    spares.add([a, b], 100);
    expect(spares.takeAll()).toEqual([a, b]);
    expect([spares.count, spares.bytes]).toEqual([0, 0]);
    const detached = new ArrayBuffer(50);
    structuredClone(detached, { transfer: [detached] });
    spares.add([detached], 100);
    expect(spares.count).toBe(0);
  });

  it('gives every spare back once none was added by an eviction or used by a load for its idle time', () => {
    let now = 0;
    const spares = new SpareBuffers(1, 1000, () => now);
    spares.add([new ArrayBuffer(10)], 100);
    now = 900;
    expect(spares.expire()).toBe(false);
    spares.add([new ArrayBuffer(20)], 100, false); // handed back unused by a load: not activity
    now = 1000;
    expect(spares.expire()).toBe(true);
    expect([spares.count, spares.bytes]).toEqual([0, 0]);
    spares.add([new ArrayBuffer(10)], 100); // an eviction
    now = 1900;
    spares.used(); // a load used spares
    now = 2800;
    expect(spares.expire()).toBe(false);
    now = 2900;
    expect(spares.expire()).toBe(true);
  });
});
