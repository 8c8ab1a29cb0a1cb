// GitHub workflows cannot run here; check what can be checked: they parse, every action is
// pinned to a commit, permissions are minimal, and the e2e installs the chart that exists.
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { repoRoot } from '../helm/k8s.js'

const dir = join(repoRoot, '.github', 'workflows')

async function workflows (): Promise<Array<{ file: string, text: string, doc: any }>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yml')).sort()
  return Promise.all(files.map(async (file) => {
    const text = await readFile(join(dir, file), 'utf8')
    return { file, text, doc: parse(text) }
  }))
}

test('the workflows exist: test, e2e, release, cve-scan', async () => {
  assert.deepEqual((await workflows()).map((w) => w.file), ['cve-scan.yml', 'e2e.yml', 'release.yml', 'test.yml'])
})

test('every action is pinned to a full commit SHA with its version in a comment', async () => {
  for (const { file, text, doc } of await workflows()) {
    for (const [name, job] of Object.entries<any>(doc.jobs)) {
      for (const step of job.steps ?? []) {
        if (!step.uses) continue
        assert.match(step.uses, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${file} ${name}: ${step.uses}`)
        const line = text.split('\n').find((l) => l.includes(step.uses))!
        assert.match(line, /# v\d+\.\d+\.\d+$/, `${file}: version comment for ${step.uses}`)
      }
    }
  }
})

test('read-only token by default; write scopes only on the release job', async () => {
  for (const { file, doc } of await workflows()) {
    assert.deepEqual(doc.permissions, { contents: 'read' }, file)
    for (const [name, job] of Object.entries<any>(doc.jobs)) {
      if (file === 'release.yml') {
        assert.deepEqual(job.permissions, { contents: 'read', packages: 'write', 'id-token': 'write', attestations: 'write' })
      } else {
        assert.equal(job.permissions, undefined, `${file} ${name}`)
      }
    }
  }
})

test('test runs lint, typecheck and the suite on Node 22 and 24 with CI=true', async () => {
  const { doc } = (await workflows()).find((w) => w.file === 'test.yml')!
  const job = doc.jobs.test
  assert.deepEqual(job.strategy.matrix.node, ['22', '24'])
  assert.equal(job.env.CI, 'true')
  const runs = job.steps.map((s: any) => s.run).filter(Boolean).join('\n')
  for (const cmd of ['npm ci', 'npx tsx scripts/get-tools.ts', 'npm run lint', 'npm run typecheck', 'npm test']) {
    assert.ok(runs.includes(cmd), cmd)
  }
})

test('e2e installs ./helm/podinfo with redis, hpa and 2 replicas, runs helm test, then again under restricted', async () => {
  const { doc } = (await workflows()).find((w) => w.file === 'e2e.yml')!
  const runs = doc.jobs['kind-helm'].steps.map((s: any) => s.run ?? '').join('\n')
  assert.match(runs, /helm upgrade --install --wait --timeout 5m podinfo \.\/helm\/podinfo/)
  for (const set of ['redis.enabled=true', 'hpa.enabled=true', 'replicaCount=2', 'image.repository=test/podinfo']) {
    assert.ok(runs.includes(`--set ${set}`), set)
  }
  assert.match(runs, /helm test podinfo --logs/)
  assert.match(runs, /pod-security\.kubernetes\.io\/enforce=restricted/)
  assert.match(runs, /helm test podinfo --namespace restricted/)
  const compose = doc.jobs.compose.steps.map((s: any) => s.run ?? '').join('\n')
  assert.match(compose, /docker compose up --build --wait/)
  assert.match(compose, /curl -sf -d 'hello' localhost:9898\/cache\/e2e/)
  assert.match(compose, /docker compose down -v/)
})

test('release builds amd64 + arm64 with SBOM and provenance and signs by digest', async () => {
  const { doc } = (await workflows()).find((w) => w.file === 'release.yml')!
  const steps = doc.jobs.release.steps
  const build = steps.find((s: any) => s.id === 'build')
  assert.equal(build.with.platforms, 'linux/amd64,linux/arm64')
  assert.equal(build.with.sbom, true)
  assert.equal(build.with.provenance, 'mode=max')
  const runs = steps.map((s: any) => s.run ?? '').join('\n')
  assert.match(runs, /cosign sign --yes "\$\{IMAGE_REF\}@\$\{DIGEST\}"/)
})
