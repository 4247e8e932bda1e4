/**
 * Chart colours from the VS Code theme: the `--vscode-*` CSS variables of the page, resolved
 * to rgb() by the browser (getComputedStyle), so the canvas draws what the theme says in
 * light, dark and high-contrast themes. `onThemeChange` fires when VS Code switches theme
 * (it rewrites the body class and the variables on <html>).
 */

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface PlotTheme {
  kind: ThemeKind;
  /** text and axis labels */
  fg: string;
  muted: string;
  grid: string;
  background: string;
  /** the main series (singular values, eigenvalues, histogram bars) */
  series: string;
  /** the numerical-rank marker (vertical) */
  rank: string;
  /** the rank tolerance (horizontal) */
  tolerance: string;
  /** the unit circle */
  unit: string;
  /** the spectral-radius circle */
  radius: string;
  /** guides (90 % / 99 % energy) */
  guide: string;
  font: string;
  /** line width in CSS px: thicker in high-contrast themes */
  line: number;
}

function kindOf(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

let probe: HTMLSpanElement | undefined;

/** `var(--vscode-name, fallback)` as the browser resolves it: `rgb(r, g, b)` / `rgba(…)`. */
export function cssColor(name: string, fallback: string): string {
  if (!probe) {
    probe = document.createElement('span');
    probe.setAttribute('aria-hidden', 'true');
    probe.style.display = 'none';
    document.body.append(probe);
  }
  probe.style.color = '';
  probe.style.color = `var(--vscode-${name}, ${fallback})`;
  return getComputedStyle(probe).color || fallback;
}

/** The colour with alpha `a` (keeps any alpha it already has, multiplied). */
export function withAlpha(color: string, a: number): string {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+))?\s*\)/.exec(color);
  if (!m) return color;
  const base = m[4] === undefined ? 1 : Number(m[4]);
  return `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${+(base * a).toFixed(3)})`;
}

/** `color` composited over `bg` (both resolved rgb/rgba): what the canvas shows, as one opaque colour. */
export function opaque(color: string, bg: string): string {
  const parse = (c: string) =>
    /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+))?/.exec(c);
  const m = parse(color);
  const b = parse(bg);
  if (!m || m[4] === undefined || !b) return color;
  const a = Number(m[4]);
  const mix = (k: number) => Math.round(a * Number(m[k]) + (1 - a) * Number(b[k]));
  return `rgb(${mix(1)}, ${mix(2)}, ${mix(3)})`;
}

export function readTheme(): PlotTheme {
  const kind = kindOf();
  const hc = kind.startsWith('high-contrast');
  const light = kind === 'light' || kind === 'high-contrast-light';
  // theme colours may be translucent: drawn lines use them composited over the background
  const background = opaque(
    cssColor('editor-background', light ? '#fff' : '#1e1e1e'),
    'rgb(0, 0, 0)',
  );
  const color = (name: string, fallback: string) => opaque(cssColor(name, fallback), background);
  const fg = color('editor-foreground', cssColor('foreground', light ? '#333' : '#ccc'));
  const muted = color('descriptionForeground', light ? '#717171' : '#9d9d9d');
  return {
    kind,
    fg,
    muted,
    grid: hc ? withAlpha(fg, 0.45) : withAlpha(fg, light ? 0.12 : 0.14),
    background,
    series: color('charts-blue', light ? '#1a85ff' : '#3794ff'),
    rank: color('charts-red', light ? '#e51400' : '#f14c4c'),
    tolerance: color('charts-orange', light ? '#d18616' : '#d18616'),
    unit: muted,
    radius: color('charts-purple', light ? '#652d90' : '#b180d7'),
    guide: color('charts-green', light ? '#388a34' : '#89d185'),
    font: getComputedStyle(document.body).fontFamily || 'system-ui, sans-serif',
    line: hc ? 2 : 1.5,
  };
}

/** Calls `cb` (debounced) whenever VS Code changes the theme of this page. */
export function onThemeChange(cb: () => void): void {
  let last = JSON.stringify(readTheme());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    timer = undefined;
    const now = JSON.stringify(readTheme());
    if (now === last) return;
    last = now;
    cb();
  };
  const obs = new MutationObserver(() => {
    if (timer === undefined) timer = setTimeout(check, 30);
  });
  obs.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}
