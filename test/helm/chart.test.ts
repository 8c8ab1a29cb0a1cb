// The chart, rendered by the real helm 4 and helm 3 binaries (fetched by scripts/get-tools.ts).
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import {
  chartDir, helmTemplate, one, byKind, podSpecs, pssReport, repoRoot, runTool, getTools,
  validateObject, type K8sObject
} from './k8s.js'

const podinfoValues = join(repoRoot, 'test', 'fixtures', 'podinfo-values.yaml')

/** Checks every rendering must pass: schemas, names, selectors, ports. */
async function assertWellFormed (objs: K8sObject[]): Promise<void> {
  assert.ok(objs.length > 0, 'nothing rendered')
  for (const obj of objs) {
    const err = await validateObject(obj)
    assert.equal(err, null, err ?? '')
  }
  const keys = objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)
  assert.deepEqual(keys.filter((k, i) => keys.indexOf(k) !== i), [], 'duplicate objects')
  for (const dep of byKind(objs, 'Deployment')) {
    const selector = dep.spec.selector.matchLabels
    const labels = dep.spec.template.metadata.labels
    for (const [k, v] of Object.entries(selector)) assert.equal(labels[k], v, `${dep.metadata.name}: selector ${k}`)
  }
  for (const svc of byKind(objs, 'Service')) {
    const pods = byKind(objs, 'Deployment').filter((d) =>
      Object.entries(svc.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v))
    assert.equal(pods.length, 1, `Service ${svc.metadata.name} selects exactly one Deployment`)
    const named = pods[0]!.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name))
    for (const port of svc.spec.ports) {
      assert.ok(named.includes(port.targetPort), `Service ${svc.metadata.name} targetPort ${port.targetPort} is a container port`)
    }
  }
}

function container (objs: K8sObject[], name = 'podinfo'): any {
  const dep = one(objs, 'Deployment', name)
  return dep.spec.template.spec.containers[0]
}

function testPods (objs: K8sObject[]): Record<string, K8sObject> {
  const pods: Record<string, K8sObject> = {}
  for (const pod of byKind(objs, 'Pod')) {
    assert.equal(pod.metadata.annotations?.['helm.sh/hook'], 'test')
    pods[pod.metadata.name.replace(/-[a-z0-9]{5}$/, '')] = pod
  }
  return pods
}

function script (pod: K8sObject): string {
  return pod.spec.containers[0].command.join(' ')
}

test('helm lint --strict passes with helm 4 and helm 3, with defaults and podinfo values', async () => {
  const tools = await getTools()
  for (const helm of [tools.helm4, tools.helm3]) {
    for (const args of [[], ['-f', podinfoValues]]) {
      const res = await runTool(helm, ['lint', '--strict', chartDir, ...args])
      assert.equal(res.code, 0, res.stdout + res.stderr)
      assert.match(res.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/)
    }
  }
})

test('defaults: podinfo objects, command, probes and restricted security context', async () => {
  const tools = await getTools()
  const objs = await helmTemplate(tools.helm4)
  await assertWellFormed(objs)
  assert.deepEqual(objs.map((o) => o.kind).sort(), ['Deployment', 'Pod', 'Pod', 'Pod', 'Service'])
  const dep = one(objs, 'Deployment', 'podinfo')
  assert.equal(dep.metadata.namespace, 'test')
  assert.deepEqual(dep.metadata.labels, {
    'helm.sh/chart': 'podinfo-6.14.1',
    'app.kubernetes.io/name': 'podinfo',
    'app.kubernetes.io/version': '6.14.1',
    'app.kubernetes.io/managed-by': 'Helm'
  })
  assert.equal(dep.spec.replicas, 1)
  assert.deepEqual(dep.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } })
  assert.deepEqual(dep.spec.template.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9898' })
  assert.equal(dep.spec.template.spec.terminationGracePeriodSeconds, 30)
  const c = container(objs)
  assert.equal(c.image, 'ghcr.io/stefanprodan/podinfo:6.14.1')
  assert.equal(c.imagePullPolicy, 'IfNotPresent')
  assert.deepEqual(c.command, [
    './podinfo', '--port=9898', '--prefix=/', '--cert-path=/data/cert', '--port-metrics=9797',
    '--grpc-port=9999', '--grpc-service-name=podinfo', '--level=info', '--random-delay=false',
    '--random-error=false'
  ])
  assert.deepEqual(c.env, [{ name: 'PODINFO_UI_COLOR', value: '#34577c' }])
  assert.deepEqual(c.ports.map((p: any) => [p.name, p.containerPort]), [['http', 9898], ['http-metrics', 9797], ['grpc', 9999]])
  assert.deepEqual(c.livenessProbe, {
    exec: { command: ['podcli', 'check', 'http', 'localhost:9898/healthz'] },
    initialDelaySeconds: 1,
    timeoutSeconds: 5,
    failureThreshold: 3,
    successThreshold: 1,
    periodSeconds: 10
  })
  assert.deepEqual(c.readinessProbe.exec.command, ['podcli', 'check', 'http', 'localhost:9898/readyz'])
  assert.equal(c.startupProbe, undefined)
  assert.deepEqual(c.resources, { limits: null, requests: { cpu: '1m', memory: '16Mi' } })
  assert.deepEqual(c.volumeMounts, [{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }])
  assert.equal(c.securityContext.readOnlyRootFilesystem, true)
  assert.equal(dep.spec.template.spec.securityContext.runAsUser, 65532)
  const svc = one(objs, 'Service', 'podinfo')
  assert.equal(svc.spec.type, 'ClusterIP')
  assert.deepEqual(svc.spec.ports, [
    { port: 9898, targetPort: 'http', protocol: 'TCP', name: 'http' },
    { port: 9999, targetPort: 'grpc', protocol: 'TCP', name: 'grpc' }
  ])
  const pods = testPods(objs)
  assert.deepEqual(Object.keys(pods).sort(), ['podinfo-grpc-test', 'podinfo-jwt-test', 'podinfo-service-test'])
  assert.match(script(pods['podinfo-service-test']!), /curl -s \$\{PODINFO_SVC\}\/api\/info \| grep version/)
  assert.deepEqual(pods['podinfo-grpc-test']!.spec.containers[0].args, ['-addr=podinfo.test:9999'])
  assert.deepEqual(pssReport(objs), [])
})

test('release name without the chart name gets the <release>-podinfo fullname; overrides apply', async () => {
  const tools = await getTools()
  assert.equal(one(await helmTemplate(tools.helm4, [], 'web'), 'Deployment').metadata.name, 'web-podinfo')
  assert.equal(one(await helmTemplate(tools.helm4, [], 'my-podinfo'), 'Deployment').metadata.name, 'my-podinfo')
  const objs = await helmTemplate(tools.helm4, ['--set', 'fullnameOverride=pi', '--set', 'namespaceOverride=apps'], 'web')
  assert.equal(one(objs, 'Deployment').metadata.name, 'pi')
  assert.equal(one(objs, 'Deployment').metadata.namespace, 'apps')
})

test('values-prod.yaml: hpa, redis and production resources', async () => {
  const tools = await getTools()
  const prod = join(chartDir, 'values-prod.yaml')
  for (const helm of [tools.helm4, tools.helm3]) {
    const res = await runTool(helm, ['lint', '--strict', chartDir, '-f', prod])
    assert.equal(res.code, 0, res.stdout + res.stderr)
  }
  const objs = await helmTemplate(tools.helm4, ['-f', prod])
  await assertWellFormed(objs)
  const hpa = one(objs, 'HorizontalPodAutoscaler')
  assert.equal(hpa.spec.maxReplicas, 5)
  assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 99)
  assert.equal(one(objs, 'Deployment', 'podinfo-redis').spec.template.spec.containers[0].image, 'redis:8.8.0')
  assert.deepEqual(container(objs).resources, { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '64Mi' } })
  assert.deepEqual(pssReport(objs), [])
})

test('helm 3 renders the same objects as helm 4', async () => {
  const tools = await getTools()
  const norm = (objs: K8sObject[]) => JSON.stringify(objs).replace(/-test-[a-z0-9]{5}"/g, '-test-xxxxx"')
  for (const args of [[], ['-f', podinfoValues]]) {
    assert.equal(norm(await helmTemplate(tools.helm3, args)), norm(await helmTemplate(tools.helm4, args)))
  }
})

const matrix: Array<{ name: string, args: string[], check: (objs: K8sObject[]) => void }> = [
  {
    name: 'redis',
    args: ['--set', 'redis.enabled=true'],
    check (objs) {
      assert.ok(container(objs).command.includes('--cache-server=tcp://podinfo-redis:6379'))
      const redis = one(objs, 'Deployment', 'podinfo-redis')
      assert.equal(redis.spec.strategy.type, 'Recreate')
      const rc = redis.spec.template.spec.containers[0]
      assert.equal(rc.image, 'docker.io/redis:8.8.0')
      assert.deepEqual(rc.command, ['redis-server', '/redis-master/redis.conf'])
      assert.deepEqual(rc.resources, { limits: { cpu: '1000m', memory: '128Mi' }, requests: { cpu: '100m', memory: '32Mi' } })
      assert.match((one(objs, 'ConfigMap', 'podinfo-redis').data as Record<string, string>)['redis.conf']!, /maxmemory 64mb\nmaxmemory-policy allkeys-lru/)
      assert.deepEqual(one(objs, 'Service', 'podinfo-redis').spec.ports, [
        { name: 'redis', port: 6379, protocol: 'TCP', targetPort: 'redis', appProtocol: 'redis' }
      ])
      assert.match(script(testPods(objs)['podinfo-cache-test']!), /curl -sd 'data' \$\{PODINFO_SVC\}\/cache\/test/)
    }
  },
  {
    name: 'cache takes precedence over redis.enabled',
    args: ['--set', 'redis.enabled=true', '--set', 'cache=tcp://other:6379'],
    check (objs) {
      const args = container(objs).command.filter((a: string) => a.startsWith('--cache-server'))
      assert.deepEqual(args, ['--cache-server=tcp://other:6379'])
    }
  },
  {
    name: 'hpa and pdb',
    args: ['--set', 'hpa.enabled=true', '--set', 'hpa.cpu=95', '--set', 'hpa.memory=256Mi', '--set', 'hpa.requests=10',
      '--set', 'replicaCount=2', '--set-json', 'podDisruptionBudget={"maxUnavailable":1}'],
    check (objs) {
      assert.equal(one(objs, 'Deployment', 'podinfo').spec.replicas, undefined)
      const hpa = one(objs, 'HorizontalPodAutoscaler')
      assert.equal(hpa.spec.minReplicas, 2)
      assert.equal(hpa.spec.maxReplicas, 10)
      assert.deepEqual(hpa.spec.metrics.map((m: any) => m.type), ['Resource', 'Resource', 'Pods'])
      assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 95)
      assert.equal(hpa.spec.metrics[2].pods.metric.name, 'http_requests')
      assert.deepEqual(one(objs, 'PodDisruptionBudget').spec, {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'podinfo' } }, maxUnavailable: 1
      })
    }
  },
  {
    name: 'pdb needs more than one replica',
    args: ['--set-json', 'podDisruptionBudget={"maxUnavailable":1}'],
    check (objs) { assert.equal(byKind(objs, 'PodDisruptionBudget').length, 0) }
  },
  {
    name: 'ingress',
    args: ['--set', 'ingress.enabled=true', '--set', 'ingress.className=nginx',
      '--set-json', 'ingress.tls=[{"secretName":"podinfo-tls","hosts":["podinfo.local"]}]'],
    check (objs) {
      const ing = one(objs, 'Ingress')
      assert.equal(ing.spec.ingressClassName, 'nginx')
      assert.deepEqual(ing.spec.rules, [{
        host: 'podinfo.local',
        http: { paths: [{ path: '/', pathType: 'ImplementationSpecific', backend: { service: { name: 'podinfo', port: { number: 9898 } } } }] }
      }])
      assert.deepEqual(ing.spec.tls, [{ hosts: ['podinfo.local'], secretName: 'podinfo-tls' }])
    }
  },
  {
    name: 'tls and certificate',
    args: ['--set', 'tls.enabled=true', '--set', 'certificate.create=true'],
    check (objs) {
      const c = container(objs)
      assert.ok(c.command.includes('--secure-port=9899'))
      assert.deepEqual(c.ports.find((p: any) => p.name === 'https'), { name: 'https', containerPort: 9899, protocol: 'TCP' })
      assert.deepEqual(c.volumeMounts.at(-1), { name: 'tls', mountPath: '/data/cert', readOnly: true })
      const dep = one(objs, 'Deployment', 'podinfo')
      assert.deepEqual(dep.spec.template.spec.volumes.at(-1), { name: 'tls', secret: { secretName: 'podinfo-tls' } })
      const cert = one(objs, 'Certificate')
      assert.equal(cert.spec.secretName, 'podinfo-tls')
      assert.deepEqual(cert.spec.dnsNames, ['podinfo'])
      assert.deepEqual(cert.spec.issuerRef, { kind: 'ClusterIssuer', name: 'self-signed' })
      assert.ok(one(objs, 'Service').spec.ports.some((p: any) => p.name === 'https' && p.port === 9899))
      assert.match(script(testPods(objs)['podinfo-tls-test']!), /curl -sk \$\{PODINFO_SVC\}\/api\/info \| grep version/)
    }
  },
  {
    name: 'serviceMonitor',
    args: ['--set', 'serviceMonitor.enabled=true', '--set', 'serviceMonitor.interval=30s'],
    check (objs) {
      const sm = one(objs, 'ServiceMonitor')
      assert.deepEqual(sm.spec.endpoints, [{ path: '/metrics', port: 'http', interval: '30s' }])
      assert.deepEqual(sm.spec.selector, { matchLabels: { 'app.kubernetes.io/name': 'podinfo' } })
    }
  },
  {
    name: 'hooks',
    args: ['--set', 'hooks.postInstall.job.enabled=true', '--set', 'hooks.preDelete.job.enabled=true',
      '--set', 'hooks.preDelete.job.sleepSeconds=5', '--set', 'hooks.preDelete.job.exitCode=2',
      '--set', 'hooks.preDelete.job.ttlSecondsAfterFinished=30'],
    check (objs) {
      const post = one(objs, 'Job', 'podinfo-post-install')
      assert.deepEqual(post.metadata.annotations, {
        'helm.sh/hook': 'post-install', 'helm.sh/hook-delete-policy': 'hook-succeeded,hook-failed'
      })
      assert.equal(post.spec.backoffLimit, 1)
      assert.equal(post.spec.ttlSecondsAfterFinished, undefined)
      assert.equal(post.spec.template.spec.restartPolicy, 'Never')
      assert.deepEqual(post.spec.template.spec.containers[0].command, ['sh', '-c', 'exit 0\n'])
      const pre = one(objs, 'Job', 'podinfo-pre-delete')
      assert.equal(pre.spec.ttlSecondsAfterFinished, 30)
      assert.deepEqual(pre.spec.template.spec.containers[0].command, ['sh', '-c', 'sleep 5\nexit 2\n'])
      assert.equal(pre.spec.template.spec.containers[0].image, 'ghcr.io/stefanprodan/podinfo:6.14.1')
    }
  },
  {
    name: 'faults',
    args: ['--set', 'faults.delay=true', '--set', 'faults.error=true', '--set', 'faults.unhealthy=true',
      '--set', 'faults.unready=true', '--set', 'faults.testFail=true', '--set', 'faults.testTimeout=true'],
    check (objs) {
      const cmd = container(objs).command
      for (const arg of ['--random-delay=true', '--random-error=true', '--unhealthy', '--unready']) assert.ok(cmd.includes(arg), arg)
      const faults = byKind(objs, 'Pod').filter((p) => p.metadata.name.startsWith('podinfo-fault-test-'))
      assert.deepEqual(faults.map(script).sort(), ['sh -c exit 1', 'sh -c while sleep 3600; do :; done'])
    }
  },
  {
    name: 'prefix',
    args: ['--set', 'prefix=/podinfo/', '--set', 'serviceMonitor.enabled=true', '--set', 'redis.enabled=true'],
    check (objs) {
      const c = container(objs)
      assert.ok(c.command.includes('--prefix=/podinfo/'))
      assert.deepEqual(c.livenessProbe.exec.command, ['podcli', 'check', 'http', 'localhost:9898/podinfo/healthz'])
      assert.deepEqual(c.readinessProbe.exec.command, ['podcli', 'check', 'http', 'localhost:9898/podinfo/readyz'])
      assert.equal(one(objs, 'ServiceMonitor').spec.endpoints[0].path, '/podinfo/metrics')
      const pods = testPods(objs)
      assert.match(script(pods['podinfo-service-test']!), /\$\{PODINFO_SVC\}\/podinfo\/api\/info/)
      for (const name of ['podinfo-jwt-test', 'podinfo-cache-test']) {
        assert.equal(pods[name]!.spec.containers[0].env[0].value, 'podinfo.test:9898/podinfo')
      }
    }
  },
  {
    name: 'httpGet probes and startup probe',
    args: ['--set', 'probes.handler=httpGet', '--set', 'probes.startup.enable=true', '--set', 'prefix=/api'],
    check (objs) {
      const c = container(objs)
      assert.deepEqual(c.livenessProbe.httpGet, { path: '/api/healthz', port: 'http' })
      assert.deepEqual(c.readinessProbe.httpGet, { path: '/api/readyz', port: 'http' })
      assert.deepEqual(c.startupProbe, {
        httpGet: { path: '/api/healthz', port: 'http' },
        initialDelaySeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 20,
        successThreshold: 1,
        periodSeconds: 10
      })
    }
  },
  {
    name: 'gateway api routes',
    args: ['--set', 'httpRoute.enabled=true', '--set', 'grpcRoute.enabled=true'],
    check (objs) {
      const http = one(objs, 'HTTPRoute')
      assert.deepEqual(http.spec.parentRefs, [{ name: 'gateway', sectionName: 'http' }])
      assert.deepEqual(http.spec.rules, [{
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ name: 'podinfo', port: 9898, weight: 1 }]
      }])
      assert.deepEqual(one(objs, 'GRPCRoute').spec.rules, [{ backendRefs: [{ name: 'podinfo', port: 9999, weight: 1 }] }])
    }
  },
  {
    name: 'service types',
    args: ['--set', 'service.type=NodePort', '--set', 'service.trafficDistribution=PreferClose',
      '--set', 'service.externalTrafficPolicy=Local'],
    check (objs) {
      const svc = one(objs, 'Service')
      assert.equal(svc.spec.ports[0].nodePort, 31198)
      assert.equal(svc.spec.trafficDistribution, 'PreferClose')
      assert.equal(svc.spec.externalTrafficPolicy, undefined, 'only for LoadBalancer')
    }
  },
  {
    name: 'service account',
    args: ['--set', 'serviceAccount.enabled=true', '--set', 'redis.enabled=true'],
    check (objs) {
      assert.equal(one(objs, 'ServiceAccount').metadata.name, 'podinfo')
      for (const dep of byKind(objs, 'Deployment')) assert.equal(dep.spec.template.spec.serviceAccountName, 'podinfo')
    }
  },
  {
    name: 'linkerd ServiceProfile',
    args: ['--set', 'linkerd.profile.enabled=true', '--set', 'linkerd.profile.clusterDomain=k8s.example'],
    check (objs) {
      const sp = one(objs, 'ServiceProfile')
      assert.equal(sp.apiVersion, 'linkerd.io/v1alpha2')
      assert.equal(sp.metadata.name, 'podinfo.test.svc.k8s.example')
      assert.equal(sp.metadata.namespace, 'test')
      assert.deepEqual(sp.spec.routes, JSON.parse(readFileSync(join(chartDir, 'files', 'routes.json'), 'utf8')))
    }
  },
  {
    name: 'linkerd ServiceProfile with prefix',
    args: ['--set', 'linkerd.profile.enabled=true', '--set', 'prefix=/v1.0/'],
    check (objs) {
      const sp = one(objs, 'ServiceProfile')
      assert.equal(sp.metadata.name, 'podinfo.test.svc.cluster.local')
      assert.ok(sp.spec.routes.length > 0, 'routes rendered')
      for (const route of sp.spec.routes) {
        assert.match(route.name, /^[A-Z]+ \/v1\.0\//)
        assert.ok(route.condition.pathRegex.startsWith('/v1\\.0/'), route.condition.pathRegex)
      }
    }
  }
]

for (const { name, args, check } of matrix) {
  test(`helm template: ${name}`, async () => {
    const tools = await getTools()
    const objs = await helmTemplate(tools.helm4, args)
    await assertWellFormed(objs)
    check(objs)
    assert.deepEqual(pssReport(objs), [], 'every pod passes Pod Security restricted')
  })
}

test('a values file written for podinfo\'s chart renders unchanged', async () => {
  const tools = await getTools()
  const values = parse(await readFile(podinfoValues, 'utf8'))
  const objs = await helmTemplate(tools.helm4, ['-f', podinfoValues])
  await assertWellFormed(objs)
  const dep = one(objs, 'Deployment', 'podinfo-app')
  assert.equal(dep.metadata.namespace, 'apps')
  assert.equal(dep.spec.replicas, undefined, 'hpa owns replicas')
  const spec = dep.spec.template.spec
  const c = spec.containers[0]
  assert.equal(c.image, 'registry.example.com/podinfo:6.14.1')
  assert.equal(c.imagePullPolicy, 'Always')
  assert.deepEqual(spec.imagePullSecrets, [{ name: 'regcred' }])
  assert.deepEqual(c.command, [
    './podinfo', '--port=9898', '--prefix=/podinfo/', '--host=0.0.0.0', '--secure-port=9899',
    '--cert-path=/data/cert', '--port-metrics=9797', '--grpc-port=9999', '--grpc-service-name=podinfo-grpc',
    '--backend-url=http://backend-a:9898/echo', '--backend-url=http://backend-b:9898/echo',
    '--cache-server=tcp://my-redis:6379', '--level=debug', '--random-delay=true', '--random-error=true',
    '--h2c', '--config-path=/config', '--config=podinfo.yaml', '--http-server-timeout=45s'
  ])
  assert.deepEqual(c.env, [
    { name: 'PODINFO_UI_MESSAGE', value: 'hello from values' },
    { name: 'PODINFO_UI_LOGO', value: 'https://example.com/logo.png' },
    { name: 'PODINFO_UI_COLOR', value: '#ff0000' },
    { name: 'PODINFO_BACKEND_URL', value: 'http://backend-podinfo:9898/echo' },
    { name: 'PODINFO_EXTRA', value: '1' }
  ])
  assert.deepEqual(c.ports, [
    { name: 'http', containerPort: 9898, protocol: 'TCP', hostPort: 8080 },
    { name: 'https', containerPort: 9899, protocol: 'TCP', hostPort: 8443 },
    { name: 'http-metrics', containerPort: 9797, protocol: 'TCP' },
    { name: 'grpc', containerPort: 9999, protocol: 'TCP' }
  ])
  // probe numbers of 0 take podinfo's template defaults
  assert.deepEqual(c.livenessProbe, {
    exec: { command: ['podcli', 'check', 'http', 'localhost:9898/podinfo/healthz'] },
    initialDelaySeconds: 1,
    timeoutSeconds: 5,
    failureThreshold: 3,
    successThreshold: 1,
    periodSeconds: 10
  })
  assert.equal(c.readinessProbe.periodSeconds, 5)
  assert.ok(c.startupProbe)
  assert.deepEqual(c.resources, values.resources)
  assert.deepEqual(spec.nodeSelector, values.nodeSelector)
  assert.deepEqual(spec.tolerations, values.tolerations)
  assert.deepEqual(spec.affinity, values.affinity)
  assert.deepEqual(spec.topologySpreadConstraints, values.topologySpreadConstraints)
  assert.equal(spec.priorityClassName, 'high-priority')
  assert.equal(spec.serviceAccountName, 'podinfo-sa')
  assert.equal(dep.spec.template.metadata.annotations['example.com/annotated'], 'yes')
  assert.deepEqual(spec.volumes.at(-1), { name: 'tls', secret: { secretName: 'podinfo-tls-secret' } })

  const svc = one(objs, 'Service', 'podinfo-app')
  assert.equal(svc.spec.type, 'NodePort')
  assert.equal(svc.metadata.labels?.team, 'a')
  assert.deepEqual(svc.metadata.annotations, { 'service.example.com/owner': 'team-a' })
  assert.deepEqual(svc.spec.ports.map((p: any) => [p.name, p.port, p.nodePort]), [
    ['http', 80, 31198], ['https', 9899, undefined], ['grpc', 9999, undefined]
  ])
  assert.equal(one(objs, 'ServiceAccount').metadata.name, 'podinfo-sa')
  assert.deepEqual(one(objs, 'ServiceAccount').imagePullSecrets, [{ name: 'sa-regcred' }])
  assert.equal(one(objs, 'HorizontalPodAutoscaler').spec.maxReplicas, 6)
  assert.equal(one(objs, 'PodDisruptionBudget').spec.maxUnavailable, 1)
  assert.equal(one(objs, 'ServiceMonitor').metadata.labels?.release, 'prometheus')
  assert.deepEqual(one(objs, 'Certificate').spec.dnsNames, ['podinfo', 'podinfo.example.com'])
  assert.equal(one(objs, 'Ingress').metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target'], '/')
  assert.deepEqual(one(objs, 'HTTPRoute').spec.rules[0].filters, values.httpRoute.rules[0].filters)
  assert.equal(one(objs, 'GRPCRoute').spec.rules.length, 2)
  assert.deepEqual(byKind(objs, 'Job').map((j) => j.metadata.name).sort(),
    ['podinfo-app-post-install', 'podinfo-app-pre-install', 'podinfo-app-pre-upgrade'])
  assert.deepEqual(one(objs, 'Job', 'podinfo-app-pre-upgrade').spec.template.spec.containers[0].command,
    ['sh', '-c', 'sleep 1\nexit 3\n'])
  assert.deepEqual(Object.keys(testPods(objs)).sort(),
    ['podinfo-app-cache-test', 'podinfo-app-grpc-test', 'podinfo-app-jwt-test', 'podinfo-app-service-test', 'podinfo-app-tls-test'])

  // `securityContext: {}` and `podSecurityContext: {}` (podinfo's defaults) keep the restricted
  // defaults; the only findings are the hostPorts this file asks for.
  assert.deepEqual(pssReport(objs), [
    'Deployment/podinfo-app: container podinfo: hostPort 8080',
    'Deployment/podinfo-app: container podinfo: hostPort 8443'
  ])
})

test('every pod, hook job and test pod passes Pod Security restricted with everything enabled', async () => {
  const tools = await getTools()
  const objs = await helmTemplate(tools.helm4, [
    '--set', 'redis.enabled=true', '--set', 'tls.enabled=true', '--set', 'faults.testFail=true',
    '--set', 'faults.testTimeout=true', '--set', 'hooks.preInstall.job.enabled=true',
    '--set', 'hooks.postRollback.job.enabled=true', '--set', 'serviceAccount.enabled=true'
  ])
  const pods = objs.flatMap(podSpecs)
  assert.equal(pods.length, 11) // app, redis, 2 hooks, 7 test pods
  assert.deepEqual(pssReport(objs), [])
})

test('the restricted check itself flags podinfo\'s upstream defaults', async () => {
  const tools = await getTools()
  const objs = await helmTemplate(tools.helm4, ['--set', 'securityContext=null', '--set', 'podSecurityContext=null'])
  const report = pssReport(objs)
  assert.ok(report.includes('Deployment/podinfo: container podinfo: allowPrivilegeEscalation != false'), report.join('\n'))
  assert.ok(report.includes('Deployment/podinfo: container podinfo: seccompProfile is unset'))
  assert.ok(report.some((r) => /^Pod\/podinfo-jwt-test-[a-z0-9]{5}: container curl: runAsNonRoot != true$/.test(r)))
})

const negative: Array<{ args: string[], helm4: RegExp, helm3: RegExp }> = [
  { args: ['--set', 'replicaCount=-1'], helm4: /at '\/replicaCount': minimum: got -1, want 0/, helm3: /replicaCount: Must be greater than or equal to 0/ },
  { args: ['--set', 'image.pullPolicy=Sometimes'], helm4: /at '\/image\/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'/, helm3: /image\.pullPolicy must be one of the following/ },
  { args: ['--set', 'image.repository='], helm4: /at '\/image\/repository': minLength: got 0, want 1/, helm3: /image\.repository: String length must be greater than or equal to 1/ },
  { args: ['--set', 'service.httpPort=70000'], helm4: /at '\/service\/httpPort': maximum: got 70,000, want 65,535/, helm3: /service\.httpPort: Must be less than or equal to 65535/ },
  { args: ['--set', 'probes.handler=tcpSocket'], helm4: /at '\/probes\/handler': value must be one of 'exec', 'httpGet'/, helm3: /probes\.handler must be one of the following/ },
  { args: ['--set', 'prefix=podinfo'], helm4: /at '\/prefix': 'podinfo' does not match pattern '\^\/'/, helm3: /prefix: Does not match pattern '\^\/'/ },
  { args: ['--set', 'hooks.postInstall.job.exitCode=300'], helm4: /at '\/hooks\/postInstall\/job\/exitCode': maximum: got 300, want 255/, helm3: /exitCode: Must be less than or equal to 255/ },
  { args: ['--set', 'hooks.onCrash.job.enabled=true'], helm4: /at '\/hooks': additional properties 'onCrash' not allowed/, helm3: /hooks: Additional property onCrash is not allowed/ },
  { args: ['--set', 'serviceMonitor.interval=15 seconds'], helm4: /at '\/serviceMonitor\/interval'/, helm3: /serviceMonitor\.interval: Does not match pattern/ }
]

for (const { args, helm4, helm3 } of negative) {
  test(`schema rejects ${args.join(' ')}`, async () => {
    const tools = await getTools()
    for (const [helm, message] of [[tools.helm4, helm4], [tools.helm3, helm3]] as const) {
      const res = await runTool(helm, ['template', 'podinfo', chartDir, ...args])
      assert.equal(res.code, 1, res.stdout)
      assert.match(res.stderr, /values don't meet the specifications of the schema/)
      assert.match(res.stderr, message)
    }
  })
}

test('kubeVersion floor is 1.23', async () => {
  const tools = await getTools()
  assert.equal((await runTool(tools.helm4, ['template', 'podinfo', chartDir, '--kube-version', '1.23.0'])).code, 0)
  const old = await runTool(tools.helm4, ['template', 'podinfo', chartDir, '--kube-version', '1.22.0'])
  assert.equal(old.code, 1)
  assert.match(old.stderr, /chart requires kubeVersion: >=1\.23\.0-0 which is incompatible with Kubernetes v1\.22\.0/)
})

test('the chart packages, and its version and appVersion follow package.json', async () => {
  const tools = await getTools()
  const chart = parse(await readFile(join(chartDir, 'Chart.yaml'), 'utf8'))
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'))
  assert.equal(chart.version, pkg.version)
  assert.equal(String(chart.appVersion), pkg.version)
  assert.equal(chart.kubeVersion, '>=1.23.0-0')
  const res = await runTool(tools.helm4, ['show', 'chart', chartDir])
  assert.equal(res.code, 0, res.stderr)
  assert.match(res.stdout, /^name: podinfo$/m)
})

test('no unknown fields: rendered objects type-check against the Kubernetes API types', { timeout: 180_000 }, async (t) => {
  const tools = await getTools()
  const { mkdir, writeFile, rm } = await import('node:fs/promises')
  const { stripNulls } = await import('./k8s.js')
  const renders = [
    await helmTemplate(tools.helm4),
    await helmTemplate(tools.helm4, ['-f', podinfoValues]),
    await helmTemplate(tools.helm4, ['--set', 'redis.enabled=true', '--set', 'tls.enabled=true', '--set', 'faults.testFail=true',
      '--set', 'faults.testTimeout=true', '--set', 'hooks.preInstall.job.enabled=true', '--set', 'probes.handler=httpGet',
      '--set', 'probes.startup.enable=true', '--set', 'serviceAccount.enabled=true'])
  ]
  const imports = new Map<string, string>()
  const lines: string[] = []
  for (const obj of renders.flat()) {
    const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [null, obj.apiVersion]
    if (!existsSync(join(repoRoot, 'node_modules', 'kubernetes-models', obj.apiVersion, `${obj.kind}.d.ts`))) continue // CRDs
    const type = `I${obj.kind}_${(group ?? 'core').replace(/\W/g, '_')}_${version}`
    imports.set(type, `import type { I${obj.kind} as ${type} } from 'kubernetes-models/${obj.apiVersion}/${obj.kind}'`)
    lines.push(`export const d${lines.length}: ${type} = ${JSON.stringify(stripNulls(obj))}`)
  }
  const dir = join(repoRoot, '.cache', 'typecheck-chart')
  await mkdir(dir, { recursive: true })
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, `rendered-${process.pid}.ts`)
  await writeFile(file, [...imports.values(), ...lines, ''].join('\n'))
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  const project = join(dir, `tsconfig-${process.pid}.json`)
  await writeFile(project, JSON.stringify({
    compilerOptions: { noEmit: true, strict: true, skipLibCheck: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: [] },
    files: [file]
  }))
  const res = await runTool(process.execPath, [tsc, '-p', project])
  assert.equal(res.code, 0, res.stdout.split('\n').slice(0, 10).join('\n'))
  assert.ok(lines.length >= 30, `${lines.length} objects checked`)
})

test('NOTES.txt tells how to reach the app (helm 4 install --dry-run=client)', async () => {
  const tools = await getTools()
  const notes = async (args: string[]) => {
    const res = await runTool(tools.helm4, ['install', 'podinfo', chartDir, '--dry-run=client', '--namespace', 'test', ...args])
    assert.equal(res.code, 0, res.stderr)
    return res.stdout.slice(res.stdout.indexOf('NOTES:'))
  }
  const clusterIp = await notes([])
  assert.match(clusterIp, /kubectl -n test port-forward deploy\/podinfo 8080:9898/)
  assert.match(clusterIp, /helm test podinfo --namespace test/)
  assert.match(await notes(['--set', 'prefix=/pi/']), /Visit http:\/\/127\.0\.0\.1:8080\/pi\//)
  assert.match(await notes(['--set', 'service.type=NodePort']), /echo http:\/\/\$NODE_IP:\$NODE_PORT\//)
  assert.match(await notes(['--set', 'ingress.enabled=true']), /http:\/\/podinfo\.local\//)
})

test('image tag defaults to the chart appVersion', async () => {
  const tools = await getTools()
  const objs = await helmTemplate(tools.helm4, ['--set', 'image.tag=', '--set', 'image.repository=example.com/podinfo-ts'])
  assert.equal(one(objs, 'Deployment').spec.template.spec.containers[0].image, 'example.com/podinfo-ts:6.14.1')
})
