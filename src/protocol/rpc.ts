/**
 * The one request/reply helper behind every channel (host → worker, host → webview, and any
 * channel added later). A channel declares its methods as one interface, `name(params): result`;
 * {@link RpcClient} numbers the calls, matches replies by id, types results from that interface,
 * turns error replies into {@link RpcError}s, forwards progress, and handles cancellation and
 * timeouts. The channel only says how a call goes out (`send`) and feeds replies back
 * (`receive` / `settle`). On the answering side {@link answer} runs a typed handler map.
 */
import { errorMessage, isLensError } from '../core/errors';

/** The parameter of method `K` of channel `T`. */
export type ParamsOf<T, K extends keyof T> = T[K] extends (params: infer P) => unknown ? P : never;
/** The result of method `K` of channel `T`. */
export type ResultOf<T, K extends keyof T> = T[K] extends (...args: never[]) => infer R
  ? Awaited<R>
  : never;

/** A failed call: a one-line message and a code (`cancelled`, `crashed`, `timeout`, a LensError code, …). */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The generic replies on the wire (channels that own both ends use these). */
export type RpcReply =
  | { id: number; type: 'progress'; fraction: number }
  | { id: number; type: 'result'; result: unknown }
  | { id: number; type: 'error'; message: string; code: string };

/** Anything with `isCancellationRequested` + `onCancellationRequested` (a vscode CancellationToken). */
export interface CancelToken {
  isCancellationRequested: boolean;
  onCancellationRequested(cb: () => void): { dispose(): void };
}

export interface CallOptions {
  onProgress?: (fraction: number) => void;
  token?: CancelToken;
  /** overrides the client's timeout for this call */
  timeoutMs?: number;
}

export interface RpcClientOptions<T> {
  /** puts call `id` on the wire */
  send(id: number, method: keyof T & string, params: unknown): void;
  /** asks the other side to stop call `id` (the client keeps waiting for its reply) */
  cancel?(id: number): void;
  /** called once call `id` is settled (resolved or rejected) */
  settled?(id: number): void;
  /** reject calls that get no reply within this many ms (default: wait) */
  timeoutMs?: number;
  /** the timeout's message */
  timeoutMessage?(method: string): string;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (fraction: number) => void;
}

export class RpcClient<T> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly opts: RpcClientOptions<T>) {}

  call<K extends keyof T & string>(
    method: K,
    params: ParamsOf<T, K>,
    opts: CallOptions = {},
  ): Promise<ResultOf<T, K>> {
    const id = this.nextId++;
    return new Promise<ResultOf<T, K>>((resolve, reject) => {
      const cleanups: (() => void)[] = [];
      const done = () => {
        this.pending.delete(id);
        cleanups.forEach((c) => c());
        this.opts.settled?.(id);
      };
      this.pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v as ResultOf<T, K>);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        onProgress: opts.onProgress,
      });
      const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs;
      if (timeoutMs !== undefined) {
        const timer = setTimeout(
          () =>
            this.reject(
              id,
              new RpcError(this.opts.timeoutMessage?.(method) ?? `${method}: no answer`, 'timeout'),
            ),
          timeoutMs,
        );
        cleanups.push(() => clearTimeout(timer));
      }
      if (opts.token) {
        const cancel = () => this.opts.cancel?.(id);
        if (opts.token.isCancellationRequested) queueMicrotask(cancel);
        else {
          const sub = opts.token.onCancellationRequested(cancel);
          cleanups.push(() => sub.dispose());
        }
      }
      try {
        this.opts.send(id, method, params);
      } catch (e) {
        this.reject(id, e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Whether call `id` still waits for its reply. */
  has(id: number): boolean {
    return this.pending.has(id);
  }

  /** Feeds one generic reply (progress, result or error); false if no call waits for it. */
  receive(m: RpcReply): boolean {
    const p = this.pending.get(m.id);
    if (!p) return false;
    if (m.type === 'progress') p.onProgress?.(m.fraction);
    else if (m.type === 'result') p.resolve(m.result);
    else p.reject(new RpcError(m.message, m.code));
    return true;
  }

  /** Ends call `id` with a result (channels whose replies are not {@link RpcReply}s). */
  settle(id: number, result: unknown): boolean {
    const p = this.pending.get(id);
    p?.resolve(result);
    return p !== undefined;
  }

  reject(id: number, e: Error): void {
    this.pending.get(id)?.reject(e);
  }

  /** Rejects every waiting call (the other side is gone); `errorFor` picks each call's error. */
  rejectAll(errorFor: (id: number) => Error): void {
    for (const id of [...this.pending.keys()]) this.reject(id, errorFor(id));
  }
}

/** A typed handler map: one function per method of `T`, given the call's context. */
export type Handlers<T, C> = {
  [K in keyof T]: (params: ParamsOf<T, K>, ctx: C) => ResultOf<T, K> | Promise<ResultOf<T, K>>;
};

/**
 * Runs `method` from `handlers` and turns its outcome into a reply: expected failures
 * (LensErrors) keep their message and code; anything else becomes `internal error: …`.
 */
export async function answer<C>(
  handlers: { [method: string]: ((params: never, ctx: C) => unknown) | undefined },
  id: number,
  method: string,
  params: unknown,
  ctx: C,
): Promise<Exclude<RpcReply, { type: 'progress' }>> {
  const handler = (handlers as Record<string, ((p: unknown, c: C) => unknown) | undefined>)[method];
  try {
    if (!handler)
      return { id, type: 'error', message: `unknown request '${method}'`, code: 'invalid' };
    return { id, type: 'result', result: await handler(params, ctx) };
  } catch (e) {
    return {
      id,
      type: 'error',
      message: isLensError(e) ? e.message : `internal error: ${errorMessage(e)}`,
      code: isLensError(e) ? e.code : 'internal',
    };
  }
}
