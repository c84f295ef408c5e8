// /load name [version] — makes a saved model the guild's active model. Replacing an unsaved
// model asks first, as /train does.
import { isUserError } from '../src/errors.js';
import { describeError, formatBytes, formatDate, markdown } from '../src/i18n/index.js';
import type { AutocompleteContext, CommandContext, ComponentInteraction, Reply } from '../src/commands/context.js';
import { modelNameChoices } from '../src/commands/autocomplete.js';
import { confirmReplacement } from '../src/commands/confirm.js';
import { commandBuilder, localizeOption } from '../src/commands/definition.js';
import { numberOption, requireGuild, stringOption } from '../src/commands/options.js';
import { statsFields } from '../src/commands/render.js';
import { MAX_MODEL_NAME_CHARACTERS } from '../src/store/names.js';

export const data = commandBuilder('load', { manageGuild: true })
  .addStringOption((option) =>
    localizeOption(option, 'load', 'name')
      .setRequired(true)
      .setAutocomplete(true)
      .setMinLength(1)
      .setMaxLength(MAX_MODEL_NAME_CHARACTERS),
  )
  .addIntegerOption((option) => localizeOption(option, 'load', 'version').setMinValue(1));

const ID = { replace: 'load:replace', cancel: 'load:cancel' } as const;

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const { t, locale } = ctx;
  const name = stringOption(ctx.options, 'name') ?? '';
  const version = numberOption(ctx.options, 'version');
  // Loading replaces the working model: a model nobody saved would be lost, so ask first and
  // only the invoking user may answer.
  let confirmation: ComponentInteraction | null = null;
  if (ctx.manager.hasUnsavedWorkingModel(guildId)) {
    confirmation = await confirmReplacement(ctx, 'load.replace', ID);
    if (!confirmation) return;
  }
  let loaded;
  try {
    loaded = await ctx.manager.load(guildId, name, version);
  } catch (error) {
    if (!confirmation || !isUserError(error)) throw error;
    await confirmation.update({ content: describeError(locale, error), embeds: [], components: [] });
    return;
  }
  const reply: Reply = {
    content: '',
    components: [],
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
  };
  if (confirmation) await confirmation.update(reply);
  else await ctx.reply(reply);
}

export function autocomplete(ctx: AutocompleteContext): Promise<{ name: string; value: string }[]> {
  return modelNameChoices(ctx);
}
