// Docker/OCI image reference parsing, following the rules of the docker
// "reference" package: the first path component is a registry host only when it
// looks like one (has a dot or a port, or is "localhost"); Docker Hub names get
// "library/" when they have a single component; no tag and no digest means ":latest".

export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** registry/repository[:tag][@digest] */
  canonical: string;
}

export const DOCKER_HUB = 'docker.io';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const HEX64 = /^[a-f0-9]{64}$/;

export class InvalidReferenceError extends Error {
  constructor(ref: string, why: string) {
    super(`invalid image reference "${ref}": ${why}`);
    this.name = 'InvalidReferenceError';
  }
}

export function normalizeReference(ref: string): ImageReference {
  if (ref === '' || ref !== ref.trim()) throw new InvalidReferenceError(ref, 'empty or padded with spaces');
  if (HEX64.test(ref)) throw new InvalidReferenceError(ref, 'a 64-character hex string is an image id, not a name');

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError(ref, `bad digest "${digest}"`);
    if (digest.startsWith('sha256:') && !HEX64.test(digest.slice(7))) {
      throw new InvalidReferenceError(ref, 'sha256 digest must be 64 lowercase hex characters');
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(ref, `bad tag "${tag}"`);
  }

  let registry = DOCKER_HUB;
  let repository = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash >= 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[')) {
      if (!HOST.test(first)) throw new InvalidReferenceError(ref, `bad registry host "${first}"`);
      registry = first === 'index.docker.io' || first === 'registry-1.docker.io' ? DOCKER_HUB : first;
      repository = rest.slice(firstSlash + 1);
    }
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (repository === '' || !repository.split('/').every((c) => COMPONENT.test(c))) {
    throw new InvalidReferenceError(ref, `bad repository name "${repository}" (lowercase letters, digits and separators only)`);
  }
  if (registry.length + 1 + repository.length > 255) throw new InvalidReferenceError(ref, 'name longer than 255 characters');

  if (tag === undefined && digest === undefined) tag = 'latest';
  const canonical = `${registry}/${repository}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}), canonical };
}

/** registry/repository:tag, the form stored in ImageRecord.repoTags. */
export function tagName(ref: ImageReference): string | undefined {
  return ref.tag === undefined ? undefined : `${ref.registry}/${ref.repository}:${ref.tag}`;
}

/** registry/repository@digest, the form stored in ImageRecord.repoDigests. */
export function digestName(ref: Pick<ImageReference, 'registry' | 'repository'>, digest: string): string {
  return `${ref.registry}/${ref.repository}@${digest}`;
}
