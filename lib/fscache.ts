import { EventEmitter } from 'node:events'
import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs'
import { join } from 'node:path'

/**
 * podinfo's config watcher (spec §12): an in-memory copy of the files in one directory,
 * reloaded when Kubernetes swaps the directory's `..data` symlink (the atomic writer behind
 * ConfigMap and Secret volumes renames `..data_tmp` to `..data` on every update).
 *
 * Where it is sturdier than podinfo (compat.md §2): a symlink to a directory is skipped
 * instead of killing the watcher; a key whose symlink is still dangling or not yet created
 * while the kubelet is mid-swap is read through `..data/` (the atomic view) instead of failing
 * the whole reload; and when the directory vanishes the watcher polls for it and reloads when
 * it is back, instead of going deaf.
 */

export interface WatcherLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface ConfigWatcherOptions {
  log: WatcherLogger
  /** How often to look for the directory again after it vanished (ms). */
  pollMs?: number
  /** Delay between a `..data` swap and the reload, to let the kubelet finish its links (ms). */
  settleMs?: number
}

interface WatcherEvents {
  reload: [files: Readonly<Record<string, string>>]
  reloadFailed: [err: Error]
}

const DATA_LINK = '..data'

/**
 * Reads the directory with podinfo's rules: entries that are not directories by their own
 * type (regular files and symlinks, followed when read) and whose name has no `..`.
 * Throws on any read error other than "is a directory" or "no longer exists".
 */
export function readConfigDir (dir: string): Record<string, string> {
  const files: Record<string, string> = {}
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(path).toString('utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EISDIR' || code === 'ENOENT') return undefined
      throw err
    }
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() || entry.name.includes('..')) continue
    const content = read(join(dir, entry.name))
    if (content !== undefined) files[entry.name] = content
  }
  // Kubernetes layout: `..data/` holds exactly the current payload, swapped atomically.
  const data = join(dir, DATA_LINK)
  if (isDirectory(data)) {
    for (const entry of readdirSync(data, { withFileTypes: true })) {
      if (entry.isDirectory() || entry.name.includes('..')) continue
      const content = read(join(data, entry.name))
      if (content !== undefined) files[entry.name] = content
    }
  }
  return files
}

function isDirectory (path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

export class ConfigWatcher extends EventEmitter<WatcherEvents> {
  readonly dir: string
  #files: Readonly<Record<string, string>> = {}
  #log: WatcherLogger
  #pollMs: number
  #settleMs: number
  #watcher: FSWatcher | undefined
  #poll: NodeJS.Timeout | undefined
  #settle: NodeJS.Timeout | undefined
  #closed = false

  constructor (dir: string, options: ConfigWatcherOptions) {
    super()
    this.dir = dir
    this.#log = options.log
    this.#pollMs = options.pollMs ?? 1000
    this.#settleMs = options.settleMs ?? 50
  }

  /** The current files, name → content. Empty until a load succeeded. */
  get files (): Readonly<Record<string, string>> {
    return this.#files
  }

  /**
   * Synchronous initial load, then watch. Returns false (and logs `config watch error`) when
   * the first read fails; the watcher still listens, so a later swap can recover.
   */
  start (): boolean {
    let ok = true
    try {
      this.#files = Object.freeze(readConfigDir(this.dir))
    } catch (err) {
      ok = false
      this.#log.error({ err, dir: this.dir }, 'config watch error')
    }
    this.#watch()
    return ok
  }

  /** Re-reads the directory now; on failure keeps the previous files. */
  reload (): boolean {
    if (this.#closed) return false
    try {
      this.#files = Object.freeze(readConfigDir(this.dir))
    } catch (err) {
      this.#log.error({ err }, `fscache update error ${(err as Error).message}`)
      this.emit('reloadFailed', err as Error)
      return false
    }
    this.#log.info({}, `fscache reload ${this.dir}`)
    this.emit('reload', this.#files)
    return true
  }

  close (): void {
    this.#closed = true
    this.#watcher?.close()
    this.#watcher = undefined
    clearInterval(this.#poll)
    clearTimeout(this.#settle)
  }

  #watch (): void {
    if (this.#closed) return
    let watcher: FSWatcher
    try {
      watcher = watch(this.dir, { persistent: false })
    } catch (err) {
      this.#log.warn({ err, dir: this.dir }, 'config watch error')
      this.#pollForDirectory()
      return
    }
    this.#watcher = watcher
    watcher.on('change', (_event, filename) => {
      if (!isDirectory(this.dir)) {
        this.#lost()
        return
      }
      // Only the creation (rename into place) of `..data` counts, as in podinfo.
      if (String(filename) === DATA_LINK && isDirectory(join(this.dir, DATA_LINK))) this.#scheduleReload()
    })
    watcher.on('error', (err) => {
      this.#log.warn({ err, dir: this.dir }, 'config watch error')
      this.#lost()
    })
  }

  #scheduleReload (): void {
    clearTimeout(this.#settle)
    this.#settle = setTimeout(() => this.reload(), this.#settleMs)
    this.#settle.unref()
  }

  /** The directory vanished: stop watching it and look for it until it is back. */
  #lost (): void {
    if (this.#closed || this.#poll !== undefined) return
    this.#watcher?.close()
    this.#watcher = undefined
    this.#log.warn({ dir: this.dir }, 'config directory vanished, waiting for it')
    this.#pollForDirectory()
  }

  #pollForDirectory (): void {
    if (this.#poll !== undefined) return
    this.#poll = setInterval(() => {
      if (!isDirectory(this.dir)) return
      clearInterval(this.#poll)
      this.#poll = undefined
      this.#watch()
      this.reload()
    }, this.#pollMs)
    this.#poll.unref()
  }
}
