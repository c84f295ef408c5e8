// After a start, the servers this bot serves are told in the channel of each training that a
// stopped process interrupted: "/train again". Each notice is claimed in SQLite first,
// so with several shards or processes on one data folder a server hears it once. A channel the
// bot can no longer see or write in gets nothing; /status still shows the interrupted training.
import { type Client, PermissionFlagsBits } from 'discord.js';
import { formatDate, resolveLocale, translate } from '../i18n/index.js';
import type { ModelManagerApi } from '../manager/types.js';
import type { Logger } from './logger.js';
import { NO_MENTIONS } from './replies.js';

/** Posts one message per interrupted training of the client's guilds; returns how many were posted. */
export async function tellInterruptedTrainings(
  client: Client,
  manager: Pick<ModelManagerApi, 'claimInterruptedNotices'>,
  logger: Logger,
): Promise<number> {
  const notices = manager.claimInterruptedNotices([...client.guilds.cache.keys()]);
  let posted = 0;
  for (const notice of notices) {
    try {
      const guild = client.guilds.cache.get(notice.guildId);
      const channel = await client.channels.fetch(notice.channelId);
      if (!guild || !channel || channel.isDMBased() || !channel.isSendable()) continue;
      const me = guild.members.me;
      const allowed = me
        ? channel.permissionsFor(me)?.has([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages])
        : false;
      if (!allowed) continue;
      const locale = resolveLocale(guild.preferredLocale);
      const content = translate(locale, 'train.interrupted.notice', {
        user: notice.userName,
        date: formatDate(notice.startedAt),
      });
      await channel.send({ content, allowedMentions: NO_MENTIONS });
      posted++;
    } catch (error) {
      logger.warn(
        { err: error, guildId: notice.guildId, channelId: notice.channelId },
        'could not tell of an interrupted training',
      );
    }
  }
  if (notices.length > 0) logger.info({ notices: notices.length, posted }, 'interrupted trainings reported');
  return posted;
}
