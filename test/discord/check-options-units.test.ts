// checkOptionValues on its own: what a request may carry that Discord's client would never send.
import { ApplicationCommandOptionType as T, type CommandInteractionOption } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { checkOptionValues } from '../../src/discord/check-options.js';
import { isUserError } from '../../src/errors.js';

const definition = {
  options: [
    { type: T.String, name: 'prompt', description: 'p', max_length: 10, name_localizations: { 'es-ES': 'inicio' } },
    { type: T.Integer, name: 'max_length', description: 'm', min_value: 1, max_value: 100 },
    { type: T.Number, name: 'temperature', description: 't', min_value: 0.1, max_value: 2 },
    { type: T.Boolean, name: 'public', description: 'b' },
    { type: T.Attachment, name: 'file1', description: 'f' },
    {
      type: T.Subcommand,
      name: 'on',
      description: 's',
      options: [{ type: T.Integer, name: 'chance', description: 'c', min_value: 0, max_value: 100 }],
    },
  ],
};

const option = (name: string, type: T, value: unknown, extra: Partial<CommandInteractionOption> = {}) =>
  ({ name, type, value, ...extra }) as CommandInteractionOption;

function refusal(received: CommandInteractionOption[], locale: 'en' | 'es' = 'en') {
  try {
    checkOptionValues(definition, received, locale);
  } catch (error) {
    if (isUserError(error)) return { code: error.code, ...error.params };
    throw error;
  }
  return null;
}

describe('checkOptionValues', () => {
  it('accepts values inside the definition, attachments and options it does not know', () => {
    expect(
      refusal([
        option('prompt', T.String, 'hola'),
        option('max_length', T.Integer, 40),
        option('temperature', T.Number, 0.8),
        option('public', T.Boolean, true),
        option('file1', T.Attachment, 'id-1'),
        option('extra', T.String, 'ignored'),
        option('on', T.Subcommand, undefined, { options: [option('chance', T.Integer, 50)] }),
        option('on', T.Subcommand, undefined),
      ]),
    ).toBeNull();
  });

  it('refuses a missing or non-finite value with the reason of its type', () => {
    expect(refusal([option('max_length', T.Integer, null)])).toMatchObject({ reason: 'not-an-integer' });
    expect(refusal([option('temperature', T.Number, Number.NaN)])).toMatchObject({ reason: 'not-a-number' });
    expect(refusal([option('prompt', T.String, undefined)])).toMatchObject({ reason: 'empty-value', option: 'prompt' });
    expect(refusal([option('prompt', T.String, undefined)], 'es')).toMatchObject({ option: 'inicio' });
  });

  it('refuses a value of the wrong type, quoting at most 40 characters of it', () => {
    expect(refusal([option('prompt', T.String, 5)])).toMatchObject({ code: 'BAD_COMMAND_LINE', reason: 'empty-value' });
    expect(refusal([option('max_length', T.Integer, 'x'.repeat(60))])).toMatchObject({
      reason: 'not-an-integer',
      value: 'x'.repeat(40),
    });
    expect(refusal([option('temperature', T.Number, 'hot')])).toMatchObject({ reason: 'not-a-number', value: 'hot' });
    expect(refusal([option('public', T.Boolean, 'yes')])).toMatchObject({ reason: 'not-a-boolean', value: 'yes' });
  });

  it('refuses values outside the limits, inside subcommands too', () => {
    expect(refusal([option('temperature', T.Number, 99)])).toMatchObject({ code: 'BAD_COMMAND_LINE' });
    expect(refusal([option('prompt', T.String, 'x'.repeat(11))])).toMatchObject({ code: 'BAD_COMMAND_LINE' });
    expect(
      refusal([option('on', T.Subcommand, undefined, { options: [option('chance', T.Integer, 101)] })]),
    ).toMatchObject({ code: 'BAD_COMMAND_LINE', option: 'chance' });
  });
});
