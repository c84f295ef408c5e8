// What the local console itself says (greeting, help, prompts), in both languages. Command-line
// mistakes (BAD_COMMAND_LINE) are UserErrors and live in the main catalogues. Command replies come from the commands
// and the main catalogues; only the words that
// exist because there is a terminal instead of Discord live here.
import type { Locale } from './index.js';

export interface ConsoleStrings {
  greeting(params: {
    guildId: string;
    sample: string;
    dataDir: string;
    modelsDir: string;
    localizedTrain: string | null;
  }): string[];
  helpTitle: string;
  helpFooter: string[];
  usage(command: string): string;
  required: string;
  optionType: Record<'string' | 'integer' | 'number' | 'boolean' | 'attachment' | 'other', string>;
  choicesOf(values: string[]): string;
  range(min: number | undefined, max: number | undefined): string;
  working: string;
  choosePrompt(count: number): string;
  chooseHint(count: number): string;
  choiceNotAvailable(text: string): string;
  choiceDismissed: string;
  modalIntro(title: string): string;
  modalField(label: string, required: boolean): string;
  modalTooShort(min: number): string;
  modalTooLong(max: number): string;
  modalCancelled: string;
  cancellingTraining: string;
  interruptHint: string;
  goodbye: string;
  noInput: string[];
  internalError(reference: string, logFile: string): string;
  consoleArgumentError(detail: string): string;
}

const en: ConsoleStrings = {
  greeting: ({ guildId, sample, dataDir, modelsDir }) => [
    'UltraEfficient Bot — local console',
    `Acting as the owner of server "${guildId}". Database in ${dataDir}, models in ${modelsDir}.`,
    `Try it with the sample text that ships with the bot: /train file1:${sample}`,
    '  then: /generate prompt:"Once upon a time"',
    'Type /help for the commands, Tab to complete, ↑ for history, /exit or Ctrl+D to quit.',
  ],
  helpTitle: 'Commands (type them as in Discord: /name option:value)',
  helpFooter: [
    'Values with spaces may be quoted: prompt:"Once upon a time". Files are local paths: file1:./my_text.txt',
    'Buttons and menus appear as numbered choices such as [1] Save  [2] Cancel: type the number (or the label).',
    'A new /command or an empty answer leaves a pending choice unanswered. /help NAME shows one command.',
    'Ctrl+C cancels a running training; /exit, /quit or Ctrl+D leaves the console.',
  ],
  usage: (command) => `Usage: ${command}`,
  required: 'required',
  optionType: {
    string: 'text',
    integer: 'integer',
    number: 'number',
    boolean: 'true/false',
    attachment: 'file path',
    other: 'value',
  },
  choicesOf: (values) => `one of: ${values.join(', ')}`,
  range: (min, max) =>
    min !== undefined && max !== undefined ? `${min}–${max}` : min !== undefined ? `≥ ${min}` : `≤ ${max}`,
  working: '… working',
  choosePrompt: (count) => (count === 1 ? 'choice [1]> ' : `choice [1-${count}]> `),
  chooseHint: (count) =>
    count === 1 ? 'Type 1 to choose it, or a new /command.' : `Type a number from 1 to ${count}, or a new /command.`,
  choiceNotAvailable: (text) => `"${text}" is not one of the choices.`,
  choiceDismissed: 'Choice left unanswered.',
  modalIntro: (title) => `${title} — answer each field on its own line:`,
  modalField: (label, required) => `${label}${required ? '' : ' (optional)'}: `,
  modalTooShort: (min) => `At least ${min} characters, please.`,
  modalTooLong: (max) => `At most ${max} characters, please.`,
  modalCancelled: 'Form cancelled.',
  cancellingTraining: 'Cancelling the training…',
  interruptHint: 'Press Ctrl+C again on an empty line, or type /exit, to quit.',
  goodbye: 'Bye!',
  noInput: [
    'No DISCORD_TOKEN is set and standard input carried no command, so there is nothing to do.',
    'To run the Discord bot, put DISCORD_TOKEN=<your bot token> in .env (see .env.example) or the environment.',
    'To use the local console instead, run `npm start` in a terminal, or pipe commands into it:',
    "  printf '/train file1:data/samples/en-stories.txt\\n/generate prompt:Once\\n' | npm start",
  ],
  internalError: (reference, logFile) =>
    `Something went wrong on our side. Reference: ${reference} (details in ${logFile}).`,
  consoleArgumentError: (detail) => `Console options: ${detail}`,
};

const es: ConsoleStrings = {
  greeting: ({ guildId, sample, dataDir, modelsDir, localizedTrain }) => [
    'UltraEfficient Bot — consola local',
    `Actúas como propietario del servidor "${guildId}". Base de datos en ${dataDir}, modelos en ${modelsDir}.`,
    `Pruébalo con el texto de ejemplo que trae el bot: /train file1:${sample}`,
    ...(localizedTrain ? [`  (los nombres en español también valen: ${localizedTrain})`] : []),
    '  y luego: /generate prompt:"Había una vez"',
    'Escribe /help para ver los comandos, Tab para completar, ↑ para el historial, /exit o Ctrl+D para salir.',
  ],
  helpTitle: 'Comandos (escríbelos como en Discord: /nombre opción:valor)',
  helpFooter: [
    'Los valores con espacios pueden ir entre comillas: prompt:"Había una vez". Los archivos son rutas locales: file1:./mi_texto.txt',
    'Los botones y menús aparecen como opciones numeradas, p. ej. [1] Guardar  [2] Cancelar: escribe el número (o el texto).',
    'Un nuevo /comando o una respuesta vacía deja sin contestar una elección pendiente. /help NOMBRE muestra un comando.',
    'Ctrl+C cancela un entrenamiento en curso; /exit, /quit o Ctrl+D cierran la consola.',
  ],
  usage: (command) => `Uso: ${command}`,
  required: 'obligatoria',
  optionType: {
    string: 'texto',
    integer: 'entero',
    number: 'número',
    boolean: 'verdadero/falso',
    attachment: 'ruta de archivo',
    other: 'valor',
  },
  choicesOf: (values) => `una de: ${values.join(', ')}`,
  range: (min, max) =>
    min !== undefined && max !== undefined ? `${min}–${max}` : min !== undefined ? `≥ ${min}` : `≤ ${max}`,
  working: '… trabajando',
  choosePrompt: (count) => (count === 1 ? 'opción [1]> ' : `opción [1-${count}]> `),
  chooseHint: (count) =>
    count === 1
      ? 'Escribe 1 para elegirla, o un nuevo /comando.'
      : `Escribe un número del 1 al ${count}, o un nuevo /comando.`,
  choiceNotAvailable: (text) => `"${text}" no es una de las opciones.`,
  choiceDismissed: 'Elección sin respuesta.',
  modalIntro: (title) => `${title} — responde cada campo en su propia línea:`,
  modalField: (label, required) => `${label}${required ? '' : ' (opcional)'}: `,
  modalTooShort: (min) => `Al menos ${min} caracteres, por favor.`,
  modalTooLong: (max) => `Como máximo ${max} caracteres, por favor.`,
  modalCancelled: 'Formulario cancelado.',
  cancellingTraining: 'Cancelando el entrenamiento…',
  interruptHint: 'Pulsa Ctrl+C otra vez con la línea vacía, o escribe /exit, para salir.',
  goodbye: '¡Hasta luego!',
  noInput: [
    'No hay DISCORD_TOKEN y la entrada estándar no trajo ningún comando, así que no hay nada que hacer.',
    'Para ejecutar el bot de Discord, pon DISCORD_TOKEN=<el token de tu bot> en .env (mira .env.example) o en el entorno.',
    'Para usar la consola local, ejecuta `npm start` en una terminal, o pásale comandos por una tubería:',
    "  printf '/train file1:data/samples/es-cuentos.txt\\n/generate prompt:Había\\n' | npm start",
  ],
  internalError: (reference, logFile) =>
    `Algo falló de nuestro lado. Referencia: ${reference} (detalles en ${logFile}).`,
  consoleArgumentError: (detail) => `Opciones de la consola: ${detail}`,
};

export function consoleStrings(locale: Locale): ConsoleStrings {
  return locale === 'es' ? es : en;
}
