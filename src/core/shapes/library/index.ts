/**
 * The library of NumPy/PyTorch rules, one file per family, each a table `name → rule`.
 * This file routes a call to its table: `np.*`/`torch.*` functions, array methods, `np.random`,
 * `linalg`, `torch.nn` layers and `torch.nn.functional`. Adding an op = adding a row.
 */
import type { Node } from '../syntax';
import { UNKNOWN, type Lib, type Val } from '../values';
import { BUILTINS } from './builtins';
import {
  asArray,
  shortText,
  type Args,
  type ArrayCall,
  type ArrayRule,
  type Call,
  type RuleContext,
  type SequenceRule,
} from './call';
import { CREATION } from './creation';
import { ELEMENTWISE, where } from './elementwise';
import { INDEXING } from './indexing';
import { JOIN, SPLIT } from './join';
import { LINALG } from './linalg';
import { FUNCTIONAL, LAYERS } from './nn';
import { PRODUCTS, einsumRule } from './products';
import { RANDOM } from './random';
import { REDUCTIONS } from './reductions';
import { RESHAPE } from './reshape';

/** Functions whose first argument is a sequence of arrays or a spec string, not an array. */
const SEQUENCE_RULES: Record<string, SequenceRule> = { ...JOIN, einsum: einsumRule, where };

/** Methods and functions of one array; later tables win where names repeat. */
const ARRAY_RULES: Record<string, ArrayRule> = {
  ...ELEMENTWISE,
  ...REDUCTIONS,
  ...RESHAPE,
  ...PRODUCTS,
  ...INDEXING,
  ...SPLIT,
};

const TORCH_LINALG_ALIASES: Record<string, string> = {
  svd: 'svd_old',
  inverse: 'inv',
  det: 'det',
};

/** `math` functions of numbers that return a float. */
const MATH_FLOATS = new Set([
  ...['sqrt', 'exp', 'log', 'log2', 'log10', 'sin', 'cos', 'tan', 'tanh', 'atan', 'atan2'],
  ...['pow', 'fabs', 'hypot', 'erf'],
]);

/** The arguments after the first (written out, not spread: this runs for every call). */
function rest(args: Args): Args {
  return { pos: args.pos.slice(1), kw: args.kw, nodes: args.nodes, bad: args.bad };
}

function has<T>(table: Record<string, T>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, name);
}

export class Library implements RuleContext {
  /**
   * `a.name(args)` (fnForm false) or `lib.name(a, args)` (fnForm true; `args` then holds the
   * arguments after `a`).
   */
  arrayCall(
    name: string,
    lib: Lib,
    self: Val | undefined,
    selfName: string,
    args: Args,
    node: Node,
    fnForm: boolean,
  ): Val {
    const line = node.startRow;
    // the call objects are written out, not spread: this runs for every array call
    if (has(SEQUENCE_RULES, name))
      return SEQUENCE_RULES[name](this, {
        name,
        lib,
        args,
        node,
        line,
        text: shortText(node),
        first: self,
      });
    if (!has(ARRAY_RULES, name)) return UNKNOWN;
    const A = self ? asArray(self, lib, line) : undefined;
    if (!A || !self) return UNKNOWN;
    const offset = fnForm ? 1 : 0;
    const argName = (i: number): string =>
      args.nodes[i + offset] ? shortText(args.nodes[i + offset]) : `arg${i}`;
    const rule = ARRAY_RULES[name];
    return rule(this, {
      name,
      lib,
      args,
      node,
      line,
      text: shortText(node),
      self: A,
      selfName,
      selfValue: self,
      argName,
    });
  }

  arrayRule(name: string, call: ArrayCall): Val {
    return has(ARRAY_RULES, name) ? ARRAY_RULES[name](this, { ...call, name }) : UNKNOWN;
  }

  /** A call of a function reached through imports, by its canonical dotted path. */
  callPath(path0: string, args: Args, node: Node): Val {
    let path = path0;
    if (path.startsWith('builtins.')) return this.table(BUILTINS, path.slice(9), 'np', args, node);
    if (path.startsWith('math.') && MATH_FLOATS.has(path.slice(5))) return { k: 'float' };
    if (path.startsWith('numpy.')) path = 'np.' + path.slice(6);
    if (path.startsWith('torch.nn.functional.')) return this.functional(path.slice(20), args, node);
    if (path.startsWith('torch.nn.') && !path.startsWith('torch.nn.init'))
      return this.table(LAYERS, path.slice(9), 'torch', args, node);
    if (path.startsWith('np.')) return this.libraryFunction(path.slice(3), 'np', args, node);
    if (path.startsWith('torch.')) return this.libraryFunction(path.slice(6), 'torch', args, node);
    return UNKNOWN;
  }

  /** A method of a `np.random.default_rng()` generator. */
  generatorMethod(name: string, args: Args, node: Node): Val {
    return this.table(RANDOM, name, 'np', args, node, `rng.${name}`);
  }

  private table(
    table: Record<string, (ctx: RuleContext, call: Call) => Val>,
    name: string,
    lib: Lib,
    args: Args,
    node: Node,
    callName = name,
  ): Val {
    if (!has(table, name)) return UNKNOWN;
    return table[name](this, {
      name: callName,
      lib,
      args,
      node,
      line: node.startRow,
      text: shortText(node),
    });
  }

  private libraryFunction(name: string, lib: Lib, args: Args, node: Node): Val {
    if (lib === 'np' && name.startsWith('random.')) {
      const m = name.slice(7);
      if (m === 'default_rng' || m === 'RandomState' || m === 'Generator') return { k: 'rng' };
      return this.table(RANDOM, m, 'np', args, node);
    }
    if (has(CREATION, name)) return this.table(CREATION, name, lib, args, node);
    if (name.startsWith('linalg.')) return this.table(LINALG, name.slice(7), lib, args, node);
    if (lib === 'torch' && has(TORCH_LINALG_ALIASES, name))
      return this.table(LINALG, TORCH_LINALG_ALIASES[name], lib, args, node);
    return this.firstArgumentCall(name, lib, args, node);
  }

  /** `lib.name(a, rest...)` as the array rule `name` on `a`. */
  private firstArgumentCall(name: string, lib: Lib, args: Args, node: Node): Val {
    const a0 = args.pos[0];
    if (!a0 && !has(SEQUENCE_RULES, name)) return UNKNOWN;
    return this.arrayCall(
      name,
      lib,
      a0,
      args.nodes[0] ? shortText(args.nodes[0]) : 'a',
      rest(args),
      node,
      true,
    );
  }

  private functional(name: string, args: Args, node: Node): Val {
    const x = args.pos[0];
    if (x?.k !== 'arr') return UNKNOWN;
    const xName = args.nodes[0] ? shortText(args.nodes[0]) : 'input';
    if (has(FUNCTIONAL, name))
      return FUNCTIONAL[name](
        { name, lib: 'torch', args, node, line: node.startRow, text: shortText(node) },
        x,
        xName,
      );
    return this.arrayCall(name, 'torch', x, xName, rest(args), node, true);
  }
}
