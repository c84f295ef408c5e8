// Field checks; each throws ModelFormatError('corrupt') naming the field.

import { ModelFormatError } from '../types.js';

export function fail(message: string): never {
  throw new ModelFormatError('corrupt', message);
}

export function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value))
    fail(`${what} is not a record`);
  return value as Record<string, unknown>;
}

export function integerIn(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail(`${what} is not an integer in ${min}–${max}`);
  return value;
}

export function numberIn(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max)
    fail(`${what} is not a number in ${min}–${max}`);
  return value;
}

export function finiteNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${what} is not a finite number`);
  return value;
}

export function boolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') fail(`${what} is not true or false`);
  return value;
}
