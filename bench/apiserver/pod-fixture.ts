/** A realistic pod manifest of about 1.5 KB of JSON: what a Deployment's template usually holds. */

export const BENCH_NAMESPACE = 'default';

export function benchPod(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: BENCH_NAMESPACE,
      labels: { app: 'bench-web', tier: 'frontend', 'app.kubernetes.io/version': '1.4.2', 'pod-template-hash': '7c9f8d6b5' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9102' },
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/bench/web:1.4.2',
          command: ['/usr/local/bin/web'],
          args: ['--listen=:8080', '--metrics=:9102', '--log-level=info'],
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9102, protocol: 'TCP' },
          ],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'CACHE_SIZE', value: '256' },
            { name: 'UPSTREAM', value: 'http://backend.default.svc:8080' },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          livenessProbe: { httpGet: { path: '/livez', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 10 },
          volumeMounts: [
            { name: 'config', mountPath: '/etc/web' },
            { name: 'cache', mountPath: '/var/cache/web' },
          ],
        },
        {
          name: 'log-shipper',
          image: 'registry.example.com/bench/shipper:0.9',
          args: ['--path=/var/log/web'],
          resources: { requests: { cpu: '10m', memory: '32Mi' } },
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'bench-web-config' } },
        { name: 'cache', emptyDir: {} },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
  };
}
