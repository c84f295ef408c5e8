// Catálogo en español (es-ES y es-419 comparten textos: neutros, sin vosotros ni voseo).
// Debe tener exactamente las claves del catálogo inglés; el tipo lo exige.
import type { MessageKey } from './en.js';
import type { Message, MessageParams, MessageTools } from './types.js';

// Issue 18: por qué falló una descarga (el motivo de DOWNLOAD_FAILED), en palabras.
const DOWNLOAD_REASON_ES: Record<string, (p: MessageParams, t: MessageTools) => string> = {
  'http-status': (p) =>
    `el servidor respondió HTTP ${String(p.status)}${Number(p.status) >= 500 ? ' (un fallo suyo)' : Number(p.status) === 404 || Number(p.status) === 410 ? ' (el archivo ya no está: súbelo de nuevo)' : ''}`,
  network: (p, t) => `falló la conexión${p.detail ? ` (${t.text(p.detail)})` : ''}`,
  'not-http-url': () => 'su dirección no es un enlace http(s)',
  'no-location': () => 'no tiene dirección',
  'not-found': () => 'no hay ningún archivo en esa ruta',
  'not-a-file': () => 'esa ruta no es un archivo normal',
  'read-error': (p, t) => `no se ha podido leer${p.detail ? ` (${t.text(p.detail)})` : ''}`,
};
// Issue 18: Discord’s names of the channel permissions the bot asks for.
const PERMISSION_NAMES_ES: Record<string, string> = {
  ViewChannel: 'Ver canal',
  ReadMessageHistory: 'Leer el historial de mensajes',
  SendMessages: 'Enviar mensajes',
};

const plural = (count: number, one: string, many: string) => (count === 1 ? one : many);

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function modelLabel(params: MessageParams, tools: MessageTools): string {
  return params.name === null || params.name === undefined
    ? 'el modelo entrenado sin guardar'
    : `**${tools.text(params.name)}**${params.version ? ` v${tools.int(Number(params.version))}` : ''}`;
}

const BAD_COMMAND_LINE: Record<string, (p: MessageParams, t: MessageTools) => string> = {
  'not-a-command': (p, t) =>
    `«${t.text(p.text)}» no es un comando. Los comandos empiezan por una barra, p. ej. \`/estado\`; escribe \`/help\` para ver la lista.`,
  'unknown-option': (p, t) =>
    `${t.code('/' + String(p.command))} no tiene la opción ${t.code(p.option)}. Escribe ${t.code(`/help ${String(p.command)}`)} para ver sus opciones.`,
  'missing-option': (p, t) =>
    `${t.code('/' + String(p.command))} necesita ${t.list(asList(p.options).map((o) => t.code(o)))}.`,
  'duplicate-option': (p, t) => `La opción ${t.code(p.option)} aparece dos veces; escríbela una sola vez.`,
  'empty-value': (p, t) => `La opción ${t.code(p.option)} no tiene valor; escribe uno después de los dos puntos.`,
  'expected-option': (p, t) => `«${t.text(p.word)}» no es una opción. Escribe las opciones como \`nombre:valor\`.`,
  'file-not-found': (p, t) => `No hay ningún archivo en ${t.text(p.path)}. Revisa la ruta de ${t.code(p.option)}.`,
  'not-a-file': (p, t) => `${t.text(p.path)} no es un archivo. Indica la ruta de un archivo en ${t.code(p.option)}.`,
  'not-a-boolean': (p, t) => `${t.code(p.option)} admite true o false, no «${t.text(p.value)}».`,
  'not-a-choice': (p, t) =>
    `${t.code(p.option)} admite ${t.list(asList(p.choices).map((c) => t.code(c)))}, no «${t.text(p.value)}».`,
  'not-a-number': (p, t) => `${t.code(p.option)} admite un número, no «${t.text(p.value)}».`,
  'not-an-integer': (p, t) => `${t.code(p.option)} admite un número entero, no «${t.text(p.value)}».`,
  'subcommands-unsupported': (p, t) => `${t.code('/' + String(p.command))} no se puede usar desde la consola.`,
  'text-after-quote': (p, t) =>
    `Hay texto justo después de la comilla de cierre de ${t.code(p.option)}; deja un espacio tras la comilla.`,
  'too-large': (p, t) => `${t.code(p.option)} admite como máximo ${t.text(p.max)}; «${t.text(p.value)}» es demasiado.`,
  'too-small': (p, t) => `${t.code(p.option)} admite como mínimo ${t.text(p.min)}; «${t.text(p.value)}» es poco.`,
  'too-long': (p, t) => `${t.code(p.option)} admite como máximo ${t.text(p.max)} caracteres; acórtalo.`,
  'too-short': (p, t) => `${t.code(p.option)} necesita al menos ${t.text(p.min)} caracteres.`,
  'unclosed-quote': (p, t) => `La comilla que abre ${t.code(p.option)} no se cierra nunca; añade la comilla de cierre.`,
};

const INVALID_NAME_REASON: Record<string, string> = {
  empty: 'el nombre no puede estar vacío',
  'too-long': 'es demasiado largo (64 caracteres como máximo)',
  characters:
    'usa solo letras (de cualquier idioma, con tildes y ñ), cifras, guiones y guiones bajos, sin espacios ni puntos',
  reserved: 'ese nombre está reservado',
};

const MALFORMED_REASON: Record<string, string> = {
  'csv-unclosed-quote': 'un campo CSV entre comillas no se cierra',
  'csv-no-text-column': 'el CSV no tiene ninguna columna con texto',
  'json-syntax': 'no es JSON válido',
  'json-shape': 'el JSON no contiene una lista de textos',
};

export const es: Record<MessageKey, Message> = {
  // ---- definiciones de comandos -------------------------------------------------------------
  'cmd.train.name': 'entrenar',
  'cmd.train.description': 'Entrena el modelo de patrones del servidor con archivos de texto',
  'cmd.train.opt.file1.name': 'archivo1',
  'cmd.train.opt.file1.description': 'Un archivo de texto (.txt, .md, .csv, .json) del que aprender',
  'cmd.train.opt.file2.name': 'archivo2',
  'cmd.train.opt.file2.description': 'Otro archivo de texto',
  'cmd.train.opt.file3.name': 'archivo3',
  'cmd.train.opt.file3.description': 'Otro archivo de texto',
  'cmd.train.opt.file4.name': 'archivo4',
  'cmd.train.opt.file4.description': 'Otro archivo de texto',
  'cmd.train.opt.file5.name': 'archivo5',
  'cmd.train.opt.file5.description': 'Otro archivo de texto',
  'cmd.train.opt.max_pattern_length.name': 'longitud_patron',
  'cmd.train.opt.max_pattern_length.description': 'Patrón más largo en palabras, 1–8 (por defecto 5)',
  'cmd.train.opt.min_frequency.name': 'frecuencia_minima',
  'cmd.train.opt.min_frequency.description': 'Descarta patrones vistos menos veces (por defecto 1: se guardan todos)',
  'cmd.train.opt.max_patterns.name': 'max_patrones',
  'cmd.train.opt.max_patterns.description': 'Guarda como máximo estos patrones (por defecto 0: sin límite)',
  'cmd.train.opt.mode.name': 'modo',
  'cmd.train.opt.mode.description': 'Empezar un modelo nuevo o ampliar el actual (por defecto nuevo)',
  'cmd.train.choice.mode.new': 'modelo nuevo',
  'cmd.train.choice.mode.append': 'ampliar el modelo actual',
  'cmd.train.opt.validation.name': 'validacion',
  'cmd.train.opt.validation.description':
    'Parte de las líneas apartada para medir la perplejidad, 0–0,5 (por defecto 0)',
  'cmd.save.name': 'guardar',
  'cmd.save.description': 'Guarda el modelo entrenado con un nombre',
  'cmd.save.opt.name.name': 'nombre',
  'cmd.save.opt.name.description': 'Letras, cifras, - y _ (sin espacios), hasta 64 caracteres',
  'cmd.load.name': 'cargar',
  'cmd.load.description': 'Activa un modelo guardado',
  'cmd.load.opt.name.name': 'nombre',
  'cmd.load.opt.name.description': 'El modelo guardado',
  'cmd.load.opt.version.name': 'version',
  'cmd.load.opt.version.description': 'Número de versión (por defecto, la más reciente)',
  'cmd.models.name': 'modelos',
  'cmd.models.description': 'Lista los modelos guardados del servidor',
  'cmd.delete.name': 'borrar',
  'cmd.delete.description': 'Borra un modelo guardado',
  'cmd.delete.opt.name.name': 'nombre',
  'cmd.delete.opt.name.description': 'El modelo guardado',
  'cmd.delete.opt.version.name': 'version',
  'cmd.delete.opt.version.description': 'Borra solo esta versión (por defecto, todas)',
  'cmd.generate.name': 'generar',
  'cmd.generate.description': 'Genera texto con el modelo activo',
  'cmd.generate.opt.prompt.name': 'inicio',
  'cmd.generate.opt.prompt.description': 'Las palabras con las que empezar',
  'cmd.generate.opt.max_length.name': 'longitud_max',
  'cmd.generate.opt.max_length.description': 'Máximo de palabras generadas, 1–200 (por defecto 40)',
  'cmd.generate.opt.temperature.name': 'temperatura',
  'cmd.generate.opt.temperature.description': 'Más baja, más segura; más alta, más variada; 0,1–2 (por defecto 1,2)',
  'cmd.generate.opt.seed.name': 'semilla',
  'cmd.generate.opt.seed.description': 'Misma semilla, mismo inicio y mismo modelo: mismo texto',
  'cmd.status.name': 'estado',
  'cmd.status.description': 'El modelo activo, el entrenamiento en curso, el espacio usado y la versión del bot',

  // ---- piezas comunes ---------------------------------------------------------------------------
  'common.none': 'ninguno',
  'common.yes': 'sí',
  'common.no': 'no',
  'common.cancel': 'Cancelar',
  'common.unknown': 'desconocido',

  'phase.queued': 'esperando un hueco para entrenar',
  'phase.download': 'descargando archivos',
  'phase.ingest': 'leyendo archivos',
  'phase.tokenize': 'separando palabras',
  'phase.count': 'contando patrones',
  'phase.adjust': 'ajustando recuentos',
  'phase.discount': 'calculando descuentos',
  'phase.interpolate': 'interpolando',
  'phase.embed': 'creando vectores de palabras',
  'phase.evaluate': 'midiendo la perplejidad',
  'phase.pack': 'empaquetando el modelo',
  'phase.save': 'escribiendo el modelo',

  'stats.vocabulary': 'Vocabulario',
  'stats.patterns': 'Patrones',
  'stats.patternsValue': (p, t) => `${t.int(Number(p.patterns))} (longitud máx. ${t.int(Number(p.order))})`,
  'stats.embeddings': 'Vectores',
  'stats.embeddingsValue': (p, t) =>
    Number(p.count) === 0 ? 'ninguno' : `${t.int(Number(p.count))} × ${t.int(Number(p.dim))}`,
  'stats.memory': 'Memoria',
  'stats.graph': 'Grafo',
  'stats.graphValue': (p, t) =>
    `${t.int(Number(p.nodes))} ${plural(Number(p.nodes), 'nodo', 'nodos')} · ${t.int(Number(p.edges))} ${plural(Number(p.edges), 'arista', 'aristas')}`,
  'stats.parameters': 'Parámetros',
  'stats.parametersValue': (p, t) =>
    `frecuencia mínima ${t.int(Number(p.minFrequency))} · máx. patrones ${Number(p.maxPatterns) === 0 ? 'sin límite' : t.int(Number(p.maxPatterns))} · validación ${Number(p.validation) === 0 ? 'ninguna' : `${t.dec(Number(p.validation) * 100)} % de las líneas apartado`}`,
  'stats.corpus': 'Corpus',
  'stats.corpusValue': (p, t) =>
    `${t.int(Number(p.lines))} ${plural(Number(p.lines), 'línea', 'líneas')} · ${t.int(Number(p.tokens))} ${plural(Number(p.tokens), 'palabra', 'palabras')}`,
  'stats.perplexity': 'Perplejidad (validación)',
  'stats.trainingTime': 'Tiempo de entrenamiento',

  // ---- /cargar pregunta antes de reemplazar un modelo sin guardar; /estado avisa de un entrenamiento interrumpido
  //
  'load.replace.title': '¿Reemplazar el modelo sin guardar?',
  'load.replace.body':
    'Este servidor tiene un modelo entrenado que nunca se guardó. Cargar otro modelo lo reemplaza. Guárdalo primero con `/guardar`, o carga de todos modos. Esta pregunta caduca en 60 segundos.',
  'load.replace.confirm': 'Cargar de todos modos',
  'load.replace.cancelled': 'No se ha cargado nada; el modelo sin guardar se conserva.',
  'status.interrupted': 'Entrenamiento interrumpido',
  'status.interruptedValue': (p, t) =>
    `El entrenamiento que empezó ${t.text(p.user)} el ${t.text(p.date)} se detuvo al pararse el bot (o la consola) y no dejó ningún modelo. Vuelve a empezarlo con \`/entrenar\`.`,

  // ---- /entrenar ------------------------------------------------------------------------------
  'train.replace.title': '¿Reemplazar el modelo sin guardar?',
  'train.replace.body':
    'Este servidor tiene un modelo entrenado que no se ha guardado. Un nuevo entrenamiento lo reemplaza. Guárdalo antes con `/guardar`, o entrena de todos modos. Esta pregunta caduca en 60 segundos.',
  'train.replace.confirm': 'Entrenar de todos modos',
  'train.replace.cancelled': 'No se ha empezado a entrenar; el modelo sin guardar se conserva.',
  'train.replace.notStarted': 'No se ha empezado a entrenar.',
  'train.progress.title': 'Entrenando…',
  'train.progress.line': (p, t) =>
    `${t.text(p.bar)} ${t.text(p.percent)} · ${t.text(p.phase)}${p.eta ? ` · quedan unos ${t.text(p.eta)}` : ''}`,
  'train.progress.startedBy': (p, t) => `Iniciado por ${t.text(p.user)}`,
  'train.done.title': 'Entrenamiento terminado',
  'train.done.description': (p, t) =>
    `${p.mode === 'append' ? 'Añadidas' : 'Aprendidas'} ${t.int(Number(p.lines))} ${plural(Number(p.lines), 'línea', 'líneas')} de ${t.int(Number(p.files))} ${plural(Number(p.files), 'archivo', 'archivos')}. ` +
    'El modelo está activo pero sin guardar: pulsa **Guardar** o usa `/guardar`.',
  // ---- held-out lines said where the line counts stand side by side ----
  'train.done.heldOut': (p, t) =>
    `De ellas, ${t.int(Number(p.heldOut))} ${plural(Number(p.heldOut), 'se apartó', 'se apartaron')} para medir la perplejidad (validación); el modelo aprendió de las otras ${t.int(Number(p.trained))}.`,
  'train.done.descriptionLate': (p, t) =>
    `Ha terminado el entrenamiento iniciado por ${t.text(p.user)}: ${t.int(Number(p.lines))} ${plural(Number(p.lines), 'línea aprendida', 'líneas aprendidas')}. El modelo está activo pero sin guardar: usa \`/guardar\` para conservarlo.`,
  // ---- a training a stopped process interrupted, told in its channel after a restart
  'train.interrupted.notice': (p, t) =>
    `El entrenamiento que ${t.text(p.user)} empezó el ${t.text(p.date)} se interrumpió: el bot se detuvo antes de que terminara y no se conservó nada. Vuelve a usar \`/entrenar\`.`,
  'train.failedLate': (p, t) => `El entrenamiento iniciado por ${t.text(p.user)} no ha terminado: ${t.text(p.reason)}`,
  'train.sample': 'Muestra',
  'train.sampleEmpty': '(sin muestra: el modelo no ha producido texto)',
  'train.save.button': 'Guardar',
  'train.save.modalTitle': 'Guardar el modelo entrenado',
  'train.save.fieldLabel': 'Nombre del modelo',
  'train.save.fieldPlaceholder': 'p. ej. quijote',

  // ---- /guardar, /cargar -----------------------------------------------------------------------
  'save.title': 'Modelo guardado',
  'save.name': 'Nombre',
  'save.version': 'Versión',
  'save.file': 'Archivo',
  'save.size': 'Tamaño',
  'load.title': (p, t) => `Cargado ${t.text(p.name)} v${t.int(Number(p.version))}`,
  'load.description': (p, t) =>
    `Guardado el ${t.text(p.date)} por ${t.text(p.user)} · ${t.text(p.size)}. \`/generar\` usa ahora este modelo.`,

  // ---- /modelos ---------------------------------------------------------------------------------
  'models.title': 'Modelos guardados',
  'models.empty':
    'Este servidor aún no tiene modelos guardados. Entrena uno con `/entrenar` y guárdalo con `/guardar`.',
  'models.page': (p, t) =>
    `Página ${t.int(Number(p.page))} de ${t.int(Number(p.pages))} · ${t.int(Number(p.count))} ${plural(Number(p.count), 'modelo', 'modelos')}`,
  'models.active': 'activo',
  'models.unavailable': 'archivo no disponible',
  'models.entry': (p, t) =>
    [
      `v${t.int(Number(p.version))}${Number(p.versions) > 1 ? ` (${t.int(Number(p.versions))} versiones${p.newest ? `, la más reciente v${t.int(Number(p.newest))}` : ''})` : ''} · ${t.text(p.size)} · ${t.text(p.date)}`,
      `${t.int(Number(p.patterns))} ${plural(Number(p.patterns), 'patrón', 'patrones')} · ${t.int(Number(p.embeddings))} ${plural(Number(p.embeddings), 'vector', 'vectores')} · ${t.text(p.sizes)}`,
      `${t.int(Number(p.nodes))} ${plural(Number(p.nodes), 'nodo del grafo', 'nodos del grafo')} · longitud máx. ${t.int(Number(p.order))} · frecuencia mínima ${t.int(Number(p.minFrequency))}` +
        (p.perplexity === null || p.perplexity === undefined ? '' : ` · perplejidad ${t.dec(Number(p.perplexity))}`),
    ].join('\n'),
  'models.previous': 'Anterior',
  'models.next': 'Siguiente',
  'models.pick': 'Elige un modelo',
  'models.pickDescription': (p, t) => `v${t.int(Number(p.version))} · ${t.text(p.sizes)} · ${t.text(p.date)}`,
  'models.load': 'Cargar',
  'models.delete': 'Borrar',
  'models.selected': (p, t) => `Seleccionado: **${t.text(p.name)}**`,
  'models.loaded': (p, t) => `Cargado **${t.text(p.name)}** v${t.int(Number(p.version))}.`,
  'models.deleted': (p, t) => `Borrado **${t.text(p.name)}**.`,
  'models.manageHint': 'Cargar y borrar requieren el permiso Gestionar servidor.',

  // ---- /borrar ------------------------------------------------------------------------------------
  'delete.confirm.title': (p, t) => `¿Borrar ${t.text(p.name)}?`,
  'delete.confirm.body': (p, t) =>
    `Se ${p.version ? `borrará la versión ${t.int(Number(p.version))}` : `${plural(Number(p.count), 'borrará', 'borrarán')} ${t.int(Number(p.count))} ${plural(Number(p.count), 'versión', 'versiones')}`} (${t.text(p.size)}) para siempre.` +
    (p.active ? ' Es el modelo activo: `/generar` no tendrá modelo hasta que cargues o entrenes otro.' : '') +
    ' Esta pregunta caduca en 60 segundos.',
  'delete.confirm.button': 'Borrar',
  'delete.done': (p, t) =>
    `Borrado **${t.text(p.name)}** (${t.int(Number(p.count))} ${plural(Number(p.count), 'versión', 'versiones')}).` +
    (p.wasActive ? ' Era el modelo activo; carga o entrena otro con `/cargar` o `/entrenar`.' : ''),
  'delete.cancelled': 'No se ha borrado nada.',

  // ---- /generar ---------------------------------------------------------------------------------
  'generate.footer': (p, t) =>
    `${t.int(Number(p.tokens))} ${plural(Number(p.tokens), 'token', 'tokens')} · ${t.int(Number(p.ms))} ms · ${t.int(Number(p.patterns))} patrones activados`,
  'generate.substitutions': (p, t) => `palabras desconocidas continuadas como: ${t.text(p.list)}`,
  'generate.empty':
    'El modelo no ha producido texto. Prueba con otro inicio, una temperatura más alta o entrena con más texto.',

  // ---- /estado -------------------------------------------------------------------------------------
  'status.title': 'Estado',
  'status.active': 'Modelo activo',
  'status.activeNone': 'Ninguno. Entrena uno con `/entrenar` o carga uno con `/cargar`.',
  'status.activeSaved': (p, t) => `**${t.text(p.name)}** v${t.int(Number(p.version))} · guardado`,
  'status.activeWorking': (p, t) =>
    `Entrenado el ${t.text(p.date)} por ${t.text(p.user)} · **sin guardar** (usa \`/guardar\`)`,
  'status.training': 'Entrenamiento',
  'status.trainingNone': 'ninguno en curso',
  'status.trainingRunning': (p, t) =>
    `${t.text(p.line)}\niniciado por ${t.text(p.user)} hace ${t.text(p.elapsed)} (${t.text(p.mode)})`,
  'status.modeNew': 'modelo nuevo',
  'status.modeAppend': 'ampliando el modelo',
  'status.storage': 'Espacio',
  'status.storageValue': (p, t) =>
    `${t.int(Number(p.models))} de ${t.int(Number(p.maxModels))} modelos · ${t.text(p.bytes)} de ${t.text(p.maxBytes)}`,
  'status.limits': 'Límites por entrenamiento',
  'status.limitsValue': (p, t) =>
    `${t.int(Number(p.files))} ${plural(Number(p.files), 'archivo', 'archivos')} · ${t.text(p.attachment)} por archivo · ${t.text(p.training)} en total`,
  'status.version': 'Versión',
  'status.uptime': 'Tiempo en marcha',

  // ---- errores -------------------------------------------------------------------------------------
  'error.TOO_MANY_FILES': (p, t) =>
    `Son ${t.int(Number(p.count))} archivos; un entrenamiento admite como máximo ${t.int(Number(p.limit))}. Entrena con menos archivos o añade el resto con \`modo: ampliar el modelo actual\`.`,
  'error.ATTACHMENT_TOO_LARGE': (p, t) =>
    `**${t.text(p.name)}** ocupa ${t.bytes(Number(p.bytes))}; cada archivo puede ocupar como máximo ${t.bytes(Number(p.limit))}. Divídelo en archivos más pequeños y entrena con \`modo: ampliar el modelo actual\`.`,
  'error.TRAINING_INPUT_TOO_LARGE': (p, t) =>
    `Los archivos suman ${t.bytes(Number(p.bytes))}; un entrenamiento admite como máximo ${t.bytes(Number(p.limit))}. Entrena con una parte y añade el resto con \`modo: ampliar el modelo actual\`.`,
  'error.UNSUPPORTED_FILE_TYPE': (p, t) =>
    `**${t.text(p.name)}** (${t.text(p.type)}) no es un archivo de texto que pueda leer. Sube archivos .txt, .md, .csv o .json.`,
  'error.BINARY_FILE': (p, t) =>
    `**${t.text(p.name)}** parece un archivo binario, no texto. Sube texto plano (.txt, .md, .csv, .json).`,
  'error.BAD_ENCODING': (p, t) =>
    `**${t.text(p.name)}** no está en una codificación de texto que pueda leer. Guárdalo como UTF-8 y súbelo de nuevo.`,
  'error.MALFORMED_FILE': (p, t) =>
    `No se ha podido leer **${t.text(p.name)}**: ${t.text(MALFORMED_REASON[String(p.reason)] ?? p.reason)}${p.detail ? ` (${t.text(p.detail)})` : ''}. Corrige el archivo o súbelo como .txt.`,
  'error.EMPTY_FILE': (p, t) => `**${t.text(p.name)}** no contiene texto. Sube un archivo con algunas líneas de texto.`,
  'error.EMPTY_INPUT': 'No hay texto del que aprender. Adjunta al menos un archivo con algunas líneas de texto.',
  'error.DOWNLOAD_FAILED': (p, t) =>
    `No se ha podido descargar **${t.text(p.name)}**: ${DOWNLOAD_REASON_ES[String(p.reason)]?.(p, t) ?? t.text(p.reason)}${p.attempts ? ` (${t.int(Number(p.attempts))} intentos)` : ''}. Inténtalo de nuevo en un momento.`,
  'error.DOWNLOAD_TIMEOUT': (p, t) =>
    `Descargar **${t.text(p.name)}** ha tardado más de ${t.seconds(Number(p.seconds))}${p.attempts ? ` (${t.int(Number(p.attempts))} intentos)` : ''}. Inténtalo de nuevo o sube un archivo más pequeño.`,
  'error.INVALID_MODEL_NAME': (p, t) =>
    `«${t.text(p.name)}» no puede ser el nombre de un modelo: ${t.text(INVALID_NAME_REASON[String(p.reason)] ?? p.reason)}. Elige otro nombre.`,
  'error.INVALID_PARAMETER': (p, t) =>
    `${t.code(p.name)} no puede valer «${t.text(p.value)}» (${t.text(p.reason)}). Revisa el valor e inténtalo de nuevo.`,
  'error.NO_MODEL_LOADED':
    'No hay ningún modelo activo en este servidor. Entrena uno con `/entrenar` o carga uno guardado con `/cargar`.',
  'error.NO_TRAINED_MODEL': 'No hay ningún modelo entrenado que guardar. Entrena uno primero con `/entrenar`.',
  'error.MODEL_NOT_FOUND': (p, t) => {
    const suggestions = asList(p.suggestions).map((name) => `**${t.text(name)}**`);
    return `Este servidor no tiene ningún modelo llamado **${t.text(p.name)}**.${suggestions.length > 0 ? ` ¿Quizá ${t.list(suggestions)}?` : ''} \`/modelos\` lista los guardados.`;
  },
  'error.MODEL_VERSION_NOT_FOUND': (p, t) => {
    const versions = asList(p.versions).map((v) => `v${t.text(v)}`);
    return `**${t.text(p.name)}** no tiene versión ${t.text(p.version)}.${versions.length > 0 ? ` Sus versiones: ${t.list(versions)}.` : ''}`;
  },
  'error.MODEL_FILE_MISSING': (p, t) =>
    `Falta el archivo de ${modelLabel(p, t)} en la carpeta de modelos. Restáuralo desde una copia de seguridad, o bórralo con \`/borrar\` y vuelve a entrenarlo.`,
  'error.MODEL_CORRUPT': (p, t) =>
    `El archivo de ${modelLabel(p, t)} está dañado (${t.text(p.detail)}). Bórralo con \`/borrar\` y vuelve a entrenarlo, o restáuralo desde una copia de seguridad.`,
  'error.MODEL_INCOMPATIBLE': (p, t) =>
    `${modelLabel(p, t)} lo escribió una versión más nueva del bot (${t.text(p.detail)}). Actualiza el bot o vuelve a entrenar el modelo.`,
  'error.ALREADY_TRAINING': (p, t) =>
    `Ya hay un entrenamiento en curso en este servidor (${t.int(Number(p.percent))} %, ${t.text(p.phase)}). Espera a que termine; \`/estado\` muestra su progreso.`,
  'error.JOBS_BUSY': (p, t) =>
    `El bot está ocupado entrenando para otros servidores. Inténtalo de nuevo dentro de unos ${t.duration(Number(p.retryAfterSeconds) * 1000)}.`,
  // the model quota counts versions; say so, with the versions per model
  'error.QUOTA_MODELS': (p, t) => {
    const names = asList(p.names);
    const counts = asList(p.versionCounts).map(Number);
    const perModel = names.map(
      (name, i) => `${t.text(name)} ${t.int(counts[i] ?? 0)} ${plural(counts[i] ?? 0, 'versión', 'versiones')}`,
    );
    return (
      `Este servidor ya tiene ${t.int(Number(p.limit))} ${plural(Number(p.limit), 'versión guardada', 'versiones guardadas')}, el máximo permitido (cuenta cada versión de cada modelo)` +
      (perModel.length > 0
        ? `: ${t.list(Number(p.moreModels) > 0 ? [...perModel, `${t.int(Number(p.moreModels))} ${plural(Number(p.moreModels), 'modelo más', 'modelos más')}`] : perModel)}`
        : '') +
      '. Borra primero versiones antiguas con `/borrar nombre:… version:…` (o un modelo entero con `/borrar nombre:…`).'
    );
  },
  'error.QUOTA_BYTES': (p, t) =>
    `Guardar superaría el espacio de este servidor (${t.bytes(Number(p.usedBytes))} usados de ${t.bytes(Number(p.limit))}). Borra modelos antiguos con \`/borrar\` o entrena con un \`max_patrones\` menor.`,
  'error.TRAINING_CANCELLED':
    'Se ha cancelado el entrenamiento. No ha cambiado nada; vuelve a empezarlo con `/entrenar`.',
  'error.TRAINING_FAILED': (p, t) =>
    `El entrenamiento ha fallado (${t.text(p.reason)}). Inténtalo de nuevo; si sigue fallando, prueba con archivos más pequeños.`,
  'error.SHUTTING_DOWN': 'El bot se está reiniciando. Inténtalo de nuevo dentro de un minuto.',
  'error.COOLDOWN': (p, t) =>
    `Más despacio: podrás usar este comando de nuevo dentro de ${t.seconds(Number(p.seconds))}.`,
  'error.MISSING_PERMISSION': (p, t) =>
    `Necesitas el permiso **${t.text(p.permission)}** para esto. Pídeselo a un administrador del servidor.`,
  'error.GUILD_ONLY': 'Este comando solo funciona en un servidor, no en mensajes directos.',
  'error.CONFIRMATION_EXPIRED': 'Esta pregunta ha caducado. Vuelve a usar el comando.',
  'error.NOT_YOUR_BUTTON': 'Solo quien usó el comando puede pulsar estos botones. Usa el comando tú mismo.',
  'error.UNKNOWN_COMMAND': (p, t) =>
    `No existe el comando ${t.code('/' + String(p.name))}. ${p.discord ? 'Puede que este servidor aún muestre una lista antigua: escribe `/` y elige el bot para ver sus comandos.' : 'Escribe `/help` para ver la lista.'}`,
  'error.BAD_COMMAND_LINE': (p, t) => {
    const specific = BAD_COMMAND_LINE[String(p.reason)];
    return specific
      ? specific(p, t)
      : `No se ha podido leer esa línea (${t.text(p.reason)}). Escribe \`/help\` para ver la sintaxis.`;
  },
  // ---- varios procesos sobre una carpeta de datos --------------------------------
  'error.DATABASE_BUSY':
    'La base de datos está ocupada por otro proceso (otra consola o shard sobre la misma carpeta de datos). Inténtalo de nuevo en unos segundos.',
  'error.WORKING_MODEL_CHANGED': (p, t) => {
    const now =
      p.kind === 'draft'
        ? `un entrenamiento de ${t.text(p.user)} (${t.text(p.date)}) lo reemplazó`
        : p.kind === 'saved'
          ? `se cargó **${t.text(p.name)}** v${t.int(Number(p.version))} en su lugar (${t.text(p.date)})`
          : `se quitó (${t.text(p.date)})`;
    return `El modelo de trabajo del servidor ya no es el que se entrenó aquí: ${now}. No se ha guardado nada. Vuelve a usar \`/guardar\` para guardar el modelo de trabajo actual.`;
  },
  'error.INTERNAL': (p, t) =>
    `Algo ha fallado por nuestra parte. Si vuelve a pasar, da esta referencia a quien administra el bot: ${t.code(p.reference)}.`,
  // ---- /comparar, /exportar, /importar, versiones guardadas ---------------------------
  'cmd.compare.name': 'comparar',
  'cmd.compare.description':
    'Dos modelos guardados lado a lado: estadísticas, un texto de cada uno, perplejidad sobre un texto',
  'cmd.compare.opt.first.name': 'primero',
  'cmd.compare.opt.first.description': 'Un modelo guardado (`nombre` o `nombre v2`)',
  'cmd.compare.opt.second.name': 'segundo',
  'cmd.compare.opt.second.description': 'Otro modelo guardado (`nombre` o `nombre v2`)',
  'cmd.compare.opt.prompt.name': 'inicio',
  'cmd.compare.opt.prompt.description': 'Las palabras con las que empiezan los dos modelos',
  'cmd.compare.opt.file.name': 'archivo',
  'cmd.compare.opt.file.description': 'Un archivo de texto (.txt, .md, .csv, .json) con el que medir los dos modelos',
  'cmd.export.name': 'exportar',
  'cmd.export.description': 'Descargar el archivo de un modelo guardado',
  'cmd.export.opt.name.name': 'nombre',
  'cmd.export.opt.name.description': 'El modelo guardado',
  'cmd.export.opt.version.name': 'version',
  'cmd.export.opt.version.description': 'Un número de versión (por defecto, la más reciente)',
  'cmd.import.name': 'importar',
  'cmd.import.description': 'Añadir a los modelos de este servidor un archivo exportado con /exportar',
  'cmd.import.opt.file.name': 'archivo',
  'cmd.import.opt.file.description': 'Un archivo de modelo .ulm de /exportar',
  'cmd.import.opt.name.name': 'nombre',
  'cmd.import.opt.name.description': 'Guardarlo con este nombre (por defecto, el del nombre del archivo)',
  'status.fileWarning': '⚠️ Archivo del modelo',
  'status.file.missing':
    'Falta el archivo del modelo activo en la carpeta de modelos: `/generar` no puede usarlo. Recupéralo de una copia de seguridad, o carga o entrena otro modelo.',
  'status.file.damaged':
    'El archivo del modelo activo está dañado (no coincide con su suma de comprobación): `/generar` no puede usarlo. Recupéralo de una copia de seguridad, o carga o entrena otro modelo.',
  'retention.models': (p, t) =>
    `Solo se guardan las ${t.int(Number(p.keep))} ${plural(Number(p.keep), 'versión', 'versiones')} más recientes de cada nombre.`,
  'retention.pruned': (p, t) =>
    `Versiones antiguas eliminadas (solo se guardan las más recientes): ${t.text(p.versions)}.`,
  'export.title': (p, t) => `Exportación de ${t.text(p.name)} v${t.int(Number(p.version))}`,
  'export.description': (p, t) => `${t.text(p.file)} · ${t.text(p.size)}. Añádelo a un servidor con \`/importar\`.`,
  'import.title': 'Modelo importado',
  'import.description': (p, t) =>
    `Guardado como **${t.text(p.name)}** v${t.int(Number(p.version))}. El modelo activo no ha cambiado: usa \`/cargar\` para usarlo.`,
  'compare.title': (p, t) => `${t.text(p.first)} frente a ${t.text(p.second)}`,
  'compare.statsValue': (p, t) =>
    [
      `${t.int(Number(p.patterns))} patrones · longitud máx. ${t.int(Number(p.order))}`,
      `vocabulario ${t.int(Number(p.vocabulary))} · memoria ${t.text(p.memory)} · archivo ${t.text(p.size)}`,
      `frecuencia mín. ${t.int(Number(p.minFrequency))} · patrones máx. ${Number(p.maxPatterns) === 0 ? 'sin límite' : t.int(Number(p.maxPatterns))} · validación ${t.dec(Number(p.validation))}`,
      `entrenado ${t.text(p.date)}`,
    ].join('\n'),
  'compare.generation': (p, t) => `Texto de ${t.text(p.name)}`,
  'compare.empty': '(sin texto)',
  'compare.scoreTitle': (p, t) => `Sobre ${t.text(p.file)}`,
  'compare.scoreLine': (p, t) =>
    `${t.text(p.name)}: perplejidad ${t.dec(Number(p.perplexity))} · palabras desconocidas ${t.text(p.oov)} · ${t.dec(Number(p.bits))} bits por carácter${p.better ? ' ✅ mejor' : ''}`,
  'compare.heldOutTitle': 'Perplejidad de validación (de /entrenar validacion)',
  'compare.heldOutLine': (p, t) => `${t.text(p.name)}: ${t.dec(Number(p.perplexity))}${p.better ? ' ✅ mejor' : ''}`,
  'compare.footer': (p, _t) => `mismo inicio y semilla (${String(p.seed)}) para los dos · menor perplejidad es mejor`,
  'error.EXPORT_TOO_LARGE': (p, t) =>
    `El archivo de **${t.text(p.name)}** v${t.int(Number(p.version))} ocupa ${t.bytes(Number(p.bytes))}, más de los ${t.bytes(Number(p.limit))} que este servidor deja subir al bot. Pide al operador del bot que lo copie de la carpeta de modelos, o entrena un modelo más pequeño (\`max_patrones\` más bajo).`,
  'error.IMPORT_DAMAGED': (p, t) =>
    `**${t.text(p.name)}** no es un archivo de modelo válido (${t.text(p.detail)}): está dañado o no salió de \`/exportar\`. No se ha guardado nada. Exporta el modelo de nuevo y sube ese archivo.`,

  // ---- recuperación de una base de datos perdida, copias de seguridad -----------------
  'error.DATABASE_LOST': (p) =>
    `El archivo de la base de datos del bot se ${p.state === 'replaced' ? 'sustituyó' : 'borró'} mientras el bot funcionaba, así que ahora no se puede guardar nada (se perdería). No se ha cambiado nada. Díselo a quien administra el bot: que reinicie el bot y ejecute \`npm run recover\` (o \`npm run restore\` desde una copia de seguridad).`,
  'status.orphans': '⚠️ Archivos apartados',
  'status.databaseLost': '⚠️ Base de datos',
  'status.orphansValue': (p, t) =>
    `${Number(p.count) === 1 ? 'Se encontró' : 'Se encontraron'} ${t.int(Number(p.count))} ${plural(Number(p.count), 'archivo de modelo', 'archivos de modelos')} de este servidor sin registro en la base de datos y se ${Number(p.count) === 1 ? 'ha' : 'han'} apartado. Quien administra el bot puede ${Number(p.count) === 1 ? 'recuperarlo' : 'recuperarlos'} con \`npm run recover\`.`,
  // ---- aprender de los canales (/entrenar canal, limpieza) ---------------------------
  'train.done.descriptionChannel': (p, t) =>
    `${p.mode === 'append' ? 'Añadidas' : 'Aprendidas'} ${t.int(Number(p.lines))} ${Number(p.lines) === 1 ? 'línea' : 'líneas'} de ${t.text(p.channel)}. El modelo está activo pero sin guardar: pulsa **Guardar** o usa \`/guardar\`.`,
  'cmd.train.opt.channel.name': 'canal',
  'cmd.train.opt.channel.description':
    'Aprender de un canal (y sus hilos), un hilo o las publicaciones de un foro, no de archivos',
  'cmd.train.opt.limit.name': 'limite',
  'cmd.train.opt.limit.description': 'Con canal: los mensajes más recientes que leer, 1–100.000 (por defecto 10.000)',
  'cmd.train.opt.since.name': 'desde',
  'cmd.train.opt.since.description': 'Con canal: solo mensajes desde una fecha (2024-05-31) o un lapso (30d, 8w, 12h)',
  'cmd.train.opt.clean.name': 'limpiar',
  'cmd.train.opt.clean.description':
    'Menciones, enlaces, emojis propios, bloques de código, comandos (por defecto: quitarlos)',
  'cmd.train.choice.clean.strip': 'quitarlos',
  'cmd.train.choice.clean.replace': 'cambiarlos por palabras sencillas',
  'cmd.train.choice.clean.off': 'dejarlo todo',
  'error.CHANNELS_DISABLED':
    'Aprender de los canales está desactivado en este bot. Su operador puede activarlo con `LEARN_FROM_CHANNELS=true` (y el intent Message Content activado en el Developer Portal de Discord).',
  'error.CHANNEL_UNAVAILABLE': (p, t) =>
    `No puedo leer ${t.text(p.channel)}: elige un canal de texto o un hilo de este servidor.`,
  'error.CHANNEL_PERMISSION_MISSING': (p, t) =>
    `No puedo leer **#${t.text(p.channel)}**: me falta el permiso **${t.text(PERMISSION_NAMES_ES[String(p.permission)] ?? p.permission)}** allí. Dáselo al bot en los ajustes de ese canal (Permisos) y vuelve a intentarlo.`,
  'error.TRAIN_SOURCE_CONFLICT':
    'Entrena con archivos o con un canal, no con ambos a la vez. Añade lo otro después con `modo: ampliar el modelo actual`.',
  'error.CHANNEL_EMPTY': (p, t) =>
    `**#${t.text(p.channel)}** no tiene mensajes de personas en ese intervalo. Elige otro canal, un \`limite\` mayor o un \`desde\` anterior.`,
  'error.INVALID_DATE': (p, t) =>
    `${t.code(p.option)} no puede valer «${t.text(p.value)}»: escribe una fecha pasada como \`2024-05-31\`, una fecha y hora como \`2024-05-31T18:00\` (UTC), o un lapso hacia atrás como \`30d\`, \`8w\` o \`12h\`.`,
  // ---- /escuchar, /responder, /olvidar, /privacidad ---------------------------------
  'cmd.listen.name': 'escuchar',
  'cmd.listen.description': 'Aprender de los mensajes nuevos de un canal mientras la gente habla',
  'cmd.listen.opt.add.name': 'agregar',
  'cmd.listen.opt.add.description': 'Empezar a aprender de los mensajes nuevos de un canal (y de sus hilos)',
  'cmd.listen.opt.remove.name': 'quitar',
  'cmd.listen.opt.remove.description': 'Dejar de aprender de un canal (lo guardado se queda: ver /olvidar)',
  'cmd.listen.opt.list.name': 'lista',
  'cmd.listen.opt.list.description': 'Canales escuchados, lo guardado, modo de privacidad y probabilidad de respuesta',
  'cmd.listen.opt.channel.name': 'canal',
  'cmd.listen.opt.channel.description': 'El canal (por defecto: este)',
  'listen.added': (p, t) =>
    `Escuchando ${t.text(p.channel)}: sus mensajes nuevos se guardan y se añaden al modelo de este servidor cada pocos minutos (${p.privacy === 'opt-in' ? 'solo los de miembros que usaron `/privacidad unirme`' : 'los de todos; `/privacidad modo` puede hacerlo voluntario'}).`,
  'cmd.listen.opt.clean.name': 'limpiar',
  'cmd.listen.opt.clean.description':
    'Qué hacen los entrenamientos de este servidor con menciones, enlaces, emojis, código y comandos',
  'cmd.listen.opt.mode.name': 'modo',
  'cmd.listen.opt.mode.description': 'Lo predeterminado para /entrenar y los mensajes escuchados',
  'listen.cleanSet': (p, t) =>
    `Menciones, enlaces, emojis propios, bloques de código y comandos de bots: **${t.text(p.mode)}**, desde ahora, en cada entrenamiento de este servidor (\`/entrenar limpiar:\` sigue eligiendo para uno).`,
  'listen.list.clean': 'Limpieza',
  'listen.alreadyAdded': (p, t) => `Ya escuchaba ${t.text(p.channel)}.`,
  'listen.removed': (p, t) =>
    `Ya no escucho ${t.text(p.channel)}. Lo guardado sigue en el modelo hasta \`/olvidar canal\`.`,
  'listen.notListened': (p, t) => `${t.text(p.channel)} no se estaba escuchando.`,
  'listen.list.title': 'Canales escuchados',
  'listen.list.none': 'Ninguno. Empieza con `/escuchar agregar`.',
  'listen.list.collected': 'Mensajes guardados',
  'listen.list.collectedValue': (p, t) =>
    `${t.int(Number(p.messages))} (${t.text(p.size)}), ${t.int(Number(p.untrained))} a la espera del próximo reentrenamiento`,
  'listen.list.privacy': 'Privacidad',
  'listen.list.replies': 'Respuestas',
  'listen.list.repliesValue': (p, t) =>
    `${t.dec(Number(p.chance))} % de probabilidad en los canales escuchados sin una propia; una mención del bot siempre tiene respuesta.`,
  'cmd.reply.name': 'responder',
  'cmd.reply.description': 'Con qué frecuencia responde el bot en un canal (una mención siempre tiene respuesta)',
  'cmd.reply.opt.chance.name': 'probabilidad',
  'cmd.reply.opt.chance.description': 'Porcentaje de mensajes a los que responder, 0–100 (0: solo menciones)',
  'cmd.reply.opt.channel.name': 'canal',
  'cmd.reply.opt.channel.description': 'Solo este canal (por defecto: todos los canales escuchados)',
  'reply.setChannel': (p, t) =>
    `Responderé al ${t.dec(Number(p.chance))} % de los mensajes de ${t.text(p.channel)}, y a cada mención.`,
  'reply.setServer': (p, t) =>
    `Responderé al ${t.dec(Number(p.chance))} % de los mensajes de los canales escuchados (${t.int(Number(p.listened))} ahora) sin probabilidad propia, y a cada mención.`,
  'cmd.forget.name': 'olvidar',
  'cmd.forget.description': 'Borrar mensajes guardados; el próximo reentrenamiento los deja fuera',
  'cmd.forget.opt.me.name': 'yo',
  'cmd.forget.opt.me.description': 'Borrar todos tus mensajes que el bot guardó en este servidor',
  'cmd.forget.opt.channel.name': 'canal',
  'cmd.forget.opt.channel.description': 'Borrar todos los mensajes guardados de un canal (Gestionar servidor)',
  'cmd.forget.opt.target.name': 'canal',
  'cmd.forget.opt.target.description': 'El canal',
  'forget.me': (p, t) =>
    `Hecho: ${Number(p.count) === 1 ? 'se ha borrado 1 mensaje tuyo' : `se han borrado ${t.int(Number(p.count))} mensajes tuyos`}. El próximo reentrenamiento los deja fuera del modelo.`,
  'forget.channel.confirmTitle': '¿Olvidar un canal?',
  'forget.channel.confirmBody': (p, t) =>
    `Se borran todos los mensajes guardados de ${t.text(p.channel)} y el próximo reentrenamiento reconstruye el modelo sin ellos. No se puede deshacer. Esta pregunta caduca en 60 segundos.`,
  'forget.channel.confirm': 'Olvidar',
  'forget.channel.cancelled': 'No se ha borrado nada.',
  'forget.channel.done': (p, t) =>
    `Borrados ${t.int(Number(p.count))} mensajes guardados de ${t.text(p.channel)}. El próximo reentrenamiento los deja fuera.`,
  'cmd.privacy.name': 'privacidad',
  'cmd.privacy.description': 'De quién guardan mensajes los canales escuchados',
  'cmd.privacy.opt.mode.name': 'modo',
  'cmd.privacy.opt.mode.description': 'Guardar los mensajes de todos o solo de quien se una (Gestionar servidor)',
  'cmd.privacy.opt.value.name': 'valor',
  'cmd.privacy.opt.value.description': 'abierto o voluntario',
  'cmd.privacy.opt.join.name': 'unirme',
  'cmd.privacy.opt.join.description': 'Dejar que el bot aprenda de tus mensajes (necesario en modo voluntario)',
  'cmd.privacy.opt.leave.name': 'salir',
  'cmd.privacy.opt.leave.description': 'Que el bot deje de aprender de tus mensajes y olvide los guardados',
  'privacy.mode.open': 'abierto: los mensajes de todos en los canales escuchados',
  'privacy.mode.optIn': 'voluntario: solo los de miembros que usaron /privacidad unirme',
  'privacy.setOpen':
    'Modo de privacidad: **abierto**. Los canales escuchados guardan los mensajes de todos; cualquiera puede usar `/privacidad salir` u `/olvidar yo`.',
  'privacy.setOptIn':
    'Modo de privacidad: **voluntario**. Los canales escuchados solo guardan los mensajes de quienes usaron `/privacidad unirme`.',
  'privacy.joined': (p) =>
    `Te has unido: el bot aprende de tus mensajes en los canales escuchados${p.mode === 'open' ? ' (este servidor está en modo abierto, así que ya lo hacía)' : ''}. \`/privacidad salir\` lo deshace.`,
  'privacy.left': (p, t) =>
    `Has salido: tus mensajes ya no se guardan y se han borrado ${t.int(Number(p.count))} mensajes guardados. El próximo reentrenamiento los deja fuera.`,
  // Issue 16: both sizes of a model, its file and its image, in /status and /models.
  'sizes.field': 'Tamaño',
  'sizes.value': (p, t) =>
    `Archivo ${t.text(p.file)} · Imagen ${p.image === null || p.image === undefined ? 'aún sin crear (se crea al cargarlo)' : t.text(p.image)}`,
};
