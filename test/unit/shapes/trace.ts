/**
 * The NumPy/PyTorch oracle for the shape checker: runs each program with the real libraries
 * under a line tracer and records, after every assignment line, the shape and dtype of each
 * assigned name that holds an ndarray/Tensor/NumPy scalar/Python number, and the line of the
 * first exception. One Python process runs the whole corpus.
 */
import { runPython } from '../../helpers/python';

export interface TraceRecord {
  line: number; // 1-based
  name: string;
  shape: number[];
  dtype: string | null;
  frame: number; // frame instance (a call), for symbol binding
}

export interface TraceResult {
  records: TraceRecord[];
  error: { line: number; type: string; message: string } | null;
}

const TRACER = String.raw`
import sys, json, ast, warnings
warnings.filterwarnings('ignore')
import numpy as np
import torch
torch.manual_seed(0)

def target_names(t, out):
    if isinstance(t, ast.Name):
        out.append(t.id)
    elif isinstance(t, (ast.Tuple, ast.List)):
        for e in t.elts:
            target_names(e, out)
    elif isinstance(t, ast.Attribute):
        out.append(ast.unparse(t))
    elif isinstance(t, ast.Starred):
        target_names(t.value, out)

def describe(v):
    if isinstance(v, bool):
        return [], None
    if isinstance(v, (int, float)):
        return [], None
    if isinstance(v, np.ndarray) or isinstance(v, np.generic):
        return list(v.shape), str(v.dtype)
    if isinstance(v, torch.Tensor):
        return list(v.shape), str(v.dtype).replace('torch.', '')
    return None

def run(i, src):
    fname = '<shapes-case-%d>' % i
    tree = ast.parse(src)
    targets = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            names = []
            for t in node.targets:
                target_names(t, names)
            targets.setdefault(node.lineno, []).extend(names)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            names = []
            target_names(node.target, names)
            targets.setdefault(node.lineno, []).extend(names)
    records = []
    last = {}
    frames = {}
    counter = [0]
    def record(frame, line):
        for nm in targets.get(line, []):
            try:
                if '.' in nm:
                    v = eval(nm, frame.f_globals, frame.f_locals)
                else:
                    v = frame.f_locals[nm]
            except Exception:
                continue
            d = describe(v)
            if d is None:
                continue
            records.append(dict(line=line, name=nm, shape=[int(s) for s in d[0]], dtype=d[1], frame=frames[frame]))
    def tracer(frame, event, arg):
        if frame.f_code.co_filename != fname:
            return None
        if event == 'call':
            counter[0] += 1
            frames[frame] = counter[0]
            last[frame] = None
            return tracer
        if event in ('line', 'return'):
            prev = last.get(frame)
            if prev is not None:
                record(frame, prev)
            last[frame] = frame.f_lineno if event == 'line' else None
        elif event == 'exception':
            last[frame] = None
        return tracer
    error = None
    g = {'__name__': '__main__'}
    code = compile(src, fname, 'exec')
    sys.settrace(tracer)
    try:
        exec(code, g)
    except Exception as e:
        sys.settrace(None)
        line = None
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == fname:
                line = tb.tb_lineno
            tb = tb.tb_next
        error = dict(line=line, type=type(e).__name__, message=str(e).split('\n')[0][:300])
    finally:
        sys.settrace(None)
    return dict(records=records, error=error)

cases = json.load(sys.stdin)
print(json.dumps([run(i, c) for i, c in enumerate(cases)]))
`;

/** Runs every program; results in the same order. */
export function tracePrograms(sources: string[]): TraceResult[] {
  return JSON.parse(runPython(TRACER, [], JSON.stringify(sources))) as TraceResult[];
}
