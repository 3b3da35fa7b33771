/**
 * Apparent age in years from `fr_age.onnx` (an SSR-Net, 64×64 input).
 */
import { FaceAttributeModel, type FaceAttributeOptions, type FaceAttributeSpec } from './face-attribute-model.js';
import { decodeSsrNet, SSR_NET_INPUT, SSR_NET_OUTPUTS } from './ssr-net.js';

/** SSR-Net regresses age over 0-101 years. */
const AGE_RANGE = 101;

export const AGE_SPEC = Object.freeze<FaceAttributeSpec<number>>({
  name: 'age',
  file: 'fr_age.onnx',
  ...SSR_NET_INPUT,
  outputs: SSR_NET_OUTPUTS,
  decode: (outputs) => decodeSsrNet(outputs, AGE_RANGE),
});

/**
 * `predict(image, box)` → apparent age in years (a fraction; DeepFace rounds it to an integer).
 * Expect errors of several years: the SSR-Net paper reports a mean absolute error of about 3 years on
 * MORPH2 and more on photos in the wild; how the vendor trained this model is not documented.
 * No age labels were available here; as a sanity check, on the 62 deepface photos (adults
 * photographed roughly in their thirties to fifties) it gave a median of 40.6 and a range of
 * 22-61, varying by 6.9 years (mean standard deviation) across photos of the same person.
 *
 * @example
 * const ages = new AgeEstimator();
 * await ages.load();
 * await ages.predict(image, face.facialArea); // e.g. 31.7
 */
export class AgeEstimator extends FaceAttributeModel<number> {
  constructor(options: FaceAttributeOptions = {}) {
    super(AGE_SPEC, options);
  }
}
