/** Loads the shape analyzer with the wasm files from node_modules (tests only). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createShapeAnalyzer,
  type ShapeAnalyzer,
  type TreeSitterModule,
} from '../../../src/core/shapes';

export const ROOT = process.env.MATRIX_LENS_ROOT ?? process.cwd();

let cached: Promise<ShapeAnalyzer> | undefined;

/** One analyzer shared by the tests (it keeps state between calls, as in the editor). */
export function loadAnalyzer(): Promise<ShapeAnalyzer> {
  cached ??= newAnalyzer();
  return cached;
}

/** A new analyzer with nothing to reuse: its first analysis is from scratch. */
export function newAnalyzer(): Promise<ShapeAnalyzer> {
  return createShapeAnalyzer({
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    treeSitter: require('web-tree-sitter') as TreeSitterModule,
    treeSitterWasm: new Uint8Array(
      readFileSync(join(ROOT, 'node_modules/web-tree-sitter/web-tree-sitter.wasm')),
    ),
    pythonWasm: new Uint8Array(
      readFileSync(join(ROOT, 'node_modules/tree-sitter-python/tree-sitter-python.wasm')),
    ),
  });
}
