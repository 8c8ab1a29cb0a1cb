/**
 * The page at `/debug/pprof/` on the HTTP and metrics ports (spec §6.20, compat.md §1): Go's
 * profiles do not exist in Node, so the index says how to profile the process instead.
 */
export const PPROF_INDEX = `<html>
<head>
<title>/debug/pprof/</title>
</head>
<body>
/debug/pprof/<br>
<br>
Types of profiles available:<br>
This is podinfo-ts on Node.js: Go's pprof profiles are not available.<br>
Profile the process with Node's inspector instead (node --inspect, --cpu-prof, --heap-prof).<br>
</body>
</html>
`
