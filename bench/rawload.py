"""Baseline for memory: llama-cpp-python loading a model and answering one short prompt, nothing else."""

import sys

from llama_cpp import Llama

if __name__ == "__main__":
    llm = Llama(model_path=sys.argv[1], n_ctx=4096, verbose=False)
    llm.create_chat_completion(messages=[{"role": "user", "content": "Say hello."}], max_tokens=8)
