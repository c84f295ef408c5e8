// What the bot does with messages in channels (LEARN_FROM_CHANNELS only): listened
// channels' messages are handed to ChannelLearning (kept per the privacy mode), edits and deletes
// too; and the bot answers a mention of itself always, any other message with the channel's
// reply chance — through the same generator as /generate, at most once per channel per cooldown,
// never to a bot (itself included), never pinging anyone.
import {
  PermissionFlagsBits,
  type Client,
  type Message,
  type OmitPartialGroupDMChannel,
  type PartialMessage,
} from 'discord.js';
import { type UserError, isUserError } from '../errors.js';
import { describeCode, escapeMarkdown, resolveLocale } from '../i18n/index.js';
import { cleanText } from '../ingest/clean.js';
import type { ChannelLearning } from '../manager/channel-learning.js';
import type { ModelManagerApi } from '../manager/types.js';
import type { Logger } from './logger.js';
import { NO_MENTIONS } from './replies.js';

const DEFAULT_REPLY_COOLDOWN_MS = 10_000;
const REPLY_MAX_WORDS = 30;
const CONTENT_LIMIT = 2000;

export type ReplyDecision =
  | { answer: false; reason: 'bot' | 'cooldown' | 'chance' }
  | { answer: true; prompt: string; mentioned: boolean };

/**
 * Pure: whether to answer a message, and the prompt to answer from (the message without the
 * mention, cleaned of links, emoji codes and other mentions).
 */
export function decideReply(input: {
  authorIsBot: boolean;
  mentioned: boolean;
  content: string;
  chance: number;
  /** 0 ≤ roll < 100, uniform. */
  roll: number;
  lastReplyAt: number | undefined;
  now: number;
  cooldownMs: number;
}): ReplyDecision {
  if (input.authorIsBot) return { answer: false, reason: 'bot' };
  if (input.lastReplyAt !== undefined && input.now - input.lastReplyAt < input.cooldownMs)
    return { answer: false, reason: 'cooldown' };
  if (!input.mentioned && !(input.roll < input.chance)) return { answer: false, reason: 'chance' };
  const prompt = cleanText(input.content, 'strip').replace(/\s+/g, ' ').trim();
  return { answer: true, prompt, mentioned: input.mentioned };
}

export interface ChannelEventsOptions {
  client: Client;
  manager: ModelManagerApi;
  learning: ChannelLearning;
  logger: Logger;
  cooldownMs?: number;
  /** 0 ≤ x < 1; injectable so tests decide the chance. */
  random?: () => number;
  now?: () => number;
}

export class ChannelEvents {
  private readonly lastReply = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: ChannelEventsOptions) {}

  attach(): void {
    const { client } = this.options;
    client.on('messageCreate', (message) => this.track(this.onCreate(message)));
    client.on('messageUpdate', (_old, message) => this.track(this.onUpdate(message)));
    client.on('messageDelete', (message) => this.track(this.onDelete(message)));
  }

  /** Waits for replies being written (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.options.logger.warn({ err: error }, 'channel message handling failed'),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private async onCreate(message: OmitPartialGroupDMChannel<Message>): Promise<void> {
    if (!message.inGuild()) return;
    const { learning, client } = this.options;
    const parentId = message.channel.isThread() ? message.channel.parentId : null;
    learning.observe({
      guildId: message.guildId,
      channelId: message.channelId,
      parentChannelId: parentId,
      messageId: message.id,
      authorId: message.author.id,
      authorIsBot: message.author.bot,
      content: message.content,
      createdAt: message.createdTimestamp,
    });
    const self = client.user?.id;
    if (!self || message.author.id === self) return;
    const now = (this.options.now ?? Date.now)();
    const key = `${message.guildId}:${message.channelId}`;
    const decision = decideReply({
      authorIsBot: message.author.bot,
      mentioned: message.mentions.users.has(self),
      content: message.content,
      chance: learning.replyChance(message.guildId, message.channelId, parentId),
      roll: (this.options.random ?? Math.random)() * 100,
      lastReplyAt: this.lastReply.get(key),
      now,
      cooldownMs: this.options.cooldownMs ?? DEFAULT_REPLY_COOLDOWN_MS,
    });
    if (!decision.answer) return;
    const me = message.guild.members.me;
    if (
      me &&
      !message.channel.permissionsFor(me).has([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages])
    )
      return;
    // The cooldown starts now, so a burst of mentions gets one answer, not one each.
    this.lastReply.set(key, now);
    let text: string;
    try {
      const result = await this.options.manager.generate(message.guildId, {
        prompt: decision.prompt || undefined,
        maxLength: REPLY_MAX_WORDS,
      });
      text = result.text.trim();
    } catch (error) {
      if (!decision.mentioned) return;
      // Asked by name with no model to answer from: say how to get one, in the server's language.
      if (!isUserError(error)) throw error;
      text = '';
      const locale = resolveLocale(message.guild.preferredLocale);
      await message.channel.send({
        content: describeCode(locale, error.code as UserError['code'], error.params).slice(0, CONTENT_LIMIT),
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    if (text === '') return;
    await message.channel.send({ content: escapeMarkdown(text).slice(0, CONTENT_LIMIT), allowedMentions: NO_MENTIONS });
  }

  private async onUpdate(message: OmitPartialGroupDMChannel<Message | PartialMessage>): Promise<void> {
    if (!message.guildId || message.content === null || message.content === undefined) return;
    if (message.author?.bot) return;
    this.options.learning.observeEdit(message.guildId, message.id, message.content);
  }

  private async onDelete(message: OmitPartialGroupDMChannel<Message | PartialMessage>): Promise<void> {
    if (!message.guildId) return;
    this.options.learning.observeDelete(message.guildId, message.id);
  }
}
