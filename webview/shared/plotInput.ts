/**
 * Mouse, wheel and keyboard input of a zoomable plot canvas, in the terms of the shared view
 * window model: wheel and +/− zoom (magnification), drag and arrow keys pan, 0/Escape reset,
 * hover reports the point under the pointer. Used by the heatmap and the attention view.
 */
import { wheelZoomFactor, type GridPoint, type ViewWindow } from './viewWindow';

export interface PlotInputHandlers {
  /** the window on screen now (the whole grid when not zoomed). */
  view(): ViewWindow;
  zoomed(): boolean;
  /** zoom by a magnification about a grid point (the view's centre when undefined). */
  zoom(factor: number, at?: GridPoint): void;
  /** pan to a window (drag) — the model clamps it. */
  panTo(w: ViewWindow): void;
  /** pan by fractions of the view (arrow keys). */
  panBy(fr: number, fc: number): void;
  reset(): void;
  /** the pointer at canvas offset (x, y) CSS px, over grid point p; undefined = left. */
  hover(
    p: (GridPoint & { x: number; y: number; clientX: number; clientY: number }) | undefined,
  ): void;
  /** other keys (e.g. Page Up/Down); return true when handled. */
  key?(ev: KeyboardEvent): boolean;
}

/** Grid point under a mouse event, or undefined outside the canvas. */
export function pointAt(
  canvas: HTMLElement,
  view: ViewWindow,
  ev: MouseEvent,
): (GridPoint & { x: number; y: number }) | undefined {
  const r = canvas.getBoundingClientRect();
  const x = ev.clientX - r.left;
  const y = ev.clientY - r.top;
  if (x < 0 || y < 0 || x >= r.width || y >= r.height) return undefined;
  return {
    R: view.r0 + (y / r.height) * (view.r1 - view.r0),
    C: view.c0 + (x / r.width) * (view.c1 - view.c0),
    x,
    y,
  };
}

/** Wires the input; aborting `signal` removes every listener. */
export function attachPlotInput(
  canvas: HTMLCanvasElement,
  h: PlotInputHandlers,
  signal: AbortSignal,
): void {
  let drag: { x: number; y: number; view: ViewWindow; id: number } | undefined;
  canvas.addEventListener(
    'mousemove',
    (ev) => {
      const p = pointAt(canvas, h.view(), ev);
      h.hover(p ? { ...p, clientX: ev.clientX, clientY: ev.clientY } : undefined);
    },
    { signal },
  );
  canvas.addEventListener('mouseleave', () => h.hover(undefined), { signal });
  canvas.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      if (ev.deltaY === 0) return;
      const p = pointAt(canvas, h.view(), ev);
      h.zoom(wheelZoomFactor(ev.deltaY, ev.deltaMode), p);
    },
    { passive: false, signal },
  );
  canvas.addEventListener(
    'pointerdown',
    (ev) => {
      if (ev.button !== 0 || !h.zoomed()) return;
      drag = { x: ev.clientX, y: ev.clientY, view: h.view(), id: ev.pointerId };
      canvas.setPointerCapture(ev.pointerId);
      canvas.classList.add('dragging');
    },
    { signal },
  );
  canvas.addEventListener(
    'pointermove',
    (ev) => {
      if (!drag || ev.pointerId !== drag.id) return;
      const v = drag.view;
      const r = canvas.getBoundingClientRect();
      const dr = ((ev.clientY - drag.y) / r.height) * (v.r1 - v.r0);
      const dc = ((ev.clientX - drag.x) / r.width) * (v.c1 - v.c0);
      h.panTo({ r0: v.r0 - dr, r1: v.r1 - dr, c0: v.c0 - dc, c1: v.c1 - dc });
    },
    { signal },
  );
  const end = (ev: PointerEvent) => {
    if (!drag || ev.pointerId !== drag.id) return;
    drag = undefined;
    canvas.classList.remove('dragging');
  };
  canvas.addEventListener('pointerup', end, { signal });
  canvas.addEventListener('pointercancel', end, { signal });
  canvas.addEventListener(
    'keydown',
    (ev) => {
      const k = ev.key;
      if (k === '+' || k === '=') h.zoom(2);
      else if (k === '-' || k === '_') h.zoom(0.5);
      else if (k === '0' || k === 'Escape') h.reset();
      else if (k === 'ArrowUp') h.panBy(-0.1, 0);
      else if (k === 'ArrowDown') h.panBy(0.1, 0);
      else if (k === 'ArrowLeft') h.panBy(0, -0.1);
      else if (k === 'ArrowRight') h.panBy(0, 0.1);
      else if (!h.key?.(ev)) return;
      ev.preventDefault();
    },
    { signal },
  );
}
