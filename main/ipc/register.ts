/**
 * Registers the IPC contract with Electron's ipcMain, in one place: exactly one handler per
 * channel, each checking that the call comes from the console's own frame before validating its
 * input. Kept free of Electron imports (it takes ipcMain's shape), so it is tested in plain Node.
 */
import { CHANNEL_NAMES, type Result } from '../../shared/ipc/contract';
import { dispatch } from './dispatch';
import type { Handlers } from './handlers';

/** The prefix of every channel on the wire: `custos:search.page`. */
export const IPC_PREFIX = 'custos:';

export interface SenderFrame {
  url: string;
}

export interface InvokeEvent {
  senderFrame: SenderFrame | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void;
}

/**
 * The console's frames are served from one place only (the app:// protocol). Custom schemes have
 * an opaque origin in the URL standard, so scheme and host are compared.
 */
export function trustedFrame(appUrl: string) {
  const app = new URL(appUrl);
  return (frame: SenderFrame | null): boolean => {
    if (!frame) return false;
    try {
      const u = new URL(frame.url);
      return u.protocol === app.protocol && u.host === app.host && u.username === '';
    } catch {
      return false;
    }
  };
}

export function registerIpc(
  ipcMain: IpcMainLike,
  handlers: Handlers,
  isTrusted: (frame: SenderFrame | null) => boolean,
  onUnexpected?: (channel: string, error: unknown) => void,
): string[] {
  const registered: string[] = [];
  for (const channel of CHANNEL_NAMES) {
    const wire = IPC_PREFIX + channel;
    ipcMain.handle(wire, async (event, ...args): Promise<Result<unknown>> => {
      if (!isTrusted(event.senderFrame))
        return { ok: false, error: { kind: 'forbidden', message: 'not from the console' } };
      if (args.length !== 1)
        return {
          ok: false,
          error: { kind: 'bad-request', message: `${channel} takes one argument` },
        };
      return dispatch(handlers, channel, args[0], onUnexpected);
    });
    registered.push(wire);
  }
  return registered;
}
