import { describe, expect, it } from 'vitest';
import { RESULTS_HEADER, machineDescription, sectionHeading, upsertSection } from './results-file.js';

describe('upsertSection', () => {
  it('starts a new document with the header and the section', () => {
    const doc = upsertSection('', sectionHeading('apiserver', '2026-01-02'), 'body one');
    expect(doc.startsWith(RESULTS_HEADER.trim())).toBe(true);
    expect(doc).toContain('## apiserver — 2026-01-02\n\nbody one\n');
  });

  it('replaces the same benchmark and day, keeps the others in place', () => {
    let doc = upsertSection('', sectionHeading('apiserver', '2026-01-02'), 'old');
    doc = upsertSection(doc, sectionHeading('scheduler', '2026-01-02'), 'sched');
    doc = upsertSection(doc, sectionHeading('apiserver', '2026-01-02'), 'new');
    expect(doc).not.toContain('old');
    expect(doc.indexOf('new')).toBeLessThan(doc.indexOf('sched'));
    expect(doc.match(/## apiserver/g)).toHaveLength(1);
    doc = upsertSection(doc, sectionHeading('apiserver', '2026-01-03'), 'next day');
    expect(doc.match(/## apiserver/g)).toHaveLength(2);
    expect(doc.trimEnd().endsWith('next day')).toBe(true);
  });

  it('describes the machine with cores, memory and node version', () => {
    expect(machineDescription()).toMatch(/^\d+ cores \(.*\), \d+\.\d GiB memory, Node v\d+/);
  });
});
