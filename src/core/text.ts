/**
 * Text that came from a file or a path, made safe to print: control characters escaped (an
 * `ESC[2J` in a tensor name must not clear the terminal, a newline must not cut a one-line
 * error, OSC sequences must not set the terminal title) and very long strings elided (a 10 MB
 * name is not echoed into a one-line message). Every text output of the CLI goes through
 * {@link safeText}; names inside LensError messages through {@link quoteName}.
 */

/** C0, DEL, C1, the line/paragraph separators and the bidi overrides/isolates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_WITH_NEWLINES = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  const code = c.charCodeAt(0);
  // C0 as \xNN; the rest as \uNNNN, which is also a valid escape inside JSON strings
  return code < 0x20
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Escapes control characters (newlines too: the result is one line). */
export function escapeControl(s: string): string {
  return s.replace(UNSAFE_WITH_NEWLINES, escapeChar);
}

/**
 * Escapes control characters in multi-line output (keeps `\n` and `\t`, which the output
 * itself uses to separate lines and columns).
 */
export function safeText(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/** Longest name, shape or key shown whole in a message. */
export const MAX_SHOWN = 120;

/** `s` cut to about `max` characters: head … (N characters) … tail. */
export function elide(s: string, max = MAX_SHOWN): string {
  if (s.length <= max) return s;
  const head = Math.ceil(max * 0.7);
  const tail = max - head;
  return `${s.slice(0, head)}…(${s.length - head - tail} more characters)…${s.slice(s.length - tail)}`;
}

/** A name for a one-line message: elided, control characters escaped, in quotes. */
export function quoteName(s: string, max = MAX_SHOWN): string {
  return `'${escapeControl(elide(s, max))}'`;
}

/** The first `max` names, quoted, and how many more there are. */
export function listNames(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map((n) => quoteName(n, 60));
  return names.length > max
    ? `${shown.join(', ')} … (${names.length - max} more)`
    : shown.join(', ');
}

/** JSON text whose C1 controls are escaped too (JSON.stringify leaves U+0080–U+009F raw). */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
