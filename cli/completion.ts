import type { CobraCommand } from './cobra.js'

/**
 * Shell completion scripts for `podcli completion bash|zsh|fish|powershell`. They complete
 * command names and flags from a table generated out of the command tree.
 */

interface Node {
  path: string
  words: string[]
}

function table (root: CobraCommand): Node[] {
  const nodes: Node[] = []
  const walk = (cmd: CobraCommand, path: string): void => {
    const subs = (cmd.commands as CobraCommand[]).map((c) => c.name()).sort()
    const flags = ['--help', '-h', ...(cmd.spec.flags ?? []).flatMap((f) => f.short !== undefined ? [`--${f.name}`, `-${f.short}`] : [`--${f.name}`])]
    nodes.push({ path, words: [...subs, ...flags] })
    for (const sub of cmd.commands as CobraCommand[]) walk(sub, path === '' ? sub.name() : `${path} ${sub.name()}`)
  }
  walk(root, '')
  return nodes
}

export function bashCompletion (root: CobraCommand): string {
  const name = root.name()
  const cases = table(root).map((n) => `    "${n.path}") opts="${n.words.join(' ')}" ;;`).join('\n')
  return `# bash completion for ${name}
__${name}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) path="\${path:+$path }\${COMP_WORDS[i]}" ;; esac
  done
  local opts=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F __${name}_complete ${name}
`
}

export function zshCompletion (root: CobraCommand): string {
  return `#compdef ${root.name()}
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(root)}`
}

export function fishCompletion (root: CobraCommand): string {
  const name = root.name()
  const lines = [`# fish completion for ${name}`, `complete -c ${name} -f`]
  const walk = (cmd: CobraCommand, path: string[]): void => {
    const condition = path.length === 0
      ? '__fish_use_subcommand'
      : `__fish_seen_subcommand_from ${path[path.length - 1]}`
    for (const sub of cmd.commands as CobraCommand[]) {
      lines.push(`complete -c ${name} -n '${condition}' -a ${sub.name()} -d '${sub.spec.short.replace(/'/g, '')}'`)
      walk(sub, [...path, sub.name()])
    }
    if (path.length > 0) {
      for (const flag of cmd.spec.flags ?? []) {
        const short = flag.short !== undefined ? ` -s ${flag.short}` : ''
        const value = flag.type === 'bool' ? '' : ' -r'
        lines.push(`complete -c ${name} -n '${condition}' -l ${flag.name}${short}${value} -d '${flag.usage.replace(/'/g, '')}'`)
      }
    }
  }
  walk(root, [])
  return lines.join('\n') + '\n'
}

export function powershellCompletion (root: CobraCommand): string {
  const name = root.name()
  const entries = table(root).map((n) => `    '${n.path}' = @(${n.words.map((w) => `'${w}'`).join(', ')})`).join('\n')
  return `# powershell completion for ${name}
Register-ArgumentCompleter -Native -CommandName '${name}' -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $table = @{
${entries}
  }
  $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() } |
    Where-Object { -not $_.StartsWith('-') -and $_ -ne $wordToComplete })
  $path = $words -join ' '
  if ($table.ContainsKey($path)) {
    $table[$path] | Where-Object { $_ -like "$wordToComplete*" } |
      ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
  }
}
`
}
