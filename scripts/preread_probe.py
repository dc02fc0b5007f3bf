"""Probe for pre-read passages (issue 35): can passages' llama.cpp KV states, each computed apart behind the system
prefix and kept as bytes, be placed one after another behind the cached prefix so that a question reads only its
own tokens? And how far do the next-token logits move from reading the whole prompt?

    python scripts/preread_probe.py [MODEL.gguf]

Four 900-character passages of a seed article, the chat template written out by hand (Qwen2.5's). Each passage is
read on sequence 1 over the system prefix's cells, its own cells are copied out (`llama_state_seq_get_data`) and
the prefix dropped; at question time each state is set into sequence 1, shifted to its place (`seq_add`, the
K-shift), copied to sequence 0 and the question read. Not part of the product; measurement only.
"""

from __future__ import annotations

import ctypes
import sys
import time
from pathlib import Path
from typing import Any

import llama_cpp
import numpy as np

from rag.llm import _two_sequences

ROOT = Path(__file__).resolve().parent.parent


def main(path: str) -> None:
    with _two_sequences():
        llm = llama_cpp.Llama(model_path=path, n_ctx=4096, n_batch=512, verbose=False)
    ctx = llm._ctx.ctx
    mem = llama_cpp.llama_get_memory(ctx)

    def tok(text: str) -> list[int]:
        return list(llm.tokenize(text.encode(), add_bos=False, special=True))

    def last() -> Any:
        return np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, -1), shape=(llm.n_vocab(),)).astype(
            np.float64).copy()

    def decode(tokens: list[int], start: int, seq: int) -> None:
        batch = llm._batch.batch
        for i, t in enumerate(tokens):
            batch.token[i], batch.pos[i], batch.logits[i] = t, start + i, False
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = seq
        batch.n_tokens = len(tokens)
        if llama_cpp.llama_decode(ctx, batch) != 0:
            raise RuntimeError("llama_decode failed")

    system = tok("<|im_start|>system\nAnswer from the passages below only, citing them as [n].\n\n")
    text = (ROOT / "seeds" / "004_93fa0684f6420914.txt").read_text()
    passages = [tok(f"[{i + 1}] " + text[a : a + 900] + "\n\n") for i, a in enumerate((0, 900, 1800, 2700))]
    question = tok("<|im_end|>\n<|im_start|>user\nHow old is Ri Il Gyu?<|im_end|>\n<|im_start|>assistant\n")
    prefix = len(system)

    whole = system + [t for p in passages for t in p] + question
    llm.reset()
    llama_cpp.llama_memory_clear(mem, True)
    started = time.perf_counter()
    llm.eval(whole)
    whole_s = time.perf_counter() - started
    ref = last()

    llm.reset()
    llama_cpp.llama_memory_clear(mem, True)
    llm.eval(system)
    states: list[tuple[bytes, int]] = []
    for p in passages:
        llama_cpp.llama_memory_seq_cp(mem, 0, 1, -1, -1)
        decode(p, prefix, 1)
        llama_cpp.llama_memory_seq_rm(mem, 1, 0, prefix)
        size = llama_cpp.llama_state_seq_get_size(ctx, 1)
        buf = (ctypes.c_uint8 * size)()
        llama_cpp.llama_state_seq_get_data(ctx, buf, size, 1)
        states.append((bytes(buf), len(p)))
        llama_cpp.llama_memory_seq_rm(mem, 1, -1, -1)

    started = time.perf_counter()
    at = prefix
    for data, n in states:
        buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if not llama_cpp.llama_state_seq_set_data(ctx, buf, len(data), 1):
            raise RuntimeError("a passage state could not be set")
        llama_cpp.llama_memory_seq_add(mem, 1, prefix, prefix + n, at - prefix)
        llama_cpp.llama_memory_seq_cp(mem, 1, 0, -1, -1)
        llama_cpp.llama_memory_seq_rm(mem, 1, -1, -1)
        at += n
    llm.input_ids[:at] = system + [t for p in passages for t in p]
    llm.n_tokens = at
    llm.eval(question)
    stitched_s = time.perf_counter() - started
    got = last()

    p_ref, p_got = np.exp(ref - ref.max()), np.exp(got - got.max())
    p_ref, p_got = p_ref / p_ref.sum(), p_got / p_got.sum()
    kl = float(np.sum(p_ref * (np.log(p_ref + 1e-12) - np.log(p_got + 1e-12))))
    out: list[int] = []
    for _ in range(16):
        out.append(int(last().argmax()))
        llm.eval(out[-1:])
    print(f"model {Path(path).name}; state bytes per passage token {round(len(states[0][0]) / states[0][1])}")
    print(f"whole prompt read {whole_s:.2f} s ({len(whole)} tokens); stitched {stitched_s:.2f} s "
          f"({len(question)} tokens read): {whole_s / stitched_s:.1f}x")
    print(f"first token whole {llm.detokenize([int(ref.argmax())])!r}, stitched {llm.detokenize([out[0]])!r}; "
          f"KL(whole || stitched) {kl:.3f}")
    print("stitched answer:", llm.detokenize(out).decode(errors="replace").split("<|im_end|>")[0])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
