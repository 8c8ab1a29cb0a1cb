import { runCli } from './program.js'

/** The `podcli` executable (spec §16). */
const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin })
process.exit(code)
