// Discord's limits on what a bot may send, as pure functions from a request body to the issues
// found. The numbers are Discord's documented limits; a bot that passes here will not be
// refused by production for these reasons.
import type { Issue, RuleName } from './errors.js';

export const LIMITS = {
  contentLength: 2000,
  embedsPerMessage: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooterText: 2048,
  embedAuthorName: 256,
  embedTotalCharacters: 6000,
  actionRows: 5,
  componentsPerRow: 5,
  componentsV2Total: 40,
  customIdLength: 100,
  buttonLabel: 80,
  selectOptions: 25,
  attachmentsPerMessage: 10,
  autocompleteChoices: 25,
  choiceNameLength: 100,
  choiceStringValueLength: 100,
  modalTitle: 45,
  modalComponents: 5,
  textInputLabel: 45,
  commandNameLength: 32,
  commandDescriptionLength: 100,
  commandOptions: 25,
  commandChoices: 25,
  commandTotalCharacters: 4000,
  chatInputCommandsPerScope: 100,
} as const;

export const MESSAGE_FLAGS = {
  suppressEmbeds: 1 << 2,
  ephemeral: 1 << 6,
  loading: 1 << 7,
  componentsV2: 1 << 15,
} as const;

export const LOCALES = [
  'id',
  'en-US',
  'en-GB',
  'bg',
  'zh-CN',
  'zh-TW',
  'hr',
  'cs',
  'da',
  'nl',
  'fi',
  'fr',
  'de',
  'el',
  'hi',
  'hu',
  'it',
  'ja',
  'ko',
  'lt',
  'no',
  'pl',
  'pt-BR',
  'ro',
  'ru',
  'es-ES',
  'es-419',
  'sv-SE',
  'th',
  'tr',
  'uk',
  'vi',
] as const;
const localeSet = new Set<string>(LOCALES);

type Path = (string | number)[];
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const textLength = (value: unknown) => (typeof value === 'string' ? [...value].length : 0);

function issue(path: Path, rule: RuleName, code: string, message: string): Issue {
  return { path, rule, code, message };
}
const maxLength = (path: Path, rule: RuleName, max: number) =>
  issue(path, rule, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
const badLength = (path: Path, rule: RuleName, min: number, max: number) =>
  issue(path, rule, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);

// ---------------------------------------------------------------- messages

export interface MessageCheck {
  /** A new message must show something; an edit may leave fields as they are. */
  creating: boolean;
  /** Files uploaded with this request (multipart), which make an otherwise empty message valid. */
  uploadedFiles: number;
}

export function validateMessage(body: unknown, at: Path, _check: MessageCheck): Issue[] {
  const issues: Issue[] = [];
  if (!isObject(body))
    return [issue(at, 'EMPTY_MESSAGE', 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType')];
  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string')
      issues.push(
        issue([...at, 'content'], 'CONTENT_TOO_LONG', 'BASE_TYPE_STRING', 'Could not interpret value as string.'),
      );
    else if (textLength(body.content) > LIMITS.contentLength)
      issues.push(maxLength([...at, 'content'], 'CONTENT_TOO_LONG', LIMITS.contentLength));
  }
  if (Array.isArray(body.embeds)) issues.push(...validateEmbeds(body.embeds, [...at, 'embeds']));
  if (Array.isArray(body.components)) {
    const flags = typeof body.flags === 'number' ? body.flags : 0;
    issues.push(
      ...validateComponents(body.components, [...at, 'components'], (flags & MESSAGE_FLAGS.componentsV2) !== 0),
    );
  }
  if (Array.isArray(body.attachments) && body.attachments.length > LIMITS.attachmentsPerMessage) {
    issues.push(maxLength([...at, 'attachments'], 'TOO_MANY_ATTACHMENTS', LIMITS.attachmentsPerMessage));
  }
  return issues;
}

/** Discord's 50006: a new message with nothing to show. Checked after the form-body rules. */
export function isEmptyMessage(body: Json, uploadedFiles: number): boolean {
  const has = (value: unknown) =>
    Array.isArray(value) ? value.length > 0 : typeof value === 'string' ? value.length > 0 : value != null;
  return !(
    has(body.content) ||
    has(body.embeds) ||
    has(body.components) ||
    has(body.sticker_ids) ||
    has(body.poll) ||
    uploadedFiles > 0 ||
    has(body.attachments)
  );
}

export function validateEmbeds(embeds: unknown[], at: Path): Issue[] {
  const issues: Issue[] = [];
  if (embeds.length > LIMITS.embedsPerMessage) issues.push(maxLength(at, 'TOO_MANY_EMBEDS', LIMITS.embedsPerMessage));
  let total = 0;
  embeds.forEach((embed, index) => {
    if (!isObject(embed)) return;
    const path = [...at, index];
    const title = textLength(embed.title);
    const description = textLength(embed.description);
    if (title > LIMITS.embedTitle)
      issues.push(maxLength([...path, 'title'], 'EMBED_TITLE_TOO_LONG', LIMITS.embedTitle));
    if (description > LIMITS.embedDescription)
      issues.push(maxLength([...path, 'description'], 'EMBED_DESCRIPTION_TOO_LONG', LIMITS.embedDescription));
    total += title + description;
    const fields = Array.isArray(embed.fields) ? embed.fields : [];
    if (fields.length > LIMITS.embedFields)
      issues.push(maxLength([...path, 'fields'], 'EMBED_TOO_MANY_FIELDS', LIMITS.embedFields));
    fields.forEach((field, fieldIndex) => {
      if (!isObject(field)) return;
      const name = textLength(field.name);
      const value = textLength(field.value);
      if (name < 1 || name > LIMITS.embedFieldName)
        issues.push(
          badLength([...path, 'fields', fieldIndex, 'name'], 'EMBED_FIELD_TOO_LONG', 1, LIMITS.embedFieldName),
        );
      if (value < 1 || value > LIMITS.embedFieldValue)
        issues.push(
          badLength([...path, 'fields', fieldIndex, 'value'], 'EMBED_FIELD_TOO_LONG', 1, LIMITS.embedFieldValue),
        );
      total += name + value;
    });
    const footer = isObject(embed.footer) ? textLength(embed.footer.text) : 0;
    if (footer > LIMITS.embedFooterText)
      issues.push(maxLength([...path, 'footer', 'text'], 'EMBED_FOOTER_TOO_LONG', LIMITS.embedFooterText));
    const author = isObject(embed.author) ? textLength(embed.author.name) : 0;
    if (author > LIMITS.embedAuthorName)
      issues.push(maxLength([...path, 'author', 'name'], 'EMBED_AUTHOR_TOO_LONG', LIMITS.embedAuthorName));
    total += footer + author;
  });
  if (total > LIMITS.embedTotalCharacters) {
    issues.push(
      issue(
        at,
        'EMBEDS_TOO_LARGE',
        'MAX_EMBED_SIZE_EXCEEDED',
        `Embed size exceeds maximum size of ${LIMITS.embedTotalCharacters}`,
      ),
    );
  }
  return issues;
}

const BUTTON = 2;
const ACTION_ROW = 1;
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);
const LINK_STYLE = 5;
const PREMIUM_STYLE = 6;

export function validateComponents(components: unknown[], at: Path, componentsV2: boolean): Issue[] {
  const issues: Issue[] = [];
  const seenCustomIds = new Set<string>();
  let count = 0;

  const checkInteractive = (component: Json, path: Path) => {
    count += 1;
    const needsCustomId =
      component.type !== BUTTON || (component.style !== LINK_STYLE && component.style !== PREMIUM_STYLE);
    const isInteractive =
      component.type === BUTTON || SELECT_TYPES.has(component.type as number) || component.type === 4;
    if (isInteractive && needsCustomId) {
      const length = textLength(component.custom_id);
      if (length < 1 || length > LIMITS.customIdLength)
        issues.push(badLength([...path, 'custom_id'], 'CUSTOM_ID_LENGTH', 1, LIMITS.customIdLength));
      else if (seenCustomIds.has(component.custom_id as string)) {
        issues.push(
          issue(
            [...path, 'custom_id'],
            'DUPLICATE_CUSTOM_ID',
            'COMPONENT_CUSTOM_ID_DUPLICATED',
            'Component custom id cannot be duplicated',
          ),
        );
      }
      seenCustomIds.add(component.custom_id as string);
    }
    if (component.type === BUTTON && textLength(component.label) > LIMITS.buttonLabel) {
      issues.push(maxLength([...path, 'label'], 'COMPONENT_INVALID', LIMITS.buttonLabel));
    }
    if (component.type === 3) {
      const options = Array.isArray(component.options) ? component.options : [];
      if (options.length < 1 || options.length > LIMITS.selectOptions)
        issues.push(badLength([...path, 'options'], 'COMPONENT_INVALID', 1, LIMITS.selectOptions));
    }
    // Components v2 nest: containers and sections hold children, sections an accessory.
    if (Array.isArray(component.components))
      component.components.forEach((child, i) => {
        isObject(child) && checkInteractive(child, [...path, 'components', i]);
      });
    if (isObject(component.accessory)) checkInteractive(component.accessory, [...path, 'accessory']);
  };

  if (componentsV2) {
    components.forEach((component, i) => {
      isObject(component) && checkInteractive(component, [...at, i]);
    });
    if (count > LIMITS.componentsV2Total) issues.push(maxLength(at, 'COMPONENT_INVALID', LIMITS.componentsV2Total));
    return issues;
  }

  if (components.length > LIMITS.actionRows) issues.push(maxLength(at, 'TOO_MANY_ACTION_ROWS', LIMITS.actionRows));
  components.forEach((row, rowIndex) => {
    const path = [...at, rowIndex];
    if (!isObject(row) || row.type !== ACTION_ROW || !Array.isArray(row.components)) {
      issues.push(
        issue(path, 'INVALID_ACTION_ROW', 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).'),
      );
      return;
    }
    const children = row.components.filter(isObject);
    const selects = children.filter((child) => SELECT_TYPES.has(child.type as number)).length;
    if (children.length < 1 || children.length > LIMITS.componentsPerRow) {
      issues.push(badLength([...path, 'components'], 'INVALID_ACTION_ROW', 1, LIMITS.componentsPerRow));
    } else if (selects > 0 && children.length > 1) {
      issues.push(
        issue(
          [...path, 'components'],
          'INVALID_ACTION_ROW',
          'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
          'The specified component exceeds the maximum width',
        ),
      );
    }
    children.forEach((child, i) => {
      checkInteractive(child, [...path, 'components', i]);
    });
  });
  return issues;
}

// ---------------------------------------------------------------- interaction responses

export function validateAutocompleteChoices(data: unknown, at: Path): Issue[] {
  if (!isObject(data) || !Array.isArray(data.choices)) {
    return [issue([...at, 'choices'], 'CHOICE_INVALID', 'BASE_TYPE_REQUIRED', 'This field is required')];
  }
  const issues: Issue[] = [];
  if (data.choices.length > LIMITS.autocompleteChoices)
    issues.push(maxLength([...at, 'choices'], 'TOO_MANY_CHOICES', LIMITS.autocompleteChoices));
  data.choices.forEach((choice, i) => {
    issues.push(...validateChoice(choice, [...at, 'choices', i]));
  });
  return issues;
}

function validateChoice(choice: unknown, path: Path): Issue[] {
  if (!isObject(choice))
    return [issue(path, 'CHOICE_INVALID', 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType')];
  const issues: Issue[] = [];
  const name = textLength(choice.name);
  if (name < 1 || name > LIMITS.choiceNameLength)
    issues.push(badLength([...path, 'name'], 'CHOICE_INVALID', 1, LIMITS.choiceNameLength));
  if (typeof choice.value === 'string') {
    if (textLength(choice.value) > LIMITS.choiceStringValueLength)
      issues.push(maxLength([...path, 'value'], 'CHOICE_INVALID', LIMITS.choiceStringValueLength));
  } else if (typeof choice.value !== 'number') {
    issues.push(issue([...path, 'value'], 'CHOICE_INVALID', 'BASE_TYPE_REQUIRED', 'This field is required'));
  }
  issues.push(
    ...validateLocalizations(
      choice.name_localizations,
      [...path, 'name_localizations'],
      1,
      LIMITS.choiceNameLength,
      'CHOICE_INVALID',
    ),
  );
  return issues;
}

export function validateModal(data: unknown, at: Path): Issue[] {
  if (!isObject(data)) return [issue(at, 'MODAL_INVALID', 'BASE_TYPE_REQUIRED', 'This field is required')];
  const issues: Issue[] = [];
  const customId = textLength(data.custom_id);
  if (customId < 1 || customId > LIMITS.customIdLength)
    issues.push(badLength([...at, 'custom_id'], 'CUSTOM_ID_LENGTH', 1, LIMITS.customIdLength));
  const title = textLength(data.title);
  if (title < 1 || title > LIMITS.modalTitle)
    issues.push(badLength([...at, 'title'], 'MODAL_INVALID', 1, LIMITS.modalTitle));
  const components = Array.isArray(data.components) ? data.components : [];
  if (components.length < 1 || components.length > LIMITS.modalComponents) {
    issues.push(badLength([...at, 'components'], 'MODAL_INVALID', 1, LIMITS.modalComponents));
  }
  const seen = new Set<string>();
  modalFields(components).forEach(({ field, path }) => {
    const fieldPath = [...at, 'components', ...path];
    const length = textLength(field.custom_id);
    if (length < 1 || length > LIMITS.customIdLength)
      issues.push(badLength([...fieldPath, 'custom_id'], 'CUSTOM_ID_LENGTH', 1, LIMITS.customIdLength));
    else if (seen.has(field.custom_id as string))
      issues.push(
        issue(
          [...fieldPath, 'custom_id'],
          'DUPLICATE_CUSTOM_ID',
          'COMPONENT_CUSTOM_ID_DUPLICATED',
          'Component custom id cannot be duplicated',
        ),
      );
    seen.add(field.custom_id as string);
    if (textLength(field.label) > LIMITS.textInputLabel)
      issues.push(maxLength([...fieldPath, 'label'], 'MODAL_INVALID', LIMITS.textInputLabel));
  });
  return issues;
}

/** The input fields of a modal, whether laid out in action rows (legacy) or label components. */
export function modalFields(components: unknown[]): { field: Json; path: Path; layout: 'row' | 'label' }[] {
  const fields: { field: Json; path: Path; layout: 'row' | 'label' }[] = [];
  components.forEach((component, i) => {
    if (!isObject(component)) return;
    if (Array.isArray(component.components)) {
      component.components.forEach((child, j) => {
        isObject(child) && fields.push({ field: child, path: [i, 'components', j], layout: 'row' });
      });
    } else if (isObject(component.component)) {
      fields.push({ field: component.component, path: [i, 'component'], layout: 'label' });
    }
  });
  return fields;
}

// ---------------------------------------------------------------- command definitions

export const OPTION_TYPES = {
  subcommand: 1,
  subcommandGroup: 2,
  string: 3,
  integer: 4,
  boolean: 5,
  user: 6,
  channel: 7,
  role: 8,
  mentionable: 9,
  number: 10,
  attachment: 11,
} as const;

const CHAT_INPUT = 1;
// Discord's documented pattern for chat-input names (and option names).
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkChatInputName(name: unknown, path: Path, rule: RuleName): Issue[] {
  if (typeof name !== 'string' || !CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
    return [issue(path, rule, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid')];
  }
  return [];
}

function validateLocalizations(
  value: unknown,
  path: Path,
  min: number,
  max: number,
  rule: RuleName,
  nameRule = false,
): Issue[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value))
    return [issue(path, 'INVALID_LOCALE', 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType')];
  const issues: Issue[] = [];
  for (const [locale, text] of Object.entries(value)) {
    if (!localeSet.has(locale)) {
      issues.push(
        issue([...path, locale], 'INVALID_LOCALE', 'ENUM_TYPE_COERCE', `Value "${locale}" is not a valid enum value.`),
      );
      continue;
    }
    if (nameRule) issues.push(...checkChatInputName(text, [...path, locale], rule));
    else if (textLength(text) < min || textLength(text) > max)
      issues.push(badLength([...path, locale], rule, min, max));
  }
  return issues;
}

/** Characters Discord counts towards a command's 4000 limit (per locale; we count the default). */
function commandCharacters(command: Json): number {
  let total = textLength(command.name) + textLength(command.description);
  const walk = (options: unknown) => {
    if (!Array.isArray(options)) return;
    for (const option of options.filter(isObject)) {
      total += textLength(option.name) + textLength(option.description);
      if (Array.isArray(option.choices)) {
        for (const choice of option.choices.filter(isObject))
          total += textLength(choice.name) + String(choice.value ?? '').length;
      }
      walk(option.options);
    }
  };
  walk(command.options);
  return total;
}

function validateOptions(options: unknown, path: Path, level: 'command' | 'group' | 'subcommand'): Issue[] {
  if (options === undefined || options === null) return [];
  if (!Array.isArray(options)) return [issue(path, 'OPTION_INVALID', 'BASE_TYPE_ARRAY', 'Must be an array.')];
  const issues: Issue[] = [];
  if (options.length > LIMITS.commandOptions) issues.push(maxLength(path, 'TOO_MANY_OPTIONS', LIMITS.commandOptions));
  const names = new Set<string>();
  let sawOptional = false;
  const nested = options.filter(
    (option) =>
      isObject(option) && (option.type === OPTION_TYPES.subcommand || option.type === OPTION_TYPES.subcommandGroup),
  ).length;
  if (nested > 0 && nested < options.length) {
    issues.push(
      issue(
        path,
        'OPTION_INVALID',
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Sub-command and sub-command group option types are mutually exclusive to all other types',
      ),
    );
  }
  options.forEach((option, i) => {
    const at = [...path, i];
    if (!isObject(option)) {
      issues.push(issue(at, 'OPTION_INVALID', 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType'));
      return;
    }
    const type = option.type as number;
    if (!Number.isInteger(type) || type < 1 || type > 11) {
      issues.push(
        issue(
          [...at, 'type'],
          'OPTION_INVALID',
          'ENUM_TYPE_COERCE',
          `Value "${String(type)}" is not a valid enum value.`,
        ),
      );
      return;
    }
    if (level === 'subcommand' && (type === OPTION_TYPES.subcommand || type === OPTION_TYPES.subcommandGroup)) {
      issues.push(
        issue(
          [...at, 'type'],
          'OPTION_INVALID',
          'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
          'Sub-commands cannot contain sub-commands or groups',
        ),
      );
    }
    if (level === 'group' && type !== OPTION_TYPES.subcommand) {
      issues.push(
        issue(
          [...at, 'type'],
          'OPTION_INVALID',
          'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
          'Sub-command groups may only contain sub-commands',
        ),
      );
    }
    issues.push(...checkChatInputName(option.name, [...at, 'name'], 'OPTION_INVALID'));
    if (typeof option.name === 'string') {
      if (names.has(option.name))
        issues.push(
          issue(
            [...at, 'name'],
            'DUPLICATE_NAME',
            'APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS',
            'Option name already exists',
          ),
        );
      names.add(option.name);
    }
    const description = textLength(option.description);
    if (description < 1 || description > LIMITS.commandDescriptionLength) {
      issues.push(badLength([...at, 'description'], 'OPTION_INVALID', 1, LIMITS.commandDescriptionLength));
    }
    issues.push(
      ...validateLocalizations(
        option.name_localizations,
        [...at, 'name_localizations'],
        1,
        LIMITS.commandNameLength,
        'OPTION_INVALID',
        true,
      ),
    );
    issues.push(
      ...validateLocalizations(
        option.description_localizations,
        [...at, 'description_localizations'],
        1,
        LIMITS.commandDescriptionLength,
        'OPTION_INVALID',
      ),
    );
    if (type === OPTION_TYPES.subcommand || type === OPTION_TYPES.subcommandGroup) {
      issues.push(
        ...validateOptions(
          option.options,
          [...at, 'options'],
          type === OPTION_TYPES.subcommand ? 'subcommand' : 'group',
        ),
      );
      return;
    }
    if (option.required === true) {
      if (sawOptional) {
        issues.push(
          issue(
            [...at, 'required'],
            'REQUIRED_AFTER_OPTIONAL',
            'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
            'Required options must be placed before non-required options',
          ),
        );
      }
    } else {
      sawOptional = true;
    }
    if (option.choices !== undefined) {
      const choiceTypes: number[] = [OPTION_TYPES.string, OPTION_TYPES.integer, OPTION_TYPES.number];
      if (!Array.isArray(option.choices) || !choiceTypes.includes(type)) {
        issues.push(
          issue(
            [...at, 'choices'],
            'OPTION_INVALID',
            'APPLICATION_COMMAND_OPTION_CHOICES_INVALID',
            'Choices are only allowed on string, integer and number options',
          ),
        );
      } else {
        if (option.choices.length > LIMITS.commandChoices)
          issues.push(maxLength([...at, 'choices'], 'TOO_MANY_CHOICES', LIMITS.commandChoices));
        if (option.autocomplete === true && option.choices.length > 0) {
          issues.push(
            issue(
              [...at, 'autocomplete'],
              'OPTION_INVALID',
              'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID',
              'Autocomplete cannot be set with choices',
            ),
          );
        }
        option.choices.forEach((choice, j) => {
          issues.push(...validateChoice(choice, [...at, 'choices', j]));
        });
      }
    }
    for (const [minKey, maxKey, low, high] of [
      ['min_length', 'max_length', 0, 6000],
      ['min_value', 'max_value', -(2 ** 53), 2 ** 53],
    ] as const) {
      const min = option[minKey];
      const max = option[maxKey];
      for (const [key, value] of [
        [minKey, min],
        [maxKey, max],
      ] as const) {
        if (value !== undefined && (typeof value !== 'number' || value < low || value > high)) {
          issues.push(issue([...at, key], 'OPTION_INVALID', 'NUMBER_TYPE_MAX', `${key} is out of range`));
        }
      }
      if (typeof min === 'number' && typeof max === 'number' && min > max) {
        issues.push(
          issue(
            [...at, minKey],
            'OPTION_INVALID',
            'APPLICATION_COMMAND_OPTION_MIN_MAX_INVALID',
            `${minKey} must not exceed ${maxKey}`,
          ),
        );
      }
    }
  });
  return issues;
}

export function validateCommand(command: unknown, at: Path): Issue[] {
  if (!isObject(command))
    return [issue(at, 'COMMAND_NAME_INVALID', 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType')];
  const issues: Issue[] = [];
  const type = command.type ?? CHAT_INPUT;
  if (type !== 1 && type !== 2 && type !== 3 && type !== 4) {
    return [
      issue(
        [...at, 'type'],
        'COMMAND_NAME_INVALID',
        'ENUM_TYPE_COERCE',
        `Value "${String(type)}" is not a valid enum value.`,
      ),
    ];
  }
  if (type === CHAT_INPUT) {
    issues.push(...checkChatInputName(command.name, [...at, 'name'], 'COMMAND_NAME_INVALID'));
    const description = textLength(command.description);
    if (description < 1 || description > LIMITS.commandDescriptionLength) {
      issues.push(badLength([...at, 'description'], 'COMMAND_DESCRIPTION_INVALID', 1, LIMITS.commandDescriptionLength));
    }
    issues.push(
      ...validateLocalizations(
        command.name_localizations,
        [...at, 'name_localizations'],
        1,
        LIMITS.commandNameLength,
        'COMMAND_NAME_INVALID',
        true,
      ),
    );
    issues.push(
      ...validateLocalizations(
        command.description_localizations,
        [...at, 'description_localizations'],
        1,
        LIMITS.commandDescriptionLength,
        'COMMAND_DESCRIPTION_INVALID',
      ),
    );
    issues.push(...validateOptions(command.options, [...at, 'options'], 'command'));
    if (commandCharacters(command) > LIMITS.commandTotalCharacters) {
      issues.push(
        issue(
          at,
          'COMMAND_TOO_LARGE',
          'APPLICATION_COMMAND_TOO_LARGE',
          `Command exceeds maximum size (${LIMITS.commandTotalCharacters})`,
        ),
      );
    }
  } else {
    // User and message context-menu commands: free-form names, no description, no options.
    const name = textLength(command.name);
    if (name < 1 || name > LIMITS.commandNameLength)
      issues.push(badLength([...at, 'name'], 'COMMAND_NAME_INVALID', 1, LIMITS.commandNameLength));
    if (typeof command.description === 'string' && command.description.length > 0) {
      issues.push(
        issue(
          [...at, 'description'],
          'COMMAND_DESCRIPTION_INVALID',
          'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION',
          'Context menu commands cannot have description',
        ),
      );
    }
    if (Array.isArray(command.options) && command.options.length > 0) {
      issues.push(
        issue(
          [...at, 'options'],
          'OPTION_INVALID',
          'APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS',
          'Context menu commands cannot have options',
        ),
      );
    }
  }
  if (
    command.default_member_permissions !== undefined &&
    command.default_member_permissions !== null &&
    !/^\d+$/.test(String(command.default_member_permissions))
  ) {
    issues.push(
      issue([...at, 'default_member_permissions'], 'OPTION_INVALID', 'BASE_TYPE_INVALID', 'Invalid permissions'),
    );
  }
  return issues;
}

/** A bulk overwrite (`PUT …/commands`): every command valid, names unique per type, ≤ 100 chat-input commands. */
export function validateCommandList(commands: unknown): Issue[] {
  if (!Array.isArray(commands)) return [issue([], 'OPTION_INVALID', 'BASE_TYPE_ARRAY', 'Must be an array.')];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  let chatInput = 0;
  commands.forEach((command, i) => {
    issues.push(...validateCommand(command, [i]));
    if (!isObject(command)) return;
    const type = (command.type as number | undefined) ?? CHAT_INPUT;
    if (type === CHAT_INPUT) chatInput += 1;
    const key = `${type}:${String(command.name)}`;
    if (seen.has(key))
      issues.push(
        issue(
          [i, 'name'],
          'DUPLICATE_NAME',
          'APPLICATION_COMMANDS_DUPLICATE_NAME',
          `Application command names must be unique`,
        ),
      );
    seen.add(key);
  });
  if (chatInput > LIMITS.chatInputCommandsPerScope)
    issues.push(maxLength([], 'TOO_MANY_COMMANDS', LIMITS.chatInputCommandsPerScope));
  return issues;
}
