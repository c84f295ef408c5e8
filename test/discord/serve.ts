// Runs the local Discord by hand, to try the bot without Discord:
//
//   npx tsx test/discord/serve.ts [--port 8787] [--guilds 2] [--shards 1] [--token <token>]
//   DISCORD_TOKEN=<printed token> DISCORD_API_URL=http://127.0.0.1:8787/api npm start
//
// then type as a user would, one action a line:
//   /generate prompt:"once upon a time" max_length:40
//   /train file1:@./corpus.txt            (@path uploads a local file as the attachment)
//   ?load name:sha                        (autocomplete: the option being typed and its text)
//   click <custom_id> · select <custom_id> a,b · submit name=value;other=value
//   guild <n> · violations · requests · quit
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { InteractionHandle, OptionValue } from './interactions.js';
import { startDiscordServer } from './server.js';
import type { Json, RecordedMessage } from './state.js';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
};

/** `a:b c:"d e"` → [['a','b'], ['c','d e']]; the first word is the command name. */
function words(line: string): string[] {
  return [...line.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((match) => match[0].replace(/"/g, ''));
}

const server = await startDiscordServer({
  port: Number(flag('port') ?? 8787),
  guilds: Number(flag('guilds') ?? 2),
  shardsRecommended: Number(flag('shards') ?? 1),
  token: flag('token'),
});
let guildIndex = 0;
let last: InteractionHandle | undefined;

console.log(`local Discord at ${server.url}
  DISCORD_TOKEN=${server.token}
  DISCORD_API_URL=${server.apiBase}
guilds: ${server.guilds.map((guild, i) => `${i}=${guild.id}`).join(' ')}  (acting in guild 0; "guild <n>" to switch)`);

function showMessage(label: string, message: RecordedMessage): void {
  const flags = [message.flags & 64 ? 'ephemeral' : '', message.flags & 128 ? 'thinking…' : '']
    .filter(Boolean)
    .join(', ');
  console.log(`  ${label}${flags ? ` (${flags})` : ''}: ${message.content}`);
  for (const embed of message.embeds) {
    console.log(`    [embed] ${String(embed.title ?? '')} ${String(embed.description ?? '')}`);
    for (const field of (embed.fields as Json[] | undefined) ?? [])
      console.log(`      ${String(field.name)}: ${String(field.value)}`);
  }
  const controls: string[] = [];
  const walk = (components: Json[]) =>
    components.forEach((component) => {
      if (typeof component.custom_id === 'string')
        controls.push(
          `${component.type === 2 ? 'button' : 'select'} ${component.custom_id}${component.label ? ` "${String(component.label)}"` : ''}${component.disabled ? ' (disabled)' : ''}`,
        );
      if (Array.isArray(component.components)) walk(component.components as Json[]);
    });
  walk(message.components);
  if (controls.length > 0) console.log(`    [components] ${controls.join(' · ')}`);
  for (const file of message.files) console.log(`    [file] ${file.filename} (${file.size} bytes) ${file.url}`);
}

function show(handle: InteractionHandle): void {
  const ack = handle.acknowledgement;
  console.log(ack ? `← callback type ${ack.callbackType} after ${ack.elapsedMs.toFixed(1)} ms` : '← no response');
  if (handle.original) showMessage('reply', handle.original);
  handle.followUps.forEach((message, i) => {
    showMessage(`follow-up ${i + 1}`, message);
  });
  if (handle.choices)
    console.log(
      `  choices: ${handle.choices.map((choice) => `${String(choice.name)}=${String(choice.value)}`).join(' | ')}`,
    );
  if (handle.modal)
    console.log(
      `  modal ${String(handle.modal.custom_id)} "${String(handle.modal.title)}" — answer with: submit field=value;…`,
    );
  for (const violation of handle.violations) console.log(`  ✗ ${violation.rule}: ${violation.message}`);
}

/** Prints later edits and follow-ups (training progress, results) as they arrive. */
async function follow(handle: InteractionHandle): Promise<void> {
  let seen = handle.events.length;
  for (;;) {
    try {
      await handle.waitFor((h) => h.events.length > seen, { timeoutMs: server.config.tokenTtlMs });
    } catch {
      return;
    }
    seen = handle.events.length;
    console.log(`\n(update to ${handle.id})`);
    show(handle);
  }
}

async function act(line: string): Promise<InteractionHandle | undefined> {
  const [head, ...rest] = words(line);
  const guildId = server.guilds[guildIndex].id;
  if (head.startsWith('/') || head.startsWith('?')) {
    const options: Record<string, OptionValue> = {};
    let focused: string | undefined;
    for (const word of rest) {
      const colon = word.indexOf(':');
      const name = word.slice(0, colon);
      const value = word.slice(colon + 1);
      focused ??= head.startsWith('?') ? name : undefined;
      if (value.startsWith('@')) {
        const path = value.slice(1);
        options[name] = server.addAttachment(
          basename(path),
          await readFile(path),
          CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
        );
      } else {
        options[name] = value;
      }
    }
    const commandName = head.slice(1);
    return focused
      ? server.autocomplete({ guildId, commandName, options, focused })
      : server.invoke({ guildId, commandName, options });
  }
  switch (head) {
    case 'click':
      return last?.click(rest[0]);
    case 'select':
      return last?.select(rest[0], (rest[1] ?? '').split(','));
    case 'submit':
      return last?.submitModal(
        Object.fromEntries(
          rest
            .join(' ')
            .split(';')
            .map((pair) => pair.split('=').map((part) => part.trim()) as [string, string]),
        ),
      );
    case 'guild':
      guildIndex = Number(rest[0]) % server.guilds.length;
      console.log(`acting in guild ${guildIndex} (${server.guilds[guildIndex].id})`);
      return undefined;
    case 'violations':
      console.log(
        server.violations
          .map((violation) => `${violation.rule}: ${violation.message} ${violation.path ?? ''}`)
          .join('\n') || 'none',
      );
      return undefined;
    case 'requests':
      console.log(
        server.requests
          .slice(-20)
          .map((request) => `${request.method} ${request.path} → ${request.status}`)
          .join('\n'),
      );
      return undefined;
    default:
      console.log('unknown action');
      return undefined;
  }
}

const input = createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
input.prompt();
for await (const line of input) {
  if (line.trim() === 'quit') break;
  if (line.trim() !== '') {
    try {
      const handle = await act(line.trim());
      if (handle) {
        last = handle;
        await handle.settled();
        show(handle);
        void follow(handle);
      }
    } catch (error) {
      console.log(`! ${(error as Error).message}`);
    }
  }
  input.prompt();
}
input.close();
await server.close();
process.exit(0);
