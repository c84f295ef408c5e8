// /export name [version] — the saved model's file as an attachment (`<name>_v<version>.ulm`),
// within the upload limit Discord gives this server. The console writes it to ./exports/.
import { UserError } from '../src/errors.js';
import { formatBytes, markdown } from '../src/i18n/index.js';
import type { AutocompleteContext, CommandContext } from '../src/commands/context.js';
import { modelNameChoices } from '../src/commands/autocomplete.js';
import { commandBuilder, localizeOption } from '../src/commands/definition.js';
import { numberOption, requireGuild, stringOption } from '../src/commands/options.js';
import { MAX_MODEL_NAME_CHARACTERS } from '../src/store/names.js';

export const data = commandBuilder('export', { manageGuild: true })
  .addStringOption((option) =>
    localizeOption(option, 'export', 'name')
      .setRequired(true)
      .setAutocomplete(true)
      .setMinLength(1)
      .setMaxLength(MAX_MODEL_NAME_CHARACTERS),
  )
  .addIntegerOption((option) => localizeOption(option, 'export', 'version').setMinValue(1));

export async function execute(ctx: CommandContext): Promise<void> {
  const guildId = requireGuild(ctx);
  const { t, locale } = ctx;
  const exported = await ctx.manager.exportModel(
    guildId,
    stringOption(ctx.options, 'name') ?? '',
    numberOption(ctx.options, 'version'),
  );
  const limit = ctx.attachmentSizeLimit;
  if (limit !== undefined && exported.bytes.byteLength > limit) {
    throw new UserError('EXPORT_TOO_LARGE', {
      name: exported.info.name,
      version: exported.info.version,
      bytes: exported.bytes.byteLength,
      limit,
    });
  }
  await ctx.reply({
    ephemeral: true,
    embeds: [
      {
        title: t('export.title', { name: exported.info.name, version: exported.info.version }),
        description: t('export.description', {
          file: markdown(`\`${exported.filename.replace(/`/g, '')}\``),
          size: markdown(formatBytes(locale, exported.bytes.byteLength)),
        }),
        tone: 'success',
      },
    ],
    files: [{ name: exported.filename, data: exported.bytes }],
  });
}

export function autocomplete(ctx: AutocompleteContext): Promise<{ name: string; value: string }[]> {
  return modelNameChoices(ctx);
}
