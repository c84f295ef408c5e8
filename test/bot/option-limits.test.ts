// End-to-end, issue 18 ("also fix"): option values outside their registered limits or of the
// wrong type are refused by the bot itself, with the usual localized error, before the command runs.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seen, startTestBot, type TestBot } from './harness.js';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot({ serverOptions: { guilds: 1 } });
});
afterAll(async () => {
  await t?.close();
});

async function generate(options: Record<string, string | number>, locale?: string): Promise<string> {
  const handle = t.server.invoke({ commandName: 'generate', options, locale });
  await handle.settled();
  return seen(handle);
}

describe('option limits', () => {
  test('refuses a temperature above its maximum, in English and Spanish', async () => {
    expect(await generate({ temperature: 99 })).toContain('`temperature` is at most 2; “99” is too large.');
    expect(await generate({ temperature: 99 }, 'es-ES')).toContain('admite como máximo 2; «99» es demasiado.');
  });

  test('refuses a max_length that is not a number instead of ignoring it', async () => {
    expect(await generate({ max_length: 'abc' })).toContain('`max_length` takes a whole number');
  });

  test('refuses a prompt longer than its registered maximum', async () => {
    expect(await generate({ prompt: 'a'.repeat(600) })).toMatch(/`prompt` takes at most \d+ characters; shorten it\./);
  });

  test('an unknown command points to the slash menu, not to the console’s /help', async () => {
    const handle = t.server.invoke({ commandName: 'retired', options: {} });
    await handle.settled();
    expect(seen(handle)).toContain('There is no command `/retired`. This server may still show an old command list');
    expect(seen(handle)).not.toContain('/help');
  });

  test('lets values inside the limits through to the command', async () => {
    // No model here: the command itself runs and answers that (not an option error).
    expect(await generate({ temperature: 2, max_length: 1 })).toContain('No model is active');
  });
});
