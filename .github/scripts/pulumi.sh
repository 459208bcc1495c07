#!/usr/bin/env bash
# The pipeline's Pulumi commands, one place: preview with a saved plan, apply exactly a plan, verify after apply.
# usage: pulumi.sh preview <stack> <plan file> | up <stack> <plan file> | verify <stack>
set -euo pipefail

command=$1
stack=$2
policy=(--policy-pack policies)
if [ -f "policies/config/$stack.json" ]; then
  policy+=(--policy-pack-config "policies/config/$stack.json")
fi
# At most this many resource operations at once (the CLI's default is unbounded): IAM rate-limits its calls per
# account, and a fleet's thousands of them would otherwise end in throttling and retries.
parallel=(--parallel "${PULUMI_PARALLEL:-16}")

pulumi login "$PULUMI_BACKEND_URL"
case "$command" in
  preview)
    pulumi preview --stack "$stack" "${policy[@]}" "${parallel[@]}" --diff --save-plan "$3" | tee preview.txt
    {
      echo "## pulumi preview: $stack"
      echo '```'
      cat preview.txt
      echo '```'
    } >> "$GITHUB_STEP_SUMMARY"
    ;;
  up)
    pulumi up --stack "$stack" "${policy[@]}" "${parallel[@]}" --plan "$3" --yes
    ;;
  verify)
    # Nothing left to change, the cloud included (--refresh), and the guardrails still pass.
    pulumi preview --stack "$stack" "${policy[@]}" "${parallel[@]}" --refresh --expect-no-changes
    pulumi stack output --stack "$stack" --json > outputs.json
    python3 -c 'import json, sys; o = json.load(open("outputs.json")); sys.exit(0 if o.get("accountId") else "no accountId output")'
    ;;
  *)
    echo "unknown command: $command" >&2
    exit 2
    ;;
esac
