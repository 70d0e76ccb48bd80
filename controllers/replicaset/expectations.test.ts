import { describe, expect, it } from 'vitest';
import { ControllerExpectations, expectationsTimeoutMs } from './expectations.js';

describe('ControllerExpectations', () => {
  it('is satisfied when there are no expectations', () => {
    expect(new ControllerExpectations().satisfied('ns/rs')).toBe(true);
  });

  it('blocks until every expected creation is observed', () => {
    const e = new ControllerExpectations();
    e.expectCreations('ns/rs', 3);
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
    expect(e.satisfied('ns/other')).toBe(true);
  });

  it('counts the deletion of each expected pod once, and ignores other pods', () => {
    const e = new ControllerExpectations();
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a'); // seen again (update with deletionTimestamp, then delete)
    e.deletionObserved('ns/rs', 'ns/zzz');
    expect(e.get('ns/rs')).toEqual({ add: 0, del: 1 });
    expect(e.satisfied('ns/rs')).toBe(false);
    e.deletionObserved('ns/rs', 'ns/b');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('expires so a lost event cannot block a ReplicaSet forever', () => {
    let now = 1_000_000;
    const e = new ControllerExpectations(() => now);
    e.expectCreations('ns/rs', 2);
    now += expectationsTimeoutMs;
    expect(e.satisfied('ns/rs')).toBe(false);
    now += 1;
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('forgets a deleted ReplicaSet', () => {
    const e = new ControllerExpectations();
    e.expectDeletions('ns/rs', ['ns/a']);
    e.delete('ns/rs');
    expect(e.get('ns/rs')).toBeUndefined();
    expect(e.satisfied('ns/rs')).toBe(true);
    e.deletionObserved('ns/rs', 'ns/a');
    expect(e.get('ns/rs')).toBeUndefined();
  });
});
