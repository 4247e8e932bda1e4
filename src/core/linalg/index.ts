/** Public API of the linear-algebra engine (pure TypeScript; no Node or VS Code imports). */
export type { Matrix } from './matrix';
export {
  matrix,
  fromRows,
  toRows,
  identity,
  transpose,
  fromRawArray,
  sliceToMatrix,
  adoptRawArray,
  assertFinite,
  countNonFinite,
} from './matrix';
export type { Progress } from './progress';
export { matmul, matmulF32, matmulTransB } from './gemm';
export type { StreamingAttentionF32 } from './attentionKernel';
export { streamingAttentionF32 } from './attentionKernel';
export type { Norms } from './norms';
export { norms, frobeniusNorm, oneNorm, infNorm } from './norms';
export type { Histogram } from './histogram';
export { histogram } from './histogram';
export type { SvdResult, SvdOptions } from './svd';
export { svd, singularValues } from './svd';
export type { RankResult } from './lowRank';
export {
  numpyRank,
  dtypeRank,
  lowRankErrors,
  effectiveRank,
  stableRank,
  conditionNumber,
} from './lowRank';
export type { SymmetricEigen } from './symmetricTridiagonalQL';
export { symmetricEigen, isSymmetric } from './symmetricTridiagonalQL';
export type { GeneralEigen } from './hessenbergFrancisQR';
export { generalEigen } from './hessenbergFrancisQR';
export type { TruncatedSvd, RandomizedSvdOptions } from './randomizedSvd';
export { randomizedSvd } from './randomizedSvd';
export type { PcaResult } from './pca';
export { pca } from './pca';
export { cosineSimilarity } from './cosineSimilarity';
export { softmaxRows, rowEntropy } from './softmax';
export type { MatrixAnalysis, AnalyzeOptions, EigenvalueSummary } from './analyze';
export { analyzeMatrix, matrixEigenvalues } from './analyze';
export type { Tensor, AttentionOptions, AttentionResult } from '../attention/attention';
export { attention, attentionData } from '../attention/attention';
export type { HardThreshold } from './gavishDonoho';
export { optimalHardThreshold, lambdaStar, omega, marchenkoPasturMedian } from './gavishDonoho';
export type { MarchenkoPasturFit } from './marchenkoPastur';
export { marchenkoPasturFit } from './marchenkoPastur';
export type { PowerLawFit } from './powerLawAlpha';
export { powerLawAlpha } from './powerLawAlpha';
