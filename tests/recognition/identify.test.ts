import { describe, expect, it } from 'vitest';
import { cosineDistanceFromScore, decideIdentity, rankSubjects } from '../../src/recognition/identify.js';

const rule = { threshold: 0.5, slope: 10 };

describe('rankSubjects and decideIdentity', () => {
  const matches = [
    { recordId: 'a-0', subject: 'ada', distance: 0.2 },
    { recordId: 'b-0', subject: 'bob', distance: 0.1 },
    { recordId: 'a-1', subject: 'ada', distance: 0.15 },
  ];

  it("groups by subject, keeps each subject's nearest face, counts its matches, nearest subject first", () => {
    const ranked = rankSubjects(matches, rule);
    expect(ranked.map(({ subject, distance, recordId, matches: n }) => ({ subject, distance, recordId, n }))).toEqual([
      { subject: 'bob', distance: 0.1, recordId: 'b-0', n: 1 },
      { subject: 'ada', distance: 0.15, recordId: 'a-1', n: 2 },
    ]);
    // 100 / (1 + e^(10 · (0.1 − 0.5))) = 100 / (1 + e^−4) = 98.201...
    expect(ranked[0]?.confidence).toBeCloseTo(98.2014, 3);
    expect(ranked[1]?.confidence).toBeCloseTo(97.0688, 3);
  });

  it('gives each candidate the probability the caller computes from its distance, null without one', () => {
    expect(rankSubjects(matches, rule, (d) => 1 - d).map((c) => c.probability)).toEqual([0.9, 0.85]);
    expect(rankSubjects(matches, rule).map((c) => c.probability)).toEqual([null, null]);
  });

  it('breaks distance ties by name, so the answer does not depend on match order', () => {
    const tied = [{ recordId: 'z', subject: 'zoe', distance: 0.3 }, { recordId: 'a', subject: 'amy', distance: 0.3 }];
    expect(rankSubjects(tied, rule).map((c) => c.subject)).toEqual(['amy', 'zoe']);
  });

  it('accepts the nearest subject at or within the threshold, otherwise answers unknown', () => {
    expect(decideIdentity(rankSubjects(matches, rule), rule)).toEqual({ status: 'known', subject: 'bob', distance: 0.1, confidence: expect.closeTo(98.2014, 3), recordId: 'b-0', probability: null });
    const atThreshold = rankSubjects([{ recordId: 'c', subject: 'cy', distance: 0.5 }], rule);
    expect(decideIdentity(atThreshold, rule)).toMatchObject({ status: 'known', confidence: 50 });
    expect(decideIdentity(rankSubjects([{ recordId: 'c', subject: 'cy', distance: 0.5001 }], rule), rule)).toEqual({ status: 'unknown' });
    expect(decideIdentity([], rule)).toEqual({ status: 'unknown' });
  });

  it('turns a cosine similarity score into a cosine distance', () => {
    expect(cosineDistanceFromScore(1)).toBe(0);
    expect(cosineDistanceFromScore(0.25)).toBe(0.75);
  });
});
