/**
 * Tests a source without storing anything: reads its checkpoint and verifies it against the trust
 * policy. What the console's "Test" button shows before a source is synced.
 */
import { verifyCheckpoint, type TrustPolicy } from '../../shared/tlog/policy';
import { nodeCrypto } from '../crypto/nodeCrypto';
import { openStorage } from '../tlog/storage';

export async function readCheckpointFrom(
  location: string,
  policy: TrustPolicy,
): Promise<{ ok: boolean; origin: string | null; size: number | null; message: string }> {
  try {
    const source = await openStorage(location);
    const note = await source.read('checkpoint');
    if (!note) return { ok: false, origin: null, size: null, message: 'no checkpoint there' };
    const { checkpoint } = verifyCheckpoint(nodeCrypto, note, policy);
    return {
      ok: true,
      origin: checkpoint.origin,
      size: checkpoint.size,
      message: `a checkpoint of ${checkpoint.origin} at size ${checkpoint.size}, signed by a trusted key`,
    };
  } catch (e) {
    return { ok: false, origin: null, size: null, message: (e as Error).message };
  }
}
