#!/usr/bin/env bash
# A team server on one machine: a Chroma server (the library), a llama.cpp chat server (the model) and
# `rag serve` (UI + API) against them, all on loopback. Ctrl-C (or SIGTERM) stops all three.
#
#   make team                                  # or: scripts/team.sh [rag serve options]
#   TEAM_DATA=data/team  TEAM_CHROMA_PORT=8000  TEAM_LLM_PORT=8001  TEAM_INGEST=seeds/   RAG_PORT=7860
#   RAG_CHAT_MODEL=...  RAG_API_KEY=...  (every RAG_* setting applies to rag serve)
set -euo pipefail

BIN=${BIN:-.venv/bin}
DATA=${TEAM_DATA:-data/team}
CHROMA_PORT=${TEAM_CHROMA_PORT:-8000}
LLM_PORT=${TEAM_LLM_PORT:-8001}
mkdir -p "$DATA"

pids=()
stop() {
    trap - EXIT INT TERM
    [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() {  # URL NAME LOG: wait until the URL answers (up to 2 minutes)
    "$BIN/python" - "$1" "$2" "$3" <<'PY'
import sys, time, urllib.error, urllib.request
url, name, log = sys.argv[1:]
for _ in range(240):
    try:
        urllib.request.urlopen(url, timeout=2)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit(f"{name} did not start; see {log}")
PY
}

model=$("$BIN/rag" models path)  # the chat_model setting's file; fails with the fix when it is missing
"$BIN/chroma" run --path "$DATA/chroma" --host 127.0.0.1 --port "$CHROMA_PORT" >"$DATA/chroma.log" 2>&1 &
pids+=($!)
"$BIN/python" -m llama_cpp.server --model "$model" --host 127.0.0.1 --port "$LLM_PORT" \
    --n_ctx "${RAG_CONTEXT_LENGTH:-4096}" --n_threads "$(nproc)" >"$DATA/llm.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$CHROMA_PORT/api/v2/heartbeat" "chroma run" "$DATA/chroma.log"
wait_for "http://127.0.0.1:$LLM_PORT/v1/models" "the llama.cpp server" "$DATA/llm.log"
echo "chroma run on :$CHROMA_PORT, llama.cpp server on :$LLM_PORT ($model)"

export RAG_CHROMA_URL="http://127.0.0.1:$CHROMA_PORT" RAG_CHAT_SERVER="http://127.0.0.1:$LLM_PORT/v1"
export RAG_DATA_DIR="$DATA/rag"
if [ -n "${TEAM_INGEST:-}" ]; then
    "$BIN/rag" ingest "$TEAM_INGEST"
fi
"$BIN/rag" serve "$@" &
pids+=($!)
wait "${pids[-1]}"
