// CRI ImageService on top of the image store.
import type { Image, ImageServiceHandlers } from './types.js';
import type { ImageRecord, RuntimeImageStore } from '../image-source.js';
import { invalidArgument } from './grpc-errors.js';

function toCriImage(rec: ImageRecord): Image {
  const user = rec.config.user ?? '';
  const uidPart = user.split(':')[0] ?? '';
  const numeric = /^\d+$/.test(uidPart);
  return {
    id: rec.id,
    repo_tags: rec.repoTags,
    repo_digests: rec.repoDigests,
    size: rec.size,
    uid: numeric ? { value: Number(uidPart) } : null,
    username: numeric ? '' : uidPart,
    spec: { image: rec.id, annotations: {} },
    pinned: false,
  };
}

export function imageHandlers(store: RuntimeImageStore): ImageServiceHandlers {
  return {
    async ListImages(req) {
      const want = req.filter?.image?.image;
      let images = await store.list();
      if (want) {
        const match = await store.status(want);
        images = match ? images.filter((i) => i.id === match.id) : [];
      }
      return { images: images.map(toCriImage) };
    },
    async ImageStatus(req) {
      const ref = req.image?.image;
      if (!ref) throw invalidArgument('ImageSpec.image is required');
      const rec = await store.status(ref);
      return { image: rec ? toCriImage(rec) : null, info: {} };
    },
    async PullImage(req) {
      const ref = req.image?.image;
      if (!ref) throw invalidArgument('ImageSpec.image is required');
      const a = req.auth;
      const auth = a
        ? {
            ...(a.username ? { username: a.username } : {}),
            ...(a.password ? { password: a.password } : {}),
            ...(a.auth ? { auth: a.auth } : {}),
            ...(a.identity_token ? { identityToken: a.identity_token } : {}),
            ...(a.registry_token ? { registryToken: a.registry_token } : {}),
          }
        : undefined;
      const rec = await store.pull(ref, auth);
      // CRI: image_ref must equal Image.id and Container(Status).image_id for the same image.
      return { image_ref: rec.id };
    },
    async RemoveImage(req) {
      const ref = req.image?.image;
      if (!ref) throw invalidArgument('ImageSpec.image is required');
      if (await store.status(ref)) await store.remove(ref);
      return {};
    },
    async ImageFsInfo() {
      const fs = await store.fsInfo();
      const usage = {
        timestamp: (BigInt(Date.now()) * 1_000_000n).toString(),
        fs_id: { mountpoint: fs.mountpoint },
        used_bytes: { value: fs.usedBytes },
        inodes_used: { value: fs.inodesUsed },
      };
      return { image_filesystems: [usage], container_filesystems: [] };
    },
  };
}
