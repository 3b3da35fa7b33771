/**
 * From the nearest stored faces to a verdict: group the matches by subject, keep each
 * subject's nearest face, and accept the nearest subject when it is within the threshold.
 */
import { confidenceFromDistance } from '../face/distance.js';

/** A stored face near the probe, with the cosine distance to it. */
export interface FaceMatch {
  readonly recordId: string;
  readonly subject: string;
  readonly distance: number;
}

/** One subject among the nearest faces: its nearest face, and how many of the top-k were its. */
export interface SubjectCandidate {
  readonly subject: string;
  readonly distance: number;
  /** 0-100, 50 at the threshold (the model's logistic fit on LFW View 1). */
  readonly confidence: number;
  /** The subject's nearest face. */
  readonly recordId: string;
  readonly matches: number;
  /**
   * The probability that this is the probe's own person, given the gallery's size (open-set.ts
   * `sameSubjectProbability`); null for a model without a fitted open-set model.
   */
  readonly probability: number | null;
}

export type Identity =
  | { readonly status: 'known'; readonly subject: string; readonly distance: number; readonly confidence: number; readonly recordId: string; readonly probability: number | null }
  | { readonly status: 'unknown' };

export interface ThresholdRule {
  /** Accept when distance <= threshold. */
  readonly threshold: number;
  /** Steepness of the confidence curve at the threshold. */
  readonly slope: number;
}

/**
 * Subjects of the matches, nearest first (ties by name, so the order is stable).
 * @example rankSubjects([{ recordId: 'a-0', subject: 'ada', distance: 0.2 }, { recordId: 'b-0', subject: 'bob', distance: 0.1 }, { recordId: 'a-1', subject: 'ada', distance: 0.15 }], { threshold: 0.5, slope: 10 })
 * // → [{ subject: 'bob', distance: 0.1, recordId: 'b-0', matches: 1, confidence: 98.2, probability: null }, { subject: 'ada', distance: 0.15, recordId: 'a-1', matches: 2, confidence: 97.07, probability: null }]
 */
export function rankSubjects(matches: readonly FaceMatch[], rule: ThresholdRule, probabilityOf: (distance: number) => number | null = () => null): SubjectCandidate[] {
  const best = new Map<string, { distance: number; recordId: string; matches: number }>();
  for (const match of matches) {
    const seen = best.get(match.subject);
    if (!seen) best.set(match.subject, { distance: match.distance, recordId: match.recordId, matches: 1 });
    else {
      seen.matches++;
      if (match.distance < seen.distance) {
        seen.distance = match.distance;
        seen.recordId = match.recordId;
      }
    }
  }
  return [...best]
    .map(([subject, { distance, recordId, matches: count }]) => ({ subject, distance, confidence: confidenceFromDistance(distance, rule.threshold, rule.slope), recordId, matches: count, probability: probabilityOf(distance) }))
    .sort((a, b) => a.distance - b.distance || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}

/**
 * The nearest subject when within the threshold, else unknown. Trade-off: a lower threshold
 * means fewer strangers taken for someone enrolled (false accepts) and more enrolled people not
 * recognised (false rejects). The gallery's default is the model's identification threshold,
 * stricter than its verification one because a stranger is compared with every enrolled face:
 * the more faces, the likelier one is near by chance.
 */
export function decideIdentity(candidates: readonly SubjectCandidate[], rule: ThresholdRule): Identity {
  const nearest = candidates[0];
  if (!nearest || nearest.distance > rule.threshold) return { status: 'unknown' };
  return { status: 'known', subject: nearest.subject, distance: nearest.distance, confidence: nearest.confidence, recordId: nearest.recordId, probability: nearest.probability };
}

/** A cosine index scores by similarity; the face thresholds are cosine distances. */
export function cosineDistanceFromScore(score: number): number {
  return 1 - score;
}
