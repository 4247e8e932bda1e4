export interface CliContext {
  out(text: string): void;
}

export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  /** longer text for `matrix-lens <command> --help` (after the usage line) */
  help?: string;
  /** returns the exit status; throw LensError/UsageError for bad input (exit 2). */
  run(args: string[], ctx: CliContext): Promise<number>;
}

export class UsageError extends Error {}

/** Minimal flag parser: `--flag`, `--opt value`, positionals. Unknown flags are an error. */
export function parseArgs(
  args: string[],
  spec: { flags?: string[]; options?: string[] },
): { positionals: string[]; flags: Set<string>; options: Map<string, string> } {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [key, inline] = a.split('=', 2);
      if (spec.flags?.includes(key)) flags.add(key);
      else if (spec.options?.includes(key)) {
        const v = inline ?? args[++i];
        if (v === undefined) throw new UsageError(`${key} needs a value`);
        options.set(key, v);
      } else throw new UsageError(`unknown option ${key}`);
    } else positionals.push(a);
  }
  return { positionals, flags, options };
}
