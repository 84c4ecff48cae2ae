/**
 * Runs one call of the IPC contract: checks the channel, validates the input against its schema,
 * runs the handler, and returns an envelope. Errors never cross the boundary as exceptions, and
 * an unexpected one is reported without its stack (which could hold audit data or paths).
 */
import { z } from 'zod';
import { channels, isChannel, type IpcError, type Result } from '../../shared/ipc/contract';
import { QueryError } from '../../shared/query/parse';
import { HandlerError, type Handlers } from './handlers';

export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  input: unknown,
  onUnexpected: (channel: string, error: unknown) => void = () => {},
): Promise<Result<unknown>> {
  if (!isChannel(channel))
    return fail({ kind: 'bad-request', message: `no such operation ${JSON.stringify(channel)}` });
  const spec = channels[channel];
  const parsed = spec.input.safeParse(input);
  if (!parsed.success)
    return fail({
      kind: 'bad-request',
      message: `${channel}: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`,
    });
  try {
    const handler = handlers[channel] as (i: unknown) => unknown;
    const value = await handler(parsed.data);
    const out = spec.output.safeParse(value);
    if (!out.success) {
      onUnexpected(channel, out.error);
      return fail({ kind: 'failed', message: `${channel}: the result did not have its shape` });
    }
    return { ok: true, value: out.data };
  } catch (e) {
    if (e instanceof QueryError)
      return fail({ kind: 'query', message: e.message, column: e.column });
    if (e instanceof HandlerError) return fail({ kind: e.kind, message: e.message });
    if (e instanceof RangeError) return fail({ kind: 'bad-request', message: e.message });
    onUnexpected(channel, e);
    return fail({ kind: 'failed', message: `${channel} failed: ${(e as Error).message}` });
  }
}

function fail(error: IpcError): Result<never> {
  return { ok: false, error };
}
