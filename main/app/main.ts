/**
 * The desktop shell: the only code that imports Electron. It opens one window on the console,
 * served from the app:// protocol, locked down (context isolation, sandbox, no Node in the page,
 * a strict CSP, no navigation, no new windows, no permissions), and wires the IPC contract to the
 * services. Everything below it is plain Node and tested without Electron.
 */
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  dialog,
  session,
} from 'electron';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHexKey } from '../store/keyProvider';
import { openCacheDb } from '../store/cache';
import { CacheStore } from '../store/cacheStore';
import { createHandlers } from '../ipc/handlers';
import { registerIpc, trustedFrame } from '../ipc/register';
import { CONTENT_SECURITY_POLICY } from '../web/server';
import { settings } from './settings';
import { Journal, officerName } from '../journal/journal';
import { CUSTOS_VERSION } from '../version';

const APP_URL = 'app://console/';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RENDERER = resolve(REPO, 'dist/renderer');
const PRELOAD = resolve(REPO, 'dist/electron/preload.cjs');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) app.quit();

let window: BrowserWindow | null = null;

/** The console's files, from dist/renderer only. */
async function serveApp(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== 'console') return new Response('not found', { status: 404 });
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return new Response('bad path', { status: 400 });
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  const file = resolve(join(RENDERER, rel));
  if (rel.includes('\0') || !file.startsWith(RENDERER + sep))
    return new Response('outside the console', { status: 403 });
  try {
    return new Response(await readFile(file), {
      headers: {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

/**
 * The cache key, kept encrypted by the operating system's keychain (safeStorage). Linux's
 * plain-text fallback would store it readable, so it is refused.
 */
function cacheKey(keyStore: string, importFrom: string | null): Buffer {
  checkKeychain();
  if (existsSync(keyStore))
    return parseHexKey(safeStorage.decryptString(readFileSync(keyStore)), 'the stored cache key');
  if (!importFrom || !existsSync(importFrom))
    throw new Error('this workspace has no cache key yet: run npm start once to create the demo');
  const key = parseHexKey(readFileSync(importFrom, 'utf8'), importFrom);
  writeFileSync(keyStore, safeStorage.encryptString(key.toString('hex')), { mode: 0o600 });
  return key;
}

/** Where the keychain-encrypted key of one cache is kept (one per workspace). */
function keyStoreFor(cachePath: string): string {
  const id = createHash('sha256').update(resolve(cachePath)).digest('hex').slice(0, 16);
  return join(app.getPath('userData'), `cache-key-${id}.bin`);
}

function checkKeychain() {
  if (!safeStorage.isEncryptionAvailable())
    throw new Error('no system keychain is available to protect the cache key');
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
    throw new Error(
      'the only key storage available is plain text (no GNOME Keyring or KWallet): Custos will not keep the cache key that way. Start a keyring, or use web mode (custos serve) with a key file.',
    );
}

/**
 * File > Open workspace: another encrypted cache and the file holding its key. The key is checked
 * against the cache, moved into the keychain, and the console restarts on that workspace.
 */
async function openWorkspace() {
  if (!window) return;
  const db = await dialog.showOpenDialog(window, {
    title: 'Open a workspace: choose its encrypted cache',
    filters: [{ name: 'Custos cache', extensions: ['db'] }],
    properties: ['openFile'],
  });
  const cachePath = db.filePaths[0];
  if (db.canceled || !cachePath) return;
  const keyPick = await dialog.showOpenDialog(window, {
    title: 'Choose the file holding its cache key (it will be kept in the system keychain)',
    properties: ['openFile'],
  });
  const keyFile = keyPick.filePaths[0];
  if (keyPick.canceled || !keyFile) return;
  try {
    checkKeychain();
    const key = parseHexKey(readFileSync(keyFile, 'utf8'), keyFile);
    openCacheDb(cachePath, key).close(); // a wrong key or a file that is no cache fails here
    writeFileSync(keyStoreFor(cachePath), safeStorage.encryptString(key.toString('hex')), {
      mode: 0o600,
    });
  } catch (e) {
    dialog.showErrorBox('This workspace cannot be opened', (e as Error).message);
    return;
  }
  settings.set('cachePath', cachePath);
  app.relaunch();
  app.exit(0);
}

function buildMenu() {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
      {
        label: 'File',
        submenu: [
          {
            label: 'Open Workspace…',
            accelerator: 'CmdOrCtrl+O',
            click: () => void openWorkspace(),
          },
          { type: 'separator' },
          process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
        ],
      },
      { role: 'editMenu' },
      {
        label: 'View',
        submenu: [
          { role: 'resetZoom' },
          { role: 'zoomIn' },
          { role: 'zoomOut' },
          { type: 'separator' },
          { role: 'togglefullscreen' },
        ],
      },
      { role: 'windowMenu' },
    ]),
  );
}

async function start() {
  await app.whenReady();
  const cachePath = settings.get('cachePath');
  let store: CacheStore;
  let key: Buffer;
  try {
    key = cacheKey(keyStoreFor(cachePath), settings.get('importKeyFrom'));
    store = new CacheStore(openCacheDb(cachePath, key));
  } catch (e) {
    dialog.showErrorBox('Custos cannot open its workspace', (e as Error).message);
    app.quit();
    return;
  }
  // The key now lives in the keychain; the plain key file is not read again.
  settings.set('importKeyFrom', null);

  const officer = officerName();
  const handlers = createHandlers({
    cachePath,
    store,
    key,
    officer,
    custosVersion: CUSTOS_VERSION,
    journal: Journal.open(store, cachePath, { officer }),
    emit: (event, payload) => window?.webContents.send('custos:event', { event, payload }),
    chooseSavePath: async (suggestedName) => {
      const r = await dialog.showSaveDialog(window!, {
        title: 'Export the results',
        defaultPath: join(app.getPath('documents'), suggestedName),
      });
      return r.canceled || !r.filePath ? null : r.filePath;
    },
  });
  registerIpc(ipcMain, handlers, trustedFrame(APP_URL));
  protocol.handle('app', serveApp);

  // Nothing in the console may ask for the camera, notifications, or anything else.
  session.defaultSession.setPermissionRequestHandler((_, __, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  app.on('web-contents-created', (_, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(APP_URL)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  buildMenu();

  window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1000,
    minHeight: 640,
    title: 'Custos',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      // A middle click must not open anything either.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  window.once('ready-to-show', () => window?.show());
  await window.loadURL(`${APP_URL}index.html`);

  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => {
    store.close();
    app.quit();
  });
}

void start();
