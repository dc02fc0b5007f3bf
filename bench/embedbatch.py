"""`python -m bench.embedbatch MODELS_DIR BUDGET WORDS N`: embedding speed at one batch token budget.

Run under `bench.peak` in its own process, so the peak memory measured is this budget's alone.
Prints {"texts_per_s": ...}, the best of two passes over N passages of about WORDS words.
"""

import json
import sys
from pathlib import Path

from bench.common import best_of
from bench.corpus import passages
from rag.embeddings import OnnxEmbedder

if __name__ == "__main__":
    models, budget, words, n = Path(sys.argv[1]), *(int(x) for x in sys.argv[2:5])
    base = models / "all-minilm-l6-v2-int8"
    embedder = OnnxEmbedder(base / "model.onnx", base / "tokenizer.json", batch_tokens=budget)
    texts = passages(n, words)
    embedder.embed(texts[:16])  # loaded and warm
    print(json.dumps({"texts_per_s": n / best_of(lambda: embedder.embed(texts), 2)}))
