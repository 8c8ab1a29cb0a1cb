/**
 * Calls Node's `process.nextTick` a few thousand times before the server is built, so that
 * V8 compiles it well. server.ts imports this module first (in the esbuild bundle it runs
 * after the top-level code of the shared chunks, which ESM evaluates before server.js's own).
 *
 * V8 optimizes `process.nextTick` with the type feedback it has gathered by the time the
 * function gets hot. In most processes that started the application directly, the optimized
 * code then defined every property of the tick object it allocates through the runtime
 * instead of inline: ~280 ns per call instead of ~45 ns, measured inside the server under load
 * on Node 20 and 24, and an HTTP request makes about nine calls (socket writes, the end of the
 * request stream, the response's `finish`). Whether a process was hit changed from one start
 * to the next, and request throughput with it, by up to a quarter. With 3000 calls made here,
 * before the server was built, every process measured on `/healthz` was fast (1000 were not
 * enough). Not every case: on Node 24 under a 1 KiB echo load, 2 of 4 processes still spent
 * ~7.7% of their CPU time in `nextTick` instead of ~1.5% (V8 recompiles it under load), and
 * warming it up with extra arguments too did not change that.
 * The cost is startup time: the 3000 calls took 11–21 ms in the bundled server (measured in
 * place), with the callbacks still to run; `npm run bench` shows the effect.
 */
const CALLS = 3000
const noop = (): void => {}
for (let i = 0; i < CALLS; i++) process.nextTick(noop)
