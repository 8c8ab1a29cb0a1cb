import { EventEmitter } from 'node:events'

interface StateEvents {
  ready: [ready: boolean]
  healthy: [healthy: boolean]
}

/**
 * The process-wide probe and fault-injection flags (spec §6.8, §6.9). One instance is
 * created per server and shared by the HTTP routes and the gRPC health service, so a
 * `POST /readyz/disable` or a shutdown flips both.
 */
export class ServiceState extends EventEmitter<StateEvents> {
  #healthy = false
  #ready = false
  faultInjection = false
  /** Set when graceful shutdown begins (spec §14). */
  shuttingDown = false

  get healthy (): boolean { return this.#healthy }
  get ready (): boolean { return this.#ready }

  setHealthy (value: boolean): void {
    if (this.#healthy === value) return
    this.#healthy = value
    this.emit('healthy', value)
  }

  setReady (value: boolean): void {
    if (this.#ready === value) return
    this.#ready = value
    this.emit('ready', value)
  }
}
