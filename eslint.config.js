import neostandard from 'neostandard'

export default neostandard({
  ts: true,
  ignores: ['dist/**', 'grpc/gen/**', 'coverage/**', '.cache/**', 'ui/vendor/**']
})
