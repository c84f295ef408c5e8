// English catalogue: the reference every other catalogue must match key for key. Error messages
// say what happened and what to do next.
import type { Message, MessageParams, MessageTools } from './types.js';

// Issue 18: why a download failed (DOWNLOAD_FAILED's reason), in words.
const DOWNLOAD_REASON_EN: Record<string, (p: MessageParams, t: MessageTools) => string> = {
  'http-status': (p) =>
    `the server answered HTTP ${String(p.status)}${Number(p.status) >= 500 ? ' (a fault on its side)' : Number(p.status) === 404 || Number(p.status) === 410 ? ' (the file is no longer there: upload it again)' : ''}`,
  network: (p, t) => `the connection failed${p.detail ? ` (${t.text(p.detail)})` : ''}`,
  'not-http-url': () => 'its address is not an http(s) link',
  'no-location': () => 'it has no address',
  'not-found': () => 'there is no file at that path',
  'not-a-file': () => 'that path is not a regular file',
  'read-error': (p, t) => `it could not be read${p.detail ? ` (${t.text(p.detail)})` : ''}`,
};
// Issue 18: Discord’s names of the channel permissions the bot asks for.
const PERMISSION_NAMES_EN: Record<string, string> = {
  ViewChannel: 'View Channel',
  ReadMessageHistory: 'Read Message History',
  SendMessages: 'Send Messages',
};

const plural = (count: number, one: string, many: string) => (count === 1 ? one : many);

function modelLabel(params: MessageParams, tools: MessageTools): string {
  return params.name === null || params.name === undefined
    ? 'the unsaved trained model'
    : `**${tools.text(params.name)}**${params.version ? ` v${tools.int(Number(params.version))}` : ''}`;
}

const BAD_COMMAND_LINE: Record<string, (p: MessageParams, t: MessageTools) => string> = {
  'not-a-command': (p, t) =>
    `“${t.text(p.text)}” is not a command. Commands start with a slash, e.g. \`/status\`; type \`/help\` for the list.`,
  'unknown-option': (p, t) =>
    `${t.code('/' + String(p.command))} has no option ${t.code(p.option)}. Type ${t.code(`/help ${String(p.command)}`)} to see its options.`,
  'missing-option': (p, t) =>
    `${t.code('/' + String(p.command))} needs ${t.list(asList(p.options).map((o) => t.code(o)))}.`,
  'duplicate-option': (p, t) => `The option ${t.code(p.option)} is given twice; give it once.`,
  'empty-value': (p, t) => `The option ${t.code(p.option)} has no value; write one after the colon.`,
  'expected-option': (p, t) => `“${t.text(p.word)}” is not an option. Write options as \`name:value\`.`,
  'file-not-found': (p, t) => `No file at ${t.text(p.path)}. Check the path for ${t.code(p.option)}.`,
  'not-a-file': (p, t) => `${t.text(p.path)} is not a file. Give a file path for ${t.code(p.option)}.`,
  'not-a-boolean': (p, t) => `${t.code(p.option)} takes true or false, not “${t.text(p.value)}”.`,
  'not-a-choice': (p, t) =>
    `${t.code(p.option)} takes one of ${t.list(asList(p.choices).map((c) => t.code(c)))}, not “${t.text(p.value)}”.`,
  'not-a-number': (p, t) => `${t.code(p.option)} takes a number, not “${t.text(p.value)}”.`,
  'not-an-integer': (p, t) => `${t.code(p.option)} takes a whole number, not “${t.text(p.value)}”.`,
  'subcommands-unsupported': (p, t) => `${t.code('/' + String(p.command))} cannot be used from the console.`,
  'text-after-quote': (p, t) =>
    `Unexpected text right after the closing quote of ${t.code(p.option)}; put a space after the quote.`,
  'too-large': (p, t) => `${t.code(p.option)} is at most ${t.text(p.max)}; “${t.text(p.value)}” is too large.`,
  'too-small': (p, t) => `${t.code(p.option)} is at least ${t.text(p.min)}; “${t.text(p.value)}” is too small.`,
  'too-long': (p, t) => `${t.code(p.option)} takes at most ${t.text(p.max)} characters; shorten it.`,
  'too-short': (p, t) => `${t.code(p.option)} needs at least ${t.text(p.min)} characters.`,
  'unclosed-quote': (p, t) => `The quote that opens ${t.code(p.option)} is never closed; add the closing quote.`,
};

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

const INVALID_NAME_REASON: Record<string, string> = {
  empty: 'a name cannot be empty',
  'too-long': 'it is too long (at most 64 characters)',
  characters:
    'use letters (any language, accents and ñ included), digits, dashes and underscores only — no spaces or dots',
  reserved: 'that name is reserved',
};

const MALFORMED_REASON: Record<string, string> = {
  'csv-unclosed-quote': 'a quoted CSV field is never closed',
  'csv-no-text-column': 'the CSV has no column with text',
  'json-syntax': 'it is not valid JSON',
  'json-shape': 'the JSON holds no list of texts',
};

export const en = {
  // ---- command definitions (what Discord shows in the command picker) ---------------------
  'cmd.train.name': 'train',
  'cmd.train.description': 'Train this server’s pattern model from uploaded text files',
  'cmd.train.opt.file1.name': 'file1',
  'cmd.train.opt.file1.description': 'A text file (.txt, .md, .csv, .json) to learn from',
  'cmd.train.opt.file2.name': 'file2',
  'cmd.train.opt.file2.description': 'Another text file',
  'cmd.train.opt.file3.name': 'file3',
  'cmd.train.opt.file3.description': 'Another text file',
  'cmd.train.opt.file4.name': 'file4',
  'cmd.train.opt.file4.description': 'Another text file',
  'cmd.train.opt.file5.name': 'file5',
  'cmd.train.opt.file5.description': 'Another text file',
  'cmd.train.opt.max_pattern_length.name': 'max_pattern_length',
  'cmd.train.opt.max_pattern_length.description': 'Longest pattern in words, 1–8 (default 5)',
  'cmd.train.opt.min_frequency.name': 'min_frequency',
  'cmd.train.opt.min_frequency.description': 'Drop patterns seen fewer times than this (default 1: keep all)',
  'cmd.train.opt.max_patterns.name': 'max_patterns',
  'cmd.train.opt.max_patterns.description': 'Keep at most this many patterns (default 0: no limit)',
  'cmd.train.opt.mode.name': 'mode',
  'cmd.train.opt.mode.description': 'Start a new model or add to the current one (default new)',
  'cmd.train.choice.mode.new': 'new model',
  'cmd.train.choice.mode.append': 'add to current model',
  'cmd.train.opt.validation.name': 'validation',
  'cmd.train.opt.validation.description': 'Share of lines held out to measure perplexity, 0–0.5 (default 0)',
  'cmd.save.name': 'save',
  'cmd.save.description': 'Save the trained model under a name',
  'cmd.save.opt.name.name': 'name',
  'cmd.save.opt.name.description': 'Letters, digits, - and _ (no spaces), up to 64 characters',
  'cmd.load.name': 'load',
  'cmd.load.description': 'Make a saved model the active one',
  'cmd.load.opt.name.name': 'name',
  'cmd.load.opt.name.description': 'The saved model',
  'cmd.load.opt.version.name': 'version',
  'cmd.load.opt.version.description': 'A version number (default: the newest)',
  'cmd.models.name': 'models',
  'cmd.models.description': 'List this server’s saved models',
  'cmd.delete.name': 'delete',
  'cmd.delete.description': 'Delete a saved model',
  'cmd.delete.opt.name.name': 'name',
  'cmd.delete.opt.name.description': 'The saved model',
  'cmd.delete.opt.version.name': 'version',
  'cmd.delete.opt.version.description': 'Delete only this version (default: every version)',
  'cmd.generate.name': 'generate',
  'cmd.generate.description': 'Generate text with the active model',
  'cmd.generate.opt.prompt.name': 'prompt',
  'cmd.generate.opt.prompt.description': 'The words to start from',
  'cmd.generate.opt.max_length.name': 'max_length',
  'cmd.generate.opt.max_length.description': 'Most words to generate, 1–200 (default 40)',
  'cmd.generate.opt.temperature.name': 'temperature',
  'cmd.generate.opt.temperature.description': 'Lower is safer, higher is more varied, 0.1–2 (default 1.2)',
  'cmd.generate.opt.seed.name': 'seed',
  'cmd.generate.opt.seed.description': 'Same seed, same prompt, same model: same text',
  'cmd.status.name': 'status',
  'cmd.status.description': 'The active model, a running training, storage use and the bot’s version',

  // ---- shared pieces ------------------------------------------------------------------------
  'common.none': 'none',
  'common.yes': 'yes',
  'common.no': 'no',
  'common.cancel': 'Cancel',
  'common.unknown': 'unknown',

  'phase.queued': 'waiting for a free training slot',
  'phase.download': 'downloading files',
  'phase.ingest': 'reading files',
  'phase.tokenize': 'splitting into words',
  'phase.count': 'counting patterns',
  'phase.adjust': 'adjusting counts',
  'phase.discount': 'computing discounts',
  'phase.interpolate': 'interpolating',
  'phase.embed': 'building word vectors',
  'phase.evaluate': 'measuring perplexity',
  'phase.pack': 'packing the model',
  'phase.save': 'writing the model',

  'stats.vocabulary': 'Vocabulary',
  'stats.patterns': 'Patterns',
  'stats.patternsValue': (p, t) => `${t.int(Number(p.patterns))} (max length ${t.int(Number(p.order))})`,
  'stats.embeddings': 'Embeddings',
  'stats.embeddingsValue': (p, t) =>
    Number(p.count) === 0 ? 'none' : `${t.int(Number(p.count))} × ${t.int(Number(p.dim))}`,
  'stats.memory': 'Memory',
  'stats.graph': 'Graph',
  'stats.graphValue': (p, t) =>
    `${t.int(Number(p.nodes))} ${plural(Number(p.nodes), 'node', 'nodes')} · ${t.int(Number(p.edges))} ${plural(Number(p.edges), 'edge', 'edges')}`,
  'stats.parameters': 'Parameters',
  'stats.parametersValue': (p, t) =>
    `min frequency ${t.int(Number(p.minFrequency))} · max patterns ${Number(p.maxPatterns) === 0 ? 'no limit' : t.int(Number(p.maxPatterns))} · validation ${Number(p.validation) === 0 ? 'none' : `${t.dec(Number(p.validation) * 100)}% of lines held out`}`,
  'stats.corpus': 'Corpus',
  'stats.corpusValue': (p, t) =>
    `${t.int(Number(p.lines))} ${plural(Number(p.lines), 'line', 'lines')} · ${t.int(Number(p.tokens))} ${plural(Number(p.tokens), 'word', 'words')}`,
  'stats.perplexity': 'Held-out perplexity',
  'stats.trainingTime': 'Training time',

  // ---- /load asks before replacing an unsaved model; /status tells of an interrupted training
  'load.replace.title': 'Replace the unsaved model?',
  'load.replace.body':
    'This server has a trained model that was never saved. Loading another model replaces it. Save it first with `/save`, or load anyway. This question expires in 60 seconds.',
  'load.replace.confirm': 'Load anyway',
  'load.replace.cancelled': 'Nothing loaded; the unsaved model is kept.',
  'status.interrupted': 'Interrupted training',
  'status.interruptedValue': (p, t) =>
    `The training started by ${t.text(p.user)} ${t.text(p.date)} stopped when the bot (or the console) stopped, and left no model. Start it again with \`/train\`.`,

  // ---- /train -------------------------------------------------------------------------------
  'train.replace.title': 'Replace the unsaved model?',
  'train.replace.body':
    'This server has a trained model that was never saved. A new training replaces it. Save it first with `/save`, or train anyway. This question expires in 60 seconds.',
  'train.replace.confirm': 'Train anyway',
  'train.replace.cancelled': 'Training not started; the unsaved model is kept.',
  'train.replace.notStarted': 'Training not started.',
  'train.progress.title': 'Training…',
  'train.progress.line': (p, t) =>
    `${t.text(p.bar)} ${t.text(p.percent)} · ${t.text(p.phase)}${p.eta ? ` · about ${t.text(p.eta)} left` : ''}`,
  'train.progress.startedBy': (p, t) => `Started by ${t.text(p.user)}`,
  'train.done.title': 'Training finished',
  'train.done.description': (p, t) =>
    `${p.mode === 'append' ? 'Added' : 'Learned'} ${t.int(Number(p.lines))} ${plural(Number(p.lines), 'line', 'lines')} from ${t.int(Number(p.files))} ${plural(Number(p.files), 'file', 'files')}. ` +
    'The model is active but not saved: press **Save**, or use `/save`.',
  // ---- held-out lines said where the line counts stand side by side ----
  'train.done.heldOut': (p, t) =>
    `${t.int(Number(p.heldOut))} of those ${plural(Number(p.heldOut), 'line was', 'lines were')} held out to measure perplexity (validation); the model learned from the other ${t.int(Number(p.trained))}.`,
  'train.done.descriptionLate': (p, t) =>
    `Training started by ${t.text(p.user)} finished. ${t.int(Number(p.lines))} ${plural(Number(p.lines), 'line', 'lines')} learned. The model is active but not saved: use \`/save\` to keep it.`,
  // ---- a training a stopped process interrupted, told in its channel after a restart
  'train.interrupted.notice': (p, t) =>
    `The training ${t.text(p.user)} started on ${t.text(p.date)} was interrupted: the bot stopped before it finished, and nothing of it was kept. Run \`/train\` again.`,
  'train.failedLate': (p, t) => `Training started by ${t.text(p.user)} did not finish: ${t.text(p.reason)}`,
  'train.sample': 'Sample',
  'train.sampleEmpty': '(no sample: the model produced no text)',
  'train.save.button': 'Save',
  'train.save.modalTitle': 'Save trained model',
  'train.save.fieldLabel': 'Model name',
  'train.save.fieldPlaceholder': 'e.g. quijote',

  // ---- /save, /load ----------------------------------------------------------------------------
  'save.title': 'Model saved',
  'save.name': 'Name',
  'save.version': 'Version',
  'save.file': 'File',
  'save.size': 'Size',
  'load.title': (p, t) => `Loaded ${t.text(p.name)} v${t.int(Number(p.version))}`,
  'load.description': (p, t) =>
    `Saved ${t.text(p.date)} by ${t.text(p.user)} · ${t.text(p.size)}. \`/generate\` now uses this model.`,

  // ---- /models --------------------------------------------------------------------------------
  'models.title': 'Saved models',
  'models.empty': 'This server has no saved models yet. Train one with `/train`, then save it with `/save`.',
  'models.page': (p, t) =>
    `Page ${t.int(Number(p.page))} of ${t.int(Number(p.pages))} · ${t.int(Number(p.count))} ${plural(Number(p.count), 'model', 'models')}`,
  'models.active': 'active',
  'models.unavailable': 'file unavailable',
  'models.entry': (p, t) =>
    [
      `v${t.int(Number(p.version))}${Number(p.versions) > 1 ? ` (${t.int(Number(p.versions))} versions${p.newest ? `, newest v${t.int(Number(p.newest))}` : ''})` : ''} · ${t.text(p.size)} · ${t.text(p.date)}`,
      `${t.int(Number(p.patterns))} ${plural(Number(p.patterns), 'pattern', 'patterns')} · ${t.int(Number(p.embeddings))} ${plural(Number(p.embeddings), 'embedding', 'embeddings')} · ${t.text(p.sizes)}`,
      `${t.int(Number(p.nodes))} ${plural(Number(p.nodes), 'graph node', 'graph nodes')} · max length ${t.int(Number(p.order))} · min frequency ${t.int(Number(p.minFrequency))}` +
        (p.perplexity === null || p.perplexity === undefined ? '' : ` · perplexity ${t.dec(Number(p.perplexity))}`),
    ].join('\n'),
  'models.previous': 'Previous',
  'models.next': 'Next',
  'models.pick': 'Pick a model',
  'models.pickDescription': (p, t) => `v${t.int(Number(p.version))} · ${t.text(p.sizes)} · ${t.text(p.date)}`,
  'models.load': 'Load',
  'models.delete': 'Delete',
  'models.selected': (p, t) => `Selected: **${t.text(p.name)}**`,
  'models.loaded': (p, t) => `Loaded **${t.text(p.name)}** v${t.int(Number(p.version))}.`,
  'models.deleted': (p, t) => `Deleted **${t.text(p.name)}**.`,
  'models.manageHint': 'Loading and deleting need the Manage Server permission.',

  // ---- /delete --------------------------------------------------------------------------------
  'delete.confirm.title': (p, t) => `Delete ${t.text(p.name)}?`,
  'delete.confirm.body': (p, t) =>
    `This deletes ${p.version ? `version ${t.int(Number(p.version))}` : `${t.int(Number(p.count))} ${plural(Number(p.count), 'version', 'versions')}`} (${t.text(p.size)}) for good.` +
    (p.active ? ' It is the active model: `/generate` will have no model until you load or train another.' : '') +
    ' This question expires in 60 seconds.',
  'delete.confirm.button': 'Delete',
  'delete.done': (p, t) =>
    `Deleted **${t.text(p.name)}** (${t.int(Number(p.count))} ${plural(Number(p.count), 'version', 'versions')}).` +
    (p.wasActive ? ' It was the active model; load or train another with `/load` or `/train`.' : ''),
  'delete.cancelled': 'Nothing was deleted.',

  // ---- /generate ------------------------------------------------------------------------------
  'generate.footer': (p, t) =>
    `${t.int(Number(p.tokens))} ${plural(Number(p.tokens), 'token', 'tokens')} · ${t.int(Number(p.ms))} ms · ${t.int(Number(p.patterns))} patterns activated`,
  'generate.substitutions': (p, t) => `unknown words continued as: ${t.text(p.list)}`,
  'generate.empty': 'The model produced no text. Try another prompt, a higher temperature, or train on more text.',

  // ---- /status ---------------------------------------------------------------------------------
  'status.title': 'Status',
  'status.active': 'Active model',
  'status.activeNone': 'None. Train one with `/train` or load one with `/load`.',
  'status.activeSaved': (p, t) => `**${t.text(p.name)}** v${t.int(Number(p.version))} · saved`,
  'status.activeWorking': (p, t) => `Trained ${t.text(p.date)} by ${t.text(p.user)} · **not saved** (use \`/save\`)`,
  'status.training': 'Training',
  'status.trainingNone': 'none running',
  'status.trainingRunning': (p, t) =>
    `${t.text(p.line)}\nstarted by ${t.text(p.user)} ${t.text(p.elapsed)} ago (${t.text(p.mode)})`,
  'status.modeNew': 'new model',
  'status.modeAppend': 'adding to the model',
  'status.storage': 'Storage',
  'status.storageValue': (p, t) =>
    `${t.int(Number(p.models))} of ${t.int(Number(p.maxModels))} models · ${t.text(p.bytes)} of ${t.text(p.maxBytes)}`,
  'status.limits': 'Limits per training',
  'status.limitsValue': (p, t) =>
    `${t.int(Number(p.files))} ${plural(Number(p.files), 'file', 'files')} · ${t.text(p.attachment)} per file · ${t.text(p.training)} in all`,
  'status.version': 'Version',
  'status.uptime': 'Uptime',

  // ---- errors ----------------------------------------------------------------------------------
  'error.TOO_MANY_FILES': (p, t) =>
    `That is ${t.int(Number(p.count))} files; a training takes at most ${t.int(Number(p.limit))}. Train on fewer files, or append the rest with \`mode: add to current model\`.`,
  'error.ATTACHMENT_TOO_LARGE': (p, t) =>
    `**${t.text(p.name)}** is ${t.bytes(Number(p.bytes))}; each file may be at most ${t.bytes(Number(p.limit))}. Split it into smaller files and train with \`mode: add to current model\`.`,
  'error.TRAINING_INPUT_TOO_LARGE': (p, t) =>
    `The files add up to ${t.bytes(Number(p.bytes))}; one training takes at most ${t.bytes(Number(p.limit))}. Train on part of them, then add the rest with \`mode: add to current model\`.`,
  'error.UNSUPPORTED_FILE_TYPE': (p, t) =>
    `**${t.text(p.name)}** (${t.text(p.type)}) is not a text file I can read. Upload .txt, .md, .csv or .json files.`,
  'error.BINARY_FILE': (p, t) =>
    `**${t.text(p.name)}** looks like a binary file, not text. Upload plain text (.txt, .md, .csv, .json).`,
  'error.BAD_ENCODING': (p, t) =>
    `**${t.text(p.name)}** is not in a text encoding I can read. Save it as UTF-8 and upload it again.`,
  'error.MALFORMED_FILE': (p, t) =>
    `**${t.text(p.name)}** could not be read: ${t.text(MALFORMED_REASON[String(p.reason)] ?? p.reason)}${p.detail ? ` (${t.text(p.detail)})` : ''}. Fix the file or upload it as .txt.`,
  'error.EMPTY_FILE': (p, t) => `**${t.text(p.name)}** has no text in it. Upload a file with some lines of text.`,
  'error.EMPTY_INPUT': 'There is no text to learn from. Attach at least one file with some lines of text.',
  // Issue 18: what happened, with the status that came back, and how many attempts were made.
  'error.DOWNLOAD_FAILED': (p, t) =>
    `**${t.text(p.name)}** could not be downloaded: ${DOWNLOAD_REASON_EN[String(p.reason)]?.(p, t) ?? t.text(p.reason)}${p.attempts ? ` (${t.int(Number(p.attempts))} attempts)` : ''}. Try again in a moment.`,
  'error.DOWNLOAD_TIMEOUT': (p, t) =>
    `Downloading **${t.text(p.name)}** took longer than ${t.seconds(Number(p.seconds))}${p.attempts ? ` (${t.int(Number(p.attempts))} attempts)` : ''}. Try again, or upload a smaller file.`,
  'error.INVALID_MODEL_NAME': (p, t) =>
    `“${t.text(p.name)}” cannot be a model name: ${t.text(INVALID_NAME_REASON[String(p.reason)] ?? p.reason)}. Pick another name.`,
  'error.INVALID_PARAMETER': (p, t) =>
    `${t.code(p.name)} cannot be “${t.text(p.value)}” (${t.text(p.reason)}). Check the value and try again.`,
  'error.NO_MODEL_LOADED':
    'No model is active on this server. Train one with `/train` or load a saved one with `/load`.',
  'error.NO_TRAINED_MODEL': 'There is no trained model to save. Train one first with `/train`.',
  'error.MODEL_NOT_FOUND': (p, t) => {
    const suggestions = asList(p.suggestions).map((name) => `**${t.text(name)}**`);
    return `This server has no model called **${t.text(p.name)}**.${suggestions.length > 0 ? ` Did you mean ${t.list(suggestions)}?` : ''} \`/models\` lists the saved ones.`;
  },
  'error.MODEL_VERSION_NOT_FOUND': (p, t) => {
    const versions = asList(p.versions).map((v) => `v${t.text(v)}`);
    return `**${t.text(p.name)}** has no version ${t.text(p.version)}.${versions.length > 0 ? ` Its versions: ${t.list(versions)}.` : ''}`;
  },
  'error.MODEL_FILE_MISSING': (p, t) =>
    `The file of ${modelLabel(p, t)} is missing from the models folder. Restore it from a backup, or delete it with \`/delete\` and train it again.`,
  'error.MODEL_CORRUPT': (p, t) =>
    `The file of ${modelLabel(p, t)} is damaged (${t.text(p.detail)}). Delete it with \`/delete\` and train it again, or restore it from a backup.`,
  'error.MODEL_INCOMPATIBLE': (p, t) =>
    `${modelLabel(p, t)} was written by a newer version of the bot (${t.text(p.detail)}). Update the bot, or train the model again.`,
  'error.ALREADY_TRAINING': (p, t) =>
    `A training is already running on this server (${t.int(Number(p.percent))}%, ${t.text(p.phase)}). Wait for it to finish; \`/status\` shows its progress.`,
  'error.JOBS_BUSY': (p, t) =>
    `The bot is busy training for other servers. Try again in about ${t.duration(Number(p.retryAfterSeconds) * 1000)}.`,
  // the model quota counts versions; say so, with the versions per model
  'error.QUOTA_MODELS': (p, t) => {
    const names = asList(p.names);
    const counts = asList(p.versionCounts).map(Number);
    const perModel = names.map(
      (name, i) => `${t.text(name)} ${t.int(counts[i] ?? 0)} ${plural(counts[i] ?? 0, 'version', 'versions')}`,
    );
    return (
      `This server already has ${t.int(Number(p.limit))} saved ${plural(Number(p.limit), 'version', 'versions')}, the most allowed (every version of a model counts)` +
      (perModel.length > 0
        ? `: ${t.list(Number(p.moreModels) > 0 ? [...perModel, `${t.int(Number(p.moreModels))} more ${plural(Number(p.moreModels), 'model', 'models')}`] : perModel)}`
        : '') +
      '. Delete old versions with `/delete name:… version:…` (or a whole model with `/delete name:…`) first.'
    );
  },
  'error.QUOTA_BYTES': (p, t) =>
    `Saving would exceed this server’s storage (${t.bytes(Number(p.usedBytes))} used of ${t.bytes(Number(p.limit))}). Delete old models with \`/delete\`, or train with a lower \`max_patterns\`.`,
  'error.TRAINING_CANCELLED': 'The training was cancelled. Nothing changed; start it again with `/train`.',
  'error.TRAINING_FAILED': (p, t) =>
    `The training failed (${t.text(p.reason)}). Try again; if it keeps failing, try smaller files.`,
  'error.SHUTTING_DOWN': 'The bot is restarting. Try again in a minute.',
  'error.COOLDOWN': (p, t) => `Slow down a little: you can use this command again in ${t.seconds(Number(p.seconds))}.`,
  'error.MISSING_PERMISSION': (p, t) =>
    `You need the **${t.text(p.permission)}** permission for this. Ask a server admin.`,
  'error.GUILD_ONLY': 'This command works only in a server, not in direct messages.',
  'error.CONFIRMATION_EXPIRED': 'This question expired. Run the command again.',
  'error.NOT_YOUR_BUTTON': 'Only the person who ran the command can use these buttons. Run the command yourself.',
  // On Discord there is no /help: the slash menu lists the bot's commands.
  'error.UNKNOWN_COMMAND': (p, t) =>
    `There is no command ${t.code('/' + String(p.name))}. ${p.discord ? 'This server may still show an old command list: type `/` and pick the bot to see its commands.' : 'Type `/help` for the list.'}`,
  'error.BAD_COMMAND_LINE': (p, t) => {
    const specific = BAD_COMMAND_LINE[String(p.reason)];
    return specific
      ? specific(p, t)
      : `That line could not be read (${t.text(p.reason)}). Type \`/help\` for the syntax.`;
  },
  // ---- several processes on one data folder ---------------------------------------
  'error.DATABASE_BUSY':
    'The database is busy with another process (another console or shard on the same data folder). Try again in a few seconds.',
  'error.WORKING_MODEL_CHANGED': (p, t) => {
    const now =
      p.kind === 'draft'
        ? `a training by ${t.text(p.user)} (${t.text(p.date)}) replaced it`
        : p.kind === 'saved'
          ? `**${t.text(p.name)}** v${t.int(Number(p.version))} was loaded in its place (${t.text(p.date)})`
          : `it was removed (${t.text(p.date)})`;
    return `The server’s working model is no longer the one trained here: ${now}. Nothing was saved. Run \`/save\` again to save the current working model.`;
  },
  'error.INTERNAL': (p, t) =>
    `Something went wrong on our side. If it happens again, tell the bot’s operator this reference: ${t.code(p.reference)}.`,

  // ---- /compare, /export, /import, version retention --------------------------------
  'cmd.compare.name': 'compare',
  'cmd.compare.description': 'Two saved models side by side: statistics, a generation each, perplexity on a text',
  'cmd.compare.opt.first.name': 'first',
  'cmd.compare.opt.first.description': 'A saved model (`name` or `name v2`)',
  'cmd.compare.opt.second.name': 'second',
  'cmd.compare.opt.second.description': 'Another saved model (`name` or `name v2`)',
  'cmd.compare.opt.prompt.name': 'prompt',
  'cmd.compare.opt.prompt.description': 'The words both models start from',
  'cmd.compare.opt.file.name': 'file',
  'cmd.compare.opt.file.description': 'A text file (.txt, .md, .csv, .json) to measure both models on',
  'cmd.export.name': 'export',
  'cmd.export.description': 'Download a saved model’s file',
  'cmd.export.opt.name.name': 'name',
  'cmd.export.opt.name.description': 'The saved model',
  'cmd.export.opt.version.name': 'version',
  'cmd.export.opt.version.description': 'A version number (default: the newest)',
  'cmd.import.name': 'import',
  'cmd.import.description': 'Add a model file exported with /export to this server’s models',
  'cmd.import.opt.file.name': 'file',
  'cmd.import.opt.file.description': 'A .ulm model file from /export',
  'cmd.import.opt.name.name': 'name',
  'cmd.import.opt.name.description': 'Save it under this name (default: the name in the file’s name)',
  'status.fileWarning': '⚠️ Model file',
  'status.file.missing':
    'The active model’s file is missing from the models folder: `/generate` cannot use it. Restore it from a backup, or load or train another model.',
  'status.file.damaged':
    'The active model’s file is damaged (it does not match its checksum): `/generate` cannot use it. Restore it from a backup, or load or train another model.',
  'retention.models': (p, t) =>
    `Only the newest ${t.int(Number(p.keep))} ${plural(Number(p.keep), 'version', 'versions')} of each name are kept.`,
  'retention.pruned': (p, t) => `Older versions removed (only the newest are kept): ${t.text(p.versions)}.`,
  'export.title': (p, t) => `Export of ${t.text(p.name)} v${t.int(Number(p.version))}`,
  'export.description': (p, t) => `${t.text(p.file)} · ${t.text(p.size)}. Add it to a server with \`/import\`.`,
  'import.title': 'Model imported',
  'import.description': (p, t) =>
    `Stored as **${t.text(p.name)}** v${t.int(Number(p.version))}. The active model did not change: \`/load\` it to use it.`,
  'compare.title': (p, t) => `${t.text(p.first)} vs ${t.text(p.second)}`,
  'compare.statsValue': (p, t) =>
    [
      `${t.int(Number(p.patterns))} patterns · max length ${t.int(Number(p.order))}`,
      `vocabulary ${t.int(Number(p.vocabulary))} · memory ${t.text(p.memory)} · file ${t.text(p.size)}`,
      `min frequency ${t.int(Number(p.minFrequency))} · max patterns ${Number(p.maxPatterns) === 0 ? 'no limit' : t.int(Number(p.maxPatterns))} · validation ${t.dec(Number(p.validation))}`,
      `trained ${t.text(p.date)}`,
    ].join('\n'),
  'compare.generation': (p, t) => `Generation by ${t.text(p.name)}`,
  'compare.empty': '(no text)',
  'compare.scoreTitle': (p, t) => `On ${t.text(p.file)}`,
  'compare.scoreLine': (p, t) =>
    `${t.text(p.name)}: perplexity ${t.dec(Number(p.perplexity))} · unknown words ${t.text(p.oov)} · ${t.dec(Number(p.bits))} bits per character${p.better ? ' ✅ better' : ''}`,
  'compare.heldOutTitle': 'Held-out perplexity (from /train validation)',
  'compare.heldOutLine': (p, t) => `${t.text(p.name)}: ${t.dec(Number(p.perplexity))}${p.better ? ' ✅ better' : ''}`,
  'compare.footer': (p, _t) => `same prompt and seed (${String(p.seed)}) for both · lower perplexity is better`,
  'error.EXPORT_TOO_LARGE': (p, t) =>
    `The file of **${t.text(p.name)}** v${t.int(Number(p.version))} is ${t.bytes(Number(p.bytes))}, more than the ${t.bytes(Number(p.limit))} this server lets the bot upload. Ask the bot’s operator to copy it from the models folder, or train a smaller model (lower \`max_patterns\`).`,
  'error.IMPORT_DAMAGED': (p, t) =>
    `**${t.text(p.name)}** is not a valid model file (${t.text(p.detail)}): it is damaged or was not made by \`/export\`. Nothing was stored. Export the model again and upload that file.`,

  // ---- recovery from a lost database, backups ----------------------------------------
  'error.DATABASE_LOST': (p) =>
    `The bot’s database file was ${p.state === 'replaced' ? 'replaced' : 'removed'} while the bot was running, so nothing can be saved now (it would be lost). Nothing was changed. Tell the bot’s operator: restart the bot, then run \`npm run recover\` (or \`npm run restore\` from a backup).`,
  'status.orphans': '⚠️ Files set aside',
  'status.databaseLost': '⚠️ Database',
  'status.orphansValue': (p, t) =>
    `${t.int(Number(p.count))} ${plural(Number(p.count), 'model file', 'model files')} of this server ${Number(p.count) === 1 ? 'was' : 'were'} found without a record in the database and kept aside. The bot’s operator can bring ${Number(p.count) === 1 ? 'it' : 'them'} back with \`npm run recover\`.`,
  // ---- learning from channels (/train channel, cleaning) ----------------------------
  'train.done.descriptionChannel': (p, t) =>
    `${p.mode === 'append' ? 'Added' : 'Learned'} ${t.int(Number(p.lines))} ${plural(Number(p.lines), 'line', 'lines')} from ${t.text(p.channel)}. The model is active but not saved: press **Save**, or use \`/save\`.`,
  'cmd.train.opt.channel.name': 'channel',
  'cmd.train.opt.channel.description':
    'Learn from a channel (and its threads), a thread or a forum’s posts instead of files',
  'cmd.train.opt.limit.name': 'limit',
  'cmd.train.opt.limit.description': 'With channel: the newest messages to read, 1–100,000 (default 10,000)',
  'cmd.train.opt.since.name': 'since',
  'cmd.train.opt.since.description': 'With channel: only messages since a date (2024-05-31) or a span (30d, 8w, 12h)',
  'cmd.train.opt.clean.name': 'clean',
  'cmd.train.opt.clean.description': 'Mentions, links, emoji codes, code blocks, bot commands (default: remove them)',
  'cmd.train.choice.clean.strip': 'remove them',
  'cmd.train.choice.clean.replace': 'replace them with plain words',
  'cmd.train.choice.clean.off': 'keep everything',
  'error.CHANNELS_DISABLED':
    'Learning from channels is off for this bot. Its operator can turn it on with `LEARN_FROM_CHANNELS=true` (and the Message Content intent enabled in the Discord Developer Portal).',
  'error.CHANNEL_UNAVAILABLE': (p, t) =>
    `I cannot read ${t.text(p.channel)}: pick a text channel or thread of this server.`,
  'error.CHANNEL_PERMISSION_MISSING': (p, t) =>
    `I cannot read **#${t.text(p.channel)}**: I am missing the **${t.text(PERMISSION_NAMES_EN[String(p.permission)] ?? p.permission)}** permission there. Give it to the bot in that channel’s settings (Permissions) and try again.`,
  'error.TRAIN_SOURCE_CONFLICT':
    'Train from files or from a channel, not both at once. Append the other afterwards with `mode: add to current model`.',
  'error.CHANNEL_EMPTY': (p, t) =>
    `**#${t.text(p.channel)}** has no messages by people in that range. Pick another channel, or a larger \`limit\` or earlier \`since\`.`,
  'error.INVALID_DATE': (p, t) =>
    `${t.code(p.option)} cannot be “${t.text(p.value)}”: write a past date like \`2024-05-31\`, a date and time like \`2024-05-31T18:00\` (UTC), or a span back from now like \`30d\`, \`8w\` or \`12h\`.`,
  // ---- /listen, /reply, /forget, /privacy ------------------------------------------
  'cmd.listen.name': 'listen',
  'cmd.listen.description': 'Learn from a channel’s new messages as people talk',
  'cmd.listen.opt.add.name': 'add',
  'cmd.listen.opt.add.description': 'Start learning from a channel’s new messages (and its threads’)',
  'cmd.listen.opt.remove.name': 'remove',
  'cmd.listen.opt.remove.description': 'Stop learning from a channel (what was kept stays: see /forget)',
  'cmd.listen.opt.list.name': 'list',
  'cmd.listen.opt.list.description': 'Listened channels, what is kept, privacy mode and reply chance',
  'cmd.listen.opt.channel.name': 'channel',
  'cmd.listen.opt.channel.description': 'The channel (default: this one)',
  'listen.added': (p, t) =>
    `Listening to ${t.text(p.channel)}: its new messages are kept and added to this server’s model every few minutes (${p.privacy === 'opt-in' ? 'only of members who ran `/privacy join`' : 'every member’s; `/privacy mode` can make it opt-in'}).`,
  'cmd.listen.opt.clean.name': 'clean',
  'cmd.listen.opt.clean.description':
    'What this server’s trainings do with mentions, links, emoji codes, code and commands',
  'cmd.listen.opt.mode.name': 'mode',
  'cmd.listen.opt.mode.description': 'The default for /train and listened messages',
  'listen.cleanSet': (p, t) =>
    `Mentions, links, custom emoji codes, code blocks and bot commands: **${t.text(p.mode)}**, from now on, in every training of this server (\`/train clean:\` still chooses for one training).`,
  'listen.list.clean': 'Cleaning',
  'listen.alreadyAdded': (p, t) => `Already listening to ${t.text(p.channel)}.`,
  'listen.removed': (p, t) =>
    `No longer listening to ${t.text(p.channel)}. What was kept stays in the model until \`/forget channel\`.`,
  'listen.notListened': (p, t) => `${t.text(p.channel)} was not being listened to.`,
  'listen.list.title': 'Listened channels',
  'listen.list.none': 'None. Start with `/listen add`.',
  'listen.list.collected': 'Kept messages',
  'listen.list.collectedValue': (p, t) =>
    `${t.int(Number(p.messages))} (${t.text(p.size)}), ${t.int(Number(p.untrained))} waiting for the next retraining`,
  'listen.list.privacy': 'Privacy',
  'listen.list.replies': 'Replies',
  'listen.list.repliesValue': (p, t) =>
    `${t.dec(Number(p.chance))}% chance in listened channels without their own; a mention of the bot is always answered.`,
  'cmd.reply.name': 'reply',
  'cmd.reply.description': 'How often the bot answers messages in a channel (a mention is always answered)',
  'cmd.reply.opt.chance.name': 'chance',
  'cmd.reply.opt.chance.description': 'Percent chance of answering a message, 0–100 (0: only mentions)',
  'cmd.reply.opt.channel.name': 'channel',
  'cmd.reply.opt.channel.description': 'This channel only (default: every listened channel)',
  'reply.setChannel': (p, t) =>
    `I will answer ${t.dec(Number(p.chance))}% of the messages in ${t.text(p.channel)}, and every mention of me.`,
  'reply.setServer': (p, t) =>
    `I will answer ${t.dec(Number(p.chance))}% of the messages in the listened channels (${t.int(Number(p.listened))} now) that have no chance of their own, and every mention of me.`,
  'cmd.forget.name': 'forget',
  'cmd.forget.description': 'Remove kept messages; the next retraining leaves them out',
  'cmd.forget.opt.me.name': 'me',
  'cmd.forget.opt.me.description': 'Remove every message of yours the bot kept in this server',
  'cmd.forget.opt.channel.name': 'channel',
  'cmd.forget.opt.channel.description': 'Remove every kept message of a channel (Manage Server)',
  'cmd.forget.opt.target.name': 'channel',
  'cmd.forget.opt.target.description': 'The channel',
  'forget.me': (p, t) =>
    `Done: ${t.int(Number(p.count))} of your ${plural(Number(p.count), 'message was', 'messages were')} removed. The next retraining leaves ${plural(Number(p.count), 'it', 'them')} out of the model.`,
  'forget.channel.confirmTitle': 'Forget a channel?',
  'forget.channel.confirmBody': (p, t) =>
    `Every kept message of ${t.text(p.channel)} is removed, and the next retraining rebuilds the model without them. This cannot be undone. This question expires in 60 seconds.`,
  'forget.channel.confirm': 'Forget',
  'forget.channel.cancelled': 'Nothing was removed.',
  'forget.channel.done': (p, t) =>
    `${t.int(Number(p.count))} kept ${plural(Number(p.count), 'message', 'messages')} of ${t.text(p.channel)} removed. The next retraining leaves them out.`,
  'cmd.privacy.name': 'privacy',
  'cmd.privacy.description': 'Whose messages listened channels keep',
  'cmd.privacy.opt.mode.name': 'mode',
  'cmd.privacy.opt.mode.description': 'Keep every member’s messages, or only of those who join (Manage Server)',
  'cmd.privacy.opt.value.name': 'value',
  'cmd.privacy.opt.value.description': 'open or opt-in',
  'cmd.privacy.opt.join.name': 'join',
  'cmd.privacy.opt.join.description': 'Let the bot learn from your messages (needed in opt-in mode)',
  'cmd.privacy.opt.leave.name': 'leave',
  'cmd.privacy.opt.leave.description': 'Stop the bot learning from your messages, and forget those it kept',
  'privacy.mode.open': 'open: every member’s messages in listened channels',
  'privacy.mode.optIn': 'opt-in: only messages of members who ran /privacy join',
  'privacy.setOpen':
    'Privacy mode: **open**. Listened channels keep every member’s messages; anyone can `/privacy leave` or `/forget me`.',
  'privacy.setOptIn':
    'Privacy mode: **opt-in**. Listened channels keep only the messages of members who ran `/privacy join`.',
  'privacy.joined': (p) =>
    `You joined: the bot learns from your messages in listened channels${p.mode === 'open' ? ' (this server is in open mode, so it already did)' : ''}. \`/privacy leave\` undoes it.`,
  'privacy.left': (p, t) =>
    `You left: your messages are no longer kept, and ${t.int(Number(p.count))} kept ${plural(Number(p.count), 'message was', 'messages were')} removed. The next retraining leaves them out.`,
  // Issue 16: both sizes of a model, its file and its image, in /status and /models.
  'sizes.field': 'Size',
  'sizes.value': (p, t) =>
    `File ${t.text(p.file)} · Image ${p.image === null || p.image === undefined ? 'not built yet (built on load)' : t.text(p.image)}`,
} satisfies Record<string, Message>;

export type MessageKey = keyof typeof en;
