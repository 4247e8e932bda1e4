/**
 * WebGL2 heatmap: each layer's values live in an R32F texture (stored row-major as a linear
 * run of texels so any shape fits the texture size limit); the colormap is a 256×1 RGBA
 * texture; the fragment shader maps each pixel to a full-resolution cell, fetches its value,
 * tests its bits for NaN/±Inf (robust to fast-math compilers) and applies the range and LUT.
 * Pan and zoom only change uniforms. A float64 layer (values float32 cannot hold) is uploaded
 * scaled by a power of two that brings the colour range into float32, with its range scaled
 * the same way (src/core/view/valueScale.ts); it is uploaded again if the range's scale changes.
 */
import { narrowScaled, rangeScale } from '../../../src/core/view/valueScale';
import { Pyramid, sizeCanvas, type Layer, type ViewWindow } from './layer';
import type { HeatmapRenderer, SpecialColors } from './renderer';

const VERT = `#version 300 es
in vec2 aPos;
void main() { gl_Position = vec4(aPos, 0.0, 1.0); }`;

const FRAG = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
uniform sampler2D uBase;
uniform sampler2D uDetail;
uniform sampler2D uLut;
uniform vec4 uView;      // r0, c0, r1, c1 (full-resolution coordinates)
uniform vec2 uSize;      // drawing buffer size in pixels
uniform vec4 uBaseGeom;  // row0, col0, rowStep, colStep
uniform vec4 uBaseEnd;   // rowEnd, colEnd, rows, cols
uniform int uBaseTexW;
uniform vec4 uDetGeom;
uniform vec4 uDetEnd;
uniform int uDetTexW;
uniform bool uHasDetail;
uniform vec2 uBaseRange; // lo, hi in the base texture's scale
uniform vec2 uDetRange;
uniform vec3 uNan;
uniform vec3 uPosInf;
uniform vec3 uNegInf;
out vec4 outColor;

bool fetchCell(sampler2D tex, vec4 geom, vec4 end, int texW, float R, float C, out float v) {
  if (R < geom.x || C < geom.y || R >= end.x || C >= end.y) return false;
  int i = int(floor((R - geom.x) / geom.z));
  int j = int(floor((C - geom.y) / geom.w));
  int rows = int(end.z);
  int cols = int(end.w);
  if (i >= rows || j >= cols) return false;
  int k = i * cols + j;
  v = texelFetch(tex, ivec2(k % texW, k / texW), 0).r;
  return true;
}

void main() {
  vec2 p = gl_FragCoord.xy;
  float R = uView.x + (uSize.y - p.y) / uSize.y * (uView.z - uView.x);
  float C = uView.y + p.x / uSize.x * (uView.w - uView.y);
  float v = 0.0;
  bool ok = false;
  vec2 range = uDetRange;
  if (uHasDetail) ok = fetchCell(uDetail, uDetGeom, uDetEnd, uDetTexW, R, C, v);
  if (!ok) {
    ok = fetchCell(uBase, uBaseGeom, uBaseEnd, uBaseTexW, R, C, v);
    range = uBaseRange;
  }
  if (!ok) { outColor = vec4(0.0); return; }
  uint b = floatBitsToUint(v);
  if ((b & 0x7f800000u) == 0x7f800000u) {
    vec3 c = (b & 0x007fffffu) != 0u ? uNan : ((b >> 31) == 0u ? uPosInf : uNegInf);
    outColor = vec4(c, 1.0);
    return;
  }
  float t = range.y > range.x ? clamp((v - range.x) / (range.y - range.x), 0.0, 1.0) : 0.5;
  int idx = int(floor(t * 255.0 + 0.5));
  outColor = texelFetch(uLut, ivec2(idx, 0), 0);
}`;

/** Texels per texture row for a layer's linear layout. */
const TEX_W = 4096;

interface Tex {
  tex: WebGLTexture;
  width: number;
  layer: Layer;
  /** the texture holds values × scale (1 for float32 layers). */
  scale: number;
}

export class WebGL2Renderer implements HeatmapRenderer {
  readonly kind = 'webgl2' as const;
  private pyramid: Pyramid | undefined;
  private detail: Layer | null = null;
  private readonly textures = new Map<Layer, Tex>();
  private range: [number, number] = [0, 1];
  /** the scale float64 layers are uploaded with: rangeScale of the range. */
  private wideScale = 1;
  private warmTimer: ReturnType<typeof setTimeout> | undefined;
  private lutTex: WebGLTexture | null = null;
  private readonly loc: Record<string, WebGLUniformLocation | null> = {};

  static create(
    canvas: HTMLCanvasElement,
    special: SpecialColors,
  ): { renderer: WebGL2Renderer } | { why: string; tainted: boolean } {
    let gl: WebGL2RenderingContext | null = null;
    try {
      gl = canvas.getContext('webgl2', {
        antialias: false,
        premultipliedAlpha: false,
        preserveDrawingBuffer: false,
        alpha: true,
      });
    } catch {
      gl = null;
    }
    if (!gl) return { why: 'WebGL2 is not available', tainted: false };
    try {
      return { renderer: new WebGL2Renderer(canvas, gl, special) };
    } catch (e) {
      return { why: e instanceof Error ? e.message : String(e), tainted: true };
    }
  }

  /** Whether WebGL runs on a CPU rasterizer (SwiftShader, llvmpipe): canvas 2D is faster there. */
  get software(): boolean {
    const gl = this.gl;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(
      ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
    );
    return /swiftshader|llvmpipe|softpipe|software/i.test(name);
  }

  private constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly gl: WebGL2RenderingContext,
    special: SpecialColors,
  ) {
    const prog = gl.createProgram();
    for (const [type, src] of [
      [gl.VERTEX_SHADER, VERT],
      [gl.FRAGMENT_SHADER, FRAG],
    ] as const) {
      const sh = gl.createShader(type)!;
      gl.shaderSource(sh, src);
      gl.compileShader(sh);
      if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS))
        throw new Error(`WebGL2 shader: ${gl.getShaderInfoLog(sh)?.split('\n')[0]}`);
      gl.attachShader(prog, sh);
    }
    gl.bindAttribLocation(prog, 0, 'aPos');
    gl.linkProgram(prog);
    if (!gl.getProgramParameter(prog, gl.LINK_STATUS))
      throw new Error(`WebGL2 program: ${gl.getProgramInfoLog(prog)?.split('\n')[0]}`);
    gl.useProgram(prog);
    for (const n of [
      'uBase',
      'uDetail',
      'uLut',
      'uView',
      'uSize',
      'uBaseGeom',
      'uBaseEnd',
      'uBaseTexW',
      'uDetGeom',
      'uDetEnd',
      'uDetTexW',
      'uHasDetail',
      'uBaseRange',
      'uDetRange',
      'uNan',
      'uPosInf',
      'uNegInf',
    ])
      this.loc[n] = gl.getUniformLocation(prog, n);
    const vao = gl.createVertexArray();
    gl.bindVertexArray(vao);
    const buf = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    gl.uniform1i(this.loc.uBase, 0);
    gl.uniform1i(this.loc.uDetail, 1);
    gl.uniform1i(this.loc.uLut, 2);
    const c = (x: readonly number[]) => x.map((v) => v / 255) as [number, number, number];
    gl.uniform3f(this.loc.uNan, ...c(special.nan));
    gl.uniform3f(this.loc.uPosInf, ...c(special.posinf));
    gl.uniform3f(this.loc.uNegInf, ...c(special.neginf));
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    // an empty 1×1 detail texture so that the sampler is always complete
    const empty = this.makeTexture(new Float32Array(1), 1, 1);
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, empty);
  }

  private makeTexture(values: Float32Array, width: number, height: number): WebGLTexture {
    const gl = this.gl;
    const tex = gl.createTexture()!;
    // units 0–2 hold what the shader reads (base, detail, colormap): upload through unit 3
    gl.activeTexture(gl.TEXTURE3);
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.R32F, width, height);
    const full = Math.floor(values.length / width);
    if (full > 0)
      gl.texSubImage2D(
        gl.TEXTURE_2D,
        0,
        0,
        0,
        width,
        full,
        gl.RED,
        gl.FLOAT,
        values.subarray(0, full * width),
      );
    const rest = values.length - full * width;
    if (rest > 0) {
      const last = new Float32Array(width);
      last.set(values.subarray(full * width));
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, full, width, 1, gl.RED, gl.FLOAT, last);
    }
    return tex;
  }

  /** The texture of `layer` (uploaded on first use). */
  private textureOf(layer: Layer): Tex {
    let t = this.textures.get(layer);
    if (!t) {
      const n = Math.max(1, layer.values.length);
      const width = Math.min(TEX_W, n);
      const height = Math.ceil(n / width);
      const max = this.gl.getParameter(this.gl.MAX_TEXTURE_SIZE) as number;
      if (height > max) throw new Error(`${n} cells do not fit a ${width}×${max} texture`);
      const wide = layer.values instanceof Float64Array;
      const scale = wide ? this.wideScale : 1;
      const values = wide ? narrowScaled(layer.values, scale) : (layer.values as Float32Array);
      t = { tex: this.makeTexture(values, width, height), width, layer, scale };
      this.textures.set(layer, t);
    }
    return t;
  }

  private dropTextures(keep: (l: Layer) => boolean): void {
    for (const [l, t] of this.textures)
      if (!keep(l)) {
        this.gl.deleteTexture(t.tex);
        this.textures.delete(l);
      }
  }

  setBase(layer: Layer): void {
    this.pyramid = new Pyramid(layer);
    this.dropTextures((l) => l === this.detail);
    // the first paint uploads only the level it draws; the full-resolution texture follows
    // shortly after, so that the first zoom does not wait for it
    if (this.warmTimer) clearTimeout(this.warmTimer);
    const p = this.pyramid;
    this.warmTimer = setTimeout(() => {
      if (this.pyramid === p) this.textureOf(layer);
    }, 250);
  }

  setDetail(layer: Layer | null): void {
    const old = this.detail;
    this.detail = layer;
    if (old && old !== layer) this.dropTextures((l) => l !== old);
  }

  setColormap(lut: Uint8Array): void {
    const gl = this.gl;
    const rgba = new Uint8Array(256 * 4);
    for (let i = 0; i < 256; i++) {
      rgba[i * 4] = lut[i * 3];
      rgba[i * 4 + 1] = lut[i * 3 + 1];
      rgba[i * 4 + 2] = lut[i * 3 + 2];
      rgba[i * 4 + 3] = 255;
    }
    gl.activeTexture(gl.TEXTURE2);
    if (this.lutTex) gl.deleteTexture(this.lutTex);
    const tex = gl.createTexture();
    this.lutTex = tex;
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 256, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, rgba);
  }

  setRange(lo: number, hi: number): void {
    this.range = [lo, hi];
    const scale = rangeScale(lo, hi);
    if (scale !== this.wideScale) {
      this.wideScale = scale;
      // float64 layers were uploaded for the old scale
      this.dropTextures((l) => !(l.values instanceof Float64Array));
    }
  }

  resize(width: number, height: number, dpr: number): void {
    sizeCanvas(this.canvas, width, height, dpr);
  }

  draw(view: ViewWindow): void {
    const gl = this.gl;
    if (!this.pyramid) return;
    const W = this.canvas.width;
    const H = this.canvas.height;
    gl.viewport(0, 0, W, H);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    const base = this.pyramid.levelFor(view, W, H, 'down');
    const bt = this.textureOf(base);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, bt.tex);
    this.setLayerUniforms('Base', base, bt);
    const d = this.detail;
    // the detail window is used where it is at least as fine as the base level drawn
    const useDetail = d !== null && d.rowStep <= base.rowStep && d.colStep <= base.colStep;
    gl.uniform1i(this.loc.uHasDetail, useDetail ? 1 : 0);
    if (useDetail) {
      const dt = this.textureOf(d);
      gl.activeTexture(gl.TEXTURE1);
      gl.bindTexture(gl.TEXTURE_2D, dt.tex);
      this.setLayerUniforms('Det', d, dt);
    }
    gl.uniform4f(this.loc.uView, view.r0, view.c0, view.r1, view.c1);
    gl.uniform2f(this.loc.uSize, W, H);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
  }

  private setLayerUniforms(which: 'Base' | 'Det', l: Layer, t: Tex): void {
    const gl = this.gl;
    gl.uniform4f(this.loc[`u${which}Geom`], l.row0, l.col0, l.rowStep, l.colStep);
    gl.uniform4f(this.loc[`u${which}End`], l.rowEnd, l.colEnd, l.rows, l.cols);
    gl.uniform1i(this.loc[`u${which}TexW`], t.width);
    gl.uniform2f(this.loc[`u${which}Range`], this.range[0] * t.scale, this.range[1] * t.scale);
  }

  dispose(): void {
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.dropTextures(() => false);
    this.gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}
