/**
 * The paths anyone may read without credentials: health and version. kube-apiserver grants
 * them to everybody through the system:public-info-viewer role; with tkube they are the
 * only thing an anonymous request may reach (Kubernetes' anonymous-auth restricted to
 * these endpoints), and nobody is refused them.
 */
const PUBLIC_PATHS = ['/healthz', '/livez', '/readyz', '/version'];

export function isPublicInfoPath(path: string): boolean {
  return PUBLIC_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}
