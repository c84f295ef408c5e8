import { describe, expect, it } from 'vitest';
import { GENERATION_DEFAULTS, withGenerationDefaults } from '../../src/manager/generation-defaults.js';

describe('generation defaults', () => {
  it('fills what the caller left unset', () => {
    expect(withGenerationDefaults({ prompt: 'hola', maxLength: 10 })).toEqual({ ...GENERATION_DEFAULTS, prompt: 'hola', maxLength: 10 });
  });
  it('keeps a default when the caller passes undefined explicitly', () => {
    expect(withGenerationDefaults({ temperature: undefined, seed: 3 })).toEqual({ ...GENERATION_DEFAULTS, seed: 3 });
  });
  it('lets the caller override every default', () => {
    expect(withGenerationDefaults({ temperature: 1, topP: 1 })).toEqual({ temperature: 1, topP: 1 });
  });
});
