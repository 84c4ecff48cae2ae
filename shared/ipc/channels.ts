/**
 * The names of the IPC contract's channels, without their schemas: what the preload script needs
 * (it stays small and validates nothing itself). contract.ts checks that both lists agree.
 */
export const CHANNEL_LIST = [
  'app.overview',
  'search.page',
  'search.count',
  'search.facets',
  'search.histogram',
  'search.entry',
  'search.saved.list',
  'search.saved.save',
  'search.saved.delete',
  'search.history',
  'search.remember',
  'search.export',
  'alarms.list',
  'alarms.acknowledge',
  'sync.run',
  'sync.cancel',
  'sync.history',
  'sources.add',
  'sources.edit',
  'sources.remove',
  'sources.test',
  'trust.get',
  'trust.set',
  'verify.run',
  'verify.cancel',
  'verify.checkpoints',
] as const;

export type ChannelListName = (typeof CHANNEL_LIST)[number];
