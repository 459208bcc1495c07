#!/usr/bin/env bash
# The split layout's stacks a push to main promotes, as JSON lists for a matrix: every account stack in stacks/, and
# the cluster stacks whose file or whose account stack's file changed since <base>, or all of them when the program
# changed (anything a render or the policy pack reads outside stacks/) or <base> is no commit here (a new branch).
# usage: split-stacks.sh <base commit>
# prints: accounts=["<account stack>", ...] and clusters=[{"stack": "<cluster stack>", "account": "<its account>"}, ...]
set -euo pipefail

base=$1
program='^(__main__\.py|Pulumi\.yaml|requirements\.txt|components/|foundation/|policies/)'
all=true
changed=""
if [ -n "$base" ] && git cat-file -e "$base^{commit}" 2>/dev/null; then
  changed=$(git diff --name-only "$base" HEAD)
  if ! grep -qE "$program" <<<"$changed"; then
    all=false
  fi
fi

setting() { sed -n "s|^  rosa-foundation:$1: *||p" "$2"; }
accounts=()
clusters=()
for file in stacks/Pulumi.*.yaml; do
  stack=${file#stacks/Pulumi.}
  stack=${stack%.yaml}
  case "$(setting layout "$file")" in
    account) accounts+=("$stack") ;;
    cluster)
      account=$(setting accountStack "$file")
      if $all || grep -qxF "$file" <<<"$changed" || grep -qxF "stacks/Pulumi.${account##*/}.yaml" <<<"$changed"; then
        clusters+=("$stack" "${account##*/}")
      fi
      ;;
  esac
done
python3 - "${#accounts[@]}" "${accounts[@]}" "${clusters[@]}" <<'PYTHON'
import json, sys
count, names = int(sys.argv[1]), sys.argv[2:]
accounts, pairs = names[:count], names[count:]
print(f"accounts={json.dumps(accounts)}")
print(f"clusters={json.dumps([{'stack': s, 'account': a} for s, a in zip(pairs[::2], pairs[1::2])])}")
PYTHON
