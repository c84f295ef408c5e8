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
});
