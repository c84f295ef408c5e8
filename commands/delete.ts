// /delete name [version] — an ephemeral confirmation (red Delete, grey Cancel) that only the
// invoking user can answer and that expires after 60 seconds.
import { isUserError } from '../src/errors.js';
import { describeCode, formatBytes, markdown } from '../src/i18n/index.js';
import type { AutocompleteContext, CommandContext } from '../src/commands/context.js';
import { modelNameChoices } from '../src/commands/autocomplete.js';
import { CONFIRM_TIMEOUT_MS } from '../src/commands/confirm.js';
import { commandBuilder, localizeOption } from '../src/commands/definition.js';
import { numberOption, requireGuild, stringOption } from '../src/commands/options.js';
import { MESSAGE_LIMIT, truncate } from '../src/commands/render.js';
import { MAX_MODEL_NAME_CHARACTERS } from '../src/store/names.js';

const CONFIRM = 'delete:confirm';
const CANCEL = 'delete:cancel';

export const data = commandBuilder('delete', { manageGuild: true })
  .addStringOption((option) =>
    localizeOption(option, 'delete', 'name')
      .setRequired(true)
      .setAutocomplete(true)
      .setMinLength(1)
      .setMaxLength(MAX_MODEL_NAME_CHARACTERS),
  )
  .addIntegerOption((option) => localizeOption(option, 'delete', 'version').setMinValue(1));

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const { t, locale } = ctx;
  const typed = stringOption(ctx.options, 'name') ?? '';
  const version = numberOption(ctx.options, 'version');
  // The manager's rules find the versions (and the suggestions for a typo), as /load's.
  const listing = ctx.manager.findVersions(guildId, typed, version);
  const doomed = listing.versions;

  await ctx.reply({
    ephemeral: true,
    embeds: [
      {
        title: t('delete.confirm.title', { name: listing.name }),
        description: t('delete.confirm.body', {
          version: version ?? null,
          count: doomed.length,
          size: markdown(
            formatBytes(
              locale,
              doomed.reduce((sum, info) => sum + info.bytes, 0),
            ),
          ),
          active: doomed.some((info) => info.active),
        }),
        tone: 'danger',
      },
    ],
    components: [
      [
        { kind: 'button', id: CONFIRM, label: t('delete.confirm.button'), style: 'danger' },
        { kind: 'button', id: CANCEL, label: t('common.cancel'), style: 'secondary' },
      ],
    ],
  });

  const answer = await ctx.awaitComponent({ ids: [CONFIRM, CANCEL], timeoutMs: CONFIRM_TIMEOUT_MS, others: 'reject' });
  if (!answer) {
    await ctx.edit({ content: describeCode(locale, 'CONFIRMATION_EXPIRED'), embeds: [], components: [] });
    return;
  }
  if (answer.customId === CANCEL) {
    await answer.update({ content: t('delete.cancelled'), embeds: [], components: [] });
    return;
  }
  try {
    const result = await ctx.manager.delete(guildId, listing.name, version);
    await answer.update({
      content: t('delete.done', { name: listing.name, count: result.deleted.length, wasActive: result.wasActive }),
      embeds: [],
      components: [],
    });
  } catch (error) {
    if (!isUserError(error)) throw error;
    // Someone else deleted it, or the file vanished, between the question and the answer.
    await answer.update({
      content: truncate(describeCode(answer.locale, error.code, error.params), MESSAGE_LIMIT),
      embeds: [],
      components: [],
    });
  }
}

export function autocomplete(ctx: AutocompleteContext): Promise<{ name: string; value: string }[]> {
  return modelNameChoices(ctx);
}
