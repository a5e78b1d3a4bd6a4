#!/bin/sh
# size-check.sh BIN BUDGET: fails, saying so, when BIN is over BUDGET bytes
# (SPEC §2: a budget is a guard, enforced, not a number printed).
# Used by `make`, `make cross` and `make check`'s test of the check itself.
set -e
bin=$1 budget=$2
size=$(stat -c %s "$bin")
echo "$bin: $size bytes (budget $budget)"
if [ "$size" -gt "$budget" ]; then
  echo "$bin is over its budget of $budget bytes" >&2
  exit 1
fi
