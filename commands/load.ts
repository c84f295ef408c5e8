// /load name [version] — makes a saved model the guild's active model.
import { formatBytes, formatDate, markdown } from '../src/i18n/index.js';
import type { AutocompleteContext, CommandContext } from '../src/commands/context.js';
import { modelNameChoices } from '../src/commands/autocomplete.js';
import { commandBuilder, localizeOption } from '../src/commands/definition.js';
import { numberOption, requireGuild, stringOption } from '../src/commands/options.js';
import { statsFields } from '../src/commands/render.js';
import { MAX_MODEL_NAME_CHARACTERS } from '../src/store/names.js';

export const data = commandBuilder('load', { manageGuild: true })
  .addStringOption((option) =>
    localizeOption(option, 'load', 'name').setRequired(true).setAutocomplete(true).setMinLength(1).setMaxLength(MAX_MODEL_NAME_CHARACTERS),
  )
  .addIntegerOption((option) => localizeOption(option, 'load', 'version').setMinValue(1));

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const { t, locale } = ctx;
  const loaded = await ctx.manager.load(guildId, stringOption(ctx.options, 'name') ?? '', numberOption(ctx.options, 'version'));
  await ctx.reply({
    embeds: [
      {
        title: t('load.title', { name: loaded.name, version: loaded.version }),
        description: t('load.description', {
          date: formatDate(loaded.createdAt),
          user: loaded.createdBy.name,
          size: markdown(formatBytes(locale, loaded.bytes)),
        }),
        fields: statsFields(t, locale, loaded.stats),
        tone: 'success',
      },
    ],
  });
}

export function autocomplete(ctx: AutocompleteContext): Promise<{ name: string; value: string }[]> {
  return modelNameChoices(ctx);
}
