/**
 * The RPC helper every channel uses (src/protocol/rpc.ts), over an in-memory channel: typed
 * results matched by id whatever the reply order, progress, errors with their codes (a
 * LensError keeps its message, anything else is an internal error), cancellation, timeouts,
 * and rejecting every waiting call when the other side is gone.
 */
import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { RpcClient, RpcError, RpcReply, answer, type Handlers } from '../../../src/protocol/rpc';

interface EchoApi {
  double(p: { x: number }): number;
  fail(p: { lens: boolean }): never;
  slow(p: { steps: number }): string;
}

interface Ctx {
  progress(f: number): void;
  cancelled(): boolean;
}

const handlers: Handlers<EchoApi, Ctx> = {
  double: ({ x }) => 2 * x,
  fail: ({ lens }) => {
    throw lens ? new LensError('bad input', 'numeric') : new TypeError('boom\nstack');
  },
  slow: async ({ steps }, ctx) => {
    for (let i = 0; i < steps; i++) {
      if (ctx.cancelled()) throw new LensError('cancelled', 'cancelled');
      ctx.progress((i + 1) / steps);
      await new Promise((r) => setTimeout(r, 1));
    }
    return `done ${steps}`;
  },
};

/** A client wired to `handlers`, replies delivered in reverse order of their readiness when asked. */
function channel(opts: { drop?: boolean; timeoutMs?: number } = {}) {
  const cancelled = new Set<number>();
  const sent: number[] = [];
  const client: RpcClient<EchoApi> = new RpcClient<EchoApi>({
    send: (id, method, params) => {
      sent.push(id);
      if (opts.drop) return;
      const ctx: Ctx = {
        progress: (fraction) => client.receive({ id, type: 'progress', fraction }),
        cancelled: () => cancelled.has(id),
      };
      void answer<Ctx>(handlers, id, method, params, ctx).then((r: RpcReply) => client.receive(r));
    },
    cancel: (id) => cancelled.add(id),
    timeoutMs: opts.timeoutMs,
    timeoutMessage: (m) => `${m}: no answer (test)`,
  });
  return { client, sent };
}

describe('RPC helper (src/protocol/rpc.ts)', () => {
  it('matches replies to calls by id and types the results', async () => {
    const { client, sent } = channel();
    const slow = client.call('slow', { steps: 5 });
    const fast = client.call('double', { x: 21 });
    // the second call answers first: each promise still gets its own result
    const [a, b] = await Promise.all([slow, fast]);
    assert.equal(a, 'done 5');
    assert.equal(b, 42);
    assert.deepEqual(sent, [1, 2]);
  });

  it('forwards progress, then the result', async () => {
    const { client } = channel();
    const seen: number[] = [];
    assert.equal(
      await client.call('slow', { steps: 4 }, { onProgress: (f) => seen.push(f) }),
      'done 4',
    );
    assert.deepEqual(seen, [0.25, 0.5, 0.75, 1]);
  });

  it('turns error replies into RpcErrors: LensErrors keep message and code, others are internal', async () => {
    const { client } = channel();
    await assert.rejects(
      client.call('fail', { lens: true }),
      (e: unknown) => e instanceof RpcError && e.code === 'numeric' && e.message === 'bad input',
    );
    await assert.rejects(
      client.call('fail', { lens: false }),
      (e: unknown) =>
        e instanceof RpcError && e.code === 'internal' && /^internal error: boom/.test(e.message),
    );
    const reply = await answer<Ctx>(
      handlers,
      9,
      'nope',
      {},
      {
        progress: () => {},
        cancelled: () => false,
      },
    );
    assert.deepEqual(reply, {
      id: 9,
      type: 'error',
      message: "unknown request 'nope'",
      code: 'invalid',
    });
  });

  it('cancels through the token: the other side stops and the call rejects with its error', async () => {
    const { client } = channel();
    let fire = () => {};
    const token = {
      isCancellationRequested: false,
      onCancellationRequested: (cb: () => void) => ((fire = cb), { dispose: () => {} }),
    };
    const p = client.call(
      'slow',
      { steps: 1000 },
      { token, onProgress: (f) => f > 0.005 && fire() },
    );
    await assert.rejects(p, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
  });

  it('times out calls nobody answers, and rejects all waiting calls when the channel dies', async () => {
    const { client } = channel({ drop: true, timeoutMs: 20 });
    await assert.rejects(
      client.call('double', { x: 1 }),
      (e: unknown) =>
        e instanceof RpcError && e.code === 'timeout' && /no answer \(test\)/.test(e.message),
    );
    const a = client.call('double', { x: 1 }, { timeoutMs: 10_000 });
    const b = client.call('slow', { steps: 1 }, { timeoutMs: 10_000 });
    assert.ok(client.has(2) && client.has(3));
    client.rejectAll((id) => new RpcError(`gone ${id}`, 'crashed'));
    await assert.rejects(a, /gone 2/);
    await assert.rejects(b, /gone 3/);
    assert.ok(!client.has(2) && !client.has(3));
    assert.equal(client.receive({ id: 2, type: 'result', result: 5 }), false, 'late reply ignored');
  });
});
