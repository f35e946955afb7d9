# Shell helpers for scripts that run mtkemu (sourced, not run).
#
#   mtkemu_start BIN CONFIG LOG   starts BIN --config CONFIG --port 0 in the background, waits
#                                 until it listens, and sets MTKEMU_PID and MTKEMU_PORT; on
#                                 failure prints the log and returns 1.
#   mtkemu_stop                   stops it (SIGTERM) and waits for it.
mtkemu_start() {
  local bin=$1 config=$2 log=$3
  "$bin" --config "$config" --port 0 >"$log" 2>&1 &
  MTKEMU_PID=$!
  MTKEMU_PORT=""
  for _ in $(seq 200); do
    MTKEMU_PORT=$(sed -n 's/^mtkemu: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$log")
    [[ -n $MTKEMU_PORT ]] && return 0
    kill -0 "$MTKEMU_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "mtkemu did not start:" >&2
  cat "$log" >&2
  return 1
}

mtkemu_stop() {
  [[ -n ${MTKEMU_PID:-} ]] || return 0
  kill -TERM "$MTKEMU_PID" 2>/dev/null || true
  wait "$MTKEMU_PID" 2>/dev/null || true
  MTKEMU_PID=""
}
