"""Text generation: the Generator seam and its in-process llama.cpp implementation."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, get_args, runtime_checkable

from rag.errors import ModelLoadError, ModelNotFoundError
from rag.preread import PassageStates, state_key
from rag.types import KvType

log = logging.getLogger(__name__)

Message = dict[str, str]

KEEP_MIN_TOKENS = 64  # shorter prompt heads (no passages in them) are not worth keeping
KEEP_MIN_GAIN = 16  # a kept prefix is copied back only when it spares reading at least this many more tokens
PREFIXES_FORMATTED = 4  # prompt prefixes whose tokens are kept (the library alone, a conversation read ahead, ...)
STOP_STEP = 16  # a read that may be stopped (a question's passages read while it is typed) reads this many at a time


class Generator(Protocol):
    """Writes a chat reply token by token."""

    @property
    def name(self) -> str:
        """The model's name (file name for a GGUF)."""
        ...

    @property
    def context_length(self) -> int:
        """Tokens of context available to prompt plus answer."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens of a text in this model's vocabulary."""
        ...

    def stream(self, messages: list[Message], *, max_tokens: int, temperature: float) -> Iterator[str]:
        """The reply, piece by piece."""
        ...

    def close(self) -> None:
        """Free the model (or the connection)."""
        ...

    @property
    def prompt_tokens_read(self) -> int | None:
        """Prompt tokens the model actually read for its last reply (the rest came from its cache); None if unknown."""
        ...


class Judge(Protocol):
    """A model that can say how likely "yes" is as its reply, without writing it."""

    def yes_probability(self, messages: list[Message], then: list[Message] | None = None) -> float:
        """P(yes) / (P(yes) + P(no)) for the reply's first token.

        `then`: the messages the next reply is likely to be written for. A judge may read their prompt alongside
        (llama.cpp: in the same batch, as a second sequence), so that reply starts writing without reading more.
        """
        ...


@runtime_checkable
class PrefixCaching(Protocol):
    """A model that can keep (and save and restore) a prompt prefix in its KV cache."""

    def ensure_prefix(self, messages: list[Message], cache_file: Path | None = None, lead: str = "",
                      read: bool = True, stop: Callable[[], bool] | None = None) -> str:
        """Have the prefix these messages (and a next message starting with `lead`) share with any question after
        them in the KV cache: "warm", "recalled", "restored" or "computed"; with `read` False, only when it is
        there or kept ("missing" when not). With `stop`, read a few tokens at a time and end early ("stopped",
        what was read staying in the cache) once it says so."""
        ...

    def model_key(self) -> str:
        """What a kept prompt state depends on besides its tokens (the model file, the runtime, the KV type)."""
        ...


@dataclass(frozen=True)
class Placed:
    """How a prompt's passages came into the KV cache: already there, from kept states, or read now."""

    passages: int  # passages in the prompt
    cached: int = 0  # already in the KV cache (the last question's, or a kept prompt head)
    loaded: int = 0  # placed from their pre-read states
    computed: int = 0  # read now (no state yet, or a bad one), then kept
    tokens_read: int = 0  # prompt tokens llama.cpp read to place them (the numbers before each passage, and misses)
    stopped: bool = False  # `stop` said so before the last passage was placed (what was read is kept as states)


@runtime_checkable
class PassageReading(Protocol):
    """A model that can place passages read earlier (pre-read KV states) behind its cached prompt head."""

    def place_passages(self, messages: list[Message], passages: list[tuple[str, str, str]], until: str = "",
                       stop: Callable[[], bool] | None = None,
                       company: Sequence[Sequence[int]] | None = None) -> Placed | None:
        """Have the prompt of `messages` in the KV cache up to the end of its passages, each from its kept state
        when there is one. `passages`: (chunk id, number text, passage text) in prompt order, each number and
        passage text appearing in the messages one after the other. `until`: the text after the passages up to
        this (the instruction before the question) is kept and placed the same way. `stop` is asked between
        passages and every few tokens read, and ends the placing when it says so (`Placed.stopped`). `company`:
        for each passage, the indexes of the passages before it whose tokens its state must have been read over
        (`rag.preread.companies`); None = any state of the passage serves. None when this model or prompt can't
        be stitched (the caller's prompt is then read whole, as before)."""
        ...

    def read_head(self, messages: list[Message], upto: str) -> int:
        """Have the prompt of `messages` in the KV cache through the first `upto` (where passages would start), so
        the first question of a session does not read it; the tokens read (0 when it was there)."""
        ...


_GGUF_MAGIC = b"GGUF"


def _damaged_model(path: Path, why: str, model_id: str | None = None) -> str:
    size = path.stat().st_size if path.exists() else 0
    fix = (f"fetch it again with `rag models pull {model_id} --force` (`rag doctor` checks every model file)"
           if model_id else "replace it with a complete .gguf file, or choose a catalogue model (`rag models list`)")
    return (f"the model file {path} cannot be used: {why} ({size / 1e6:.1f} MB); it is damaged or not a GGUF "
            f"model. {fix}")


def check_gguf(path: Path, model_id: str | None = None) -> None:
    """Refuse a file that is not a GGUF model at all, in one line with the fix, before llama.cpp reads it."""
    with open(path, "rb") as fh:
        if fh.read(len(_GGUF_MAGIC)) != _GGUF_MAGIC:
            raise ModelLoadError(_damaged_model(path, "it does not start like a GGUF file", model_id))


class ModelLock:
    """A re-entrant lock that any thread may release.

    A streamed reply holds the model between tokens. When a web server abandons a reply (its page closed, the user
    pressed Stop), the reply's generator is closed from another thread than the one that took the lock; a
    `threading.RLock` then refuses the release and stays held, so every later question waits forever. Re-entry is
    still per thread, as with an RLock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float = -1) -> bool:
        """Take the lock (again, when this thread holds it); False when `timeout` seconds pass first."""
        me = threading.get_ident()
        if self._owner == me:
            self._depth += 1
            return True
        if not self._lock.acquire(timeout=timeout):
            return False
        self._owner, self._depth = me, 1
        return True

    def release(self) -> None:
        """Give one level back; the last one frees the lock, whichever thread calls it."""
        self._depth -= 1
        if self._depth <= 0:
            self._owner, self._depth = None, 0
            self._lock.release()

    def locked(self) -> bool:
        """Whether some thread holds it."""
        return self._lock.locked()

    def __enter__(self) -> ModelLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class LlamaCppGenerator:
    """A GGUF model run in-process by llama-cpp-python; the chat template comes from the file."""

    def __init__(
        self,
        model_path: Path,
        *,
        context_length: int = 4096,
        threads: int = 2,
        batch_size: int = 512,
        kv_type: KvType = "f16",
        seed: int = 0,
        model_id: str | None = None,
        prefix_memory_mb: int = 0,
        question_marker: str = "",
        read_beside: bool = True,
        passage_states: PassageStates | None = None,
        model_hash: str = "",
        recompute_start: int = 0,
        recompute_end: int = 0,
    ) -> None:
        self.model_path = Path(model_path)
        # Pre-read passages (rag/preread.py): None = every passage is read with its question.
        self.passage_states = passage_states
        self._model_hash = model_hash  # the file's sha256 when known (the catalogue's); else a quick fingerprint
        self._model_key = ""
        self._stitch_failed = False
        self.recompute_start = recompute_start  # pre-read passages: tokens at each passage's start read in place
        self.recompute_end = recompute_end  # ... and at its end
        # A check with the answer's messages (`yes_probability(..., then=...)`) reads both in one batch; False
        # reads them one after the other (the benchmark's comparison).
        self.read_beside = read_beside
        self.model_id = model_id  # the catalogue id, when the file came from the catalogue (for error messages)
        self._n_ctx = context_length
        self.threads = threads
        self.batch_size = batch_size
        if kv_type not in KV_TYPES:
            raise ValueError(f"kv_type {kv_type!r} is not one of {', '.join(KV_TYPES)}")
        self.kv_type = kv_type
        self.seed = seed
        self._llm: Any = None
        self._formatter: Any = None
        # The last few prompt prefixes' tokens (formatting a whole library takes ~13 ms): the library's own, and a
        # conversation's read ahead, are asked for in turn.
        self._prefix: OrderedDict[str, list[int]] = OrderedDict()
        self._yes_no: tuple[set[int], set[int]] = (set(), set())
        # Prompt prefixes read before, kept as llama.cpp sequence states (KV cache only, no logits), newest last.
        self._saved: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        self.prefix_memory = prefix_memory_mb * 2**20
        # Where a question's own words start in its message: everything before (instructions, passages, the
        # conversation) is kept, so another question over the same passages reads only its own words.
        self.question_marker = question_marker
        self.last_prompt_tokens = 0
        self.last_cached_tokens = 0
        self.last_prompt_eval = 0
        self._ahead = 0  # the answer's prompt tokens read beside the last check (its generation reads none)
        self.tokens_read = 0  # prompt tokens llama.cpp has read in all (the rest came from its cache or kept heads)
        # llama.cpp contexts are not thread-safe: one generation (and one tokenisation) at a time.
        self._lock = ModelLock()

    @property
    def name(self) -> str:
        """The GGUF file name without its extension."""
        return self.model_path.stem

    @property
    def context_length(self) -> int:
        """The context window allocated for this model."""
        return self._n_ctx

    @property
    def prompt_tokens_read(self) -> int | None:
        """Prompt tokens llama.cpp evaluated for the last reply (from its perf counters)."""
        return self.last_prompt_eval

    @property
    def loaded(self) -> bool:
        """Whether the weights are in memory."""
        return self._llm is not None

    def load(self) -> None:
        """Load the weights (done lazily on first use)."""
        with self._lock:
            if self._llm is not None:
                return
            if not self.model_path.is_file():
                raise ModelNotFoundError(f"model file {self.model_path} is missing; fetch it with `rag models pull`")
            import llama_cpp
            from llama_cpp import Llama

            log.info("loading %s (%d threads, context %d)", self.model_path.name, self.threads, self._n_ctx)
            check_gguf(self.model_path, self.model_id)
            try:
                with _two_sequences():
                    self._llm = Llama(
                        model_path=str(self.model_path),
                        n_ctx=self._n_ctx,
                        n_threads=self.threads,
                        n_threads_batch=self.threads,
                        n_batch=self.batch_size,
                        seed=self.seed,
                        **_kv_arguments(self.kv_type),
                        verbose=False,
                    )
            except ValueError as exc:
                raise ModelLoadError(
                    _damaged_model(self.model_path, "llama.cpp could not load it", self.model_id)
                ) from exc
            if self.read_beside and int(llama_cpp.llama_n_seq_max(self._llm._ctx.ctx)) < 2:
                log.info("this llama.cpp context holds one sequence: checks and answers are read one after the other")
                self.read_beside = False
            trained = int(self._llm.n_ctx())
            if trained < self._n_ctx:
                log.info("model trained on %d tokens of context; using that", trained)
                self._n_ctx = trained

    def count_tokens(self, text: str) -> int:
        """Tokens of a text in the model's vocabulary."""
        self.load()
        with self._lock:
            return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(self, messages: list[Message], *, max_tokens: int, temperature: float) -> Iterator[str]:
        """Stream a chat completion; holds the model for the whole reply."""
        import llama_cpp

        self.load()
        with self._lock:
            llama_cpp.llama_perf_context_reset(self._llm._ctx.ctx)
            before = self.tokens_read
            self._keep_head(messages)
            chunks = self._llm.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens,
                temperature=temperature,
                seed=self.seed,
                stream=True,
            )
            first = True
            for chunk in chunks:
                if first:
                    # Prompt tokens llama.cpp actually read for this reply (the rest came from the KV cache).
                    # (llama.cpp reports at least 1, also when the whole prompt was read beside a check before)
                    read = int(llama_cpp.llama_perf_context(self._llm._ctx.ctx).n_p_eval)
                    self.tokens_read = before + read
                    self.last_prompt_eval = self._ahead if self._ahead and read <= 1 else read
                    self._ahead = 0
                    first = False
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece

    def kv_bytes_per_token(self) -> int:
        """KV cache bytes one token of context takes (keys and values in every layer, f16 or q8_0)."""
        self.load()
        meta = self._llm.metadata
        arch = meta.get("general.architecture", "llama")
        layers = int(meta.get(f"{arch}.block_count", 0))
        heads = int(meta.get(f"{arch}.attention.head_count", 1))
        kv_heads = int(meta.get(f"{arch}.attention.head_count_kv", heads))
        head_dim = int(meta.get(f"{arch}.attention.key_length", int(meta.get(f"{arch}.embedding_length", 0)) // heads))
        values = 2 * layers * kv_heads * head_dim
        return values * 2 if self.kv_type == "f16" else values * 34 // 32  # q8_0: 32 values in 34 bytes

    def _format(self, messages: list[Message]) -> list[int]:
        """The prompt tokens of chat messages, formatted with the model's own chat template."""
        text, bos = self._formatted(messages)
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=bos, special=True))

    def _formatted(self, messages: list[Message]) -> tuple[str, bool]:
        """The prompt text of chat messages, and whether a BOS token goes before it."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self._llm
        if self._formatter is None:
            template = llm.metadata.get("tokenizer.chat_template")
            if not template:
                raise ModelNotFoundError(f"{self.model_path.name} has no chat template in its metadata")
            eos, bos = llm.token_eos(), llm.token_bos()
            self._formatter = Jinja2ChatFormatter(
                template=template,
                eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
                bos_token=llm._model.token_get_text(bos) if bos != -1 else "",
            )
        formatted = self._formatter(messages=messages)
        return formatted.prompt, not formatted.added_special

    def _prefix_tokens(self, messages: list[Message], lead: str = "") -> list[int]:
        """The tokens every question after these messages starts with, when its message starts with `lead`
        (cached: the library is long)."""
        key = "\x00".join([lead, *(f"{m['role']}\x01{m['content']}" for m in messages)])
        if key not in self._prefix:
            one = self._format([*messages, {"role": "user", "content": f"{lead}A"}])
            two = self._format([*messages, {"role": "user", "content": f"{lead}B"}])
            cut = next((i for i, (a, b) in enumerate(zip(one, two, strict=False)) if a != b), len(one))
            self._prefix[key] = one[:cut]
            while len(self._prefix) > PREFIXES_FORMATTED:
                self._prefix.popitem(last=False)
        self._prefix.move_to_end(key)
        return self._prefix[key]

    def _shared(self, tokens: list[int]) -> int:
        """How many of `tokens` the KV cache holds already, from the start."""
        return _common(self._llm._input_ids, tokens)

    def ensure_prefix(self, messages: list[Message], cache_file: Path | None = None, lead: str = "",
                      read: bool = True, stop: Callable[[], bool] | None = None) -> str:
        """Have the prompt prefix these messages start every question with (when its message starts with `lead`) in
        the KV cache.

        "warm" when it already is; "recalled" when it is one of the prefixes kept in memory (`prefix_memory_mb`);
        "restored" when it was loaded from `cache_file` (saved by an earlier process); "computed" when it was read
        now (then saved to `cache_file`, and kept in memory). With `read` False, "missing" where it would have been
        restored or read (the KV cache is left as it was). With `stop`, the prefix is read STOP_STEP tokens at a
        time, asking `stop()` before each, and "stopped" once it says True: what was read stays in the KV cache, so
        a prompt that starts the same way goes on from there.
        """
        import ctypes

        import llama_cpp

        self.load()
        with self._lock:
            llm = self._llm
            tokens = self._prefix_tokens(messages, lead)
            if self._shared(tokens) == len(tokens):
                if tuple(tokens) in self._saved:
                    self._saved.move_to_end(tuple(tokens))
                return "warm"
            if self._recall(tokens) == len(tokens):
                return "recalled"
            if not read:
                return "missing"
            ctx = llm._ctx.ctx
            if cache_file is not None and cache_file.is_file():
                llm._ctx.kv_cache_seq_rm(-1, 0, -1)
                llm.n_tokens = 0
                out = (llama_cpp.llama_token * llm.n_ctx())()
                count = ctypes.c_size_t(0)
                ok = llama_cpp.llama_state_seq_load_file(ctx, str(cache_file).encode(), 0, out, llm.n_ctx(),
                                                         ctypes.byref(count))
                if ok and list(out[: count.value]) == tokens:
                    llm.input_ids[: len(tokens)] = tokens
                    llm.n_tokens = len(tokens)
                    # Read the last token again: the weights are mapped from disk lazily and a restore computes
                    # nothing, so without this the first question would pay for loading them.
                    llm.n_tokens -= 1
                    llm.eval(tokens[-1:])
                    self._keep(tokens)
                    return "restored"
                log.warning("prompt cache %s does not match; reading the prefix again", cache_file)
                llm._ctx.kv_cache_seq_rm(-1, 0, -1)
                llm.n_tokens = 0
            if not self._read(tokens, stop):
                return "stopped"
            if cache_file is not None:
                cache_file.parent.mkdir(parents=True, exist_ok=True)
                partial = cache_file.with_suffix(".partial")
                array = (llama_cpp.llama_token * len(tokens))(*tokens)
                if llama_cpp.llama_state_seq_save_file(ctx, str(partial).encode(), 0, array, len(tokens)):
                    partial.replace(cache_file)  # a crash never leaves a half-written cache under the real name
            return "computed"

    def _read(self, tokens: list[int], stop: Callable[[], bool] | None = None) -> bool:
        """Have exactly `tokens` in the KV cache: what is there or kept in memory is reused, the rest is read, and
        the result is kept. With `stop`, read STOP_STEP tokens at a time and give up (False) once it says so."""
        llm = self._llm
        llm.n_tokens = self._recall(tokens)
        if llm.n_tokens < len(tokens):
            step = len(tokens) if stop is None else STOP_STEP
            while llm.n_tokens < len(tokens):
                if stop is not None and stop():
                    return False
                piece = tokens[llm.n_tokens : llm.n_tokens + step]
                self.tokens_read += len(piece)
                llm.eval(piece)
            self._keep(tokens)
        return True

    def _keep_head(self, messages: list[Message]) -> None:
        """Before a prompt is read: everything before the question's own words (after `question_marker` in the last
        message) from memory when it was read before, else read and kept, so a later question over the same
        passages reads only its own words."""
        last = messages[-1]
        at = last["content"].rfind(self.question_marker) if self.question_marker else -1
        if self.prefix_memory <= 0 or at < 0 or last.get("role") != "user":
            return
        tokens = self._prefix_tokens(messages[:-1], last["content"][: at + len(self.question_marker)])
        if len(tokens) >= KEEP_MIN_TOKENS and self._shared(tokens) < len(tokens):
            self._read(tokens)

    def _recall(self, tokens: list[int]) -> int:
        """Put the kept prefix that shares the most of `tokens` in the KV cache, when it shares more than what is
        there now (by enough to be worth a copy); returns the tokens the KV cache now shares with `tokens`."""
        import llama_cpp

        shared = self._shared(tokens)
        best, most = None, shared + KEEP_MIN_GAIN
        for key in self._saved:
            n = _common(key, tokens)
            if n > most:
                best, most = key, n
        if best is None:
            return shared
        state = self._saved[best]
        self._saved.move_to_end(best)
        llm = self._llm
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        llm.n_tokens = 0
        if not llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, state, len(state), 0):
            log.warning("a kept prompt prefix could not be restored; reading it again")
            del self._saved[best]
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)
            return 0
        llm.input_ids[: len(best)] = best
        llm.n_tokens = len(best)
        return self._shared(tokens)

    def _keep(self, tokens: list[int]) -> None:
        """Keep the KV cache, which holds exactly `tokens`, in memory; the least recently used go first."""
        import ctypes

        import llama_cpp

        if self.prefix_memory <= 0:
            return
        ctx = self._llm._ctx.ctx
        size = int(llama_cpp.llama_state_seq_get_size(ctx, 0))
        if size > self.prefix_memory:
            return
        state = (ctypes.c_uint8 * size)()
        if not llama_cpp.llama_state_seq_get_data(ctx, state, size, 0):
            return
        key = tuple(tokens)
        self._saved[key] = state
        self._saved.move_to_end(key)
        while sum(len(s) for s in self._saved.values()) > self.prefix_memory:
            self._saved.popitem(last=False)

    @property
    def kept_prefixes(self) -> int:
        """How many prompt prefixes are kept in memory."""
        return len(self._saved)

    def yes_probability(self, messages: list[Message], then: list[Message] | None = None) -> float:
        """P("yes") against P("no") as the reply's first token, read from the logits (no text is sampled).

        The prompt is evaluated after the longest prefix it shares with the last one, so asking over the passages
        an answer will use costs only the new tokens, and the answer that follows reuses the passages too.

        With `then` (the answer's messages, which share the check's prompt up to where the request begins), the
        answer's own remaining tokens (its chat template's turn markers) are read in the same llama.cpp batch as
        the request, as a second sequence over the same cached prefix: one pass over the weights instead of two,
        and the answer that follows samples its first token at once (llama-cpp-python skips a prompt it finds
        whole in the cache with fresh logits).
        """
        import llama_cpp
        import numpy as np

        self.load()
        with self._lock:
            llm = self._llm
            tokens = self._format(messages)
            self._keep_head(messages)
            if not self._yes_no[0]:
                self._yes_no = (_first_tokens(llm, ("yes", "Yes", " yes", " Yes")),
                                _first_tokens(llm, ("no", "No", " no", " No")))
            shared = self._shared(tokens)
            llm.n_tokens = min(shared, len(tokens) - 1)  # at least one token is evaluated, so logits are fresh
            self.last_prompt_tokens, self.last_cached_tokens = len(tokens), llm.n_tokens
            self._ahead = 0
            at = self._read_beside(tokens, self._format(then)) if then is not None and self.read_beside else None
            if at is None:
                self.tokens_read += len(tokens) - llm.n_tokens
                llm.eval(tokens[llm.n_tokens :])
                at = -1
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, at), shape=(llm.n_vocab(),))
            yes, no = (logits[list(ids)].astype(np.float64) for ids in self._yes_no)
            top = max(yes.max(), no.max())
            p_yes, p_no = np.exp(yes - top).sum(), np.exp(no - top).sum()
            return float(p_yes / (p_yes + p_no))

    def _read_beside(self, check: list[int], answer: list[int]) -> int | None:
        """Read the check's new tokens (sequence 1) and the answer's (sequence 0) in one batch over the cached
        prefix; afterwards the KV cache holds the answer's prompt, with the logits for its first token last.
        Returns the batch index of the check's last token, or None when this does not apply (nothing of the
        answer is left to read, the batch or the context would overflow, or llama.cpp refused the batch)."""
        import llama_cpp

        llm = self._llm
        start = llm.n_tokens
        fork = _common(check, answer)  # where the request begins: before it, both prompts are the same tokens
        if not start <= fork < min(len(check), len(answer)):
            return None
        both, own, ahead = answer[start:fork], check[fork:], answer[fork:]
        size = len(both) + len(own) + len(ahead)
        if size > llm.n_batch or start + size > llm.n_ctx():
            return None
        llm._ctx.kv_cache_seq_rm(-1, start, -1)
        llm._ctx.kv_cache_seq_cp(0, 1, 0, start)  # the request reads the cached prefix too (shared cells, no copy)
        batch = llm._batch.batch
        rows: list[tuple[int, int, tuple[int, ...], bool]] = [(t, start + i, (0, 1), False) for i, t in enumerate(both)]
        rows += [(t, fork + i, (1,), i == len(own) - 1) for i, t in enumerate(own)]
        rows += [(t, fork + i, (0,), i == len(ahead) - 1) for i, t in enumerate(ahead)]
        _fill_batch(batch, rows)
        status = llama_cpp.llama_decode(llm._ctx.ctx, batch)
        llm._ctx.kv_cache_seq_rm(1, -1, -1)
        if status != 0:
            log.warning("llama.cpp refused the check and the answer in one batch (%d); reading them apart", status)
            llm._ctx.kv_cache_seq_rm(-1, start, -1)
            return None
        llm.input_ids[start : len(answer)] = answer[start:]
        llm.n_tokens = len(answer)
        llm._requires_eval = False  # the last logits are the answer's: its generation samples without reading
        self.tokens_read += size
        self._ahead = len(ahead)
        return len(both) + len(own) - 1

    # ---- pre-read passages -------------------------------------------------------------------------------------

    def model_key(self) -> str:
        """What a pre-read state depends on besides its tokens: the model file, llama.cpp's version, the KV type."""
        if not self._model_key:
            import llama_cpp

            fingerprint = self._model_hash or _quick_hash(self.model_path)
            self._model_key = f"{fingerprint}|llama-cpp-python {llama_cpp.__version__}|kv {self.kv_type}"
        return self._model_key

    def place_passages(self, messages: list[Message], passages: list[tuple[str, str, str]], until: str = "",
                       stop: Callable[[], bool] | None = None,
                       company: Sequence[Sequence[int]] | None = None) -> Placed | None:
        """Have the prompt of `messages` in the KV cache through its last passage (and through the first `until`
        after it), each passage from its pre-read state, or read where it stands and kept when it has none.

        A passage's state is its own cells as it was first read in a prompt, over the passages before it there
        (read alone, the passages of a library of look-alikes were answered from worse: docs/evaluation.md). Placing
        one: its cells are set into a scratch sequence, shifted to the passage's place (the K-shift,
        `llama_memory_seq_add`) and copied into the prompt's sequence. The numbers before placed passages ("[2]")
        depend on the place, so they are read at question time, in one batch, each number on its own sequence that
        holds everything before it. A passage with no state is read in place, over everything before it (the
        numbers of the passages placed before it read first), and kept. The text after the passages up to `until`
        (the end of the instructions' message before the question, the same for every question) is one more piece,
        kept as a state read behind the prompt head alone. `stop` (a question's passages placed while it is typed)
        is asked between passages and every STOP_STEP tokens read; when it says so, the passages read so far stay
        kept as states, the KV cache keeps the prompt head, and `Placed.stopped` says so. None (the prompt is then
        read whole) when there is no state store, or the prompt's tokens don't split at the passages' edges (a
        tokenizer that merges across them).
        """
        import llama_cpp.llama_cpp as lib

        if self.passage_states is None or not passages:
            return None
        self.load()
        with self._lock:
            layout = self._layout(messages, passages, until.rstrip())
            if layout is None:
                if not self._stitch_failed:
                    log.info("this model's tokens don't split at passage edges: passages are read with each question")
                    self._stitch_failed = True
                return None
            tokens, spans = layout
            llm = self._llm
            end = spans[-1][2]
            want = tokens[:end]
            head = tokens[: spans[0][0]]
            shared = max(self._shared(want), self._recall(want))
            if shared >= end:
                return Placed(len(passages), cached=len(passages))
            first = next(i for i, (_, _, stop) in enumerate(spans) if stop > shared)
            if shared < len(head):
                self._read(head)
            start = spans[first][0]
            mem = lib.llama_get_memory(llm._ctx.ctx)
            lib.llama_memory_seq_rm(mem, -1, start, -1)
            llm.n_tokens = start
            loaded = computed = read = 0
            numbers: list[tuple[int, list[int]]] = []  # placed passages' numbers (and tokens read again), read last
            for i in range(first, len(spans)):
                number_at, body_at, stop_at = spans[i]
                body = tokens[body_at:stop_at]
                if stop is not None and stop():
                    return self._stopped(head, Placed(len(passages), loaded=loaded, computed=computed,
                                                      tokens_read=read, stopped=True))
                if i == len(passages):  # the closing piece: kept as read behind the prompt head alone
                    got = self._closing_state(head, body)
                    if got is None:
                        self._abandon(head)
                        return None
                    read += len(body) if got else 0
                    self._move_state(mem, len(head), len(body), body_at)
                    continue
                key = state_key(self.model_key() + _read_over(i, company, passages, tokens, spans), head,
                                passages[i][0], body)
                if self._load_state(key, len(body)):
                    self._move_state(mem, int(lib.llama_memory_seq_pos_min(mem, 1)), len(body), body_at)
                    loaded += 1
                    numbers.append((number_at, tokens[number_at : min(body_at + self.recompute_start, stop_at)]))
                    if self.recompute_end > 0:
                        numbers.append((max(body_at, stop_at - self.recompute_end),
                                        tokens[max(body_at, stop_at - self.recompute_end) : stop_at]))
                    continue
                # No state yet: read it where it stands, over everything before it (the numbers of the passages
                # placed before it first), and keep its cells as read there.
                if not self._read_numbers(mem, numbers):
                    self._abandon(head)
                    return None
                read += sum(len(t) for _, t in numbers)
                numbers = []
                rows: list[tuple[int, int, tuple[int, ...]]] = [
                    (t, number_at + j, (0,)) for j, t in enumerate(tokens[number_at:stop_at])]
                step = len(rows) if stop is None else STOP_STEP
                for begin in range(0, len(rows), step):
                    if begin and stop is not None and stop():
                        return self._stopped(head, Placed(len(passages), loaded=loaded, computed=computed,
                                                          tokens_read=read, stopped=True))
                    if not self._decode(rows[begin : begin + step]):
                        self._abandon(head)
                        return None
                    read += len(rows[begin : begin + step])
                self._keep_state(key, body_at, stop_at)
                computed += 1
            if not self._read_numbers(mem, numbers):
                self._abandon(head)
                return None
            read += sum(len(t) for _, t in numbers)
            llm.input_ids[:end] = want
            llm.n_tokens = end
            self.tokens_read += read
            self.passage_states.flush_stats()
            return Placed(len(passages), cached=min(first, len(passages)), loaded=loaded, computed=computed,
                          tokens_read=read)

    def read_head(self, messages: list[Message], upto: str) -> int:
        """Have the prompt of `messages` in the KV cache through the first `upto`; the tokens read."""
        self.load()
        with self._lock:
            text, bos = self._formatted(messages)
            end = text.find(upto)
            if end < 0:
                return 0
            tokens = list(self._llm.tokenize(text[: end + len(upto)].encode("utf-8"), add_bos=bos, special=True))
            before = self.tokens_read
            if self._shared(tokens) < len(tokens):
                self._read(tokens)
            return self.tokens_read - before

    def _abandon(self, head: list[int]) -> None:
        """A placement failed half-way: leave the KV cache holding only the prompt head (the prompt is read whole)."""
        import llama_cpp.llama_cpp as lib

        mem = lib.llama_get_memory(self._llm._ctx.ctx)
        lib.llama_memory_seq_rm(mem, -1, len(head), -1)
        for seq in range(1, SEQUENCES):
            lib.llama_memory_seq_rm(mem, seq, -1, -1)
        self._llm.n_tokens = min(self._llm.n_tokens, len(head))

    def _layout(self, messages: list[Message], passages: list[tuple[str, str, str]], until: str = ""
                ) -> tuple[list[int], list[tuple[int, int, int]]] | None:
        """The prompt's tokens and, per passage, the token index where its number starts, where its text starts and
        where it ends (and, with `until`, one more span from the last passage's end through the first `until`
        after it, with no number); None unless every one of those edges falls between two tokens of the whole
        prompt."""
        llm = self._llm
        text, bos = self._formatted(messages)
        raw = text.encode("utf-8")
        tokens = list(llm.tokenize(raw, add_bos=bos, special=True))
        at: dict[int, int] = {}
        offset = 0
        for index, token in enumerate(tokens):
            if bos and index == 0:
                continue
            at[offset] = index
            offset += self._piece_length(token)
        at[offset] = len(tokens)
        if offset != len(raw):
            return None
        spans: list[tuple[int, int, int]] = []
        pos = 0
        for _, number, body in passages:
            whole = (number + body).encode("utf-8")
            found = raw.find(whole, pos)
            if found < 0:
                return None
            edges = (found, found + len(number.encode("utf-8")), found + len(whole))
            if any(e not in at for e in edges):
                return None
            spans.append((at[edges[0]], at[edges[1]], at[edges[2]]))
            pos = edges[2]
        if until:
            found = raw.find(until.encode("utf-8"), pos)
            edge = found + len(until.encode("utf-8"))
            if found < 0 or edge not in at:
                return None
            spans.append((at[pos], at[pos], at[edge]))
        if any(a[2] != b[0] for a, b in itertools.pairwise(spans)) or spans[0][1] == spans[0][0]:
            return None
        return tokens, spans

    def _piece_length(self, token: int) -> int:
        """Bytes of a token's text (special tokens written out), as the prompt text has them."""
        import ctypes

        import llama_cpp.llama_cpp as lib

        buf = ctypes.create_string_buffer(256)
        n = int(lib.llama_token_to_piece(self._llm._model.vocab, token, buf, len(buf), 0, True))
        return n if n >= 0 else -n  # negative: the buffer was too small by that much (never for 256 bytes)

    def _closing_state(self, head: list[int], body: list[int]) -> bool | None:
        """Put the closing piece's state (the text after the passages, the same for every question) into sequence
        1, its cells right after the prompt head: from its kept state (False), or read now behind the head alone
        and kept (True). None when llama.cpp refused."""
        import llama_cpp.llama_cpp as lib

        mem = lib.llama_get_memory(self._llm._ctx.ctx)
        key = state_key(self.model_key(), head, "(closing)", body)
        if self._load_state(key, len(body)):
            return False
        lib.llama_memory_seq_cp(mem, 0, 1, 0, len(head))
        if not self._decode([(t, len(head) + i, (1,)) for i, t in enumerate(body)]):
            lib.llama_memory_seq_rm(mem, 1, -1, -1)
            return None
        lib.llama_memory_seq_rm(mem, 1, 0, len(head))
        self._save_state(key, len(body))
        return True

    def _stopped(self, head: list[int], placed: Placed) -> Placed:
        """Placing was stopped half-way: the KV cache keeps the prompt head (the passages read are kept as states)."""
        self._abandon(head)
        self.tokens_read += placed.tokens_read
        return placed

    def _load_state(self, key: bytes, tokens: int) -> bool:
        """Set a kept state into sequence 1 (its cells where they were read); False when there is none, or it did not
        fit this model (then it is dropped)."""
        import ctypes

        import llama_cpp.llama_cpp as lib

        assert self.passage_states is not None
        payload = self.passage_states.load(key, tokens)
        if payload is None:
            return False
        ctx = self._llm._ctx.ctx
        buf = (ctypes.c_uint8 * len(payload)).from_buffer_copy(payload)
        if lib.llama_state_seq_set_data(ctx, buf, len(payload), 1):
            return True
        log.warning("a pre-read passage state did not fit this model; reading the passage again")
        self.passage_states.discard(key)
        lib.llama_memory_seq_rm(lib.llama_get_memory(ctx), 1, -1, -1)
        return False

    def _save_state(self, key: bytes, tokens: int) -> None:
        """Keep sequence 1's cells (a passage's own) as the state of `key`."""
        import ctypes

        import llama_cpp.llama_cpp as lib

        assert self.passage_states is not None
        ctx = self._llm._ctx.ctx
        size = int(lib.llama_state_seq_get_size(ctx, 1))
        buf = (ctypes.c_uint8 * size)()
        if lib.llama_state_seq_get_data(ctx, buf, size, 1):
            self.passage_states.save(key, tokens, bytes(buf))

    def _keep_state(self, key: bytes, begin: int, end: int) -> None:
        """Keep the prompt's cells at positions [begin, end) (a passage as it was just read) as the state of `key`."""
        import llama_cpp.llama_cpp as lib

        mem = lib.llama_get_memory(self._llm._ctx.ctx)
        lib.llama_memory_seq_cp(mem, 0, 1, begin, end)
        self._save_state(key, end - begin)
        lib.llama_memory_seq_rm(mem, 1, -1, -1)

    @staticmethod
    def _move_state(mem: Any, at: int, tokens: int, to: int) -> None:
        """Shift sequence 1's `tokens` cells from position `at` to `to` (the K-shift) and copy them into the
        prompt's sequence."""
        import llama_cpp.llama_cpp as lib

        lib.llama_memory_seq_add(mem, 1, at, at + tokens, to - at)
        lib.llama_memory_seq_cp(mem, 1, 0, -1, -1)
        lib.llama_memory_seq_rm(mem, 1, -1, -1)

    def _read_numbers(self, mem: Any, numbers: list[tuple[int, list[int]]]) -> bool:
        """Read each passage number at its place, on its own scratch sequence holding the prompt before it, in as
        few batches as the scratch sequences allow; then copy the numbers' cells into the prompt's sequence."""
        import llama_cpp.llama_cpp as lib

        for group in range(0, len(numbers), SEQUENCES - 1):
            rows: list[tuple[int, int, tuple[int, ...]]] = []
            part = numbers[group : group + SEQUENCES - 1]
            for seq, (at, ids) in enumerate(part, start=1):
                lib.llama_memory_seq_cp(mem, 0, seq, 0, at)
                rows += [(t, at + i, (seq,)) for i, t in enumerate(ids)]
            ok = self._decode(rows)
            for seq, (at, ids) in enumerate(part, start=1):
                if ok:
                    lib.llama_memory_seq_rm(mem, 0, at, at + len(ids))  # a passage's placed cells read again
                    lib.llama_memory_seq_cp(mem, seq, 0, at, at + len(ids))
                lib.llama_memory_seq_rm(mem, seq, -1, -1)
            if not ok:
                return False
        return True

    def _decode(self, rows: list[tuple[int, int, tuple[int, ...]]]) -> bool:
        """Decode (token, position, sequences) rows, no logits, in batches of the context's batch size."""
        import llama_cpp.llama_cpp as lib

        llm = self._llm
        batch = llm._batch.batch
        for begin in range(0, len(rows), llm.n_batch):
            part = rows[begin : begin + llm.n_batch]
            _fill_batch(batch, [(token, pos, seqs, False) for token, pos, seqs in part])
            status = lib.llama_decode(llm._ctx.ctx, batch)
            if status != 0:
                log.warning("llama.cpp refused a batch of passage tokens (%d); reading the prompt whole", status)
                return False
        return True

    def close(self) -> None:
        """Free the weights."""
        with self._lock:
            if self._llm is not None:
                self._llm.close()
                self._llm = None
                self._formatter = None
                self._prefix.clear()
                self._saved.clear()


_PARAMS = threading.Lock()
READ_IN_PLACE = "|read in its prompt"  # a passage state's key: read where a prompt had it, not alone
READ_OVER = "|read over"  # ... and over these passages before it (its look-alikes), each by chunk id and tokens


def _read_over(i: int, company: Sequence[Sequence[int]] | None, passages: list[tuple[str, str, str]],
               tokens: list[int], spans: list[tuple[int, int, int]]) -> str:
    """What a passage state's key says of what it was read beside: in its prompt (any company), or over these
    look-alikes before it, each named by its chunk id and a digest of its tokens (a changed look-alike is another
    company)."""
    if company is None:
        return READ_IN_PLACE
    over = []
    for j in company[i]:
        _, body_at, stop_at = spans[j]
        digest = hashlib.blake2b(struct.pack(f"<{stop_at - body_at}i", *tokens[body_at:stop_at]), digest_size=8)
        over.append(f"{passages[j][0]}#{digest.hexdigest()}")
    return READ_IN_PLACE + READ_OVER + ",".join(over)


KV_TYPES: tuple[str, ...] = get_args(KvType)  # the KV cache types `kv_type` may name


def _kv_arguments(kv_type: KvType) -> dict[str, Any]:
    """`Llama` arguments for a KV cache of `kv_type`: a quantised V needs flash attention in llama.cpp."""
    if kv_type == "f16":
        return {}
    import llama_cpp

    quantised = int(getattr(llama_cpp, f"GGML_TYPE_{kv_type.upper()}"))
    return {"type_k": quantised, "type_v": quantised, "flash_attn": True}


SEQUENCES = 16  # llama.cpp sequences per context: 0 is the prompt; the others are scratch (checks, passage numbers)


@contextlib.contextmanager
def _two_sequences() -> Iterator[None]:
    """While a `Llama` is made: a context for several sequences over one KV cache (`n_seq_max` SEQUENCES,
    `kv_unified`), so a check and the answer after it can be read in one batch over the same cached prefix, and the
    numbers before pre-read passages in one batch (each on its own sequence). The cache and every single-sequence
    use are as before; llama-cpp-python has no argument for these, so its defaults are wrapped."""
    import llama_cpp.llama_cpp as lib

    with _PARAMS:
        default = lib.llama_context_default_params

        def params() -> Any:
            made = default()
            made.n_seq_max, made.kv_unified = SEQUENCES, True
            return made

        lib.llama_context_default_params = params
        try:
            yield
        finally:
            lib.llama_context_default_params = default


def _fill_batch(batch: Any, rows: Sequence[tuple[int, int, tuple[int, ...], bool]]) -> None:
    """Write (token, position, sequences, wants logits) rows into a llama.cpp batch."""
    for i, (token, pos, seqs, out) in enumerate(rows):
        batch.token[i], batch.pos[i], batch.logits[i] = token, pos, out
        batch.n_seq_id[i] = len(seqs)
        for j, seq in enumerate(seqs):
            batch.seq_id[i][j] = seq
    batch.n_tokens = len(rows)


def _quick_hash(path: Path) -> str:
    """A fingerprint of a model file that is not in the catalogue: its size and its first and last MiB."""
    import hashlib

    h = hashlib.sha256()
    size = path.stat().st_size
    h.update(str(size).encode())
    with open(path, "rb") as fh:
        h.update(fh.read(2**20))
        fh.seek(max(0, size - 2**20))
        h.update(fh.read(2**20))
    return "quick:" + h.hexdigest()


def _common(a: Sequence[int], b: Sequence[int]) -> int:
    """How many tokens two sequences share at their start."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _first_tokens(llm: Any, words: tuple[str, ...]) -> set[int]:
    """The first token id of each spelling of a word."""
    return {llm.tokenize(w.encode("utf-8"), add_bos=False, special=False)[0] for w in words}


class OpenAICompatibleGenerator:
    """A chat model behind an OpenAI-compatible HTTP server (llama.cpp's server, vLLM, ...), streamed over SSE."""

    def __init__(self, base_url: str, model: str, *, context_length: int = 4096, api_key: str = "",
                 timeout: float = 300.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._n_ctx = context_length
        self.api_key = api_key
        self.timeout = timeout
        self._counter: str | None = None  # the server's tokenize route, found on first use ("" = none: estimate)

    @property
    def name(self) -> str:
        """The model name the server is asked for."""
        return Path(self.model).stem

    @property
    def context_length(self) -> int:
        """The context window assumed for the server's model."""
        return self._n_ctx

    def count_tokens(self, text: str) -> int:
        """Tokens of a text, counted by the server's own tokenizer: llama-cpp-python's server
        (/extras/tokenize/count) or llama.cpp's (/tokenize). A server with neither gets an upper estimate (about 3
        characters per token), with a warning once."""
        if self._counter is None:
            self._counter = self._find_counter()
        if not self._counter:
            return len(text) // 3 + 1
        return self._count(self._counter, text)

    def _root(self) -> str:
        return self.base_url[: -len("/v1")] if self.base_url.endswith("/v1") else self.base_url

    def _post(self, url: str, body: dict[str, object]) -> dict[str, object]:
        import json
        import urllib.request

        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
        with self._reaching(), urllib.request.urlopen(request, timeout=self.timeout) as response:
            data = json.loads(response.read())
        return data if isinstance(data, dict) else {}

    def _count(self, route: str, text: str) -> int:
        if route.endswith("/count"):
            return int(self._post(route, {"input": text})["count"])  # type: ignore[call-overload]
        return len(self._post(route, {"content": text})["tokens"])  # type: ignore[arg-type]

    def _find_counter(self) -> str:
        import urllib.error

        for route in (f"{self._root()}/extras/tokenize/count", f"{self._root()}/tokenize"):
            try:
                self._count(route, "probe")
                return route
            except (urllib.error.HTTPError, KeyError, TypeError, ValueError):
                continue
        log.warning("the chat server at %s has no tokenize route; prompt sizes are estimated", self.base_url)
        return ""

    @contextlib.contextmanager
    def _reaching(self) -> Iterator[None]:
        """Network failures as one line with the fix: down, or too slow for `chat_server_timeout`."""
        import urllib.error

        from rag.errors import RagError

        try:
            yield
        except urllib.error.HTTPError:
            raise
        except TimeoutError as exc:
            raise RagError(f"the chat server at {self.base_url} did not answer within {self.timeout:g} s; raise "
                           "chat_server_timeout, or use a smaller model on it") from exc
        except OSError as exc:
            raise RagError(f"cannot reach the chat server at {self.base_url} ({exc}); start it, or unset "
                           "chat_server to run the model in-process") from exc

    @property
    def prompt_tokens_read(self) -> int | None:
        """Unknown: the server does not say what it read from its cache."""
        return None

    def close(self) -> None:
        """Nothing to free: each request opens its own connection."""

    def stream(self, messages: list[Message], *, max_tokens: int, temperature: float) -> Iterator[str]:
        """Stream a chat completion from the server."""
        import json
        import urllib.error
        import urllib.request

        from rag.errors import RagError

        body = json.dumps({"model": self.model, "messages": messages, "max_tokens": max_tokens,
                           "temperature": temperature, "stream": True}).encode()
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(f"{self.base_url}/chat/completions", data=body, headers=headers)
        try:
            with self._reaching():
                response = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            raise RagError(f"the chat server at {self.base_url} answered {exc.code}: {exc.read()[:200]!r}") from exc
        with response, self._reaching():
            for raw in response:
                line = raw.decode("utf-8").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                choices = json.loads(data).get("choices") or [{}]
                piece = (choices[0].get("delta") or {}).get("content")
                if piece:
                    yield piece
