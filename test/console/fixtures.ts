// Command definitions shaped like the bot's, built with discord.js's builder so the parser is
// tested against the JSON Discord would receive.
import { SlashCommandBuilder } from 'discord.js';
import type { CommandContext, CommandModule } from '../../src/commands/context.js';
import { toConsoleCommand, type ConsoleCommand } from '../../src/console/command-definitions.js';

export function fakeCommand(
  data: SlashCommandBuilder | { name: string; toJSON(): unknown },
  execute: (ctx: CommandContext) => Promise<void> = async () => {},
  autocomplete?: CommandModule['autocomplete'],
): CommandModule {
  return { data, execute, autocomplete };
}

export const generateData = new SlashCommandBuilder()
  .setName('generate')
  .setNameLocalizations({ 'es-ES': 'generar', 'es-419': 'generar' })
  .setDescription('Generate text')
  .setDescriptionLocalizations({ 'es-ES': 'Genera texto' })
  .addStringOption((option) =>
    option
      .setName('prompt')
      .setNameLocalizations({ 'es-ES': 'inicio' })
      .setDescription('Start of the text')
      .setMaxLength(200),
  )
  .addIntegerOption((option) => option.setName('max_length').setDescription('Tokens').setMinValue(1).setMaxValue(200))
  .addNumberOption((option) =>
    option.setName('temperature').setDescription('Randomness').setMinValue(0.1).setMaxValue(2),
  )
  .addIntegerOption((option) => option.setName('seed').setDescription('Seed'));

export const trainData = new SlashCommandBuilder()
  .setName('train')
  .setDescription('Train')
  .addAttachmentOption((option) => option.setName('file1').setDescription('File').setRequired(true))
  .addAttachmentOption((option) => option.setName('file2').setDescription('File'))
  .addIntegerOption((option) => option.setName('max_pattern_length').setDescription('n').setMinValue(1).setMaxValue(8))
  .addStringOption((option) =>
    option
      .setName('mode')
      .setDescription('Mode')
      .addChoices(
        { name: 'New model', value: 'new', name_localizations: { 'es-ES': 'Modelo nuevo' } },
        { name: 'Append', value: 'append' },
      ),
  )
  .addBooleanOption((option) => option.setName('split').setDescription('Split sentences'));

export const loadData = new SlashCommandBuilder()
  .setName('load')
  .setDescription('Load a model')
  .addStringOption((option) =>
    option
      .setName('name')
      .setDescription('Model')
      .setRequired(true)
      .setAutocomplete(true)
      .setMinLength(1)
      .setMaxLength(64),
  );

export function definitions(): ConsoleCommand[] {
  return [generateData, trainData, loadData].map((data) => toConsoleCommand(fakeCommand(data)));
}
