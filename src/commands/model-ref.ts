// A model typed as `name` or `name v2` (the autocomplete of /compare offers both forms).
import { UserError } from '../errors.js';

export interface ModelRef {
  name: string;
  /** undefined: the newest version. */
  version: number | undefined;
}

/** `alfa` → newest alfa; `alfa v2` (also `alfa V2`, `alfa v 2`) → its version 2. */
export function parseModelRef(typed: string): ModelRef {
  const text = typed.trim();
  const match = /^(.*\S)\s+v\s*(\d{1,7})$/iu.exec(text);
  if (!match) return { name: text, version: undefined };
  const version = Number(match[2]);
  if (version < 1)
    throw new UserError('INVALID_PARAMETER', { name: 'version', value: match[2], reason: 'positive-integer' });
  return { name: match[1], version };
}
