"""One typed settings object: defaults in code, then `rag.toml`, then `RAG_*` environment variables."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rag.errors import ConfigError
from rag.types import KvType

ENV_PREFIX = "RAG_"
DEFAULT_CONFIG_FILE = "rag.toml"


def _default_threads() -> int:
    # llama.cpp decodes fastest with one thread per physical core; logical cores rarely help.
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, n)


class Settings(BaseModel):
    """Every knob of the assistant, each with a one-line description."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    data_dir: Path = Field(Path("data"), description="Folder of the Chroma store and ingest state.")
    models_dir: Path = Field(Path("models"), description="Folder of the model catalogue and model files.")
    chat_model: str = Field(
        "qwen2.5-coder-1.5b-instruct-q4_k_m",
        description="Chat model: a catalogue id or a path to any .gguf file.",
    )
    chat_server: str = Field(
        "", description="URL of an OpenAI-compatible chat server (e.g. http://127.0.0.1:8000/v1); empty = in-process."
    )
    chat_server_api_key: str = Field("", description="Bearer key sent to the chat server (empty = none).")
    chat_server_timeout: float = Field(300.0, gt=0, description="Seconds to wait for the chat server to answer.")
    embed_model: str = Field("all-minilm-l6-v2-int8", description="Embedding model id from the catalogue.")
    chunk_tokens: int = Field(200, ge=16, le=254, description="Chunk size in embedder tokens.")
    chunk_overlap: int = Field(40, ge=0, description="Overlap between neighbouring chunks, in embedder tokens.")
    top_k: int = Field(4, ge=1, le=20, description="Passages retrieved and shown to the model per question.")
    min_score: float = Field(
        0.1, ge=-1.0, le=1.0, description="Passages scoring below this cosine similarity are not shown to the model."
    )
    focus_passages: bool = Field(
        False, description="Of the retrieved passages, read only those of the articles that state every year, number "
        "and name of the question, when one does (the others are look-alikes). Off by default: on the distractors' "
        "dev split it answered more questions right (0.77 -> 0.89) but refused fewer unanswerable ones "
        "(0.86 -> 0.64), docs/evaluation.md.",
    )
    passage_tokens: int = Field(
        0,
        ge=0,
        description="Most tokens of passage text the model reads per question: the retrieved chunks' sentences "
        "most similar to the question are kept; 0 = whole chunks.",
    )
    library_tokens: int | None = Field(
        None, ge=0, description="When the whole library fits this many model tokens, every question is asked over "
        "all of it as one cached prompt prefix (fast first word); empty = the catalogue's value for the model, "
        "0 = always retrieved passages.",
    )
    prompt_layout: Literal["library", "question"] | None = Field(
        None, description="How retrieved passages are laid out: 'library' = first in the prompt, in library order "
        "(document, position), so questions and follow-ups over the same passages reuse llama.cpp's cache; "
        "'question' = with the question, best first (small models answer better so); empty = the catalogue's "
        "value for the model, else 'question'.",
    )
    library_retry: bool = Field(
        True, description="Library mode: an answer refused because it cites an article that does not hold the "
        "question's year, number or name (another year's look-alike) is asked again over the retrieved passages "
        "alone. Generated folds' dev questions: answer accuracy 0.85 -> 0.91, docs/evaluation.md.",
    )
    library_hints: int = Field(
        0, ge=0, le=20, description="In library mode, name this many of the passages the search ranked first "
        "next to the question; 0 = no hint (measured on the dev split: 3 hints lowered accuracy 0.86 -> 0.71).",
    )
    prefix_memory_mb: int = Field(
        128, ge=0, description="Memory (MiB) for prompt prefixes read before, kept as llama.cpp states so a "
        "question over passages read earlier does not read them again (the 1.5B model: 28 KiB per token, about "
        "25 MiB for four passages); 0 = keep only the last prompt.",
    )
    passage_states_mb: int = Field(
        0, ge=0, description="Disk (MiB) for pre-read passages, e.g. 2048: each retrieved passage's llama.cpp KV "
        "state, kept as it was first read in a question's prompt, so a later question that retrieves it reads only "
        "its own words (the 1.5B model: about 28 KiB per token, 4-6 MiB per passage); least recently used go first. "
        "0 = off (the default: on squad2-complexity's dev split it answered fewer answerable questions than the "
        "passages read whole, docs/evaluation.md).",
    )
    preread_lookalike: float = Field(
        0.5, ge=0.0, le=1.0, description="With pre-read passages, a passage's kept state serves a question only when "
        "the passages before it in that question's prompt that are look-alikes of it (MiniLM cosine at least this) "
        "are the ones it was read over; else it is read in place and kept for that company too. 0 = any state of "
        "the passage serves, whatever it was read beside (look-alike briefs then mix up their facts: "
        "docs/evaluation.md).",
    )
    preread_instruction: bool = Field(
        True, description="With pre-read passages, keep the instruction after them (before each question) as a "
        "pre-read piece too, so a question reads only its own words; false = it is read with each question.",
    )
    preread_recompute_start: int = Field(
        0, ge=0, description="With pre-read passages, read this many tokens at the start of each passage again in "
        "place, over the passages before it (their state was read alone); 0 = none.",
    )
    preread_recompute_end: int = Field(
        0, ge=0, description="With pre-read passages, read this many tokens at the end of each passage again in "
        "place, over everything before them; 0 = none.",
    )
    passage_states_dir: Path | None = Field(
        None, description="Folder of the pre-read passages; empty = passage-states in data_dir. States are keyed by "
        "model, chunk and text, so libraries may share one folder.",
    )
    context_length: int = Field(4096, ge=512, description="Model context window (tokens) to allocate.")
    max_answer_tokens: int = Field(384, ge=16, description="Most tokens the model may write per answer.")
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature; 0 is deterministic.")
    seed: int = Field(0, description="Random seed for sampling.")
    threads: int = Field(default_factory=_default_threads, ge=1, description="CPU threads for llama.cpp.")
    batch_size: int = Field(512, ge=8, description="llama.cpp prompt-processing batch size.")
    kv_type: KvType = Field(
        "f16", description="llama.cpp KV cache type: q8_0 about halves the memory and the disk of kept prompt "
        "states and pre-read passages (flash attention is switched on for it, which llama.cpp needs to quantise V).",
    )
    embed_batch_tokens: int = Field(
        512, ge=256, description="Most tokens per embedding batch, counting padding (texts x longest text)."
    )
    history_turns: int = Field(3, ge=0, description="Earlier question/answer pairs kept in a chat.")
    read_ahead: bool = Field(
        True, description="In a chat over the whole library (library mode): while you read an answer, the model "
        "reads the conversation ahead, so a follow-up reads only its own words (the browser and `rag chat`).",
    )
    read_while_typing: bool = Field(
        True, description="In the browser, over retrieved passages: while a question is typed, what is typed so far "
        "is searched and its passages read, so the question, once sent, reads only its own words when it finds the "
        "same passages (when not, it reads what differs, as without this).",
    )
    follow_up_passages: int = Field(
        1, ge=0, description="With the 'library' layout, a follow-up in a chat keeps the passages its conversation "
        "was answered from (read already, so not read again) and adds at most this many newly found ones.",
    )
    conversation_passages: int = Field(
        8, ge=0, description="Most passages a conversation keeps; a follow-up that would need more searches afresh. "
        "0 = every question searches afresh.",
    )
    write_batch_chunks: int = Field(
        128, ge=1, description="Ingest writes documents together until a batch holds this many chunks."
    )
    hybrid: bool = Field(True, description="Fuse BM25 keyword search with the vector search (reciprocal rank).")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant for hybrid search and excerpts.")
    support_threshold: float = Field(
        0.5, gt=0, le=1, description="Share of a sentence's content words a passage must hold to be cited for it."
    )
    check_specifics: bool = Field(
        True, description="Refuse before answering when a year, number or name of the question is in no passage."
    )
    check_opposites: bool = Field(
        True, description="Refuse before answering when the question asks about the opposite of what the passages "
        "say: a word the passages don't use in its place while they use its opposite there ('delivered indirectly' "
        "where they say 'delivered directly')."
    )
    check_negated: bool = Field(
        True, description="Refuse before answering when the question adds a negation to what a passage sentence "
        "says ('What does not induce a hierarchy?' where a passage says what does) and no passage says it negated."
    )
    answerability_threshold: float | None = Field(
        None, ge=0, le=1, description="Refuse before answering when the model's P(yes) that the passages state the "
        "answer is below this; empty = the value calibrated for the model in the catalogue; 0 = don't ask.",
    )
    names_forgiven_at: float | None = Field(
        None, ge=0, le=1, description="A name of the question that no passage states (no number or year) refuses "
        "only when the model's P(yes) that the passages state the answer is below this: a nickname or another name "
        "('Spurs' for Tottenham Hotspur) the model reads where no form of writing does; empty = the value "
        "calibrated for the model in the catalogue; 0 = a missing name always refuses.",
    )
    answer_check_threshold: float = Field(
        0.0, ge=0, le=1, description="After answering, refuse when the model's P(yes) that the passages state its "
        "answer is below this (asked over the cached prompt); 0 = don't ask.",
    )
    answer_checks: Literal["rules", "scores"] = Field(
        "rules", description="How the checks decide: 'rules' = each literal check refuses alone, and the model's "
        "calibration (models/calibration.json) reports P(correct) beside each answer; 'scores' = the checks that "
        "earned a veto on external dev data refuse alone and P(correct) below the model's threshold refuses the "
        "rest (measured on dev: no better than the rules, docs/evaluation.md).",
    )
    answer_threshold: float | None = Field(
        None, ge=0, le=1, description="With scored checks, refuse an answer whose P(correct) is below this; empty = "
        "the threshold calibrated for the model; 0 = refuse none by score (the numbers are still recorded).",
    )
    check_cited: bool = Field(
        True, description="Refuse after answering when the articles the answer cites don't hold the question's "
        "years, numbers and names together with the answer's (an answer about another event).",
    )
    check_claims: bool = Field(
        True, description="Withhold answer sentences whose numbers or names their cited passages don't state (or "
        "state a number only for something else: '480 workers' where the passage has 'the 480-metre bridge') unless "
        "exactly one other passage states them all (it is cited instead), and drop a sentence's citations of "
        "passages that state none of them when another cited passage does."
    )
    check_asked: bool = Field(
        True, description="Refuse an answer that doesn't give what its question asks for: no number for a 'how "
        "many' question, no amount of money for a 'how much did it cost' one (in the answer or where its cited "
        "passage states the number), no name beyond the question's own for a 'what is the name' one (a name that "
        "only completes one of the question's own is not new), or nothing but the question's own words for an open "
        "question ('which city ...?' - 'in South Korea').",
    )
    check_near: bool = Field(
        True, description="Refuse an answer when no sentence of its cited passages that states its new names or "
        "numbers (for a question asking a number: its new numbers, years only when it asks a year or a duration), "
        "or the sentences beside it, shares a third of "
        "the question's words: a fact taken from elsewhere; "
        "or, for a question about a role ('Who is the director of ...'), has the role's word.",
    )
    chroma_url: str = Field(
        "", description="URL of a Chroma server (e.g. http://127.0.0.1:8000, started with `chroma run`) holding the "
        "chunks and the document records; empty = the embedded store in data_dir.",
    )
    host: str = Field("127.0.0.1", description="Address the web UI and API listen on (not loopback: needs api_key).")
    api_key: str = Field(
        "", description="Key the API (Authorization: Bearer KEY) and the UI's login (any user name, this password) "
        "require; empty = no key, loopback only.",
    )
    port: int = Field(7860, ge=1, le=65535, description="Port the web UI listens on.")
    share: bool = Field(False, description="Ask Gradio for a public share link (needs internet).")
    max_upload_mb: float = Field(20.0, gt=0, description="Largest file the web UI accepts, in MiB.")
    max_file_mb: float = Field(20.0, gt=0, description="Largest file `rag ingest` reads, in MiB (bigger: refused).")
    show_timings: bool = Field(False, description="Show retrieval and generation timings by default in the UI.")
    queue_size: int = Field(64, ge=1, description="Most questions waiting for the model in the web UI's queue.")

    @model_validator(mode="after")
    def _check_overlap(self) -> Settings:
        if self.chunk_overlap >= self.chunk_tokens:
            raise ValueError(
                f"chunk overlap {self.chunk_overlap} must be smaller than chunk size {self.chunk_tokens}"
            )
        return self

    def exposure_problem(self) -> str | None:
        """Why serving on `host` would be unsafe (anyone on the network could read and change the library)."""
        if self.api_key or is_loopback(self.host):
            return None
        return (
            f"serving on {self.host} without an api_key would let anyone on the network read and change the "
            "library; set one (api_key in rag.toml, or RAG_API_KEY=...), serve on 127.0.0.1, or pass --insecure"
        )

    @property
    def catalog_path(self) -> Path:
        """Where the model catalogue lives."""
        return self.models_dir / "catalog.toml"

    @property
    def calibration_path(self) -> Path:
        """Where the checks' calibration (one fit per chat model) lives, beside the catalogue."""
        return self.models_dir / "calibration.json"

    @property
    def states_dir(self) -> Path:
        """Where pre-read passages are kept."""
        return self.passage_states_dir or self.data_dir / "passage-states"

    @property
    def store_dir(self) -> Path:
        """Where the persistent Chroma store lives."""
        return self.data_dir / "chroma"

    @classmethod
    def describe(cls) -> list[tuple[str, str, Any]]:
        """(name, description, default) of every setting, for help texts."""
        rows = []
        for name, field in cls.model_fields.items():
            default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
            rows.append((name, field.description or "", default))
        return rows


def is_loopback(host: str) -> bool:
    """Whether an address only this machine can reach."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: it may resolve to any interface


def _coerce_env(name: str, raw: str) -> Any:
    annotation = Settings.model_fields[name].annotation
    if annotation is bool:
        low = raw.strip().lower()
        if low in {"1", "true", "yes", "on"}:
            return True
        if low in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a boolean; use true or false")
    return raw


def load_settings(
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build settings from defaults, a TOML file, `RAG_*` variables and explicit overrides, in that order."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = config_file
    if path is None and env.get(f"{ENV_PREFIX}CONFIG"):
        path = Path(env[f"{ENV_PREFIX}CONFIG"])
    if path is None and Path(DEFAULT_CONFIG_FILE).is_file():
        path = Path(DEFAULT_CONFIG_FILE)
    if path is not None:
        try:
            with open(path, "rb") as fh:
                values.update(tomllib.load(fh))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file {path} does not exist; create it or drop --config") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    for name in Settings.model_fields:
        key = f"{ENV_PREFIX}{name.upper()}"
        if key in env:
            values[name] = _coerce_env(name, env[key])
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = sorted(set(values) - set(Settings.model_fields))
    if unknown:
        valid = ", ".join(Settings.model_fields)
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; valid settings are: {valid}")
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
