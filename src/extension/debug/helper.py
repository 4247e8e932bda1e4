# Matrix Lens debuggee helper.
#
# Sent as text by the extension (src/extension/debug/helper.ts) and run with
# exec(source, private_dict) inside the paused program through debugpy's `evaluate`; the
# resulting object lives in sys.modules under a private key. It never adds names to the
# program's namespace, never prints, never evaluates anything read from a file, and drops
# everything it staged once it has been read (or on the next call).
#
# Every entry point returns one JSON string (errors included: {"error": "..."}), so the
# extension needs exactly one `evaluate` per operation.

import sys as _sys

VERSION = 2
_INF = float("inf")
_CHUNK_ELEMS = 1 << 22  # elements per reduction step: bounds extra memory for any size
_SCAN_STATS_BYTES = 256 << 20  # the Tensors view skips health lines above this (bounded refresh)
_staged = {}
_counter = [0]


def _json(obj):
    import json

    return json.dumps(obj, allow_nan=False, default=str)


def _num(x):
    # JSON has no NaN/Inf: encode them as strings the host decodes.
    x = float(x)
    if x != x:
        return "NaN"
    if x == _INF:
        return "Infinity"
    if x == -_INF:
        return "-Infinity"
    return x


def _err(e):
    text = str(e).strip().splitlines()
    line = text[0] if text else ""
    return {"error": ("%s: %s" % (type(e).__name__, line)) if line else type(e).__name__}


class _NotArray(Exception):
    pass


def _torch():
    return _sys.modules.get("torch")


def _numpy():
    np = _sys.modules.get("numpy")
    if np is None:
        import numpy as np  # noqa: only into sys.modules, never the user's namespace
    return np


def _is_torch(obj):
    t = _torch()
    return t is not None and isinstance(obj, t.Tensor)


def _is_numpy(obj):
    np = _sys.modules.get("numpy")
    return np is not None and isinstance(obj, (np.ndarray, np.generic))


def _is_jax(obj):
    mod = type(obj).__module__ or ""
    return (mod.startswith("jax") or mod.startswith("jaxlib")) and hasattr(obj, "__array__") and hasattr(obj, "shape")


def _is_numeric_list(obj, depth=0):
    if not isinstance(obj, (list, tuple)) or not obj or depth > 32:
        return False
    first = obj[0]
    if isinstance(first, (list, tuple)):
        return _is_numeric_list(first, depth + 1)
    return isinstance(first, (int, float, complex)) and not isinstance(first, str)


def _kind(obj):
    if _is_torch(obj):
        return "torch"
    if _is_numpy(obj):
        return "numpy"
    if _is_jax(obj):
        return "jax"
    if _is_numeric_list(obj):
        return "list"
    return None


def _type_name(obj):
    t = type(obj)
    mod = t.__module__
    return t.__name__ if mod in (None, "builtins") else "%s.%s" % (mod, t.__name__)


def _as_numpy(obj, kind):
    """NumPy view/array of a numpy/jax/list value (torch handled separately)."""
    np = _numpy()
    if kind == "numpy":
        return np.asarray(obj)
    a = np.asarray(obj)
    if kind == "list" and a.dtype.kind not in "biufc":
        raise _NotArray("not array-like: %s (ragged or non-numeric)" % _type_name(obj))
    return a


_TORCH_SPECIAL = {"bfloat16": "BF16", "float8_e4m3fn": "F8_E4M3", "float8_e5m2": "F8_E5M2"}


def _torch_dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def _check_numpy_dtype(a):
    if a.dtype.kind == "O":
        raise _NotArray("object array (dtype object): its elements are Python objects, not numbers")
    if a.dtype.names:
        raise _NotArray("structured array (fields %s): pick one field" % ", ".join(a.dtype.names))
    if a.dtype.kind not in "biufc":
        raise _NotArray("unsupported dtype %s: only bool, integer, float and complex arrays can be shown" % a.dtype)


def _meta(obj, kind):
    if kind == "torch":
        t = obj
        return {
            "kind": "torch",
            "shape": list(t.shape),
            "dtype": _torch_dtype_name(t),
            "device": str(t.device),
            "nbytes": t.numel() * t.element_size(),
            "requiresGrad": bool(t.requires_grad),
        }
    a = _as_numpy(obj, kind)
    _check_numpy_dtype(a)
    device = "cpu"
    if kind == "jax":
        try:
            device = str(next(iter(obj.devices())))
        except Exception:
            device = "jax"
    return {
        "kind": kind,
        "shape": list(a.shape),
        "dtype": str(a.dtype),
        "device": device,
        "nbytes": int(a.nbytes),
        "requiresGrad": False,
    }


# ---------------------------------------------------------------- statistics (on the device)


def _acc_dtype(t):
    """Accumulator dtype on the tensor's device: float64, except on MPS (no float64 there)."""
    torch = _torch()
    return torch.float32 if t.device.type == "mps" else torch.float64


def _torch_stats(t):
    """Statistics computed on the tensor's own device (CUDA, MPS, …); only scalars come back."""
    torch = _torch()
    acc_t = _acc_dtype(t)
    t = t.detach()
    n = t.numel()
    acc = {"n": n, "nan": 0, "posinf": 0, "neginf": 0, "zeros": 0, "finite": 0, "sum": 0.0, "min": None, "max": None}
    if n == 0:
        return acc
    flat = t.reshape(-1) if t.is_contiguous() else None
    steps = range(0, n, _CHUNK_ELEMS) if flat is not None else None
    if flat is None:
        # Non-contiguous: one leading slice at a time keeps the extra memory bounded.
        parts = (s.reshape(-1) for s in (t if t.dim() > 0 else [t]))
    else:
        parts = (flat[i : i + _CHUNK_ELEMS] for i in steps)
    for c in parts:
        if c.is_complex():
            nanm = torch.isnan(c)
            c = c.abs()
            acc["nan"] += int(nanm.sum())
        if c.dtype == torch.bool:
            c = c.to(torch.uint8)
        if c.is_floating_point():
            c = c.float() if c.dtype in (torch.float16, torch.bfloat16) or c.element_size() == 1 else c
            total = float(torch.sum(c, dtype=acc_t))
            if total - total == 0.0:
                # A finite float64 sum means no NaN and no ±Inf: three passes instead of ten.
                lo, hi = torch.aminmax(c)
                acc["sum"] += total
                acc["zeros"] += int((c == 0).sum())
                acc["finite"] += c.numel()
                lo, hi = float(lo), float(hi)
                acc["min"] = lo if acc["min"] is None else min(acc["min"], lo)
                acc["max"] = hi if acc["max"] is None else max(acc["max"], hi)
                continue
            if not t.is_complex():
                acc["nan"] += int(torch.isnan(c).sum())
            acc["posinf"] += int((c == _INF).sum())
            acc["neginf"] += int((c == -_INF).sum())
            fin = torch.isfinite(c)
            nf = int(fin.sum())
            if nf:
                lo = float(torch.where(fin, c, c.new_tensor(_INF)).min())
                hi = float(torch.where(fin, c, c.new_tensor(-_INF)).max())
                acc["sum"] += float(torch.where(fin, c, c.new_zeros(())).to(acc_t).sum())
            else:
                lo = hi = None
        else:
            nf = c.numel()
            lo, hi = float(c.min()), float(c.max())
            acc["sum"] += float(c.to(acc_t).sum())
        acc["zeros"] += int((c == 0).sum())
        acc["finite"] += nf
        if lo is not None:
            acc["min"] = lo if acc["min"] is None else min(acc["min"], lo)
            acc["max"] = hi if acc["max"] is None else max(acc["max"], hi)
    return acc


def _new_acc(n):
    return {"n": n, "nan": 0, "posinf": 0, "neginf": 0, "zeros": 0, "finite": 0, "sum": 0.0, "min": None, "max": None}


def _np_chunk(acc, c):
    """Adds one flat NumPy chunk to the running statistics."""
    np = _numpy()
    if c.dtype.kind == "c":
        acc["nan"] += int(np.isnan(c).sum())
        c = np.abs(c)
        complex_ = True
    else:
        complex_ = False
        if c.dtype.kind == "b":
            c = c.view(np.uint8)
    if c.dtype.kind == "f":
        if c.dtype.itemsize < 4:
            c = c.astype(np.float32)
        total = float(np.add.reduce(c, dtype=np.float64))
        if total - total == 0.0:
            # A finite float64 sum means no NaN and no ±Inf: three passes instead of ten.
            nf = c.size
            lo, hi = float(c.min()), float(c.max())
            acc["sum"] += total
        else:
            if not complex_:
                acc["nan"] += int(np.isnan(c).sum())
            acc["posinf"] += int(np.count_nonzero(c == _INF))
            acc["neginf"] += int(np.count_nonzero(c == -_INF))
            fin = np.isfinite(c)
            nf = int(fin.sum())
            if nf:
                v = c[fin]
                lo, hi = float(v.min()), float(v.max())
                acc["sum"] += float(v.sum(dtype=np.float64))
            else:
                lo = hi = None
    else:
        nf = c.size
        lo, hi = float(c.min()), float(c.max())
        acc["sum"] += float(c.sum(dtype=np.float64))
    acc["zeros"] += int(np.count_nonzero(c == 0))
    acc["finite"] += nf
    if lo is not None:
        acc["min"] = lo if acc["min"] is None else min(acc["min"], lo)
        acc["max"] = hi if acc["max"] is None else max(acc["max"], hi)


def _numpy_stats(a):
    np = _numpy()
    n = int(a.size)
    acc = _new_acc(n)
    if n == 0:
        return acc
    if a.flags.c_contiguous:
        flat = a.reshape(-1)
        parts = (flat[i : i + _CHUNK_ELEMS] for i in range(0, n, _CHUNK_ELEMS))
    else:
        parts = (np.asarray(s).reshape(-1) for s in (a if a.ndim > 0 else [a]))
    with np.errstate(all="ignore"):
        for c in parts:
            _np_chunk(acc, c)
    return acc


def _torch_cpu_stats(t):
    """CPU tensors: NumPy over zero-copy views of each chunk (much faster than this torch's
    float64 reductions); half/bf16/fp8 chunks are widened to float32 one chunk at a time."""
    torch = _torch()
    np = _numpy()
    n = t.numel()
    acc = _new_acc(n)
    if n == 0:
        return acc
    if t.is_contiguous():
        flat = t.reshape(-1)
        parts = (flat[i : i + _CHUNK_ELEMS] for i in range(0, n, _CHUNK_ELEMS))
    else:
        parts = (s.reshape(-1) for s in (t if t.dim() > 0 else [t]))
    with np.errstate(all="ignore"):
        for c in parts:
            if c.dtype in (torch.float16, torch.bfloat16) or (c.is_floating_point() and c.element_size() == 1):
                c = c.float()
            elif c.is_complex() and c.element_size() == 4:
                c = c.to(torch.complex64)
            _np_chunk(acc, c.resolve_conj().resolve_neg().numpy())
    return acc


def _stats(obj, kind):
    if kind == "torch":
        t = obj.detach()
        acc = _torch_cpu_stats(t) if t.device.type == "cpu" else _torch_stats(t)
    else:
        acc = _numpy_stats(_as_numpy(obj, kind))
    out = {k: acc[k] for k in ("n", "nan", "posinf", "neginf", "zeros", "finite")}
    out["min"] = None if acc["min"] is None else _num(acc["min"])
    out["max"] = None if acc["max"] is None else _num(acc["max"])
    out["mean"] = _num(acc["sum"] / acc["finite"]) if acc["finite"] else None
    return out


def _describe(obj, with_stats=True):
    kind = _kind(obj)
    if kind is None:
        raise _NotArray("not array-like: %s" % _type_name(obj))
    d = _meta(obj, kind)
    if with_stats:
        d["stats"] = _stats(obj, kind)
    return d


# ---------------------------------------------------------------- evaluating in the user's frame


def _eval(expr, g, l):
    # `l` is what debugpy evaluates in: the frame's globals updated with its locals (and a
    # `globals()` that returns the frame's real globals), so names resolve as in the Watch view.
    return eval(compile(expr, "<matrix-lens>", "eval"), l)


def _frame_names(g, l):
    """The frame's own names: its locals, or the module's globals at module level."""
    own = [(k, v) for k, v in l.items() if k != "globals" and (k not in g or g[k] is not v)]
    return own if own else [(k, v) for k, v in g.items()]


def describe(g, l, expr, with_stats=True):
    try:
        return _json(_describe(_eval(expr, g, l), with_stats))
    except _NotArray as e:
        return _json({"error": str(e)})
    except BaseException as e:  # noqa: the user's expression may raise anything
        return _json(_err(e))


def _children(name, obj):
    """Array-like values one attribute or key deep (self.weight, batch['x'])."""
    out = []
    if isinstance(obj, dict):
        for i, (k, v) in enumerate(obj.items()):
            if i >= 64:
                break
            if isinstance(k, (str, int)):
                out.append(("%s[%r]" % (name, k), v))
        return out
    if _is_torch(obj) or _is_numpy(obj) or isinstance(obj, (list, tuple, str, bytes, int, float, type)):
        return out
    d = getattr(obj, "__dict__", None)
    if isinstance(d, dict):
        for i, (k, v) in enumerate(d.items()):
            if i >= 64:
                break
            if isinstance(k, str) and not k.startswith("__"):
                out.append(("%s.%s" % (name, k), v))
        # torch.nn.Module keeps parameters and buffers in private dicts
        for attr in ("_parameters", "_buffers"):
            sub = d.get(attr)
            if isinstance(sub, dict):
                for k, v in list(sub.items())[:64]:
                    if v is not None:
                        out.append(("%s.%s" % (name, k), v))
    return out


def scan(g, l, exprs, limit=200, with_stats=True):
    """Every array-like name of the frame (and one level deep), plus typed expressions."""
    import time

    t0 = time.perf_counter()
    items = []
    seen = set()

    def add(name, value, typed=False):
        if len(items) >= limit and not typed:
            return
        try:
            kind = _kind(value)
            if kind is None:
                if typed:
                    items.append({"name": name, "error": "not array-like: %s" % _type_name(value)})
                return
            if id(value) in seen and not typed:
                return
            seen.add(id(value))
            d = _describe(value, False)
            if with_stats and d["nbytes"] <= _SCAN_STATS_BYTES:
                d["stats"] = _stats(value, d["kind"])
            d["name"] = name
            items.append(d)
        except _NotArray as e:
            if typed:
                items.append({"name": name, "error": str(e)})
        except BaseException as e:  # noqa
            items.append({"name": name, "error": _err(e)["error"]})

    names = _frame_names(g, l)
    for name, value in names:
        if name.startswith("__") or isinstance(value, type(_sys)):
            continue
        if _kind(value) is not None:
            add(name, value)
    for name, value in names:
        if name.startswith("__") or isinstance(value, type(_sys)) or callable(value) and not hasattr(value, "__dict__"):
            continue
        if _kind(value) is None:
            try:
                for child_name, child in _children(name, value):
                    if _kind(child) is not None:
                        add(child_name, child)
            except BaseException:  # noqa: a property may raise; skip the object
                pass
    for expr in exprs:
        try:
            add(expr, _eval(expr, g, l), typed=True)
        except BaseException as e:  # noqa
            items.append({"name": expr, "typed": True, "error": _err(e)["error"]})
    for it in items:
        if it["name"] in exprs:
            it["typed"] = True
    return _json({"items": items, "ms": (time.perf_counter() - t0) * 1000.0})


def scan_frame(g, l, exprs, limit=200, with_stats=True):
    try:
        return scan(g, l, exprs, limit, with_stats)
    except BaseException as e:  # noqa
        return _json(_err(e))


# ---------------------------------------------------------------- transfer


def _npy_header(descr, fortran, shape):
    h = "{'descr': %r, 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", repr(tuple(shape)))
    # Version 1.0 when the header fits in 65535 bytes, else 2.0; padded so data starts 64-aligned.
    for version, size_len in ((1, 2), (2, 4)):
        total = 6 + 2 + size_len + len(h) + 1
        pad = (64 - total % 64) % 64
        body = h + " " * pad + "\n"
        if len(body) < (1 << (8 * size_len)):
            import struct

            return (
                b"\x93NUMPY"
                + bytes([version, 0])
                + struct.pack("<H" if size_len == 2 else "<I", len(body))
                + body.encode("latin-1")
            )
    raise ValueError("npy header too large")


def _safetensors_header(name, dtype, shape, nbytes):
    import json
    import struct

    h = json.dumps({name: {"dtype": dtype, "shape": list(shape), "data_offsets": [0, nbytes]}}).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h


def _window_key(window):
    return tuple(slice(a, b) for a, b in window) if window else None


def _pool2d_numpy(a, rows, cols):
    """Block means of a 2-D array down to at most rows × cols (one row block at a time)."""
    np = _numpy()
    R, C = a.shape
    fr, fc = -(-R // rows), -(-C // cols)
    nr, nc = -(-R // fr), -(-C // fc)
    out = np.empty((nr, nc), dtype=np.float32)
    idx = np.arange(0, C, fc)
    counts_c = np.diff(np.append(idx, C)).astype(np.float64)
    with np.errstate(all="ignore"):
        for i in range(nr):
            block = np.asarray(a[i * fr : (i + 1) * fr])
            if block.dtype.kind == "c":
                block = np.abs(block)
            s = np.add.reduceat(block.astype(np.float64, copy=False).sum(axis=0), idx)
            out[i] = s / (counts_c * block.shape[0])
    return out, [fr, fc]


def _pool2d_torch(t, rows, cols):
    torch = _torch()
    R, C = t.shape
    fr, fc = -(-R // rows), -(-C // cols)
    nr, nc = -(-R // fr), -(-C // fc)
    out = torch.empty((nr, nc), dtype=torch.float32, device=t.device)
    pad = nc * fc - C
    acc_t = _acc_dtype(t)
    counts = torch.full((nc,), float(fc), dtype=acc_t, device=t.device)
    if pad:
        counts[-1] = fc - pad
    for i in range(nr):
        block = t[i * fr : (i + 1) * fr]
        block = block.abs() if block.is_complex() else block
        s = block.to(acc_t).sum(dim=0)
        if pad:
            s = torch.nn.functional.pad(s, (0, pad))
        out[i] = (s.reshape(nc, fc).sum(dim=1) / (counts * block.shape[0])).float()
    return out.cpu().numpy(), [fr, fc]


def _prepare(obj, kind, name, window, pool):
    """(header bytes, data buffer object, info) for the value, a window of it, or a pooled view."""
    np = _numpy()
    info = {}
    if pool:
        rows, cols = pool
        # a window (zoom) is cut first; its leading axes have one index each
        key = _window_key(window)
        lead = tuple(0 for _ in range(max(0, len(obj.shape) - 2)))
        if kind == "torch":
            t = obj.detach()[key] if key else obj.detach()
            t = t[lead] if lead else t
            if t.dim() < 2:
                t = t.reshape(1, -1)
            if t.dtype == torch_bool():
                t = t.to(_torch().uint8)
            a, factors = _pool2d_torch(t, rows, cols)
        else:
            a0 = _as_numpy(obj, kind)
            a0 = a0[key] if key else a0
            a0 = a0[lead] if lead else a0
            if a0.ndim < 2:
                a0 = a0.reshape(1, -1)
            if a0.dtype.kind == "b":
                a0 = a0.view(np.uint8)
            a, factors = _pool2d_numpy(a0, rows, cols)
        info = {"pooled": factors, "lead": list(lead)}
        return _npy_header(a.dtype.str, False, a.shape), a, info
    key = _window_key(window)
    if kind == "torch":
        torch = _torch()
        t = obj.detach()
        if key:
            t = t[key]
        dname = _torch_dtype_name(t)
        if dname.startswith("float8") and dname not in _TORCH_SPECIAL:
            # fnuz/e8m0 variants: safetensors (and Matrix Lens) name only e4m3fn and e5m2
            raise _NotArray("torch.%s tensors are not supported: use .float()" % dname)
        if dname in _TORCH_SPECIAL:
            bits = t.contiguous().view(torch.int16 if t.element_size() == 2 else torch.uint8).cpu().numpy()
            return _safetensors_header(name, _TORCH_SPECIAL[dname], t.shape, bits.nbytes), bits, info
        if t.is_complex():
            t = t.resolve_conj()
        t = t.resolve_neg()
        a = t.cpu().contiguous().numpy()
        if a.dtype.kind == "c" and a.dtype.itemsize == 4:
            raise _NotArray("complex32 tensors are not supported: use .to(torch.complex64)")
    else:
        a = _as_numpy(obj, kind)
        _check_numpy_dtype(a)
        if key:
            a = a[key]
        if not (a.flags.c_contiguous or a.flags.f_contiguous):
            a = a.copy(order="C")  # only what is sent
    fortran = bool(a.flags.f_contiguous and not a.flags.c_contiguous and a.ndim > 1)
    return _npy_header(a.dtype.str, fortran, a.shape), a, info


def torch_bool():
    t = _torch()
    return t.bool if t is not None else None


def _as_float64(obj, kind):
    """float64 values (|z| for complex) for pinned values: Δ between stops is exact."""
    if kind == "torch":
        t = obj.detach()
        t = t.abs() if t.is_complex() else t
        if t.device.type == "mps":
            t = t.cpu()  # no float64 on MPS; the pinned value is sent whole anyway
        return t.to(_torch().float64)
    np = _numpy()
    a = _as_numpy(obj, kind)
    _check_numpy_dtype(a)
    a = np.abs(a) if a.dtype.kind == "c" else a
    return a.astype(np.float64)


def _data_view(a):
    np = _numpy()
    if a.size == 0:
        return memoryview(b"")
    return memoryview(a.reshape(-1, order="A").view(np.uint8))


def probe(path, nonce):
    """True when the extension host's file at `path` is readable here with the same nonce."""
    try:
        with open(path, "r", encoding="ascii") as f:
            return _json({"shared": f.read(256).strip() == nonce})
    except Exception:
        return _json({"shared": False})


def stage(g, l, expr, opts):
    """Evaluates `expr` and either writes it to opts['path'] or stages it for chunk reads."""
    release()
    try:
        obj = _eval(expr, g, l)
        kind = _kind(obj)
        if kind is None:
            raise _NotArray("not array-like: %s" % _type_name(obj))
        meta = _meta(obj, kind)
        pool = opts.get("pool")
        budget = opts.get("budget")
        if budget and meta["nbytes"] > budget and not opts.get("window"):
            pool = opts.get("poolTo") or [1024, 1024]
        if opts.get("stats") or (pool and not opts.get("window")):
            meta["stats"] = _stats(obj, kind)
        if opts.get("float64") and not pool:
            obj = _as_float64(obj, kind)
            kind = "torch" if _is_torch(obj) else "numpy"
        header, arr, info = _prepare(obj, kind, opts.get("name") or "value", opts.get("window"), pool)
        obj = None
        meta.update(info)
        meta["format"] = "safetensors" if header[:1] != b"\x93" else "npy"
        data = _data_view(arr)
        meta["fileBytes"] = len(header) + data.nbytes
        path = opts.get("path")
        if path:
            import os

            path = path + (".npy" if meta["format"] == "npy" else ".safetensors")
            meta["path"] = path

            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(header)
                f.write(data)
            data.release()
            return _json(meta)
        _counter[0] += 1
        token = "t%d" % _counter[0]
        _staged[token] = [header, data, arr]
        meta["token"] = token
        return _json(meta)
    except _NotArray as e:
        return _json({"error": str(e)})
    except BaseException as e:  # noqa
        return _json(_err(e))


class _Once(object):
    """Hands a chunk to the debugger once: pydevd keeps evaluate results alive until the
    program resumes, so the (large) string must not be the result itself."""

    __slots__ = ("s",)

    def __init__(self, s):
        self.s = s

    def __repr__(self):
        s, self.s = self.s, ""
        return s

    __str__ = __repr__


def chunk(token, offset, size):
    import base64

    st = _staged.get(token)
    if st is None:
        return _Once("!no staged transfer %s" % token)
    header, data = st[0], st[1]
    hl = len(header)
    end = offset + size
    parts = []
    if offset < hl:
        parts.append(header[offset : min(end, hl)])
    lo, hi = max(offset - hl, 0), max(end - hl, 0)
    if hi > lo:
        parts.append(data[lo:hi].tobytes())
    return _Once(base64.b64encode(b"".join(parts)).decode("ascii"))


def release(token=None):
    for k in list(_staged):
        if token is None or k == token:
            st = _staged.pop(k)
            try:
                st[1].release()
            except Exception:
                pass
    return "ok"


class _Text(object):
    """A debug-hover result shown as its text (no quotes, nothing to expand)."""

    __slots__ = ("s",)

    def __init__(self, s):
        self.s = s

    def __repr__(self):
        return self.s

    __str__ = __repr__


def _label(d):
    return "%s[%s]" % (d["dtype"], ", ".join(str(x) for x in d["shape"]))


def _fmt(x):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    return ("%.4g" % x) if x != int(x) or abs(x) >= 1e15 else str(int(x))


def hover(g, l, expr):
    """`float32[8, 16] cpu · min -1 max 3 mean 0.1 · NaN 0 +Inf 0 -Inf 0 zeros 2` for the debug hover."""
    try:
        d = _describe(_eval(expr, g, l), True)
        s = d["stats"]
        grad = " requires_grad" if d["requiresGrad"] else ""
        rng = (
            "min %s max %s mean %s" % (_fmt(s["min"]), _fmt(s["max"]), _fmt(s["mean"]))
            if s["finite"]
            else ("empty" if s["n"] == 0 else "no finite values")
        )
        return _Text(
            "%s %s%s · %s · NaN %d +Inf %d -Inf %d zeros %d"
            % (_label(d), d["device"], grad, rng, s["nan"], s["posinf"], s["neginf"], s["zeros"])
        )
    except BaseException as e:  # noqa
        return _Text(_err(e)["error"])


def shapes(g, l, exprs):
    """{expr: {"label": "float32[8, 16]", ...meta} or null} for inline values and hovers (no stats)."""
    out = {}
    for expr in exprs:
        try:
            v = _eval(expr, g, l)
            out[expr] = _describe(v, False) if _kind(v) is not None else None
        except BaseException:  # noqa
            out[expr] = None
    return _json(out)


# ---------------------------------------------------------------- token labels


def _str_list(v, n=None):
    """True for a list/tuple of str (of length n when given)."""
    if not isinstance(v, (list, tuple)) or (n is not None and len(v) != n) or not v:
        return False
    return all(isinstance(x, str) for x in v[:100000]) and len(v) <= 100000


def str_lists(g, l, n):
    """The frame's list-of-str names of length n (token label candidates), with a preview."""
    try:
        out = []
        for name, value in _frame_names(g, l):
            if name.startswith("__") or not _str_list(value, n):
                continue
            preview = " ".join(value[:6])
            out.append({"name": name, "length": len(value), "preview": preview[:80]})
        return _json(out)
    except BaseException as e:  # noqa
        return _json(_err(e))


def str_list(g, l, expr):
    """The value of `expr` when it is a list/tuple of str (each cut to 200 characters)."""
    try:
        v = _eval(expr, g, l)
        if not _str_list(v):
            raise _NotArray("not a list of strings: %s" % _type_name(v))
        return _json([s[:200] for s in v])
    except _NotArray as e:
        return _json({"error": str(e)})
    except BaseException as e:  # noqa
        return _json(_err(e))
