#!/usr/bin/env bash
# Fails when a C++ file differs from what clang-format (with the committed .clang-format) makes
# of it. `ci/check-format.sh --fix` rewrites the files instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' '*.h')
if [[ ${1:-} == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if ((${#bad[@]})); then
  printf 'not clang-formatted: %s\n' "${bad[@]}"
  echo "run ci/check-format.sh --fix" >&2
  exit 1
fi
