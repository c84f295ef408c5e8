// Embedding training, the decomposition: randomized truncated SVD of the PPMI block (Halko,
// Martinsson & Tropp 2011, "Finding Structure with Randomness", SIAM Review 53(2), Algorithms 4.3
// and 5.1): a Gaussian test matrix with oversampling, one power iteration (the PPMI spectrum
// decays slowly), then an exact eigendecomposition of the small projected matrix.

import { FIRST_WORD_ID, type SparseRows } from './embeddings-cooccurrence.js';
import { type GaussianRandom, gaussianRandom } from './random.js';

/** Singular values are raised to this power before they scale the vectors (Levy et al.'s p). */
const EIGENVALUE_WEIGHT = 0.5;
/** Extra random directions beyond `dim` in the range finder (Halko et al. suggest 5–10). */
const OVERSAMPLING = 10;
const POWER_ITERATIONS = 1;

// Dense tall matrices are rows × width, row-major, so a sparse row times them walks memory in order.

/**
 * Returns rows × dim word vectors. The randomized SVD runs on the PPMI block of the `blockSize`
 * most frequent ids (as words and as contexts), whose statistics are reliable. Every word then
 * gets its vector by projecting its PPMI row onto the right singular vectors ("folding in", as in
 * LSA): a_w · V_k · Σ_k^(p−1), which for a word inside the block approximates U_w · Σ_k^p, Levy et al.'s
 * eigenvalue weighting. Keeping rare words out of the decomposition makes it much cheaper and
 * better: their few large PMI values otherwise flatten the spectrum.
 * `matrix` holds only contexts below blockSize (see positivePmi), so its first blockSize rows
 * are the block itself.
 */
export function truncatedSvdVectors(
  matrix: SparseRows,
  rows: number,
  dim: number,
  seed: number,
  blockSize: number,
): Float64Array {
  const size = blockSize;
  const rank = Math.min(dim, size - FIRST_WORD_ID);
  if (rank <= 0 || matrix.rowStart[size] === 0) return new Float64Array(rows * dim);
  const block = matrix;
  const blockT = transpose(matrix, size);
  const width = Math.min(rank + OVERSAMPLING, size);
  const random = gaussianRandom(seed);

  // Algorithm 4.3: Y = (A Aᵀ)^q A Ω, Q = orth(Y). Algorithm 4.4 re-orthonormalizes after every
  // product; with one power step in double precision that is unnecessary (it spreads the columns
  // by (σ₁/σ_l)³, a few hundred on PPMI), so columns are only rescaled in between.
  const testMatrix = new Float64Array(size * width);
  for (let i = 0; i < testMatrix.length; i++) testMatrix[i] = random.gaussian();
  let sample = multiply(block, size, testMatrix, width);
  for (let q = 0; q < POWER_ITERATIONS; q++) {
    const back = multiply(blockT, size, normalizeColumns(sample, size, width), width);
    sample = multiply(block, size, normalizeColumns(back, size, width), width);
  }
  const basis = orthonormalizeColumns(sample, size, width, random);

  // Algorithm 5.1 via the small Gram matrix: B = Qᵀ A, B Bᵀ = W Λ Wᵀ, σ = √λ, U = Q W, V = Bᵀ W Σ⁻¹.
  const projectedT = multiply(blockT, size, basis, width); // Bᵀ, size × width
  const gram = new Float64Array(width * width);
  for (let r = 0; r < size; r++) {
    const offset = r * width;
    for (let i = 0; i < width; i++) {
      const bi = projectedT[offset + i];
      if (bi === 0) continue;
      for (let j = i; j < width; j++) gram[i * width + j] += bi * projectedT[offset + j];
    }
  }
  for (let i = 0; i < width; i++) for (let j = 0; j < i; j++) gram[i * width + j] = gram[j * width + i];
  const { eigenvalues, eigenvectors } = symmetricEigen(gram, width);
  const order = Array.from({ length: width }, (_, i) => i).sort((a, b) => eigenvalues[b] - eigenvalues[a]);

  // Fold-in projection P = V_k Σ_k^(p−1) = Bᵀ W_k Σ_k^(p−2), size × dim (columns ≥ rank stay zero).
  const mix = new Float64Array(width * dim);
  const largest = Math.sqrt(Math.max(eigenvalues[order[0]], 0));
  for (let k = 0; k < rank; k++) {
    const sigma = Math.sqrt(Math.max(0, eigenvalues[order[k]]));
    // Directions the block does not really have (a tiny vocabulary) would only scale up noise.
    if (sigma <= 1e-6 * largest) continue;
    const weight = Math.pow(sigma, EIGENVALUE_WEIGHT - 2);
    for (let m = 0; m < width; m++) mix[m * dim + k] = eigenvectors[m * width + order[k]] * weight;
  }
  const projection = new Float64Array(size * dim);
  denseProduct(projectedT, size, width, mix, dim, projection);
  // Folding the block's own words in too, rather than reading U Σ^p off the basis, applies A once
  // more: with the flat PPMI spectrum that extra step measurably improves their neighbours.
  return multiply(matrix, rows, projection, dim);
}

/** out (rows × outWidth) += left (rows × width) · right (width × outWidth), all row-major. */
function denseProduct(
  left: Float64Array,
  rows: number,
  width: number,
  right: Float64Array,
  outWidth: number,
  out: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * outWidth;
    for (let m = 0; m < width; m++) {
      const x = left[r * width + m];
      if (x === 0) continue;
      const ro = m * outWidth;
      for (let k = 0; k < outWidth; k++) out[o + k] += x * right[ro + k];
    }
  }
}

/**
 * A · X for sparse A (rows × n) and dense X (n × width). Four nonzeros are combined per pass over
 * the output row: the output is then loaded and stored a quarter as often, which measured 2.5×
 * faster in V8 than one nonzero at a time.
 */
function multiply(matrix: SparseRows, rows: number, dense: Float64Array, width: number): Float64Array {
  const { rowStart, columns, values } = matrix;
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    const end = rowStart[r + 1];
    let e = rowStart[r];
    for (; e + 3 < end; e += 4) {
      const a0 = values[e];
      const a1 = values[e + 1];
      const a2 = values[e + 2];
      const a3 = values[e + 3];
      const i0 = columns[e] * width;
      const i1 = columns[e + 1] * width;
      const i2 = columns[e + 2] * width;
      const i3 = columns[e + 3] * width;
      for (let j = 0; j < width; j++) {
        out[o + j] += a0 * dense[i0 + j] + a1 * dense[i1 + j] + a2 * dense[i2 + j] + a3 * dense[i3 + j];
      }
    }
    for (; e < end; e++) {
      const a = values[e];
      const i = columns[e] * width;
      for (let j = 0; j < width; j++) out[o + j] += a * dense[i + j];
    }
  }
  return out;
}

/** Aᵀ for a square sparse matrix of `size` rows, by a counting sort on the columns. */
function transpose(matrix: SparseRows, size: number): SparseRows {
  const { rowStart, columns, values } = matrix;
  const nonzeros = rowStart[size];
  const start = new Int32Array(size + 1);
  for (let e = 0; e < nonzeros; e++) start[columns[e] + 1]++;
  for (let c = 0; c < size; c++) start[c + 1] += start[c];
  const cursor = start.slice(0, size);
  const transposedColumns = new Int32Array(nonzeros);
  const transposedValues = new Float32Array(nonzeros);
  for (let r = 0; r < size; r++) {
    for (let e = rowStart[r]; e < rowStart[r + 1]; e++) {
      const at = cursor[columns[e]]++;
      transposedColumns[at] = r;
      transposedValues[at] = values[e];
    }
  }
  return { rowStart: start, columns: transposedColumns, values: transposedValues };
}

/**
 * Orthonormal columns spanning those of `dense` (rows × width, row-major), in place, by modified
 * Gram–Schmidt run twice ("twice is enough": the second pass restores the orthogonality the first
 * loses on the ill-conditioned matrices power iterations produce). The work is done on a
 * column-major copy so every dot product walks contiguous memory. A column that vanishes (rank
 * below width, e.g. a tiny vocabulary) is replaced by a fresh random direction, or zero if even
 * that falls in the span of the others.
 */
function orthonormalizeColumns(dense: Float64Array, rows: number, width: number, random: GaussianRandom): Float64Array {
  const byColumn = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) byColumn[j * rows + r] = dense[r * width + j];
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < width; j++) {
      const column = byColumn.subarray(j * rows, (j + 1) * rows);
      for (let attempt = 0; ; attempt++) {
        const before = norm(column);
        for (let i = 0; i < j; i++) {
          const previous = byColumn.subarray(i * rows, (i + 1) * rows);
          let dot = 0;
          for (let r = 0; r < rows; r++) dot += previous[r] * column[r];
          if (dot !== 0) for (let r = 0; r < rows; r++) column[r] -= dot * previous[r];
        }
        const after = norm(column);
        if (after > 1e-10 * before && after > 0) {
          const inverse = 1 / after;
          for (let r = 0; r < rows; r++) column[r] *= inverse;
          break;
        }
        if (attempt === 2) {
          column.fill(0);
          break;
        }
        for (let r = 0; r < rows; r++) column[r] = random.gaussian();
      }
    }
  }
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) dense[r * width + j] = byColumn[j * rows + r];
  return dense;
}

/** Scales each column of a row-major rows × width matrix to unit length (zero columns stay zero). */
function normalizeColumns(dense: Float64Array, rows: number, width: number): Float64Array {
  const squares = new Float64Array(width);
  for (let r = 0, o = 0; r < rows; r++) for (let j = 0; j < width; j++, o++) squares[j] += dense[o] * dense[o];
  for (let j = 0; j < width; j++) squares[j] = squares[j] > 0 ? 1 / Math.sqrt(squares[j]) : 0;
  for (let r = 0, o = 0; r < rows; r++) for (let j = 0; j < width; j++, o++) dense[o] *= squares[j];
  return dense;
}

function norm(vector: Float64Array): number {
  let squares = 0;
  for (let i = 0; i < vector.length; i++) squares += vector[i] * vector[i];
  return Math.sqrt(squares);
}

/**
 * Eigendecomposition of a small symmetric matrix by cyclic Jacobi rotations (accurate to machine
 * precision; n ≤ MAX_DIM + OVERSAMPLING is small). Eigenvectors are the columns of the result.
 */
function symmetricEigen(matrix: Float64Array, n: number): { eigenvalues: Float64Array; eigenvectors: Float64Array } {
  const a = matrix.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let offDiagonal = 0;
    let diagonal = 0;
    for (let i = 0; i < n; i++) {
      diagonal += a[i * n + i] * a[i * n + i];
      for (let j = i + 1; j < n; j++) offDiagonal += a[i * n + j] * a[i * n + j];
    }
    if (offDiagonal <= 1e-30 * diagonal || offDiagonal === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const eigenvalues = new Float64Array(n);
  for (let i = 0; i < n; i++) eigenvalues[i] = a[i * n + i];
  return { eigenvalues, eigenvectors: v };
}
