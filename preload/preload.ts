/**
 * The preload script of the console window. With context isolation and the sandbox, this is the
 * only bridge: one function per channel of the IPC contract, and an event subscription. The
 * renderer never sees ipcRenderer, and cannot name a channel outside the contract.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL_LIST, type ChannelListName } from '../shared/ipc/channels';

const channels = Object.fromEntries(
  CHANNEL_LIST.map((name) => [
    name,
    (input: unknown) => ipcRenderer.invoke(`custos:${name}`, input),
  ]),
) as Record<ChannelListName, (input: unknown) => Promise<unknown>>;

contextBridge.exposeInMainWorld('custos', {
  channels,
  onEvent(listener: (event: string, payload: unknown) => void): () => void {
    const handler = (_: IpcRendererEvent, message: { event: string; payload: unknown }) =>
      listener(message.event, message.payload);
    ipcRenderer.on('custos:event', handler);
    return () => ipcRenderer.removeListener('custos:event', handler);
  },
});
