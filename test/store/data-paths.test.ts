import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FOLDERS, parseConfig } from '../../src/config/index.js';
import { defaultManagerConfig } from '../../src/manager/index.js';
import { dataPaths } from '../../src/store/index.js';

describe('dataPaths', () => {
  it('names the database and the console files inside the data folder, and keeps the models folder given', () => {
    expect(dataPaths({ dataDir: '/srv/ultra/data', modelsDir: '/srv/ultra/models' })).toEqual({
      dataDir: '/srv/ultra/data',
      modelsDir: '/srv/ultra/models',
      database: join('/srv/ultra/data', 'ultraefficient.sqlite'),
      consoleLog: join('/srv/ultra/data', 'console.log'),
      consoleHistory: join('/srv/ultra/data', 'console-history'),
    });
  });

  it('uses a database path given instead of the one in the data folder', () => {
    expect(dataPaths({ dataDir: '/d', modelsDir: '/m', databasePath: '/elsewhere/x.sqlite' }).database).toBe(
      '/elsewhere/x.sqlite',
    );
  });

  it('puts the models folder inside the data folder when none is given (one folder holding everything)', () => {
    expect(dataPaths({ dataDir: '/d' }).modelsDir).toBe(join('/d', 'models'));
    expect(defaultManagerConfig('/d').modelsDir).toBe(join('/d', 'models'));
  });

  it('takes the folders’ defaults from the configuration, relative to where the process starts', () => {
    const config = parseConfig({}, '/srv/bot');
    expect(DEFAULT_FOLDERS).toEqual({ dataDir: './data', modelsDir: './models', backupDir: './backups' });
    expect([config.dataDir, config.modelsDir, config.backup.dir]).toEqual([
      resolve('/srv/bot', 'data'),
      resolve('/srv/bot', 'models'),
      resolve('/srv/bot', 'backups'),
    ]);
  });
});
