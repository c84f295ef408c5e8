// The Discord adapter's small pieces on their own, with plain objects for what discord.js would
// pass: reply payloads at Discord's limits, modals, the shutdown signals, the interrupted-training
// notices and the logger.
import { ButtonStyle, ComponentType, MessageFlags, TextInputStyle } from 'discord.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { tellInterruptedTrainings } from '../../src/discord/interrupted-notices.js';
import { createLogger, newReference } from '../../src/discord/logger.js';
import { NO_MENTIONS, toModal, toPayload } from '../../src/discord/replies.js';
import { onShutdownSignals } from '../../src/discord/signals.js';

const silent = pino({ level: 'silent' });

describe('toPayload', () => {
  it('fills empty embed fields with a zero-width space and clips each part to Discord’s limit', () => {
    const payload = toPayload({
      content: 'x'.repeat(2500),
      embeds: [
        {
          title: 't'.repeat(300),
          fields: [
            { name: '', value: '' },
            { name: 'n', value: 'v'.repeat(1100), inline: true },
          ],
          footer: 'f',
          tone: 'danger',
        },
      ],
    });
    expect(payload.content).toHaveLength(2000);
    expect(payload.content!.endsWith('…')).toBe(true);
    const [embed] = payload.embeds!;
    expect(embed.title).toHaveLength(256);
    expect(embed.fields![0]).toEqual({ name: '\u200b', value: '\u200b' });
    expect(embed.fields![1].value).toHaveLength(1024);
    expect(embed.fields![1].inline).toBe(true);
    expect(embed.footer).toEqual({ text: 'f' });
    expect(embed.color).toBe(0xed4245);
    expect(payload.allowedMentions).toBe(NO_MENTIONS);
  });

  it('writes select menus with placeholder, descriptions, default and disabled, and buttons disabled', () => {
    const payload = toPayload(
      {
        components: [
          [
            {
              kind: 'select',
              id: 'pick',
              placeholder: 'p'.repeat(200),
              options: [
                { label: 'A', value: 'a', description: 'first', default: true },
                { label: 'B', value: 'b'.repeat(150) },
              ],
              disabled: true,
            },
          ],
          [],
          [{ kind: 'button', id: 'go', label: 'Go', style: 'danger', disabled: true }],
        ],
      },
      { ephemeral: true },
    );
    expect(payload.flags).toBe(MessageFlags.Ephemeral);
    expect(payload.components).toHaveLength(2); // the empty row is dropped
    const select = payload.components![0].components[0] as unknown as Record<string, unknown>;
    expect(select.type).toBe(ComponentType.StringSelect);
    expect(select.placeholder).toHaveLength(150);
    expect(select.disabled).toBe(true);
    expect(select.options).toEqual([
      { label: 'A', value: 'a', description: 'first', default: true },
      { label: 'B', value: 'b'.repeat(100) },
    ]);
    expect(payload.components![1].components[0]).toEqual({
      type: ComponentType.Button,
      custom_id: 'go',
      label: 'Go',
      style: ButtonStyle.Danger,
      disabled: true,
    });
  });

  it('sends an empty content and an empty component list only when editing (to clear them)', () => {
    expect(toPayload({ content: '', components: [], embeds: [] })).toEqual({ allowedMentions: NO_MENTIONS });
    expect(toPayload({ content: '', components: [], embeds: [] }, { forEdit: true })).toEqual({
      allowedMentions: NO_MENTIONS,
      content: '',
      components: [],
      embeds: [],
    });
  });
});

describe('toModal', () => {
  it('maps every optional field attribute, and leaves out those not given', () => {
    const modal = toModal({
      id: 'save',
      title: 'T'.repeat(60),
      fields: [
        {
          id: 'name',
          label: 'Name',
          style: 'paragraph',
          required: false,
          minLength: 1,
          maxLength: 32,
          placeholder: 'x'.repeat(120),
          value: 'stories',
        },
        { id: 'note', label: 'Note', style: 'short', value: '' },
      ],
    });
    expect(modal.title).toHaveLength(45);
    const [first, second] = modal.components.map((row) => (row as { components: unknown[] }).components[0]);
    expect(first).toEqual({
      type: ComponentType.TextInput,
      custom_id: 'name',
      label: 'Name',
      style: TextInputStyle.Paragraph,
      required: false,
      min_length: 1,
      max_length: 32,
      placeholder: `${'x'.repeat(99)}…`,
      value: 'stories',
    });
    expect(second).toEqual({
      type: ComponentType.TextInput,
      custom_id: 'note',
      label: 'Note',
      style: TextInputStyle.Short,
    });
  });
});

describe('onShutdownSignals', () => {
  let remove: (() => void) | undefined;
  afterEach(() => remove?.());

  it('stops once and exits 0; a second signal exits 1 at once', async () => {
    const exits: number[] = [];
    const stops: string[] = [];
    let finishStop!: () => void;
    remove = onShutdownSignals(
      (signal) => {
        stops.push(signal);
        return new Promise<void>((resolve) => {
          finishStop = resolve;
        });
      },
      silent,
      (code) => exits.push(code),
    );
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    expect(stops).toEqual(['SIGTERM']);
    expect(exits).toEqual([1]);
    finishStop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([1, 0]);
  });

  it('exits 1 when stopping fails, and listens no more once removed', async () => {
    const exits: number[] = [];
    const before = process.listenerCount('SIGTERM');
    remove = onShutdownSignals(
      () => Promise.reject(new Error('disk gone')),
      silent,
      (code) => exits.push(code),
    );
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGINT', 'SIGINT');
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([1]);
    remove();
    remove = undefined;
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});

describe('createLogger and newReference', () => {
  it('logs at the level asked, with the bindings given, and makes 10-hex-digit references', () => {
    expect(createLogger('warn').level).toBe('warn');
    expect(createLogger('debug', { shards: [0] }).bindings()).toEqual({ shards: [0] });
    expect(newReference()).toMatch(/^[0-9a-f]{10}$/);
  });
});

describe('tellInterruptedTrainings', () => {
  const notice = (guildId: string, channelId: string) => ({
    jobId: `job-${guildId}`,
    guildId,
    channelId,
    userName: 'ana',
    startedAt: Date.UTC(2026, 11, 7, 10, 0),
  });

  /** A discord.js-shaped client with the guilds and channels the test names. */
  function fakeClient(channels: Record<string, unknown>, guilds: Record<string, unknown>) {
    return {
      guilds: { cache: new Map(Object.entries(guilds)) },
      channels: {
        fetch: async (id: string) => {
          const channel = channels[id];
          if (channel instanceof Error) throw channel;
          return channel ?? null;
        },
      },
    };
  }
  const sendable = (sent: unknown[], canWrite = true) => ({
    isDMBased: () => false,
    isSendable: () => true,
    permissionsFor: () => ({ has: () => canWrite }),
    send: async (message: unknown) => {
      sent.push(message);
    },
  });

  it('posts in the guild’s language where the bot may write, and skips the other channels', async () => {
    const sent: unknown[] = [];
    const denied: unknown[] = [];
    const withMe = (locale: string) => ({ preferredLocale: locale, members: { me: {} } });
    const client = fakeClient(
      {
        ok: sendable(sent),
        denied: sendable(denied, false),
        dm: { isDMBased: () => true, isSendable: () => true },
        broken: new Error('Missing Access'),
        nome: sendable(denied),
      },
      {
        g1: withMe('es-ES'),
        g2: withMe('en-US'),
        g3: withMe('en-US'),
        g4: withMe('en-US'),
        g5: { members: { me: null } },
      },
    );
    const claimed: string[][] = [];
    const manager = {
      claimInterruptedNotices: (ids: readonly string[]) => {
        claimed.push([...ids]);
        return [
          notice('g1', 'ok'),
          notice('g2', 'denied'),
          notice('g3', 'dm'),
          notice('g4', 'broken'),
          notice('g5', 'nome'),
          notice('gone', 'ok'),
        ];
      },
    };
    const posted = await tellInterruptedTrainings(client as never, manager, silent);
    expect(posted).toBe(1);
    expect(claimed).toEqual([['g1', 'g2', 'g3', 'g4', 'g5']]);
    expect(denied).toEqual([]);
    expect(sent).toHaveLength(1);
    const [message] = sent as { content: string; allowedMentions: unknown }[];
    expect(message.allowedMentions).toEqual({ parse: [] });
    expect(message.content).toContain('ana');
    expect(message.content).toMatch(/entrenar|entrenamiento/i);
  });
});
