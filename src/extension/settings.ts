import * as vscode from 'vscode';
import type { Pooling } from '../core/view/slice2d';
import { ComputeMode, computeModeOf } from '../protocol/compute';

export interface LensSettings {
  maxArrayBytes: number;
  maxCells: number;
  pooling: Pooling;
  colormap: string;
  /** where Analyze's heavy numbers may run (`matrixLens.compute`) */
  compute: ComputeMode;
}

export function readSettings(scope?: vscode.Uri): LensSettings {
  const c = vscode.workspace.getConfiguration('matrixLens', scope);
  return {
    maxArrayBytes: Math.max(1, c.get<number>('maxArrayBytes', 2 ** 30)),
    maxCells: Math.min(4096 * 4096, Math.max(64, c.get<number>('heatmap.maxCells', 1024 * 1024))),
    pooling: c.get<string>('heatmap.pooling', 'mean') === 'maxabs' ? 'maxabs' : 'mean',
    colormap: c.get<string>('heatmap.colormap', 'viridis'),
    compute: computeModeOf(c.get<string>('compute', 'auto')),
  };
}
