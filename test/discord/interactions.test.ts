import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  Events,
  ModalBuilder,
  PermissionFlagsBits,
  Routes,
  SlashCommandBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
  type Client,
  type Interaction,
  type TextChannel,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { loginClient } from './harness.js';
import { startDiscordServer, type DiscordServer, type DiscordServerOptions } from './server.js';

let server: DiscordServer | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await server?.close();
  client = undefined;
  server = undefined;
});

type Handler = (interaction: Interaction) => Promise<unknown>;

/** The throwaway bot: one handler, and every error it hits kept for the test to look at. */
async function startBot(handler: Handler, options: DiscordServerOptions = {}) {
  server = await startDiscordServer(options);
  client = await loginClient(server);
  const errors: unknown[] = [];
  client.on(Events.InteractionCreate, (interaction) => {
    handler(interaction).catch((error: unknown) => errors.push(error));
  });
  return { server, client, errors };
}

const apiCode = (error: unknown) => (error instanceof DiscordAPIError ? error.code : error);
const noop: Handler = async () => undefined;

describe('command registration', () => {
  const train = new SlashCommandBuilder()
    .setName('train')
    .setDescription('Train a model')
    .setDescriptionLocalizations({ 'es-ES': 'Entrena un modelo' })
    .addAttachmentOption((option) => option.setName('file').setDescription('Text file').setRequired(true))
    .addStringOption((option) => option.setName('name').setDescription('Model name').setAutocomplete(true));
  const ping = new SlashCommandBuilder().setName('ping').setDescription('Ping');

  it('stores global commands, lists them, and keeps ids across overwrites', async () => {
    const { server, client } = await startBot(noop);
    const application = client.application!;
    const first = await application.commands.set([train, ping]);
    expect([...first.values()].map((command) => command.name).sort()).toEqual(['ping', 'train']);
    const stored = server.commands();
    expect(stored.map((command) => [command.name, command.application_id, command.type])).toEqual([
      ['train', server.applicationId, 1],
      ['ping', server.applicationId, 1],
    ]);
    expect(stored.every((command) => /^\d{17,19}$/.test(command.id))).toBe(true);

    const fetched = await application.commands.fetch();
    expect([...fetched.keys()].sort()).toEqual(stored.map((command) => command.id).sort());
    const again = await application.commands.set([train]);
    expect([...again.keys()]).toEqual([stored[0].id]);
    expect(server.commands().map((command) => command.name)).toEqual(['train']);

    const plain = (await client.rest.get(Routes.applicationCommands(server.applicationId))) as Record<
      string,
      unknown
    >[];
    expect(plain[0].description_localizations).toBeUndefined();
    const localized = (await client.rest.get(Routes.applicationCommands(server.applicationId), {
      query: new URLSearchParams({ with_localizations: 'true' }),
    })) as Record<string, unknown>[];
    expect(localized[0].description_localizations).toEqual({ 'es-ES': 'Entrena un modelo' });
    server.assertNoViolations();
  });

  it('stores guild commands apart, and an invocation carries the registered id', async () => {
    let seen: Interaction | undefined;
    const { server, client } = await startBot(async (interaction) => {
      seen = interaction;
      if (interaction.isChatInputCommand()) await interaction.reply('ok');
    });
    const guildId = server.guilds[0].id;
    await client.application!.commands.set([ping], guildId);
    expect(server.commands()).toEqual([]);
    const [registered] = server.commands(guildId);
    expect(registered).toMatchObject({ name: 'ping', guild_id: guildId });
    const guildCommands = await client.guilds.cache.get(guildId)!.commands.fetch();
    expect([...guildCommands.keys()]).toEqual([registered.id]);

    await server.invoke({ commandName: 'ping' }).settled({ quietMs: 10 });
    expect(seen?.isChatInputCommand() && seen.commandId).toBe(registered.id);
    expect(seen?.isChatInputCommand() && seen.commandGuildId).toBe(guildId);
  });

  it('refuses bad definitions with 50035 and the place of each error', async () => {
    const { server, client } = await startBot(noop);
    const bad = [
      { name: 'Train', description: 'Upper-case name' },
      {
        name: 'ok',
        description: 'd',
        options: [
          { type: 3, name: 'later', description: 'd' },
          { type: 3, name: 'first', description: 'd', required: true },
        ],
      },
    ];
    const error = await client.rest
      .put(Routes.applicationCommands(server.applicationId), { body: bad })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscordAPIError);
    const apiError = error as DiscordAPIError;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe(50035);
    expect(apiError.rawError).toEqual({
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        0: { name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }] } },
        1: {
          options: {
            1: {
              required: {
                _errors: [
                  {
                    code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
                    message: 'Required options must be placed before non-required options',
                  },
                ],
              },
            },
          },
        },
      },
    });
    expect(server.commands()).toEqual([]);
    expect(server.violations.map((violation) => [violation.rule, violation.issues.map((issue) => issue.rule)])).toEqual(
      [['COMMAND_NAME_INVALID', ['COMMAND_NAME_INVALID', 'REQUIRED_AFTER_OPTIONAL']]],
    );
    // Each response is JSON, including errors.
    expect(server.requests.at(-1)?.status).toBe(400);
  });
});

describe('interactions the bot handles', () => {
  it('delivers every field discord.js reads', async () => {
    let seen: Interaction | undefined;
    const { server } = await startBot(
      async (interaction) => {
        seen = interaction;
        if (interaction.isChatInputCommand()) await interaction.reply({ content: 'ok' });
      },
      { guilds: [{ name: 'Hispano', locale: 'es-ES', channels: [{ name: 'general' }, { name: 'bots' }] }] },
    );
    const guild = server.guilds[0];
    const handle = server.invoke({
      commandName: 'echo',
      channelId: guild.channelIds[1],
      locale: 'es-419',
      user: { id: '123456789012345678', username: 'ana' },
      memberPermissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages,
      options: { text: 'hola', times: 3, loud: true, ratio: 0.5 },
    });
    await handle.firstResponse();
    expect(Object.keys(handle.payload).sort()).toEqual(
      [
        'app_permissions',
        'application_id',
        'attachment_size_limit',
        'authorizing_integration_owners',
        'channel',
        'channel_id',
        'context',
        'data',
        'entitlements',
        'guild',
        'guild_id',
        'guild_locale',
        'id',
        'locale',
        'member',
        'token',
        'type',
        'version',
      ].sort(),
    );
    expect(handle.payload.entitlements).toEqual([]);
    expect(handle.payload.authorizing_integration_owners).toEqual({ 0: guild.id });
    expect(handle.id).toMatch(/^\d{17,19}$/);
    if (!seen?.isChatInputCommand()) throw new Error('expected a chat-input command');
    expect(seen.commandName).toBe('echo');
    expect(seen.guildId).toBe(guild.id);
    expect(seen.channelId).toBe(guild.channelIds[1]);
    expect((seen.channel as TextChannel).name).toBe('bots');
    expect(seen.locale).toBe('es-419');
    expect(seen.guildLocale).toBe('es-ES');
    expect(seen.user.id).toBe('123456789012345678');
    expect(seen.user.username).toBe('ana');
    expect(seen.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(seen.memberPermissions?.has(PermissionFlagsBits.Administrator)).toBe(false);
    expect(seen.appPermissions.has(PermissionFlagsBits.AttachFiles)).toBe(true);
    expect(seen.attachmentSizeLimit).toBe(10 * 1024 * 1024);
    expect(seen.options.getString('text')).toBe('hola');
    expect(seen.options.getInteger('times')).toBe(3);
    expect(seen.options.getBoolean('loud')).toBe(true);
    expect(seen.options.getNumber('ratio')).toBe(0.5);
    expect(seen.applicationId).toBe(server.applicationId);
  });

  it('runs a command with an attachment: defer, download from the CDN, edit', async () => {
    const { server, errors } = await startBot(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      const file = interaction.options.getAttachment('file', true);
      const text = await (await fetch(file.url)).text();
      await interaction.editReply(
        `${file.name}: ${text.split('\n').length} lines, ${file.size} bytes, ${file.contentType}`,
      );
    });
    const corpus = server.addAttachment('corpus.txt', 'one\ntwo\nthree');
    const handle = server.invoke({ commandName: 'train', options: { file: corpus } });
    const outcome = await handle.settled();
    expect(errors).toEqual([]);
    expect(outcome.acknowledged).toBe(true);
    expect(outcome.deferred).toBe(true);
    expect(outcome.events.map((event) => [event.kind, event.callbackType])).toEqual([
      ['callback', 5],
      ['edit', undefined],
    ]);
    expect(outcome.original?.content).toBe('corpus.txt: 3 lines, 13 bytes, text/plain; charset=utf-8');
    expect(outcome.original?.flags).toBe(0);
    expect(outcome.original?.versions.map((version) => [version.content, version.flags])).toEqual([
      ['', 128],
      ['corpus.txt: 3 lines, 13 bytes, text/plain; charset=utf-8', 0],
    ]);
    expect((handle.payload.data as { resolved: unknown }).resolved).toEqual({ attachments: { [corpus.id]: corpus } });
    const download = server.requests.find(
      (request) => request.route === '/attachments/{channel}/{attachment}/{filename}',
    );
    expect(download?.status).toBe(200);
    expect(handle.requests.map((request) => `${request.method} ${request.route} ${request.status}`)).toEqual([
      'POST /interactions/{interaction}/{token}/callback 204',
      'PATCH /webhooks/{application}/{token}/messages/{message} 200',
    ]);
    expect(handle.requests[1].path).toMatch(/\/messages\/@original$/);
    server.assertNoViolations();
  });

  it('answers autocomplete with the choices the bot computed', async () => {
    const models = ['alpha', 'alpine', 'beta', 'gamma'];
    const { server } = await startBot(async (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const typed = interaction.options.getFocused();
      await interaction.respond(models.filter((name) => name.startsWith(typed)).map((name) => ({ name, value: name })));
    });
    const handle = server.autocomplete({ commandName: 'use', options: { name: 'al' }, focused: 'name' });
    const response = await handle.firstResponse();
    expect(response.callbackType).toBe(8);
    expect(handle.choices).toEqual([
      { name: 'alpha', value: 'alpha' },
      { name: 'alpine', value: 'alpine' },
    ]);
    expect((handle.payload.data as { options: unknown }).options).toEqual([
      { name: 'name', type: 3, value: 'al', focused: true },
    ]);
    server.assertNoViolations();
  });

  it('updates the message when a user clicks its button (type 7) or picks in its select', async () => {
    const { server, errors } = await startBot(async (interaction) => {
      if (interaction.isChatInputCommand()) {
        const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('page:2').setLabel('Next').setStyle(ButtonStyle.Primary),
          new ButtonBuilder().setCustomId('page:0').setLabel('Back').setStyle(ButtonStyle.Secondary).setDisabled(true),
        );
        const select = new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
          new StringSelectMenuBuilder()
            .setCustomId('model')
            .addOptions({ label: 'Alpha', value: 'alpha' }, { label: 'Beta', value: 'beta' }),
        );
        await interaction.reply({ content: 'Page 1', components: [buttons, select] });
      } else if (interaction.isButton()) {
        await interaction.update({ content: `Page ${interaction.customId.split(':')[1]}`, components: [] });
      } else if (interaction.isStringSelectMenu()) {
        await interaction.update({ content: `Chose ${interaction.values.join(', ')}` });
      }
    });
    const command = server.invoke({ commandName: 'models' });
    await command.settled({ quietMs: 10 });
    const message = command.original!;
    expect(message.components).toHaveLength(2);
    expect(() => command.click('page:0')).toThrow('COMPONENT_DISABLED');
    expect(() => command.click('nope')).toThrow('UNKNOWN_COMPONENT');

    const picked = command.select('model', ['beta']);
    await picked.settled({ quietMs: 10 });
    expect(picked.acknowledgement?.callbackType).toBe(7);
    expect(server.messages.find((m) => m.id === message.id)?.content).toBe('Chose beta');
    expect((picked.payload.message as { id: string }).id).toBe(message.id);
    expect(picked.payload.data).toEqual({ custom_id: 'model', component_type: 3, values: ['beta'] });

    const clicked = command.click('page:2');
    const outcome = await clicked.settled({ quietMs: 10 });
    expect(errors).toEqual([]);
    expect(outcome.original?.id).toBe(message.id);
    expect(outcome.original?.content).toBe('Page 2');
    expect(outcome.original?.components).toEqual([]);
    expect(outcome.original?.versions.map((version) => version.content)).toEqual(['Page 1', 'Chose beta', 'Page 2']);
    server.assertNoViolations();
  });

  it('shows a modal (type 9) and handles its submission', async () => {
    const { server, errors } = await startBot(async (interaction) => {
      if (interaction.isChatInputCommand()) {
        const modal = new ModalBuilder()
          .setCustomId('rename')
          .setTitle('Rename model')
          .addComponents(
            new ActionRowBuilder<TextInputBuilder>().addComponents(
              new TextInputBuilder().setCustomId('name').setLabel('New name').setStyle(TextInputStyle.Short),
            ),
          );
        await interaction.showModal(modal);
      } else if (interaction.isModalSubmit()) {
        await interaction.reply({ content: `Renamed to ${interaction.fields.getTextInputValue('name')}`, flags: 64 });
      }
    });
    const command = server.invoke({ commandName: 'rename' });
    expect((await command.firstResponse()).callbackType).toBe(9);
    expect(command.modal).toMatchObject({ custom_id: 'rename', title: 'Rename model' });
    expect(() => command.submitModal({ other: 'x' })).toThrow('UNKNOWN_MODAL_FIELD');
    const submitted = command.submitModal({ name: 'shakespeare' });
    const outcome = await submitted.settled({ quietMs: 10 });
    expect(errors).toEqual([]);
    expect(outcome.original?.content).toBe('Renamed to shakespeare');
    expect(outcome.original?.flags).toBe(64);
    expect(submitted.kind).toBe('modalSubmit');
    server.assertNoViolations();
  });

  it('stores a follow-up file so the test can read its bytes, also through the CDN', async () => {
    const bytes = Buffer.from([0x55, 0x4c, 0x4d, 0x00, 0xff, 0x10]);
    const { server, errors } = await startBot(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply('Exporting…');
      await interaction.followUp({
        content: 'Here it is',
        files: [{ attachment: bytes, name: 'model.ulm', description: 'the model' }],
      });
    });
    const handle = server.invoke({ commandName: 'export' });
    await handle.waitFor((h) => h.followUps.length === 1);
    const outcome = await handle.settled();
    expect(errors).toEqual([]);
    expect(outcome.original?.content).toBe('Exporting…');
    expect(outcome.followUps).toHaveLength(1);
    const [file] = outcome.followUps[0].files;
    expect(file).toMatchObject({ filename: 'model.ulm', size: 6, description: 'the model' });
    expect(file.bytes.equals(bytes)).toBe(true);
    const fetched = Buffer.from(await (await fetch(file.url)).arrayBuffer());
    expect(fetched.equals(bytes)).toBe(true);
    const upload = handle.requests.find((request) => request.route === '/webhooks/{application}/{token}');
    expect(upload?.files).toEqual([
      { field: 'files[0]', filename: 'model.ulm', contentType: 'application/octet-stream', size: 6 },
    ]);
    expect(upload?.body).toMatchObject({ content: 'Here it is', attachments: [{ id: '0', description: 'the model' }] });
    server.assertNoViolations();
  });

  it('records messages the bot posts in a channel', async () => {
    const { server, client } = await startBot(noop);
    const channelId = server.guilds[0].channelIds[0];
    const channel = client.channels.cache.get(channelId) as TextChannel;
    const sent = await channel.send({
      content: 'Training finished',
      embeds: [{ title: 'Stats', description: '3 lines' }],
    });
    expect(sent.id).toMatch(/^\d{17,19}$/);
    const [recorded] = server.channelMessages(channelId);
    expect(recorded).toMatchObject({
      id: sent.id,
      kind: 'channel',
      content: 'Training finished',
      embeds: [{ title: 'Stats', description: '3 lines' }],
    });
    server.assertNoViolations();
  });
});

describe('REST details', () => {
  it('honours with_response, and lets the bot fetch and delete its reply', async () => {
    const seen: Record<string, unknown> = {};
    const { server, errors } = await startBot(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const response = await interaction.reply({ content: 'hi', withResponse: true });
      seen.resourceType = response.resource?.type;
      seen.content = response.resource?.message?.content;
      seen.messageId = response.interaction.responseMessageId;
      seen.fetched = (await interaction.fetchReply()).content;
      await interaction.deleteReply();
    });
    const handle = server.invoke({ commandName: 'hello' });
    await handle.waitFor((h) => h.events.some((event) => event.kind === 'delete'));
    expect(errors).toEqual([]);
    expect(handle.requests[0].query).toEqual({ with_response: 'true' });
    expect(handle.requests[0].status).toBe(200);
    expect(seen).toEqual({ resourceType: 4, content: 'hi', messageId: handle.events[0].messageId, fetched: 'hi' });
    expect(handle.original).toBeUndefined();
    expect(handle.requests.map((request) => `${request.method} ${request.status}`)).toEqual([
      'POST 200',
      'GET 200',
      'DELETE 204',
    ]);
    server.assertNoViolations();
  });

  it('decodes %40original, ignores query strings, and answers errors as Discord JSON', async () => {
    const { server } = await startBot(async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply('original');
    });
    const handle = server.invoke({ commandName: 'x' });
    await handle.firstResponse();
    const url = `${server.apiBase}/v10/webhooks/${server.applicationId}/${handle.token}/messages/%40original?thread_id=&with_components=true`;
    const edited = await fetch(url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'edited' }),
    });
    expect(edited.status).toBe(200);
    expect(edited.headers.get('content-type')).toBe('application/json');
    expect(((await edited.json()) as { content: string }).content).toBe('edited');
    expect(handle.original?.content).toBe('edited');
    expect(handle.requests.at(-1)?.path).toBe(`/webhooks/${server.applicationId}/${handle.token}/messages/@original`);

    const unknown = await fetch(`${server.apiBase}/v10/nowhere`, { headers: { authorization: `Bot ${server.token}` } });
    expect([unknown.status, unknown.headers.get('content-type'), await unknown.json()]).toEqual([
      404,
      'application/json',
      { code: 0, message: '404: Not Found' },
    ]);
    const oldVersion = await fetch(`${server.apiBase}/v6/gateway/bot`, {
      headers: { authorization: `Bot ${server.token}` },
    });
    expect([oldVersion.status, await oldVersion.json()]).toEqual([
      400,
      { code: 50041, message: 'Invalid API version provided' },
    ]);
    const noAuth = await fetch(`${server.apiBase}/v10/gateway/bot`);
    expect([noAuth.status, await noAuth.json()]).toEqual([401, { code: 0, message: '401: Unauthorized' }]);
    expect(server.violations.map((violation) => violation.rule)).toEqual([
      'UNKNOWN_ROUTE',
      'INVALID_API_VERSION',
      'UNAUTHORIZED',
    ]);
  });
});

describe("Discord's rules", () => {
  it('refuses a first response after 3 s with 10062, measured on the server clock', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { server, errors } = await startBot(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await released;
      await interaction.reply('too late');
    });
    expect(server.config.responseDeadlineMs).toBe(3000);
    const handle = server.invoke({ commandName: 'slow' });
    const first = handle.firstResponse();
    first.catch(() => undefined);
    await server.waitFor(() => server.gatewayLog.some((entry) => entry.t === 'INTERACTION_CREATE'));
    server.advanceClock(3001);
    release();
    await expect(first).rejects.toThrow('NO_RESPONSE');
    await handle.waitFor(() => errors.length > 0);
    expect(errors.map(apiCode)).toEqual([10062]);
    expect(handle.violations.map((violation) => [violation.rule, violation.status, violation.code])).toEqual([
      ['INTERACTION_RESPONSE_LATE', 404, 10062],
    ]);
    expect(handle.outcome().acknowledged).toBe(false);
  });

  it('counts real time too', async () => {
    const { server, errors } = await startBot(
      async (interaction) => {
        if (!interaction.isChatInputCommand()) return;
        await new Promise((resolve) => setTimeout(resolve, 150));
        await interaction.reply('late');
      },
      { responseDeadlineMs: 100 },
    );
    const handle = server.invoke({ commandName: 'slow' });
    await handle.waitFor(() => errors.length > 0);
    expect(errors.map(apiCode)).toEqual([10062]);
  });

  it('expires the interaction token after 15 minutes (50027), and sooner when configured', async () => {
    const { server, errors } = await startBot(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply('first');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await interaction.followUp('second');
    });
    expect(server.config.tokenTtlMs).toBe(15 * 60_000);
    const inTime = server.invoke({ commandName: 'a' });
    await inTime.waitFor((h) => h.followUps.length === 1);
    expect(inTime.followUps.map((message) => message.content)).toEqual(['second']);

    const late = server.invoke({ commandName: 'b' });
    await late.firstResponse();
    server.advanceClock(15 * 60_000 + 1);
    await late.waitFor(() => errors.length > 0);
    expect(errors.map(apiCode)).toEqual([50027]);
    expect(late.violations.map((violation) => [violation.rule, violation.status])).toEqual([
      ['INTERACTION_TOKEN_EXPIRED', 401],
    ]);

    await client?.destroy();
    await server.close();
    const short = await startBot(
      async (interaction) => {
        if (!interaction.isChatInputCommand()) return;
        await interaction.reply('first');
        await new Promise((resolve) => setTimeout(resolve, 20));
        await interaction.editReply('edited');
      },
      { tokenTtlMs: 1000 },
    );
    const handle = short.server.invoke({ commandName: 'c' });
    await handle.firstResponse();
    short.server.advanceClock(1001);
    await handle.waitFor(() => short.errors.length > 0);
    expect(short.errors.map(apiCode)).toEqual([50027]);
  });

  it('refuses content over 2000 characters with Discord’s error body', async () => {
    const { server, errors } = await startBot(async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply('x'.repeat(2001));
    });
    const handle = server.invoke({ commandName: 'long' });
    await handle.waitFor(() => errors.length > 0);
    const error = errors[0] as DiscordAPIError;
    expect(error.status).toBe(400);
    expect(error.rawError).toEqual({
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        data: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } },
      },
    });
    expect(server.violations.map((violation) => violation.rule)).toEqual(['CONTENT_TOO_LONG']);
    expect(() => server.assertNoViolations()).toThrow(
      /CONTENT_TOO_LONG: Invalid Form Body \(POST \/interactions\/\d+\/.+\/callback\)/,
    );
  });

  it('refuses embeds beyond their limits, six action rows and long custom ids', async () => {
    const replies: Record<string, object> = {
      title: { embeds: [{ title: 't'.repeat(257) }] },
      total: { embeds: [{ description: 'd'.repeat(4096) }, { description: 'd'.repeat(2000) }] },
      fields: { embeds: [{ fields: Array.from({ length: 26 }, (_, i) => ({ name: `f${i}`, value: 'v' })) }] },
      rows: {
        content: 'rows',
        components: Array.from({ length: 6 }, (_, i) => ({
          type: 1,
          components: [{ type: 2, style: 1, label: 'b', custom_id: `b${i}` }],
        })),
      },
      customId: {
        content: 'id',
        components: [{ type: 1, components: [{ type: 2, style: 1, label: 'b', custom_id: 'c'.repeat(101) }] }],
      },
    };
    const { server, errors } = await startBot(async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply(replies[interaction.commandName]);
    });
    for (const commandName of Object.keys(replies)) {
      const before = errors.length;
      const handle = server.invoke({ commandName });
      await handle.waitFor(() => errors.length > before);
    }
    expect(errors.map(apiCode)).toEqual([50035, 50035, 50035, 50035, 50035]);
    expect(server.violations.map((violation) => violation.rule)).toEqual([
      'EMBED_TITLE_TOO_LONG',
      'EMBEDS_TOO_LARGE',
      'EMBED_TOO_MANY_FIELDS',
      'TOO_MANY_ACTION_ROWS',
      'CUSTOM_ID_LENGTH',
    ]);
  });

  it('refuses more than 25 autocomplete choices, and autocomplete answered after 3 s', async () => {
    let count = 26;
    const { server, errors } = await startBot(async (interaction) => {
      if (!interaction.isAutocomplete()) return;
      if (interaction.options.getFocused() === 'slow') server.advanceClock(3001);
      await interaction.respond(Array.from({ length: count }, (_, i) => ({ name: `m${i}`, value: `m${i}` })));
    });
    const tooMany = server.autocomplete({ commandName: 'use', options: { name: 'm' }, focused: 'name' });
    await tooMany.waitFor(() => errors.length > 0);
    count = 25;
    const late = server.autocomplete({ commandName: 'use', options: { name: 'slow' }, focused: 'name' });
    await late.waitFor(() => errors.length > 1);
    const fine = server.autocomplete({ commandName: 'use', options: { name: 'm' }, focused: 'name' });
    await fine.firstResponse();
    expect(errors.map(apiCode)).toEqual([50035, 10062]);
    expect(server.violations.map((violation) => violation.rule)).toEqual([
      'TOO_MANY_CHOICES',
      'INTERACTION_RESPONSE_LATE',
    ]);
    expect(fine.choices).toHaveLength(25);
  });

  it('refuses a second initial response with 40060', async () => {
    const { server, client, errors } = await startBot(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply('first');
      // A second process (or a raw REST call) answering the same interaction.
      await client!.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: { type: 4, data: { content: 'second' } },
        auth: false,
      });
    });
    const handle = server.invoke({ commandName: 'twice' });
    await handle.waitFor(() => errors.length > 0);
    expect(errors.map(apiCode)).toEqual([40060]);
    expect((errors[0] as DiscordAPIError).rawError).toEqual({
      code: 40060,
      message: 'Interaction has already been acknowledged.',
    });
    expect(handle.violations.map((violation) => violation.rule)).toEqual(['INTERACTION_ALREADY_ACKNOWLEDGED']);
    expect(handle.original?.content).toBe('first');
  });

  it('refuses callback types the interaction does not allow, and edits before any response', async () => {
    const { server, client, errors } = await startBot(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const rest = client!.rest;
      await rest
        .patch(Routes.webhookMessage(interaction.applicationId, interaction.token), {
          body: { content: 'nothing yet' },
          auth: false,
        })
        .catch((error: unknown) => errors.push(error));
      await rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: { type: 7, data: { content: 'update what?' } },
        auth: false,
      });
    });
    const handle = server.invoke({ commandName: 'odd' });
    await handle.waitFor(() => errors.length > 1);
    expect(errors.map(apiCode)).toEqual([10008, 50035]);
    expect(handle.violations.map((violation) => violation.rule)).toEqual(['NOT_ACKNOWLEDGED', 'INVALID_CALLBACK_TYPE']);
  });
});

describe('fault injection', () => {
  it('answers 429 with Retry-After; discord.js waits, retries and succeeds', async () => {
    const { server, errors } = await startBot(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      await interaction.editReply('done');
    });
    const callbackLimit = server.rateLimit('/interactions/{interaction}/{token}/callback', { retryAfterMs: 120 });
    const editLimit = server.rateLimit('/webhooks/:id/:token/messages/:id', { retryAfterMs: 80, method: 'PATCH' });
    const handle = server.invoke({ commandName: 'work' });
    await handle.waitFor((h) => h.original?.content === 'done');
    const outcome = handle.outcome();
    expect(errors).toEqual([]);
    expect(callbackLimit.hits).toBe(1);
    expect(editLimit.hits).toBe(1);
    expect(outcome.original?.content).toBe('done');
    expect(handle.requests.map((request) => [request.method, request.status, request.fault])).toEqual([
      ['POST', 429, 'rateLimit'],
      ['POST', 204, undefined],
      ['PATCH', 429, 'rateLimit'],
      ['PATCH', 200, undefined],
    ]);
    expect(handle.requests[0].response).toEqual({
      message: 'You are being rate limited.',
      retry_after: 0.12,
      global: false,
      code: 0,
    });
    expect(handle.acknowledgement!.elapsedMs).toBeGreaterThanOrEqual(120);
    server.assertNoViolations();
  });

  it('survives a global 429', async () => {
    const { server, client } = await startBot(noop);
    server.rateLimit('/channels/{channel}/messages', { retryAfterMs: 60, global: true });
    const channel = client.channels.cache.get(server.guilds[0].channelIds[0]) as TextChannel;
    await channel.send('hello');
    expect(
      server.requests
        .filter((request) => request.route === '/channels/{channel}/messages')
        .map((request) => request.status),
    ).toEqual([429, 200]);
    expect(server.channelMessages(channel.id).map((message) => message.content)).toEqual(['hello']);
  });

  it('answers 500 once; discord.js retries', async () => {
    const { server, errors } = await startBot(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply('one');
      await interaction.followUp('two');
    });
    server.serverError('/webhooks/{application}/{token}');
    const handle = server.invoke({ commandName: 'flaky' });
    await handle.waitFor((h) => h.followUps.length === 1);
    const outcome = handle.outcome();
    expect(errors).toEqual([]);
    expect(outcome.followUps.map((message) => message.content)).toEqual(['two']);
    expect(handle.requests.map((request) => request.status)).toEqual([204, 500, 200]);
    server.assertNoViolations();
  });

  it('delays a route', async () => {
    const { server } = await startBot(async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply('ok');
    });
    const delayed = server.delay('/interactions/{interaction}/{token}/callback', 80);
    const handle = server.invoke({ commandName: 'ping' });
    const first = await handle.firstResponse();
    expect(first.elapsedMs).toBeGreaterThanOrEqual(80);
    expect(delayed.hits).toBe(1);
    expect(handle.requests[0].fault).toBe('delay');
  });
});
