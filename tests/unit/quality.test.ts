import { expect, it } from 'vitest';
import { QualityTracker } from '../../server/src/domain/QualityTracker.js';

it('announces the worst producer score per peer, only on change', () => {
  const announced: [string, number][] = [];
  const q = new QualityTracker((peer, score) => announced.push([peer, score]));
  q.update('p1', 'cam', [10, 9, 4]); // simulcast: best layer counts -> 10
  q.update('p1', 'mic', [7]);
  q.update('p1', 'mic', [7]);
  q.update('p2', 'mic', [3]);
  q.removeProducer('p1', 'mic');
  expect(announced).toEqual([['p1', 10], ['p1', 7], ['p2', 3], ['p1', 10]]);
  expect(q.score('unknown')).toBe(10);
});
