// Renderer-neutral replies → discord.js message payloads. Every payload carries
// `allowedMentions: { parse: [] }`: text the bot repeats (generated text, model names, file
// names) may contain @everyone or <@id>, and the bot must never ping anyone.
import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  TextInputStyle,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIModalInteractionResponseCallbackData,
} from 'discord.js';
import type { ModalSpec, Reply, ReplyEmbed, ReplyRow, Tone } from '../commands/context.js';

export const NO_MENTIONS = Object.freeze({ parse: [] as [] });

/** Discord's limits, enforced here too so a long model name can never make a reply fail. */
const LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footer: 2048,
  embeds: 10,
  rows: 5,
  buttonsPerRow: 5,
  label: 80,
  selectOptions: 25,
};

const TONE_COLORS: Record<Tone, number> = { info: 0x5865f2, success: 0x57f287, warning: 0xfee75c, danger: 0xed4245 };

const BUTTON_STYLES = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
} as const;

export interface MessagePayload {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  files?: { attachment: Buffer; name: string }[];
  allowedMentions: typeof NO_MENTIONS;
  flags?: number;
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function toEmbed(embed: ReplyEmbed): APIEmbed {
  const result: APIEmbed = {};
  if (embed.title) result.title = clip(embed.title, LIMITS.title);
  if (embed.description) result.description = clip(embed.description, LIMITS.description);
  if (embed.fields?.length) {
    result.fields = embed.fields.slice(0, LIMITS.fields).map((field) => ({
      name: clip(field.name || '\u200b', LIMITS.fieldName),
      value: clip(field.value || '\u200b', LIMITS.fieldValue),
      ...(field.inline ? { inline: true } : {}),
    }));
  }
  if (embed.footer) result.footer = { text: clip(embed.footer, LIMITS.footer) };
  if (embed.tone) result.color = TONE_COLORS[embed.tone];
  return result;
}

function toRow(row: ReplyRow): APIActionRowComponent<APIComponentInMessageActionRow> {
  const components: APIComponentInMessageActionRow[] = row.slice(0, LIMITS.buttonsPerRow).map((component) => {
    if (component.kind === 'select') {
      return {
        type: ComponentType.StringSelect,
        custom_id: component.id,
        ...(component.placeholder ? { placeholder: clip(component.placeholder, 150) } : {}),
        options: component.options.slice(0, LIMITS.selectOptions).map((option) => ({
          label: clip(option.label, 100),
          value: option.value.slice(0, 100),
          ...(option.description ? { description: clip(option.description, 100) } : {}),
          ...(option.default ? { default: true } : {}),
        })),
        ...(component.disabled ? { disabled: true } : {}),
      };
    }
    return {
      type: ComponentType.Button,
      custom_id: component.id,
      label: clip(component.label, LIMITS.label),
      style: BUTTON_STYLES[component.style],
      ...(component.disabled ? { disabled: true } : {}),
    };
  });
  return { type: ComponentType.ActionRow, components };
}

/**
 * `forEdit`: an edit keeps what the reply leaves out, so an absent content is sent as absent and
 * `components: []` clears buttons; an initial message simply omits empty parts.
 */
export function toPayload(reply: Reply, { forEdit = false, ephemeral = false } = {}): MessagePayload {
  const payload: MessagePayload = { allowedMentions: NO_MENTIONS };
  if (reply.content !== undefined && (forEdit || reply.content !== ''))
    payload.content = clip(reply.content, LIMITS.content);
  if (reply.embeds !== undefined && (forEdit || reply.embeds.length > 0))
    payload.embeds = reply.embeds.slice(0, LIMITS.embeds).map(toEmbed);
  if (reply.components !== undefined && (forEdit || reply.components.length > 0)) {
    payload.components = reply.components
      .slice(0, LIMITS.rows)
      .filter((row) => row.length > 0)
      .map(toRow);
  }
  if (reply.files?.length)
    payload.files = reply.files.map((file) => ({ attachment: Buffer.from(file.data), name: file.name }));
  if (ephemeral) payload.flags = MessageFlags.Ephemeral;
  return payload;
}

export function toModal(modal: ModalSpec): APIModalInteractionResponseCallbackData {
  return {
    custom_id: modal.id,
    title: clip(modal.title, 45),
    components: modal.fields.slice(0, 5).map((field) => ({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.TextInput,
          custom_id: field.id,
          label: clip(field.label, 45),
          style: field.style === 'paragraph' ? TextInputStyle.Paragraph : TextInputStyle.Short,
          ...(field.required !== undefined ? { required: field.required } : {}),
          ...(field.minLength !== undefined ? { min_length: field.minLength } : {}),
          ...(field.maxLength !== undefined ? { max_length: field.maxLength } : {}),
          ...(field.placeholder ? { placeholder: clip(field.placeholder, 100) } : {}),
          ...(field.value ? { value: field.value } : {}),
        },
      ],
    })),
  };
}
