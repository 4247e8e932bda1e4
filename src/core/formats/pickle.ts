/**
 * A restricted unpickler: reads the subset of Python's pickle format that a PyTorch state
 * dict uses, and nothing else. It never calls anything from the file: a GLOBAL names one of
 * a fixed set of markers (tensor rebuild functions, storage classes, OrderedDict, torch.Size),
 * REDUCE on a marker builds a plain description of the object, and every other global,
 * opcode or call is refused with one line naming it — the policy of
 * `torch.load(weights_only=True)`.
 * Reference: CPython Lib/pickletools.py (opcode table, protocols 0–5) and
 * torch/_weights_only_unpickler.py (which globals a weights-only load accepts).
 */
import { DType } from '../array/dtype';
import { LensError } from '../errors';

/** A storage named by a persistent id: bytes live elsewhere (zip member `data/<key>`). */
export interface PickledStorage {
  kind: 'storage';
  dtype: DType;
  key: string;
  /** elements in the storage */
  numel: number;
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage. */
export interface PickledTensor {
  kind: 'tensor';
  storage: PickledStorage;
  offset: number;
  shape: number[];
  stride: number[];
}

/** A dict (plain or OrderedDict): keys in insertion order. */
export interface PickledDict {
  kind: 'dict';
  entries: [PickledValue, PickledValue][];
}

export type PickledValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickledValue[]
  | PickledTuple
  | PickledDict
  | PickledTensor
  | PickledStorage
  | Marker;

export interface PickledTuple {
  kind: 'tuple';
  items: PickledValue[];
}

/** An allowed global: only ever compared by name, never called. */
export interface Marker {
  kind: 'global';
  name: string;
}

/** Storage classes → element type (torch/storage.py legacy typed storages). */
const STORAGES: Record<string, DType> = {
  'torch.FloatStorage': 'float32',
  'torch.DoubleStorage': 'float64',
  'torch.HalfStorage': 'float16',
  'torch.BFloat16Storage': 'bfloat16',
  'torch.ByteStorage': 'uint8',
  'torch.CharStorage': 'int8',
  'torch.ShortStorage': 'int16',
  'torch.IntStorage': 'int32',
  'torch.LongStorage': 'int64',
  'torch.BoolStorage': 'bool',
  'torch.ComplexFloatStorage': 'complex64',
  'torch.ComplexDoubleStorage': 'complex128',
};

/** Globals that may appear; anything else is refused. */
const ALLOWED = new Set([
  ...Object.keys(STORAGES),
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch.nn.parameter.Parameter',
  'torch.Size',
]);

/** Limits: a state dict's pickle is small (names and shapes); these stop hostile input early. */
const MAX_STACK = 1 << 20;
const MAX_MEMO_INDEX = 1 << 24;
const MAX_MARKS = 10_000;
export const MAX_PICKLE_BYTES = 512 << 20;

// prettier-ignore
const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT',
  0x49: 'INT', 0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE',
  0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD',
  0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET',
  0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST',
  0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE',
  0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT', 0x80: 'PROTO', 0x81: 'NEWOBJ',
  0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3',
  0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX',
  0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

export function opcodeName(op: number): string {
  return OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
}

const MARK = Symbol('mark');
type Slot = PickledValue | typeof MARK;

export interface UnpickleOptions {
  /** turns a persistent id (BINPERSID) into a value; absent: persistent ids are refused */
  persistentLoad?: (pid: PickledValue) => PickledValue;
}

/** Reads one pickle from `bytes` (up to STOP); returns the value and where it ended. */
export function unpickle(
  bytes: Uint8Array,
  opts: UnpickleOptions = {},
): { value: PickledValue; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickledValue>();
  let p = 0;

  const need = (n: number, what: string): void => {
    if (n < 0 || p + n > bytes.length)
      throw new LensError(`pickle is truncated inside ${what} at byte ${p}`);
  };
  const u8 = (what: string): number => {
    need(1, what);
    return bytes[p++];
  };
  const u32 = (what: string): number => {
    need(4, what);
    const v = view.getUint32(p, true);
    p += 4;
    return v;
  };
  const u64 = (what: string): number => {
    need(8, what);
    const v = view.getBigUint64(p, true);
    p += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new LensError(`pickle ${what} length ${v} is too large`);
    return Number(v);
  };
  const take = (n: number, what: string): Uint8Array => {
    need(n, what);
    const b = bytes.subarray(p, p + n);
    p += n;
    return b;
  };
  const text = (n: number, what: string): string => {
    try {
      return utf8.decode(take(n, what));
    } catch (e) {
      if (e instanceof LensError) throw e;
      throw new LensError(`pickle ${what} at byte ${p - n} is not valid UTF-8`);
    }
  };
  const push = (v: PickledValue): void => {
    if (stack.length >= MAX_STACK)
      throw new LensError(`pickle stack grows past ${MAX_STACK} items`);
    stack.push(v);
  };
  const pop = (op: string): PickledValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new LensError(`pickle ${op} on an empty stack`);
    return v;
  };
  const top = (op: string): PickledValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new LensError(`pickle ${op} on an empty stack`);
    return v;
  };
  const popMark = (op: string): PickledValue[] => {
    const m = marks.pop();
    if (m === undefined) throw new LensError(`pickle ${op} without a MARK`);
    const items = stack.splice(m) as Slot[];
    items.shift(); // the MARK itself
    return items as PickledValue[];
  };
  const setMemo = (i: number): void => {
    if (i > MAX_MEMO_INDEX) throw new LensError(`pickle memo index ${i} is out of range`);
    memo.set(i, top('PUT'));
  };
  const getMemo = (i: number): void => {
    const v = memo.get(i);
    if (v === undefined) throw new LensError(`pickle memo index ${i} was never set`);
    push(v);
  };
  const global = (module: string, name: string): Marker => {
    const full = `${module}.${name}`;
    if (!ALLOWED.has(full))
      throw new LensError(
        `refused pickle global '${full.slice(0, 120)}' (only tensors, storages and plain containers are read; nothing from the file is run)`,
        'unsupported',
      );
    return { kind: 'global', name: full };
  };
  const dictOf = (v: PickledValue, op: string): PickledDict => {
    if (isKind(v, 'dict')) return v;
    throw new LensError(`pickle ${op} on a ${describe(v)}, not a dict`);
  };
  const listOf = (v: PickledValue, op: string): PickledValue[] => {
    if (Array.isArray(v)) return v;
    throw new LensError(`pickle ${op} on a ${describe(v)}, not a list`);
  };

  for (;;) {
    if (p >= bytes.length) throw new LensError('pickle ends without STOP');
    const at = p;
    const op = bytes[p++];
    switch (op) {
      case 0x80: // PROTO
        if (u8('PROTO') > 5) throw new LensError('pickle protocol is newer than 5');
        break;
      case 0x95: // FRAME: a length hint only
        u64('FRAME');
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length)
          throw new LensError(`pickle stops with ${stack.length} items on the stack`);
        return { value: stack[0] as PickledValue, end: p };
      case 0x28: // MARK
        if (marks.length >= MAX_MARKS)
          throw new LensError(`pickle nests deeper than ${MAX_MARKS} MARKs`);
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x30: // POP
        if (stack.length && stack[stack.length - 1] === MARK) popMark('POP');
        else pop('POP');
        break;
      case 0x31: // POP_MARK
        popMark('POP_MARK');
        break;
      case 0x32: // DUP
        push(top('DUP'));
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88:
        push(true);
        break;
      case 0x89:
        push(false);
        break;
      case 0x4a: // BININT
        need(4, 'BININT');
        push(view.getInt32(p, true));
        p += 4;
        break;
      case 0x4b:
        push(u8('BININT1'));
        break;
      case 0x4d: // BININT2
        need(2, 'BININT2');
        push(view.getUint16(p, true));
        p += 2;
        break;
      case 0x8a: // LONG1
        push(littleLong(take(u8('LONG1'), 'LONG1')));
        break;
      case 0x8b: {
        // LONG4
        const n = u32('LONG4');
        if (n > 64) throw new LensError(`pickle LONG4 of ${n} bytes is too large`);
        push(littleLong(take(n, 'LONG4')));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8, 'BINFLOAT');
        push(view.getFloat64(p, false));
        p += 8;
        break;
      case 0x58:
        push(text(u32('BINUNICODE'), 'BINUNICODE'));
        break;
      case 0x8c:
        push(text(u8('SHORT_BINUNICODE'), 'SHORT_BINUNICODE'));
        break;
      case 0x8d:
        push(text(u64('BINUNICODE8'), 'BINUNICODE8'));
        break;
      case 0x43:
        push(take(u8('SHORT_BINBYTES'), 'SHORT_BINBYTES'));
        break;
      case 0x42:
        push(take(u32('BINBYTES'), 'BINBYTES'));
        break;
      case 0x8e:
        push(take(u64('BINBYTES8'), 'BINBYTES8'));
        break;
      case 0x5d:
        push([]);
        break;
      case 0x29:
        push({ kind: 'tuple', items: [] });
        break;
      case 0x7d:
        push({ kind: 'dict', entries: [] });
        break;
      case 0x6c: // LIST
        push(popMark('LIST'));
        break;
      case 0x74: // TUPLE
        push({ kind: 'tuple', items: popMark('TUPLE') });
        break;
      case 0x85:
      case 0x86:
      case 0x87: {
        const n = op - 0x84;
        const items: PickledValue[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop(opcodeName(op)));
        push({ kind: 'tuple', items });
        break;
      }
      case 0x64: {
        // DICT
        const items = popMark('DICT');
        const d: PickledDict = { kind: 'dict', entries: [] };
        for (let i = 0; i + 1 < items.length; i += 2) d.entries.push([items[i], items[i + 1]]);
        push(d);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop('APPEND');
        listOf(top('APPEND'), 'APPEND').push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark('APPENDS');
        const l = listOf(top('APPENDS'), 'APPENDS');
        for (const v of items) l.push(v);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop('SETITEM');
        const k = pop('SETITEM');
        dictOf(top('SETITEM'), 'SETITEM').entries.push([k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark('SETITEMS');
        const d = dictOf(top('SETITEMS'), 'SETITEMS');
        for (let i = 0; i + 1 < items.length; i += 2) d.entries.push([items[i], items[i + 1]]);
        break;
      }
      case 0x71:
        setMemo(u8('BINPUT'));
        break;
      case 0x72:
        setMemo(u32('LONG_BINPUT'));
        break;
      case 0x94:
        setMemo(memo.size);
        break;
      case 0x68:
        getMemo(u8('BINGET'));
        break;
      case 0x6a:
        getMemo(u32('LONG_BINGET'));
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const line = (): string => {
          const nl = bytes.indexOf(0x0a, p);
          if (nl < 0 || nl - p > 256) throw new LensError('pickle GLOBAL name is malformed');
          return text(nl - p + 1, 'GLOBAL').slice(0, -1);
        };
        const module = line();
        push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop('STACK_GLOBAL');
        const module = pop('STACK_GLOBAL');
        if (typeof module !== 'string' || typeof name !== 'string')
          throw new LensError('pickle STACK_GLOBAL needs two strings');
        push(global(module, name));
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop('BINPERSID');
        if (!opts.persistentLoad)
          throw new LensError('refused pickle opcode BINPERSID (no persistent storage here)');
        push(opts.persistentLoad(pid));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop('REDUCE');
        const fn = pop('REDUCE');
        push(reduce(fn, args));
        break;
      }
      case 0x62: {
        // BUILD: only an OrderedDict's attribute dict (state_dict()._metadata) is accepted
        const state = pop('BUILD');
        const obj = top('BUILD');
        if (!isKind(obj, 'dict') && !isKind(obj, 'tensor'))
          throw new LensError(`refused pickle opcode BUILD on a ${describe(obj)}`);
        if (state !== null && !isKind(state, 'dict') && !isKind(state, 'tuple'))
          throw new LensError(`refused pickle opcode BUILD with a ${describe(state)} state`);
        break;
      }
      default:
        throw new LensError(
          `refused pickle opcode ${opcodeName(op)} at byte ${at} (a weights-only load allows only containers, tensors and storages)`,
          'unsupported',
        );
    }
  }
}

/** Applies an allowed callable to its arguments by building a description; calls nothing. */
function reduce(fn: PickledValue, argsV: PickledValue): PickledValue {
  if (!isKind(fn, 'global'))
    throw new LensError(`refused pickle opcode REDUCE on a ${describe(fn)}`, 'unsupported');
  if (!isKind(argsV, 'tuple')) throw new LensError(`pickle REDUCE arguments are not a tuple`);
  const args = argsV.items;
  switch (fn.name) {
    case 'collections.OrderedDict':
      if (args.length === 0) return { kind: 'dict', entries: [] };
      break;
    case 'torch.Size':
      if (args.length === 1 && isKind(args[0], 'tuple')) return args[0];
      break;
    case 'torch._utils._rebuild_tensor':
    case 'torch._utils._rebuild_tensor_v2':
      return rebuildTensor(args);
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state':
      if (args.length >= 1 && isKind(args[0], 'tensor')) return args[0];
      break;
  }
  throw new LensError(
    `refused pickle call ${fn.name}(${args.map(describe).join(', ').slice(0, 80)})`,
    'unsupported',
  );
}

/** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks, …)`. */
function rebuildTensor(args: PickledValue[]): PickledTensor {
  const [storage, offset, size, stride] = args;
  if (!isKind(storage, 'storage'))
    throw new LensError(`tensor rebuild needs a storage, got a ${describe(storage)}`);
  const ints = (v: PickledValue, what: string): number[] => {
    const items = isKind(v, 'tuple') ? v.items : Array.isArray(v) ? v : undefined;
    if (!items || items.length > 64)
      throw new LensError(`tensor rebuild: ${what} is not a tuple of integers`);
    return items.map((x) => {
      if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0)
        throw new LensError(`tensor rebuild: ${what} holds ${describe(x)}`);
      return x;
    });
  };
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    throw new LensError('tensor rebuild: storage offset is not a non-negative integer');
  const shape = ints(size, 'size');
  const st = ints(stride, 'stride');
  if (st.length !== shape.length)
    throw new LensError(`tensor rebuild: size has ${shape.length} dims, stride ${st.length}`);
  return { kind: 'tensor', storage, offset, shape, stride: st };
}

/** The persistent id torch writes: ('storage', StorageClass, key, location, numel). */
export function storageFromPid(pid: PickledValue): PickledStorage {
  const items = isKind(pid, 'tuple') ? pid.items : undefined;
  if (!items || items.length < 5 || items[0] !== 'storage')
    throw new LensError(`refused persistent id ${describe(pid)} (expected a torch storage)`);
  const [, cls, key, , numel] = items;
  if (!isKind(cls, 'global') || !(cls.name in STORAGES))
    throw new LensError(`storage type ${describe(cls)} is not supported`, 'unsupported');
  if (typeof key !== 'string' || !/^[\w.-]{1,64}$/.test(key))
    throw new LensError('storage key is not a short name');
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0)
    throw new LensError(`storage '${key}' has an invalid element count`);
  return { kind: 'storage', dtype: STORAGES[cls.name], key, numel };
}

/** Records a storage the pickle names (a persistent id); one key must mean one storage. */
export function declareStorage(
  storages: Map<string, PickledStorage>,
  pid: PickledValue,
): PickledStorage {
  const s = storageFromPid(pid);
  const seen = storages.get(s.key);
  if (seen && (seen.dtype !== s.dtype || seen.numel !== s.numel))
    throw new LensError(`storage '${s.key}' is declared twice with different types`);
  storages.set(s.key, s);
  return seen ?? s;
}

function littleLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}

export function isKind<K extends string>(
  v: PickledValue | undefined,
  kind: K,
): v is Extract<PickledValue, { kind: K }> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'kind' in v && v.kind === kind;
}

/** A short description of a value for error messages. */
export function describe(v: PickledValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40));
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return `bytes[${v.length}]`;
  if (Array.isArray(v)) return `list[${v.length}]`;
  switch (v.kind) {
    case 'global':
      return v.name;
    case 'tuple':
      return `tuple[${v.items.length}]`;
    default:
      return v.kind;
  }
}
