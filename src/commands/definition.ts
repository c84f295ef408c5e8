// Localized slash-command builders: every name and description comes from the catalogues, in
// en-US/en-GB and es-ES/es-419, so Discord shows each user the command in their language.
import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { localizations, translate, type MessageKey } from '../i18n/index.js';

export type CommandName =
  | 'train'
  | 'save'
  | 'load'
  | 'models'
  | 'delete'
  | 'generate'
  | 'status'
  | 'compare'
  | 'export'
  | 'import'
  | 'listen'
  | 'reply'
  | 'forget'
  | 'privacy';

interface Localizable {
  setName(name: string): unknown;
  setNameLocalizations(map: Record<string, string>): unknown;
  setDescription(description: string): unknown;
  setDescriptionLocalizations(map: Record<string, string>): unknown;
}

function localize<T extends Localizable>(target: T, nameKey: MessageKey, descriptionKey: MessageKey): T {
  target.setName(translate('en', nameKey));
  target.setNameLocalizations(localizations(nameKey));
  target.setDescription(translate('en', descriptionKey));
  target.setDescriptionLocalizations(localizations(descriptionKey));
  return target;
}

/**
 * A guild-only command. `manageGuild` makes it default to members with Manage Server; server
 * admins can still grant it to other roles in Integrations settings, which Discord enforces.
 */
export function commandBuilder(name: CommandName, { manageGuild = false } = {}): SlashCommandBuilder {
  const builder = localize(
    new SlashCommandBuilder(),
    `cmd.${name}.name` as MessageKey,
    `cmd.${name}.description` as MessageKey,
  );
  builder.setContexts(InteractionContextType.Guild);
  if (manageGuild) builder.setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild);
  return builder;
}

/** Names and describes an option from `cmd.<command>.opt.<option>.*`. */
export function localizeOption<T extends Localizable>(option: T, command: CommandName, optionName: string): T {
  return localize(
    option,
    `cmd.${command}.opt.${optionName}.name` as MessageKey,
    `cmd.${command}.opt.${optionName}.description` as MessageKey,
  );
}

/** A localized choice of a string option. */
export function localizedChoice(
  key: MessageKey,
  value: string,
): { name: string; name_localizations: Record<string, string>; value: string } {
  return { name: translate('en', key), name_localizations: localizations(key), value };
}
