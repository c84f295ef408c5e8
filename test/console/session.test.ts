import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SlashCommandBuilder } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandContext, ComponentInteraction } from '../../src/commands/context.js';
import { UserError } from '../../src/errors.js';
import { drive, tempDir } from './harness.js';
import { fakeCommand, generateData } from './fixtures.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function builder(name: string) {
  return new SlashCommandBuilder().setName(name).setDescription(`The ${name} command`);
}

const echo = fakeCommand(generateData, async (ctx) => {
  await ctx.reply({
    content: `prompt=${String(ctx.options.prompt)} max=${String(ctx.options.max_length)} locale=${ctx.locale} owner=${ctx.canManageGuild}`,
  });
});

/** Asks Delete/Cancel like /delete, and reports the answer. */
const confirm = fakeCommand(builder('confirm'), async (ctx) => {
  await ctx.reply({
    content: 'Delete it?',
    ephemeral: true,
    components: [
      [
        { kind: 'button', id: 'yes', label: 'Delete', style: 'danger' },
        { kind: 'button', id: 'no', label: 'Cancel', style: 'secondary' },
      ],
    ],
  });
  const answer = await ctx.awaitComponent({ ids: ['yes', 'no'], timeoutMs: 60_000 });
  if (!answer) {
    await ctx.edit({ content: 'expired', components: [] });
    return;
  }
  await answer.update({ content: `answered ${answer.customId}`, components: [] });
});

describe('piped console', () => {
  it('runs a command with options typed as in Discord, as the guild owner, in the terminal language', async () => {
    const result = await drive(['/generate prompt:"En un lugar" max_length:40'], [echo], {
      env: { LANG: 'es_ES.UTF-8' },
    });
    expect(result.out).toContain('ultra> /generate prompt:"En un lugar" max_length:40\n');
    expect(result.out).toContain('prompt=En un lugar max=40 locale=es owner=true');
    expect(result.code).toBe(0);
  });

  it('ignores blank lines and # comments', async () => {
    const result = await drive(['# a script', '', '/generate prompt:hi'], [echo]);
    expect(result.out).toBe('ultra> /generate prompt:hi\nprompt=hi max=undefined locale=en owner=true\n');
    expect(result.code).toBe(0);
  });

  it('exits 1 after a command that failed, and still runs the rest', async () => {
    const failing = fakeCommand(builder('fail'), async () => {
      throw new UserError('NO_MODEL_LOADED', {});
    });
    const result = await drive(['/fail', '/generate prompt:after'], [failing, echo]);
    expect(result.out).toMatch(/✖ .*train/i);
    expect(result.out).toContain('prompt=after');
    expect(result.code).toBe(1);
  });

  it('answers an error in Spanish when the terminal is Spanish', async () => {
    const failing = fakeCommand(builder('fail'), async () => {
      throw new UserError('NO_MODEL_LOADED', {});
    });
    const english = await drive(['/fail'], [failing]);
    const spanish = await drive(['/fail'], [failing], { env: { LANG: 'es_ES.UTF-8' } });
    expect(english.out).not.toEqual(spanish.out);
    expect(spanish.out).toMatch(/entren/i);
  });

  it('reports a command-line mistake without running anything, and fails', async () => {
    let ran = false;
    const command = fakeCommand(generateData, async () => {
      ran = true;
    });
    const result = await drive(['/generate max_length:cuarenta'], [command]);
    expect(ran).toBe(false);
    expect(result.out).toContain('✖');
    expect(result.out).toContain('max_length');
    expect(result.code).toBe(1);
  });

  it('shows an unexpected error only as a reference, and logs the stack', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const broken = fakeCommand(builder('broken'), async () => {
      throw new TypeError('secret detail');
    });
    const result = await drive(['/broken'], [broken], { dataDir: dir.path });
    const reference = /Reference: ([0-9a-f]{8})/.exec(result.out)?.[1];
    expect(reference).toBeDefined();
    expect(result.out).not.toContain('secret detail');
    expect(result.out).not.toContain('at ');
    const log = readFileSync(join(dir.path, 'console.log'), 'utf8');
    expect(log).toContain(reference!);
    expect(log).toContain('secret detail');
    expect(result.code).toBe(1);
  });

  it('answers numbered buttons from the next input line, by number or by label', async () => {
    const byNumber = await drive(['/confirm', '1'], [confirm]);
    expect(byNumber.out).toContain('[1] Delete  [2] Cancel');
    expect(byNumber.out).toContain('answered yes');
    const byLabel = await drive(['/confirm', 'cancel'], [confirm]);
    expect(byLabel.out).toContain('answered no');
    expect(byNumber.code).toBe(0);
  });

  it('leaves a choice unanswered when the next line is a command, and runs that command', async () => {
    const result = await drive(['/confirm', '/generate prompt:next'], [confirm, echo]);
    expect(result.out).toContain('expired');
    expect(result.out).toContain('prompt=next');
    expect(result.out.indexOf('expired')).toBeLessThan(result.out.indexOf('prompt=next'));
    expect(result.code).toBe(0);
  });

  it('ends a pending choice at once when input ends', async () => {
    const started = Date.now();
    const result = await drive(['/confirm'], [confirm]);
    expect(result.out).toContain('expired');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('asks again after an answer that is not a choice', async () => {
    const result = await drive(['/confirm', '7', '2'], [confirm]);
    expect(result.out).toContain('"7" is not one of the choices');
    expect(result.out).toContain('answered no');
  });

  it('answers a select menu with the chosen value', async () => {
    const picker = fakeCommand(builder('pick'), async (ctx) => {
      await ctx.reply({
        content: 'Pick one',
        components: [
          [
            {
              kind: 'select',
              id: 'model',
              options: [
                { label: 'demo', value: 'demo' },
                { label: 'poemas', value: 'poemas' },
              ],
            },
          ],
        ],
      });
      const answer = await ctx.awaitComponent({ ids: ['model'], timeoutMs: 60_000 });
      await ctx.followUp({ content: `picked ${answer?.kind} ${answer?.values.join(',')}` });
    });
    const result = await drive(['/pick', '2'], [picker]);
    expect(result.out).toContain('  [1] demo\n  [2] poemas');
    expect(result.out).toContain('picked select poemas');
  });

  it('asks each field of a form on its own line (button → modal)', async () => {
    const saver = fakeCommand(builder('trainlike'), async (ctx) => {
      await ctx.reply({
        content: 'Trained.',
        components: [[{ kind: 'button', id: 'save', label: 'Save', style: 'success' }]],
      });
      const press = await ctx.awaitComponent({ ids: ['save'], timeoutMs: 60_000 });
      if (!press) return;
      await press.showModal({
        id: 'save-modal',
        title: 'Save trained model',
        fields: [
          { id: 'name', label: 'Name', style: 'short', required: true, maxLength: 10 },
          { id: 'note', label: 'Note', style: 'paragraph', required: false },
        ],
      });
      const submitted = await press.awaitModal('save-modal', 60_000);
      await ctx.followUp({
        content: submitted ? `saved as ${submitted.fields.name} (${submitted.fields.note || 'no note'})` : 'not saved',
      });
    });
    const result = await drive(['/trainlike', '1', 'demo', ''], [saver]);
    expect(result.out).toContain('Save trained model — answer each field on its own line:');
    expect(result.out).toContain('Name: demo');
    expect(result.out).toContain('saved as demo (no note)');
    const tooLong = await drive(['/trainlike', '1', 'a-very-long-name'], [saver]);
    expect(tooLong.out).toContain('At most 10 characters');
    expect(tooLong.out).toContain('not saved');
  });

  it('collects a form shown as the first answer and hands it to awaitComponent', async () => {
    const asker = fakeCommand(builder('ask'), async (ctx) => {
      await ctx.showModal({ id: 'm', title: 'Question', fields: [{ id: 'answer', label: 'Answer', style: 'short' }] });
      const submitted: ComponentInteraction | null = await ctx.awaitComponent({ ids: ['m'], timeoutMs: 1000 });
      await submitted?.reply({ content: `got ${submitted.kind} ${submitted.fields.answer}` });
    });
    const result = await drive(['/ask', '42'], [asker]);
    expect(result.out).toContain('got modal 42');
  });

  it('prints progress edits as lines when piped, without repeating an unchanged message', async () => {
    const progress = fakeCommand(builder('progress'), async (ctx: CommandContext) => {
      await ctx.defer();
      await ctx.edit({ content: '▰▱▱ 33%' });
      await ctx.edit({ content: '▰▱▱ 33%' });
      await ctx.edit({ content: '▰▰▱ 66%' });
      await ctx.edit({ content: 'done', embeds: [{ title: 'Stats', fields: [{ name: 'Patterns', value: '10' }] }] });
    });
    const result = await drive(['/progress'], [progress]);
    const lines = result.out.split('\n');
    expect(lines.filter((line) => line === '▰▱▱ 33%')).toHaveLength(1);
    expect(lines).toContain('▰▰▱ 66%');
    expect(lines).toContain('done');
    expect(result.out).toContain('│ Patterns │ 10');
  });

  it('lists the commands with /help and one command in detail with /help NAME', async () => {
    const result = await drive(['/help', '/help generate'], [echo]);
    expect(result.out).toContain('/generate');
    expect(result.out).toContain('Usage: /generate [prompt:…] [max_length:…]');
    expect(result.out).toContain('integer, 1–200');
    expect(result.code).toBe(0);
  });

  it('stops at /exit', async () => {
    const result = await drive(['/generate prompt:a', '/exit', '/generate prompt:b'], [echo]);
    expect(result.out).toContain('prompt=a');
    expect(result.out).not.toContain('prompt=b');
  });

  it('exits 1 with one message when input ends without a single command', async () => {
    for (const lines of [[], ['', '# nothing here']]) {
      const result = await drive(lines, [echo]);
      expect(result.code).toBe(1);
      expect(result.out).toBe('');
      expect(result.err).toContain('DISCORD_TOKEN');
      expect(result.err).toContain('npm start');
    }
  });

  it('does not open the manager when no command arrives', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const input = new PassThrough();
    input.end();
    const result = await drive(input, [echo], {
      manager: undefined,
      dataDir: join(dir.path, 'data'),
      modelsDir: join(dir.path, 'models'),
    });
    expect(result.code).toBe(1);
    expect(() => readFileSync(join(dir.path, 'data', 'ultraefficient.sqlite'))).toThrow();
  });

  it('reads --help, --lang and --guild from argv', async () => {
    const help = await drive([], [echo], { argv: ['--help'] });
    expect(help.code).toBe(0);
    expect(help.out).toContain('--guild ID');
    const bad = await drive([], [echo], { argv: ['--bogus'] });
    expect(bad.code).toBe(2);
    const guild = fakeCommand(builder('whereami'), async (ctx) => {
      await ctx.reply({ content: `guild=${ctx.guildId} locale=${ctx.locale}` });
    });
    const result = await drive(['/whereami'], [guild], { argv: ['--guild', '42', '--lang', 'es'] });
    expect(result.out).toContain('guild=42 locale=es');
  });
});

describe('interactive console', () => {
  it('greets, completes a command name with Tab, runs it, keeps history and says goodbye', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const input = new PassThrough();
    const pending = drive(input, [echo], { interactive: true, dataDir: dir.path });
    const type = async (text: string) => {
      input.write(text);
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await new Promise((resolve) => setTimeout(resolve, 100));
    await type('/ge\t');
    await type('prompt:hi\r');
    await type('/exit\r');
    input.end();
    const result = await pending;
    expect(result.out).toContain('/train file1:data/samples/en-stories.txt');
    expect(result.out).toContain('prompt=hi max=undefined locale=en owner=true');
    expect(result.out).toContain('Bye!');
    expect(readFileSync(join(dir.path, 'console-history'), 'utf8')).toBe('/generate prompt:hi\n/exit\n');
    expect(result.code).toBe(0);
  });
});

describe('failures a command answers itself', () => {
  it('count as failed when the command replies with an ephemeral error text', async () => {
    const quiet = fakeCommand(builder('quiet'), async (ctx) => {
      await ctx.followUp({ content: 'That name is taken.', ephemeral: true });
    });
    const result = await drive(['/quiet'], [quiet]);
    expect(result.out).toContain('That name is taken.');
    expect(result.code).toBe(1);
  });
});
