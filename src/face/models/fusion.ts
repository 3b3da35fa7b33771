/**
 * Score-level fusion of recognition networks, done in the embedding so that a fused model is one
 * vector per face, which any vector store searches like another.
 *
 * Each network's unit embedding uᵢ is scaled by √wᵢ and the results are concatenated. With
 * weights summing to 1 the concatenation is a unit vector, and for two faces a and b
 *   cos(a, b) = Σᵢ wᵢ · cos(uᵢ(a), uᵢ(b)),
 * so the cosine distance of the fused vectors is the weighted sum of the networks' cosine
 * distances, and euclidean_l2 and the dot product follow from it as for any unit vectors.
 */
import { at } from '../../util/checked.js';

/**
 * The fused embedding of one face: `parts[i]` (unit length) scaled by √`weights[i]`, concatenated in order.
 * The caller guarantees equal counts and weights summing to 1 (the registry checks its entries once).
 * @example fuseEmbeddings([new Float32Array([1, 0]), new Float32Array([0, 1])], [0.75, 0.25]) // → [0.866, 0, 0, 0.5]
 */
export function fuseEmbeddings(parts: readonly Float32Array[], weights: readonly number[]): Float32Array {
  let dimension = 0;
  for (const part of parts) dimension += part.length;
  const out = new Float32Array(dimension);
  let offset = 0;
  parts.forEach((part, p) => {
    const scale = Math.sqrt(at(weights, p));
    part.forEach((value, i) => {
      out[offset + i] = value * scale;
    });
    offset += part.length;
  });
  return out;
}
