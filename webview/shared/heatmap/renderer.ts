/**
 * A heatmap renderer draws a {@link ViewWindow} of a slice from a base layer (the whole
 * slice, possibly pooled) and an optional detail layer (a window fetched at higher
 * resolution, drawn on top where it covers). Two implementations: WebGL2 (values as float
 * textures, colormap and range in the fragment shader) and canvas 2D (the fallback).
 */
import type { Layer, ViewWindow } from './layer';
import { Canvas2DRenderer } from './canvas2d';
import { WebGL2Renderer } from './webgl2';

export type RendererKind = 'webgl2' | 'canvas';
export type RendererPreference = 'auto' | RendererKind;

export interface HeatmapRenderer {
  readonly kind: RendererKind;
  readonly canvas: HTMLCanvasElement;
  setBase(layer: Layer): void;
  setDetail(layer: Layer | null): void;
  /** 256 × RGB bytes. */
  setColormap(lut: Uint8Array): void;
  setRange(lo: number, hi: number): void;
  /** CSS size and device pixel ratio of the canvas. */
  resize(width: number, height: number, dpr: number): void;
  draw(view: ViewWindow): void;
  dispose(): void;
}

/** Colours of non-finite values, RGB 0–255. */
export interface SpecialColors {
  nan: readonly number[];
  posinf: readonly number[];
  neginf: readonly number[];
}

/**
 * A renderer on `canvas`: WebGL2 when asked for, or for 'auto' when it is available and runs on
 * a GPU; else canvas 2D. `why` says why WebGL2 was not used.
 */
export function createRenderer(
  canvas: HTMLCanvasElement,
  preference: RendererPreference,
  special: SpecialColors,
): { renderer: HeatmapRenderer; why?: string } {
  if (preference !== 'canvas') {
    const gl = WebGL2Renderer.create(canvas, special);
    if ('renderer' in gl) {
      if (preference === 'webgl2' || !gl.renderer.software) return { renderer: gl.renderer };
      // 'auto' on a CPU rasterizer: canvas 2D pans and zooms faster (BENCHMARKS.md)
      gl.renderer.dispose();
      const fresh = canvas.cloneNode(false) as HTMLCanvasElement;
      canvas.replaceWith(fresh);
      return {
        renderer: new Canvas2DRenderer(fresh, special),
        why: 'WebGL2 is software-rendered here (no GPU); canvas 2D is faster',
      };
    }
    let target = canvas;
    if (gl.tainted) {
      // the canvas is bound to a WebGL context now: draw on a fresh one in its place
      target = canvas.cloneNode(false) as HTMLCanvasElement;
      canvas.replaceWith(target);
    }
    return { renderer: new Canvas2DRenderer(target, special), why: gl.why };
  }
  return { renderer: new Canvas2DRenderer(canvas, special) };
}
