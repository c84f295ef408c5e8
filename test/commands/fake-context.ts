// A CommandContext for driving commands directly: every reply verb is recorded in `log`, and
// component waits take `presses` in order (null: the wait times out).
import type { CommandContext, ComponentInteraction, Reply } from '../../src/commands/context.js';
import { translator, type Locale } from '../../src/i18n/index.js';
import type { ModelManagerApi } from '../../src/manager/types.js';

export const GUILD = '123456789012345678';
export const USER = { id: 'u1', name: 'Ana' };

interface Press {
  customId: string;
  values?: string[];
}

/** A context whose every reply verb is recorded in `log`, and whose component waits take `presses` in order. */
export function context(
  manager: Partial<ModelManagerApi>,
  options: CommandContext['options'] = {},
  presses: (Press | null)[] = [],
  extra: Partial<CommandContext> = {},
) {
  const log: { verb: string; reply?: Reply }[] = [];
  const locale: Locale = 'en';
  const interaction = (press: Press): ComponentInteraction => ({
    kind: 'button',
    customId: press.customId,
    values: press.values ?? [],
    fields: {},
    user: USER,
    locale,
    update: async (reply) => void log.push({ verb: `update:${press.customId}`, reply }),
    deferUpdate: async () => void log.push({ verb: 'deferUpdate' }),
    reply: async (reply) => void log.push({ verb: `press-reply:${press.customId}`, reply }),
    showModal: async () => undefined,
    awaitModal: async () => null,
  });
  const ctx: CommandContext = {
    guildId: GUILD,
    channelId: 'c1',
    user: USER,
    locale,
    t: translator(locale),
    canManageGuild: true,
    options,
    manager: manager as ModelManagerApi,
    defer: async () => void log.push({ verb: 'defer' }),
    reply: async (reply) => void log.push({ verb: 'reply', reply }),
    edit: async (reply) => void log.push({ verb: 'edit', reply }),
    followUp: async (reply) => void log.push({ verb: 'followUp', reply }),
    showModal: async () => undefined,
    awaitComponent: async () => {
      const press = presses.shift();
      return press ? interaction(press) : null;
    },
    postToChannel: async () => false,
    now: () => 1_234_567_890,
    ...extra,
  };
  return { ctx, log };
}
