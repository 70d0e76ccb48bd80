import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildImage, sha256, tarDirectory, writeOciLayout, type ImageSpec } from '../../deploy/images/oci-layout.js';
import { buildTestImages, pushArchive, startRegistry, type TestRegistry } from '../../test/helpers/registry.js';
import { DigestMismatchError } from './blob-store.js';
import { ImageStore } from './image-store.js';

let work: string;
let registry: TestRegistry;
let archives: { pause: string; busybox: string };
let n = 0;

function newStore(): { store: ImageStore; root: string } {
  const root = join(work, `store-${++n}`);
  return { store: new ImageStore({ root }), root };
}

async function archiveOf(spec: ImageSpec, name: string): Promise<string> {
  const layout = join(work, `layout-${name}`);
  await writeOciLayout(layout, await buildImage(spec));
  const out = join(work, `${name}.tar`);
  await tarDirectory(layout, out);
  return out;
}

async function manifestDigest(repo: string, tag: string): Promise<string> {
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  const digest = res.headers.get('docker-content-digest');
  if (!res.ok || !digest) throw new Error(`no digest for ${repo}:${tag} (${res.status})`);
  return digest;
}

/** Mount the image's layers read-only with overlayfs, run fn on the merged view, unmount. */
function withMergedView(dirs: string[], fn: (merged: string) => void): void {
  const merged = mkdtempSync(join(work, 'merged-'));
  // overlayfs needs two lowerdirs at least when there is no upperdir
  const lower = dirs.length > 1 ? dirs : [...dirs, mkdtempSync(join(work, 'empty-'))];
  execFileSync('mount', ['-t', 'overlay', 'tkube-test-overlay', '-o', `lowerdir=${lower.join(':')}`, merged]);
  try {
    fn(merged);
  } finally {
    execFileSync('umount', [merged]);
  }
}

const whiteoutSpec = (gzip: boolean): ImageSpec => ({
  gzip,
  cmd: ['sh'],
  layers: [
    [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/keep.conf', content: 'keep' },
      { name: 'etc/remove.conf', content: 'remove' },
      { name: 'data/', type: 'directory' },
      { name: 'data/old', content: 'old' },
      { name: 'data/deep/older', content: 'older' },
    ],
    [
      { name: 'etc/.wh.remove.conf', content: '' },
      { name: 'data/', type: 'directory', mode: 0o755 },
      { name: 'data/.wh..wh..opq', content: '' },
      { name: 'data/fresh', content: 'fresh' },
    ],
  ],
});

function expectWhiteoutsHonoured(merged: string): void {
  expect(readdirSync(join(merged, 'etc'))).toEqual(['keep.conf']);
  expect(readdirSync(join(merged, 'data'))).toEqual(['fresh']);
  expect(readFileSync(join(merged, 'data/fresh'), 'utf8')).toBe('fresh');
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tkube-images-test-'));
  archives = await buildTestImages(join(work, 'archives'));
  registry = await startRegistry();
  await pushArchive(archives.busybox, registry, 'tkube/busybox:1.36');
  await pushArchive(archives.busybox, registry, 'tkube/busybox:stable');
  await pushArchive(archives.pause, registry, 'tkube/pause:3.10');
});

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('ImageStore against a local docker-registry', () => {
  it('pulls by tag and unpacks busybox', async () => {
    const { store, root } = newStore();
    const ref = `${registry.host}/tkube/busybox:1.36`;
    const img = await store.pull(ref);
    expect(img.id).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(img.repoTags).toEqual([ref]);
    const digest = await manifestDigest('tkube/busybox', '1.36');
    expect(img.repoDigests).toEqual([`${registry.host}/tkube/busybox@${digest}`]);
    expect(img.config.cmd).toEqual(['sh']);
    expect(img.config.env?.[0]).toMatch(/^PATH=/);
    expect(img.layers).toHaveLength(1);
    expect(img.size).toBeGreaterThan(500_000);

    const [layer] = await store.layerDirs(img.id);
    expect(layer).toBe(join(root, 'layers', img.layers[0]!.slice(7)));
    expect(readlinkSync(join(layer!, 'bin/sh'))).toBe('busybox');
    for (const applet of ['httpd', 'wget', 'nc', 'ping', 'sleep', 'cat', 'echo', 'ls']) {
      expect(readlinkSync(join(layer!, 'bin', applet))).toBe('busybox');
    }
    expect(statSync(join(layer!, 'bin/busybox')).mode & 0o111).toBe(0o111);
    const passwd = readFileSync(join(layer!, 'etc/passwd'), 'utf8');
    expect(passwd).toMatch(/^root:x:0:0:/m);
    expect(passwd).toMatch(/^nobody:x:65534:65534:/m);
    expect(readFileSync(join(layer!, 'etc/group'), 'utf8')).toMatch(/^nobody:x:65534:/m);
    expect(statSync(join(layer!, 'tmp')).mode & 0o7777).toBe(0o1777);

    // Every way of naming the image finds it.
    for (const name of [ref, img.id, img.id.slice(7), img.id.slice(7, 19), `${registry.host}/tkube/busybox@${digest}`]) {
      expect((await store.status(name))?.id, name).toBe(img.id);
    }
    expect(await store.status(`${registry.host}/tkube/busybox:nope`)).toBeUndefined();
    expect((await store.list()).map((i) => i.id)).toEqual([img.id]);
    // Nothing left in tmp, no layer blob kept once unpacked.
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(existsSync(join(root, 'blobs/sha256', img.id.slice(7)))).toBe(true);

    // Another store on the same root sees the same images (metadata persisted).
    const again = new ImageStore({ root });
    expect(await again.list()).toEqual(await store.list());

    const fs = await store.fsInfo();
    expect(fs.mountpoint).toBe(root);
    expect(fs.usedBytes).toBeGreaterThan(1_000_000);
    expect(fs.inodesUsed).toBeGreaterThan(250); // ~270 applet links alone
  });

  it('pulls by digest and rejects a digest the registry does not have', async () => {
    const { store } = newStore();
    const digest = await manifestDigest('tkube/pause', '3.10');
    const byDigest = `${registry.host}/tkube/pause@${digest}`;
    const img = await store.pull(byDigest);
    expect(img.repoTags).toEqual([]);
    expect(img.repoDigests).toEqual([byDigest]);
    expect(img.config.entrypoint).toEqual(['/pause', '-P']);
    const [layer] = await store.layerDirs(byDigest);
    expect(statSync(join(layer!, 'pause')).isFile()).toBe(true);
    await expect(store.pull(`${registry.host}/tkube/pause@sha256:${'0'.repeat(64)}`)).rejects.toThrow(/404|unknown/i);
  });

  it('shares one pull between concurrent callers', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    try {
      const { store, root } = newStore();
      const ref = `${registry.host}/tkube/busybox:1.36`;
      const results = await Promise.all([store.pull(ref), store.pull(ref), store.pull(`${registry.host}/tkube/busybox:1.36`)]);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      const urls = spy.mock.calls.map(([u]) => String(u));
      expect(urls.filter((u) => u.includes('/manifests/'))).toHaveLength(1);
      expect(urls.filter((u) => u.includes('/blobs/'))).toHaveLength(2); // config + one layer
      expect(readdirSync(join(root, 'layers'))).toHaveLength(1);
      expect(await store.list()).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('skips layers it already has', async () => {
    const { store } = newStore();
    await store.pull(`${registry.host}/tkube/busybox:1.36`);
    const spy = vi.spyOn(globalThis, 'fetch');
    try {
      const again = new ImageStore({ root: (await store.fsInfo()).mountpoint });
      await again.pull(`${registry.host}/tkube/busybox:stable`);
      expect(spy.mock.calls.map(([u]) => String(u)).filter((u) => u.includes('/blobs/'))).toHaveLength(0); // config and layer are local
      expect((await again.status(`${registry.host}/tkube/busybox:stable`))?.repoTags).toHaveLength(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects a corrupted blob and leaves nothing behind', async () => {
    const archive = await archiveOf(
      { layers: [[{ name: 'payload', content: 'x'.repeat(20_000) + Math.random() }]], cmd: ['sh'] },
      'corrupt',
    );
    await pushArchive(archive, registry, 'tkube/corrupt:1');
    const mDigest = (await manifestDigest('tkube/corrupt', '1')).slice(7);
    const blobData = (hex: string): string => join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const manifest = JSON.parse(readFileSync(blobData(mDigest), 'utf8')) as { layers: { digest: string }[] };
    const layerHex = manifest.layers[0]!.digest.slice(7);
    const data = blobData(layerHex);
    const bytes = readFileSync(data);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff; // same size, different content
    writeFileSync(data, bytes);

    const { store, root } = newStore();
    const err = await store.pull(`${registry.host}/tkube/corrupt:1`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect(await store.list()).toEqual([]);
    expect(readdirSync(join(root, 'layers'))).toEqual([]);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('honours whiteouts and opaque directories of a two-layer image pulled from the registry', async () => {
    const archive = await archiveOf(whiteoutSpec(false), 'whiteout-plain');
    await pushArchive(archive, registry, 'tkube/whiteout:plain');
    const { store } = newStore();
    const img = await store.pull(`${registry.host}/tkube/whiteout:plain`);
    const dirs = await store.layerDirs(img.id);
    expect(dirs).toHaveLength(2);
    expect(dirs[0]).toContain(img.layers[1]!.slice(7)); // top first
    withMergedView(dirs, expectWhiteoutsHonoured);
  });

  it('pulls Docker schema2 manifests', async () => {
    await pushArchive(archives.pause, registry, 'tkube/pause-v2s2:3.10', { format: 'v2s2' });
    const res = await fetch(`${registry.url}/v2/tkube/pause-v2s2/manifests/3.10`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(res.headers.get('content-type')).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const { store } = newStore();
    const img = await store.pull(`${registry.host}/tkube/pause-v2s2:3.10`);
    expect(img.config.entrypoint).toEqual(['/pause', '-P']);
  });

  it('selects linux/amd64 from a multi-platform index (registry and archive)', async () => {
    const arm = await buildImage({ layers: [[{ name: 'arch', content: 'arm64' }]] });
    const amd = await buildImage({ layers: [[{ name: 'arch', content: 'amd64' }]] });
    const layout = join(work, 'layout-multi');
    await writeOciLayout(layout, arm);
    await writeOciLayout(layout, amd);
    const desc = (img: typeof arm, architecture: string): object => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: img.manifestDigest,
      size: img.blobs.get(img.manifestDigest)!.length,
      platform: { os: 'linux', architecture },
    });
    const index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [desc(arm, 'arm64'), desc(amd, 'amd64')] }),
    );
    writeFileSync(join(layout, 'blobs/sha256', sha256(index).slice(7)), index);
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.index.v1+json',
            digest: sha256(index),
            size: index.length,
            annotations: { 'org.opencontainers.image.ref.name': 'tkube/multi:1' },
          },
        ],
      }),
    );
    const archive = join(work, 'multi.tar');
    await tarDirectory(layout, archive);
    await pushArchive(archive, registry, 'tkube/multi:1', { all: true });

    const { store } = newStore();
    const img = await store.pull(`${registry.host}/tkube/multi:1`);
    expect(img.id).toBe(amd.configDigest);
    expect(img.repoDigests).toEqual([`${registry.host}/tkube/multi@${sha256(index)}`]);
    const [layer] = await store.layerDirs(img.id);
    expect(readFileSync(join(layer!, 'arch'), 'utf8')).toBe('amd64');

    const [imported] = await newStore().store.importArchive(archive);
    expect(imported!.id).toBe(amd.configDigest);
    expect(imported!.repoTags).toEqual(['docker.io/tkube/multi:1']);
  });

  it('removes by tag (untag), then by id, collecting unreferenced layers', async () => {
    const { store, root } = newStore();
    const a = await store.pull(`${registry.host}/tkube/busybox:1.36`);
    const b = await store.pull(`${registry.host}/tkube/busybox:stable`);
    const p = await store.pull(`${registry.host}/tkube/pause:3.10`);
    expect(b.id).toBe(a.id);
    expect((await store.status(a.id))?.repoTags.sort()).toEqual([`${registry.host}/tkube/busybox:1.36`, `${registry.host}/tkube/busybox:stable`]);
    const busyboxLayer = join(root, 'layers', a.layers[0]!.slice(7));

    await store.remove(`${registry.host}/tkube/busybox:stable`);
    expect((await store.status(a.id))?.repoTags).toEqual([`${registry.host}/tkube/busybox:1.36`]);
    expect(existsSync(busyboxLayer)).toBe(true);

    await store.remove(a.id.slice(7, 19));
    expect(await store.status(a.id)).toBeUndefined();
    expect(existsSync(busyboxLayer)).toBe(false);
    await expect(store.layerDirs(a.id)).rejects.toThrow(/not found/);
    // pause is untouched
    expect(readdirSync(join(root, 'layers'))).toEqual([p.layers[0]!.slice(7)]);
    await store.remove('tkube/never-pulled:1'); // idempotent

    await store.remove(`${registry.host}/tkube/pause:3.10`);
    expect(await store.list()).toEqual([]);
    expect(readdirSync(join(root, 'layers'))).toEqual([]);
    expect(readdirSync(join(root, 'blobs/sha256'))).toEqual([]);
  });
});

describe('ImageStore crash safety', () => {
  it('drops work left in tmp by a crashed run', async () => {
    const { root } = newStore();
    mkdirSync(join(root, 'tmp', 'layer-123-abc', 'bin'), { recursive: true });
    writeFileSync(join(root, 'tmp', 'blob-123-abc'), 'partial');
    const store = new ImageStore({ root });
    expect(await store.list()).toEqual([]);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });
});

describe('ImageStore.importArchive', () => {
  it('imports the pause and busybox archives with their names', async () => {
    const { store } = newStore();
    const [pause] = await store.importArchive(archives.pause);
    expect(pause!.repoTags).toEqual(['docker.io/tkube/pause:3.10']);
    expect(pause!.config.entrypoint).toEqual(['/pause', '-P']);
    expect((await store.status('tkube/pause:3.10'))?.id).toBe(pause!.id);
    const [layer] = await store.layerDirs('tkube/pause:3.10');
    expect(statSync(join(layer!, 'pause')).mode & 0o777).toBe(0o755);

    const [bb] = await store.importArchive(archives.busybox, 'localhost/mine/busybox:dev');
    expect(bb!.repoTags).toEqual(['localhost/mine/busybox:dev']);
    const [bbLayer] = await store.layerDirs(bb!.id);
    expect(readlinkSync(join(bbLayer!, 'bin/sh'))).toBe('busybox');
  });

  it('honours whiteouts and opaque directories of an imported gzip image', async () => {
    const archive = await archiveOf({ ...whiteoutSpec(true), refName: 'tkube/whiteout:gz' }, 'whiteout-gz');
    const { store } = newStore();
    const [img] = await store.importArchive(archive);
    expect(img!.repoTags).toEqual(['docker.io/tkube/whiteout:gz']);
    withMergedView(await store.layerDirs(img!.id), expectWhiteoutsHonoured);
  });

  it('rejects an archive whose blob does not match its digest', async () => {
    const layout = join(work, 'layout-bad');
    const image = await buildImage({ layers: [[{ name: 'f', content: 'data' }]] });
    await writeOciLayout(layout, image);
    const layerPath = join(layout, 'blobs/sha256', image.layers[0]!.digest.slice(7));
    writeFileSync(layerPath, Buffer.concat([readFileSync(layerPath), Buffer.from('junk')]));
    const out = join(work, 'bad.tar');
    await tarDirectory(layout, out);
    const { store, root } = newStore();
    await expect(store.importArchive(out, 'tkube/bad:1')).rejects.toThrow(DigestMismatchError);
    expect(await store.list()).toEqual([]);
    mkdirSync(join(root, 'layers'), { recursive: true });
    expect(readdirSync(join(root, 'layers'))).toEqual([]);
  });
});
