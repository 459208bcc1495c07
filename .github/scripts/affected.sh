#!/usr/bin/env bash
# Prints `preview=true` when <stack> differs from <base> and its preview environment has a role, else `preview=false`.
# usage: affected.sh <stack> <base ref> <preview role ARN, possibly empty>
set -euo pipefail

stack=$1
base=$2
role=$3
if [ -z "$role" ]; then
  echo "preview=false"
  exit 0
fi
.venv/bin/python -m render.diff "$stack" --base "$base" > /dev/null
changed=$(.venv/bin/python -c 'import json, sys; c = json.load(open(sys.argv[1]))["counts"]; print(sum(c.values()) > 0)' "build/diff/$stack.json")
if [ "$changed" = "True" ]; then
  echo "preview=true"
else
  echo "preview=false"
fi
