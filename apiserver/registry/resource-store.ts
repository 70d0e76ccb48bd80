/**
 * The generic store of one resource type (Kubernetes' genericregistry.Store): create,
 * get, list, update, patch and delete with the API's semantics — generated names, uids,
 * generation, status subresource, optimistic concurrency, finalizers, graceful deletion,
 * dry run — on top of EtcdStore (writes, consistent reads) and WatchCache (cached reads).
 */
import type { Logger } from 'pino';
import { decode, validateObject } from '../../api/decode.js';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  notFound,
  tooLarge,
  type GroupResource,
} from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { apiVersionOf, type ResourceDef } from '../../api/resource.js';
import { applyPatch } from '../patch/apply-patch.js';
import { encodeForStorage, type EtcdStore } from '../storage/etcd-store.js';
import type { WatchCache } from '../storage/watch-cache.js';
import { admitCreate, type MutatingAdmission } from './admission.js';
import type { AdmissionRequest, UserInfo, ValidatingAdmission } from '../auth/types.js';
import { clone, generateName, jsonEqual, newUid, nowTimestamp, storageKey } from './object-meta.js';
import {
  gracePeriodFor,
  prepareForCreate,
  prepareForFinalize,
  prepareForStatusUpdate,
  prepareForUpdate,
  specOf,
  tracksGeneration,
} from './strategy.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteContext {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Warnings for the response's Warning headers. */
  warnings: string[];
  /** Who is writing (for admission); absent for the apiserver's own writes. */
  user?: UserInfo;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export type Subresource = 'status' | 'finalize' | undefined;

/** Kubernetes refuses objects whose encoding exceeds etcd's default request limit (1.5 MiB). */
const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;
const MAX_UPDATE_RETRIES = 16;
/** Events expire an hour after their last write (kube-apiserver --event-ttl). */
export const EVENT_TTL_SECONDS = 3600;

export interface NamespaceLookup {
  /** The namespace object, or undefined if it does not exist. */
  get(name: string): Promise<KubeObject | undefined>;
}

export class ResourceStore {
  readonly gr: GroupResource;

  constructor(
    readonly def: ResourceDef,
    private readonly etcd: EtcdStore,
    readonly cache: WatchCache,
    private readonly namespaces: NamespaceLookup,
    private readonly log: Logger,
    private readonly opts: { eventTtlSeconds?: number; admission?: ValidatingAdmission[] } = {},
  ) {
    this.gr = { group: def.group, resource: def.plural };
    this.admission = opts.admission ?? [];
  }

  /** Validating admission plugins run on every write that carries a user (NodeRestriction, ...). */
  private admission: ValidatingAdmission[];

  setAdmission(plugins: ValidatingAdmission[]): void {
    this.admission = plugins;
  }

  /** Mutating admission plugins run on create, before validation (the ServiceAccount plugin, ...). */
  private mutating: MutatingAdmission[] = [];

  setMutatingAdmission(plugins: MutatingAdmission[]): void {
    this.mutating = plugins;
  }

  /** Runs the mutating plugins on a create; unlike validation they see every write, as in Kubernetes. */
  private async mutateOnCreate(namespace: string | undefined, name: string, obj: KubeObject, ctx: WriteContext): Promise<void> {
    if (this.mutating.length === 0) return;
    const user = ctx.user ?? { name: 'system:apiserver', groups: ['system:masters'] };
    const req: AdmissionRequest = { operation: 'CREATE', def: this.def, subresource: '', namespace: namespace ?? '', name, object: obj, user, dryRun: ctx.dryRun };
    for (const plugin of this.mutating) await plugin.admit(req);
    // What the plugins added must be valid too.
    validateObject(this.def, obj);
  }

  /** Runs the validating admission plugins; the apiserver's own writes (no user) skip them. */
  private async admit(
    operation: AdmissionRequest['operation'],
    subresource: string,
    namespace: string | undefined,
    name: string,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    ctx: WriteContext,
  ): Promise<void> {
    if (!ctx.user || this.admission.length === 0) return;
    const req: AdmissionRequest = { operation, def: this.def, subresource, namespace: namespace ?? '', name, object, oldObject, user: ctx.user, dryRun: ctx.dryRun };
    for (const plugin of this.admission) await plugin.validate(req);
  }

  key(namespace: string | undefined, name: string): string {
    return storageKey(this.def, namespace, name);
  }

  // ---- reads ------------------------------------------------------------------

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const obj = await this.etcd.get(this.key(namespace, name));
    if (!obj) throw notFound(this.gr, name);
    return obj;
  }

  // ---- create -----------------------------------------------------------------

  async create(namespace: string | undefined, raw: unknown, ctx: WriteContext): Promise<KubeObject> {
    const input = this.checkTypeMeta(raw);
    const meta = (input.metadata ?? {}) as Record<string, unknown>;
    this.checkNamespace(namespace, meta);
    if (this.def.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    input.metadata = meta;

    const obj = this.decodeBody(input, ctx);
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generateName(obj.metadata.generateName);
    const name = obj.metadata.name ?? '';
    obj.metadata.uid = newUid();
    obj.metadata.creationTimestamp = nowTimestamp();
    delete obj.metadata.resourceVersion;
    delete obj.metadata.deletionTimestamp;
    delete obj.metadata.deletionGracePeriodSeconds;
    delete obj.metadata.generation;
    delete obj.metadata.selfLink;
    admitCreate(this.def, obj);
    prepareForCreate(this.def, obj);
    validateObject(this.def, obj);
    if (this.def.namespaced) await this.requireLiveNamespace(namespace!, name);
    await this.mutateOnCreate(namespace, name, obj, ctx);
    await this.admit('CREATE', '', namespace, name, obj, undefined, ctx);
    const value = this.encodeChecked(obj);
    if (ctx.dryRun) return obj;

    const lease = this.def.plural === 'events' ? await this.etcd.grantLease(this.opts.eventTtlSeconds ?? EVENT_TTL_SECONDS) : undefined;
    const created = await this.etcd.create(this.key(namespace, name), obj, lease, value);
    if (!created) throw alreadyExists(this.gr, name);
    return created;
  }

  // ---- update -----------------------------------------------------------------

  async update(namespace: string | undefined, name: string, raw: unknown, ctx: WriteContext, sub?: Subresource): Promise<KubeObject> {
    const input = this.checkTypeMeta(raw);
    const meta = (input.metadata ?? {}) as Record<string, unknown>;
    this.checkNamespace(namespace, meta);
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    }
    meta.name = name;
    if (this.def.namespaced) meta.namespace = namespace;
    input.metadata = meta;
    const desired = this.decodeBody(input, ctx);
    const wantedVersion = desired.metadata.resourceVersion;
    return this.guaranteedUpdate(namespace, name, ctx, sub, (current) => {
      if (wantedVersion && wantedVersion !== current.metadata.resourceVersion) {
        throw conflict(this.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      return clone(desired);
    });
  }

  // ---- patch ------------------------------------------------------------------

  async patch(
    namespace: string | undefined,
    name: string,
    contentType: string,
    patchBody: unknown,
    ctx: WriteContext,
    sub?: Subresource,
  ): Promise<KubeObject> {
    return this.guaranteedUpdate(namespace, name, ctx, sub, (current) => {
      const patched = applyPatch(contentType, clone(current), patchBody, this.def.schema);
      const input = this.checkTypeMeta(patched);
      const meta = (input.metadata ?? {}) as Record<string, unknown>;
      if (meta.name !== name) throw badRequest(`metadata.name: Invalid value: ${JSON.stringify(meta.name)}: field is immutable`);
      this.checkNamespace(namespace, meta);
      const desired = this.decodeBody(input, ctx);
      // A resourceVersion in the patch is a precondition; otherwise the patch applies to what we read.
      const rv = desired.metadata.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) {
        throw conflict(this.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      desired.metadata.resourceVersion = current.metadata.resourceVersion;
      return desired;
    });
  }

  /**
   * Read-modify-write with retries on conflict (Kubernetes' GuaranteedUpdate). `mutate`
   * gets the current object and returns the desired one; server-owned fields are
   * restored here, so mutate only expresses what the client asked for.
   */
  private async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    ctx: WriteContext,
    sub: Subresource,
    mutate: (current: KubeObject) => KubeObject,
  ): Promise<KubeObject> {
    const key = this.key(namespace, name);
    // Start from the watch cache's copy (one etcd round trip instead of two, as Kubernetes'
    // GuaranteedUpdate does); a failed compare returns the current object for the retry.
    let current: KubeObject | undefined = this.cache.get(key);
    let fresh = current === undefined;
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      if (!current) {
        current = await this.etcd.get(key);
        fresh = true;
        if (!current) throw notFound(this.gr, name);
      }
      let next: KubeObject;
      try {
        next = mutate(clone(current));
        next = this.applyServerRules(next, current, sub);
        validateObject(this.def, next, current);
        await this.admit('UPDATE', sub ?? '', namespace, name, next, current, ctx);
      } catch (err) {
        if (fresh) throw err;
        current = undefined; // the cached copy may be stale: decide again on etcd's
        continue;
      }
      if (jsonEqual(stripVersion(next), stripVersion(current))) {
        if (fresh) return current; // no-op: no write, same resourceVersion
        current = undefined;
        continue;
      }
      const value = this.encodeChecked(next);
      if (ctx.dryRun) return next;
      const res = await this.etcd.update(key, next, Number(current.metadata.resourceVersion), await this.leaseFor(current), value);
      if (res.ok) {
        const stored = res.object;
        if (this.readyToRemove(stored)) await this.removeNow(key, stored);
        return stored;
      }
      if (!res.current) throw notFound(this.gr, name);
      // Someone else wrote in between (or the cache was behind): try again on the current state.
      current = res.current;
      fresh = true;
    }
    throw conflict(this.gr, name, 'too many concurrent updates; please try again');
  }

  /** Restores what a client may not change on update: identity, timestamps, generation, and status or spec by subresource. */
  private applyServerRules(next: KubeObject, current: KubeObject, sub: Subresource): KubeObject {
    if (sub === 'status') next = prepareForStatusUpdate(next, current);
    else if (sub === 'finalize') next = prepareForFinalize(next, current);
    else prepareForUpdate(this.def, next, current);
    const m = next.metadata;
    const c = current.metadata;
    if (m.uid && m.uid !== c.uid) {
      throw conflict(this.gr, c.name ?? '', `Precondition failed: UID in precondition: ${m.uid}, UID in object meta: ${c.uid}`);
    }
    m.uid = c.uid;
    m.name = c.name;
    m.namespace = c.namespace;
    m.creationTimestamp = c.creationTimestamp;
    m.resourceVersion = c.resourceVersion;
    setOrDelete(m, 'deletionTimestamp', c.deletionTimestamp);
    setOrDelete(m, 'deletionGracePeriodSeconds', c.deletionGracePeriodSeconds);
    setOrDelete(m, 'generateName', m.generateName ?? c.generateName);
    delete m.selfLink;
    if (tracksGeneration(this.def)) {
      const gen = c.generation ?? 1;
      m.generation = sub === undefined && !jsonEqual(specOf(next), specOf(current)) ? gen + 1 : gen;
    } else {
      setOrDelete(m, 'generation', c.generation);
    }
    if (c.deletionTimestamp) {
      // Once deletion has begun, no new finalizers may be added (Kubernetes refuses them).
      const before = new Set(c.finalizers ?? []);
      const added = (m.finalizers ?? []).filter((f: string) => !before.has(f));
      // A validation error (422 Invalid, FieldValueForbidden), as Kubernetes' ObjectMeta update validation reports it.
      if (added.length) {
        throw invalid(this.def.kind, this.def.group, c.name ?? '', [
          { reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` },
        ]);
      }
    }
    return next;
  }

  /**
   * A server-internal change that bypasses the update strategy and validation (pods/binding
   * sets spec.nodeName, which a pod update may not). `mutate` returns undefined to write nothing.
   */
  async systemUpdate(
    namespace: string | undefined,
    name: string,
    ctx: WriteContext,
    mutate: (current: KubeObject) => KubeObject | undefined,
  ): Promise<KubeObject> {
    const key = this.key(namespace, name);
    let current: KubeObject | undefined = this.cache.get(key);
    let fresh = current === undefined;
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      if (!current) {
        current = await this.etcd.get(key);
        fresh = true;
        if (!current) throw notFound(this.gr, name);
      }
      let next: KubeObject | undefined;
      try {
        next = mutate(clone(current));
      } catch (err) {
        if (fresh) throw err;
        current = undefined;
        continue;
      }
      if (!next) {
        if (fresh) return current;
        current = undefined;
        continue;
      }
      if (ctx.dryRun) return next;
      const res = await this.etcd.update(key, next, Number(current.metadata.resourceVersion));
      if (res.ok) return res.object;
      if (!res.current) throw notFound(this.gr, name);
      current = res.current;
      fresh = true;
    }
    throw conflict(this.gr, name, 'too many concurrent updates; please try again');
  }

  // ---- delete -----------------------------------------------------------------

  /**
   * Deletes or begins deleting. Returns the object and whether it is gone from storage
   * (false when finalizers or a grace period keep it for now).
   */
  async delete(namespace: string | undefined, name: string, options: DeleteOptions, ctx: WriteContext): Promise<{ object: KubeObject; gone: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      const current = await this.etcd.get(key);
      if (!current) throw notFound(this.gr, name);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(this.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(this.gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`);
      }
      await this.admit('DELETE', '', namespace, name, undefined, current, ctx);
      const next = clone(current);
      const finalizers = finalizersForPolicy(current, options);
      setOrDelete(next.metadata, 'finalizers', finalizers.length ? finalizers : undefined);
      const grace = gracePeriodFor(this.def, current, options.gracePeriodSeconds);
      const now = Date.now();

      let keep: boolean;
      if (current.metadata.deletionTimestamp) {
        // Already terminating: a shorter grace period may cut the wait; finalizers still hold it.
        const existingGrace = current.metadata.deletionGracePeriodSeconds ?? 0;
        if (grace < existingGrace) {
          next.metadata.deletionGracePeriodSeconds = grace;
          next.metadata.deletionTimestamp = nowTimestamp(new Date(now + grace * 1000));
        }
        keep = finalizers.length > 0 || (next.metadata.deletionGracePeriodSeconds ?? 0) > 0;
      } else if (grace > 0 || finalizers.length > 0) {
        next.metadata.deletionTimestamp = nowTimestamp(new Date(now + grace * 1000));
        next.metadata.deletionGracePeriodSeconds = grace;
        if (tracksGeneration(this.def)) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
        if (this.def.plural === 'namespaces') (next as { status?: unknown }).status = { phase: 'Terminating' };
        keep = true;
      } else {
        keep = false;
      }
      // Namespaces always wait for their own finalizer (spec.finalizers), handled by the namespace controller.
      if (this.def.plural === 'namespaces' && namespaceSpecFinalizers(next).length > 0) {
        if (!next.metadata.deletionTimestamp) next.metadata.deletionTimestamp = nowTimestamp(new Date(now));
        next.metadata.deletionGracePeriodSeconds = 0;
        (next as { status?: unknown }).status = { phase: 'Terminating' };
        keep = true;
      }

      if (ctx.dryRun) return { object: keep ? next : current, gone: !keep };
      if (keep) {
        if (jsonEqual(next, current)) return { object: current, gone: false };
        const res = await this.etcd.update(key, next, Number(current.metadata.resourceVersion), await this.leaseFor(current));
        if (res.ok) return { object: res.object, gone: false };
        if (!res.current) throw notFound(this.gr, name);
        continue;
      }
      const res = await this.etcd.delete(key, Number(current.metadata.resourceVersion));
      if (res.ok) return { object: current, gone: true };
      if (!res.current) throw notFound(this.gr, name);
    }
    throw conflict(this.gr, name, 'too many concurrent updates; please try again');
  }

  /** An object whose deletion has begun and that nothing holds any more is removed from storage. */
  private readyToRemove(obj: KubeObject): boolean {
    const m = obj.metadata;
    if (!m.deletionTimestamp || (m.finalizers?.length ?? 0) > 0) return false;
    if (this.def.plural === 'namespaces' && namespaceSpecFinalizers(obj).length > 0) return false;
    return (m.deletionGracePeriodSeconds ?? 0) === 0;
  }

  private async removeNow(key: string, obj: KubeObject): Promise<void> {
    const res = await this.etcd.delete(key, Number(obj.metadata.resourceVersion));
    if (!res.ok) this.log.debug({ key }, 'object changed before its final removal; the next write will remove it');
  }

  // ---- helpers ----------------------------------------------------------------

  /** apiVersion and kind must name this resource (missing ones default to it). */
  private checkTypeMeta(raw: unknown): Record<string, unknown> & { metadata?: unknown } {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw badRequest(`the body of the request must be a JSON object describing a ${this.def.kind}`);
    }
    const input = { ...(raw as Record<string, unknown>) };
    const apiVersion = apiVersionOf(this.def);
    if (input.apiVersion === undefined || input.apiVersion === '') input.apiVersion = apiVersion;
    if (input.kind === undefined || input.kind === '') input.kind = this.def.kind;
    if (input.apiVersion !== apiVersion || input.kind !== this.def.kind) {
      throw badRequest(
        `the API version in the data (${String(input.apiVersion)}) and kind (${String(input.kind)}) do not match the expected ${apiVersion}, Kind=${this.def.kind} of this endpoint`,
      );
    }
    if (input.metadata !== undefined && (typeof input.metadata !== 'object' || input.metadata === null || Array.isArray(input.metadata))) {
      throw badRequest('metadata: must be an object');
    }
    if (input.metadata) input.metadata = { ...(input.metadata as Record<string, unknown>) };
    return input;
  }

  private checkNamespace(namespace: string | undefined, meta: Record<string, unknown>): void {
    if (!this.def.namespaced) return;
    const inBody = meta.namespace;
    if (inBody !== undefined && inBody !== '' && inBody !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
  }

  private decodeBody(input: unknown, ctx: WriteContext): KubeObject {
    const { object, unknownFields } = decode(this.def, input);
    if (unknownFields.length) {
      if (ctx.fieldValidation === 'Strict') {
        throw badRequest(`strict decoding error: ${unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`);
      }
      if (ctx.fieldValidation === 'Warn') for (const f of unknownFields) ctx.warnings.push(`unknown field "${f}"`);
    }
    return object;
  }

  private async requireLiveNamespace(namespace: string, name: string): Promise<void> {
    const ns = await this.namespaces.get(namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw new ApiError(
        403,
        'Forbidden',
        `${this.gr.group ? `${this.gr.resource}.${this.gr.group}` : this.gr.resource} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        { name, group: this.gr.group, kind: this.gr.resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] },
      );
    }
  }

  /** The object's storage encoding, refused (413) when etcd would not take it. Encoded once: the write reuses it. */
  private encodeChecked(obj: KubeObject): Buffer {
    const value = encodeForStorage(obj);
    const size = value.length;
    if (size > MAX_OBJECT_BYTES) {
      throw tooLarge(`${this.def.kind} "${obj.metadata.name ?? ''}" is too large to store: ${size} bytes encoded, the limit is ${MAX_OBJECT_BYTES} bytes (etcd's request limit)`);
    }
    return value;
  }

  /** Events keep expiring: a rewrite gets a fresh lease. */
  private async leaseFor(_current: KubeObject): Promise<string | undefined> {
    return this.def.plural === 'events' ? this.etcd.grantLease(this.opts.eventTtlSeconds ?? EVENT_TTL_SECONDS) : undefined;
  }
}

function stripVersion(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } };
}

function setOrDelete<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined | null): void {
  if (value === undefined || value === null) delete target[key];
  else target[key] = value;
}

function namespaceSpecFinalizers(obj: KubeObject): string[] {
  return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).filter(Boolean);
}

/** The finalizers a delete leaves on the object, by propagation policy (orphan / foregroundDeletion). */
export function finalizersForPolicy(obj: KubeObject, options: DeleteOptions): string[] {
  const current = [...(obj.metadata.finalizers ?? [])];
  let policy = options.propagationPolicy;
  if (!policy && options.orphanDependents !== undefined) policy = options.orphanDependents ? 'Orphan' : 'Background';
  if (!policy) return current;
  const without = current.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
  if (policy === 'Orphan') return [...without, 'orphan'];
  if (policy === 'Foreground') return [...without, 'foregroundDeletion'];
  return without;
}
