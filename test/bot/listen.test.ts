// End-to-end, issue 18: /listen, live collection, batch retraining (edits, deletes, /forget,
// privacy modes) and replies (mentions, reply chance, cooldown, never bots, never pings), with the
// real bot and discord.js against the local Discord server.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GuildSeed, InteractionHandle, RecordedMessage } from '../discord/server.js';
import { CORPUS_EN, customIds, mentionsOf, seen, startTestBot, visibleText, type TestBot } from './harness.js';

const SERVER_MANAGER = (1n << 5n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 31n);
const MEMBER = (1n << 10n) | (1n << 11n) | (1n << 31n);
const ANA = { id: '1300000000000000001', username: 'ana' };
const BEN = { id: '1300000000000000002', username: 'ben' };
const OTHER_BOT = { id: '1300000000000000003', username: 'otherbot', bot: true };

let t: TestBot;
let roll = 0.99;
let nextGuild = 0;
const guilds: GuildSeed[] = Array.from({ length: 20 }, (_, index) => ({
  name: `Listen ${index}`,
  channels: [{ name: 'general' }, { name: 'random' }, { name: 'hidden', botDenied: ['ViewChannel'] }],
}));
const freshGuild = () => {
  const guild = t.server.guilds[nextGuild++];
  const [general, random, hidden] = t.server.channelsOf(guild.id);
  return { guildId: guild.id, general: general.id, random: random.id, hidden: hidden.id };
};

beforeAll(async () => {
  t = await startTestBot({
    serverOptions: { guilds, privilegedIntents: ['MessageContent'] },
    env: { LEARN_FROM_CHANNELS: 'true', REPLY_COOLDOWN_SECONDS: '0' },
    bot: { channelEvents: { random: () => roll } },
  });
});

afterAll(async () => {
  await t?.close();
});

const learning = () => t.bot.learning!;

async function run(
  guildId: string,
  commandName: string,
  subcommand: string | undefined,
  options: Record<string, string | number> = {},
  extra: { user?: typeof ANA; memberPermissions?: bigint; locale?: string } = {},
): Promise<InteractionHandle> {
  const handle = t.server.invoke({
    guildId,
    commandName,
    subcommand,
    options,
    memberPermissions: extra.memberPermissions ?? SERVER_MANAGER,
    user: extra.user,
    locale: extra.locale,
  });
  await handle.settled();
  return handle;
}

async function listen(guildId: string, channelId: string): Promise<void> {
  const handle = await run(guildId, 'listen', 'add', { channel: channelId });
  expect(visibleText(handle.original)).toContain('Listening to');
}

/** Posts messages and waits until the bot kept `expected` in all (its handling is asynchronous). */
async function say(
  guildId: string,
  channelId: string,
  messages: { content: string; author?: typeof ANA | typeof OTHER_BOT }[],
  expected: number,
) {
  const posted = messages.map((message) =>
    t.server.postMessage({ channelId, content: message.content, author: message.author ?? ANA }),
  );
  await t.server.waitFor(() => learning().counts(guildId).messages === expected);
  return posted;
}

const vocabulary = (guildId: string) => {
  const active = t.bot.manager.status(guildId).active;
  return active.kind === 'working'
    ? active.stats.vocabularySize
    : active.kind === 'saved'
      ? active.model.stats.vocabularySize
      : 0;
};
const corpusLines = (guildId: string) => {
  const active = t.bot.manager.status(guildId).active;
  return active.kind === 'working'
    ? active.stats.corpus.lines
    : active.kind === 'saved'
      ? active.model.stats.corpus.lines
      : 0;
};

const botMessages = (channelId: string): RecordedMessage[] =>
  t.server.channelMessages(channelId).filter((message) => message.kind === 'channel');

async function trainFile(guildId: string): Promise<void> {
  const file = t.server.addAttachment('corpus.txt', CORPUS_EN);
  const handle = t.server.invoke({
    guildId,
    commandName: 'train',
    options: { file1: file },
    memberPermissions: SERVER_MANAGER,
  });
  await handle.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: 20_000 });
}

describe('/listen and batch retraining', () => {
  test('listen add keeps new messages and the batch trains them into the model', async () => {
    const { guildId, general } = freshGuild();
    await listen(guildId, general);
    await say(
      guildId,
      general,
      [
        { content: 'the sun is warm today' },
        { content: 'the rain is cold today' },
        { content: 'hello <@123456789012345678> https://x.io' },
      ],
      3,
    );
    expect(learning().counts(guildId)).toMatchObject({ messages: 3, untrained: 3 });
    const outcomes = await learning().runAll();
    expect(outcomes.get(guildId)).toBe('appended');
    expect(corpusLines(guildId)).toBe(3);
    expect(learning().counts(guildId).untrained).toBe(0);
    await say(guildId, general, [{ content: 'tomorrow the sun again' }], 4);
    expect((await learning().runAll()).get(guildId)).toBe('appended');
    expect(corpusLines(guildId)).toBe(4);
  });

  test('listen: a deleted message is not present after the next retraining', async () => {
    const { guildId, general } = freshGuild();
    await listen(guildId, general);
    const [, doomed] = await say(
      guildId,
      general,
      [{ content: 'plain words here' }, { content: 'zebra quagga okapi' }],
      2,
    );
    await learning().runAll();
    const before = vocabulary(guildId);
    t.server.deleteUserMessage(doomed.id);
    await t.server.waitFor(() => learning().counts(guildId).messages === 1);
    expect(learning().settings(guildId).dirty).toBe(true);
    expect((await learning().runAll()).get(guildId)).toBe('rebuilt');
    expect(corpusLines(guildId)).toBe(1);
    expect(vocabulary(guildId)).toBe(before - 3);
    const text = (await t.bot.manager.generate(guildId, { prompt: 'zebra', maxLength: 20, seed: 1 })).text;
    expect(text).not.toMatch(/quagga|okapi/);
  });

  test('listen: an edited message is retrained with its new text', async () => {
    const { guildId, general } = freshGuild();
    await listen(guildId, general);
    const [edited] = await say(guildId, general, [{ content: 'old words only' }], 1);
    await learning().runAll();
    const before = vocabulary(guildId);
    t.server.editUserMessage(edited.id, 'new words entirely different');
    await t.server.waitFor(() => learning().settings(guildId).dirty);
    expect((await learning().runAll()).get(guildId)).toBe('rebuilt');
    // 'old words only' → 'new words entirely different': 3 words out, 4 in ('words' stays).
    expect(vocabulary(guildId)).toBe(before + 1);
    expect(corpusLines(guildId)).toBe(1);
  });

  test('listen keeps messages of a listened channel’s threads, never of bots, and never of another server', async () => {
    const { guildId, general, random } = freshGuild();
    const other = freshGuild();
    await listen(guildId, general);
    await say(guildId, general, [{ content: 'from a bot', author: OTHER_BOT }, { content: 'from a person' }], 1);
    t.server.postMessage({ channelId: random, content: 'not listened', author: ANA });
    t.server.postMessage({ channelId: other.general, content: 'another server', author: ANA });
    await say(guildId, general, [{ content: 'sync point' }], 2);
    expect(learning().counts(other.guildId).messages).toBe(0);
    const outcomes = await learning().runAll();
    expect(outcomes.has(other.guildId)).toBe(false);
    expect(t.bot.manager.status(other.guildId).active.kind).toBe('none');
  });

  test('listen list shows listened channels, kept messages and privacy mode; listen remove stops collecting', async () => {
    const { guildId, general } = freshGuild();
    await listen(guildId, general);
    await say(guildId, general, [{ content: 'one message' }], 1);
    const list = await run(guildId, 'listen', 'list');
    expect(visibleText(list.original)).toContain(`<#${general}>`);
    expect(visibleText(list.original)).toContain('1 (');
    expect(visibleText(list.original)).toContain('open: every member');
    const removed = await run(guildId, 'listen', 'remove', { channel: general });
    expect(visibleText(removed.original)).toContain('No longer listening');
    t.server.postMessage({ channelId: general, content: 'after removal', author: ANA });
    await t.bot.channelEvents!.idle();
    expect(learning().counts(guildId).messages).toBe(1);
  });

  test('listen add refuses a channel the bot cannot see, naming View Channel (Spanish)', async () => {
    const { guildId, hidden } = freshGuild();
    const handle = await run(guildId, 'listen', 'add', { channel: hidden }, { locale: 'es-ES' });
    expect(visibleText(handle.original)).toContain('me falta el permiso **Ver canal**');
    expect(learning().listened(guildId)).toEqual([]);
  });
});

describe('cleaning default (listen clean)', () => {
  test('listen clean sets the server default that /train files use; /train clean overrides it', async () => {
    const { guildId } = freshGuild();
    const trainText = async (extra: Record<string, string> = {}) => {
      const file = t.server.addAttachment('c.txt', 'hello <@123456789012345678> there https://example.com/x');
      const handle = t.server.invoke({
        guildId,
        commandName: 'train',
        options: { file1: file, ...extra },
        memberPermissions: SERVER_MANAGER,
      });
      await handle.waitFor(
        (h) => customIds(h.original).includes('train:save') || customIds(h.original).includes('train:replace'),
        { timeoutMs: 20_000 },
      );
      if (customIds(handle.original).includes('train:replace')) {
        await handle.click('train:replace');
        await handle.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: 20_000 });
      }
      return vocabulary(guildId);
    };
    const stripped = await trainText();
    const set = await run(guildId, 'listen', 'clean', { mode: 'replace' });
    expect(visibleText(set.original)).toContain('replace them with plain words');
    const replaced = await trainText();
    const kept = await trainText({ clean: 'off' });
    // strip: hello there · replace: hello @user there link (the tokenizer splits "@" from "user") · off: the mention's
    // and the URL's pieces
    expect(replaced).toBe(stripped + 3);
    expect(kept).toBeGreaterThan(stripped);
    expect(kept).not.toBe(replaced);
  });
});

describe('privacy and forgetting (listen)', () => {
  test('/forget me removes the invoker’s kept messages and the retraining leaves them out', async () => {
    const { guildId, general } = freshGuild();
    await listen(guildId, general);
    await say(
      guildId,
      general,
      [
        { content: 'ana says hello', author: ANA },
        { content: 'ben says goodbye', author: BEN },
      ],
      2,
    );
    await learning().runAll();
    const forgotten = await run(guildId, 'forget', 'me', {}, { user: ANA, memberPermissions: MEMBER });
    expect(visibleText(forgotten.original)).toContain('1 of your message was removed');
    expect(learning().counts(guildId).messages).toBe(1);
    expect((await learning().runAll()).get(guildId)).toBe('rebuilt');
    expect(corpusLines(guildId)).toBe(1);
  });

  test('listen in opt-in mode keeps only members who joined; leaving forgets them', async () => {
    const { guildId, general } = freshGuild();
    await listen(guildId, general);
    const mode = await run(guildId, 'privacy', 'mode', { value: 'opt-in' });
    expect(visibleText(mode.original)).toContain('opt-in');
    const joined = await run(guildId, 'privacy', 'join', {}, { user: ANA, memberPermissions: MEMBER });
    expect(visibleText(joined.original)).toContain('You joined');
    t.server.postMessage({ channelId: general, content: 'ben did not join', author: BEN });
    await say(guildId, general, [{ content: 'ana joined' }], 1);
    const left = await run(guildId, 'privacy', 'leave', {}, { user: ANA, memberPermissions: MEMBER });
    expect(visibleText(left.original)).toContain('1 kept message was removed');
    await say(guildId, general, [{ content: 'ana again' }], 0);
    await t.bot.channelEvents!.idle();
    expect(learning().counts(guildId).messages).toBe(0);
  });

  test('/privacy mode and /forget channel need Manage Server; forget channel asks first', async () => {
    const { guildId, general } = freshGuild();
    await listen(guildId, general);
    await say(guildId, general, [{ content: 'keep me' }, { content: 'and me' }], 2);
    const refused = await run(guildId, 'privacy', 'mode', { value: 'opt-in' }, { memberPermissions: MEMBER });
    expect(seen(refused)).toContain('You need the **Manage Server** permission');
    const notAllowed = await run(guildId, 'forget', 'channel', { channel: general }, { memberPermissions: MEMBER });
    expect(seen(notAllowed)).toContain('Manage Server');
    const asked = t.server.invoke({
      guildId,
      commandName: 'forget',
      subcommand: 'channel',
      options: { channel: general },
      memberPermissions: SERVER_MANAGER,
    });
    await asked.waitFor((h) => customIds(h.original).includes('forget:confirm'));
    expect(learning().counts(guildId).messages).toBe(2);
    await asked.click('forget:confirm');
    await asked.waitFor((h) => visibleText(h.original).includes('kept messages of'));
    expect(visibleText(asked.original)).toContain('2 kept messages');
    expect(learning().counts(guildId).messages).toBe(0);
  });
});

describe('replies (mention and reply chance)', () => {
  test('a mention of the bot is always answered, seeded by the message, never pinging', async () => {
    const { guildId, general } = freshGuild();
    await trainFile(guildId);
    roll = 0.99;
    t.server.postMessage({
      channelId: general,
      content: `<@${t.server.applicationId}> the cat <@${ANA.id}> @everyone`,
      author: BEN,
    });
    await t.server.waitFor(() => botMessages(general).length === 1);
    const [reply] = botMessages(general);
    expect(reply.content.length).toBeGreaterThan(0);
    const request = t.server.requests.find((r) => r.method === 'POST' && r.path === `/channels/${general}/messages`)!;
    expect(mentionsOf(request)).toEqual({ parse: [] });
    t.server.assertNoViolations();
  });

  test('a mention with no model answers how to get one, in the server’s language', async () => {
    const { guildId, general } = freshGuild();
    void guildId;
    t.server.postMessage({ channelId: general, content: `<@${t.server.applicationId}> hola`, author: BEN });
    await t.server.waitFor(() => botMessages(general).length === 1);
    expect(botMessages(general)[0].content).toContain('No model is active on this server');
  });

  test('reply chance 100 answers messages in that channel; the default 0 does not', async () => {
    const { guildId, general, random } = freshGuild();
    await trainFile(guildId);
    const set = await run(guildId, 'reply', undefined, { chance: 100, channel: general });
    expect(visibleText(set.original)).toContain('100% of the messages');
    roll = 0.5;
    t.server.postMessage({ channelId: random, content: 'the dog', author: ANA });
    t.server.postMessage({ channelId: general, content: 'the dog', author: ANA });
    await t.server.waitFor(() => botMessages(general).length === 1);
    await t.bot.channelEvents!.idle();
    expect(botMessages(random)).toHaveLength(0);
  });

  test('reply chance without a channel applies to listened channels only, and is rolled', async () => {
    const { guildId, general, random } = freshGuild();
    await trainFile(guildId);
    await listen(guildId, general);
    await run(guildId, 'reply', undefined, { chance: 30 });
    roll = 0.5; // 50 ≥ 30: no answer
    t.server.postMessage({ channelId: general, content: 'the cat sat', author: ANA });
    await t.server.waitFor(() => learning().counts(guildId).messages === 1);
    await t.bot.channelEvents!.idle();
    expect(botMessages(general)).toHaveLength(0);
    roll = 0.1; // 10 < 30: answered, in the listened channel only
    t.server.postMessage({ channelId: random, content: 'the cat sat', author: ANA });
    t.server.postMessage({ channelId: general, content: 'the cat sat', author: ANA });
    await t.server.waitFor(() => botMessages(general).length === 1);
    await t.bot.channelEvents!.idle();
    expect(botMessages(random)).toHaveLength(0);
  });

  test('reply chance never answers bots or the bot itself', async () => {
    const { guildId, general } = freshGuild();
    await trainFile(guildId);
    await run(guildId, 'reply', undefined, { chance: 100, channel: general });
    roll = 0;
    t.server.postMessage({ channelId: general, content: `<@${t.server.applicationId}> the cat`, author: OTHER_BOT });
    t.server.postMessage({ channelId: general, content: 'the cat', author: ANA });
    // One answer to Ana; the bot's own answer comes back as MESSAGE_CREATE and is not answered.
    await t.server.waitFor(() => botMessages(general).length === 1);
    await t.server.waitFor(() => t.server.gatewayLog.filter((entry) => entry.t === 'MESSAGE_CREATE').length >= 3);
    await t.bot.channelEvents!.idle();
    expect(botMessages(general)).toHaveLength(1);
  });

  test('reply chance is refused outside 0–100 with the usual localized error', async () => {
    const { guildId, general } = freshGuild();
    const handle = await run(guildId, 'reply', undefined, { chance: 150, channel: general }, { locale: 'es-ES' });
    expect(seen(handle)).toContain('`probabilidad` admite como máximo 100; «150» es demasiado.');
    expect(learning().replyChance(guildId, general)).toBe(0);
  });
});

describe('reply cooldown', () => {
  test('a mention within the channel cooldown is not answered twice', async () => {
    const cooled = await startTestBot({
      serverOptions: { guilds: 1, privilegedIntents: ['MessageContent'] },
      env: { LEARN_FROM_CHANNELS: 'true', REPLY_COOLDOWN_SECONDS: '600' },
    });
    try {
      const guildId = cooled.server.guilds[0].id;
      const [general] = cooled.server.channelsOf(guildId);
      const file = cooled.server.addAttachment('corpus.txt', CORPUS_EN);
      const training = cooled.server.invoke({
        guildId,
        commandName: 'train',
        options: { file1: file },
        memberPermissions: SERVER_MANAGER,
      });
      await training.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: 20_000 });
      const mention = `<@${cooled.server.applicationId}> the cat`;
      cooled.server.postMessage({ channelId: general.id, content: mention, author: ANA });
      await cooled.server.waitFor(() =>
        cooled.server.channelMessages(general.id).some((message) => message.kind === 'channel'),
      );
      cooled.server.postMessage({ channelId: general.id, content: mention, author: BEN });
      cooled.server.postMessage({ channelId: general.id, content: mention, author: ANA });
      await cooled.server.waitFor(
        () => cooled.server.gatewayLog.filter((entry) => entry.t === 'MESSAGE_CREATE').length >= 4,
      );
      await cooled.bot.channelEvents!.idle();
      expect(cooled.server.channelMessages(general.id).filter((message) => message.kind === 'channel')).toHaveLength(1);
    } finally {
      await cooled.close();
    }
  });
});
