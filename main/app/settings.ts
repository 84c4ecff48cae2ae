/** The desktop shell's settings (electron-store): where the workspace is. */
import Store from 'electron-store';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Settings {
  /** The encrypted cache this window opens. */
  cachePath: string;
  /** A key file to move into the keychain on first start (the demo workspace's), then null. */
  importKeyFrom: string | null;
}

const home = process.env.CUSTOS_HOME ?? join(homedir(), '.custos');

export const settings = new Store<Settings>({
  name: 'settings',
  defaults: {
    cachePath: join(home, 'demo', 'cache.db'),
    importKeyFrom: join(home, 'demo', 'cache.key'),
  },
});
