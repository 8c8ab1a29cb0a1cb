// kustomize/: podinfo's base (spec §21), built with the real `kubectl kustomize`.
import assert from 'node:assert/strict'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { one, parseDocs, pssReport, repoRoot, runTool, getTools, validateObject } from '../helm/k8s.js'

const base = join(repoRoot, 'kustomize')

test('kubectl kustomize builds podinfo\'s base: hpa, deployment, service', async () => {
  const tools = await getTools()
  const res = await runTool(tools.kubectl, ['kustomize', base])
  assert.equal(res.code, 0, res.stderr)
  const objs = parseDocs(res.stdout)
  assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`), ['Service/podinfo', 'Deployment/podinfo', 'HorizontalPodAutoscaler/podinfo'])
  for (const obj of objs) assert.equal(await validateObject(obj), null)

  const dep = one(objs, 'Deployment')
  assert.equal(dep.spec.minReadySeconds, 3)
  assert.equal(dep.spec.revisionHistoryLimit, 5)
  assert.equal(dep.spec.progressDeadlineSeconds, 60)
  assert.deepEqual(dep.spec.strategy, { rollingUpdate: { maxUnavailable: 0 }, type: 'RollingUpdate' })
  assert.deepEqual(dep.spec.selector.matchLabels, { app: 'podinfo' })
  assert.deepEqual(dep.spec.template.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9797' })
  const c = dep.spec.template.spec.containers[0]
  assert.equal(c.name, 'podinfod')
  assert.equal(c.image, 'ghcr.io/stefanprodan/podinfo:6.14.1')
  assert.deepEqual(c.command, ['./podinfo', '--port=9898', '--port-metrics=9797', '--grpc-port=9999',
    '--grpc-service-name=podinfo', '--level=info', '--random-delay=false', '--random-error=false'])
  assert.deepEqual(c.env, [{ name: 'PODINFO_UI_COLOR', value: '#34577c' }])
  assert.deepEqual(c.ports.map((p: any) => [p.name, p.containerPort]), [['http', 9898], ['http-metrics', 9797], ['grpc', 9999]])
  assert.deepEqual(c.livenessProbe, { exec: { command: ['podcli', 'check', 'http', 'localhost:9898/healthz'] }, initialDelaySeconds: 5, timeoutSeconds: 5 })
  assert.deepEqual(c.readinessProbe, { exec: { command: ['podcli', 'check', 'http', 'localhost:9898/readyz'] }, initialDelaySeconds: 5, timeoutSeconds: 5 })
  assert.deepEqual(c.resources, { limits: { cpu: '2000m', memory: '512Mi' }, requests: { cpu: '100m', memory: '64Mi' } })
  assert.deepEqual(c.volumeMounts.find((m: any) => m.mountPath === '/data'), { name: 'data', mountPath: '/data' })

  const hpa = one(objs, 'HorizontalPodAutoscaler')
  assert.equal(hpa.spec.minReplicas, 2)
  assert.equal(hpa.spec.maxReplicas, 4)
  assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 99)

  const svc = one(objs, 'Service')
  assert.equal(svc.spec.type, 'ClusterIP')
  assert.deepEqual(svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort]), [['http', 9898, 'http'], ['grpc', 9999, 'grpc']])

  assert.deepEqual(pssReport(objs), [], 'Pod Security restricted')
})

test('the base works as a remote-style base with an overlay (image swap, as Flagger does)', async (t) => {
  const tools = await getTools()
  const dir = await mkdtemp(join(tmpdir(), 'kustomize-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await cp(base, join(dir, 'base'), { recursive: true })
  await writeFile(join(dir, 'kustomization.yaml'), [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namespace: test',
    'resources:',
    '  - base',
    'images:',
    '  - name: ghcr.io/stefanprodan/podinfo',
    '    newName: ghcr.io/example/podinfo-ts',
    '    newTag: 6.14.1',
    ''
  ].join('\n'))
  const res = await runTool(tools.kubectl, ['kustomize', dir])
  assert.equal(res.code, 0, res.stderr)
  const dep = one(parseDocs(res.stdout), 'Deployment')
  assert.equal(dep.metadata.namespace, 'test')
  assert.equal(dep.spec.template.spec.containers[0].image, 'ghcr.io/example/podinfo-ts:6.14.1')
})
