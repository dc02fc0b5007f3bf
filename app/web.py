"""The Gradio app: chat with streamed, cited answers; the sources; the article library; evaluation; settings."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.evaluate import ANSWER_HEADERS, Evaluator
from app.exports import Exports
from app.render import (
    answer_markdown,
    answer_notes_html,
    answer_sources_markdown,
    conversation_markdown,
    esc,
    message_text,
    sources_html,
)
from app.uploads import Uploads
from rag.assistant import Assistant
from rag.build import go_offline
from rag.documents import SUPPORTED_SUFFIXES
from rag.errors import RagError
from rag.types import Done, Retrieved, Retry, Token, Turn

go_offline()  # before gradio is imported: no analytics, no version check

import gradio as gr  # noqa: E402

log = logging.getLogger(__name__)

LIBRARY_HEADERS = ["Title", "Source", "Chunks", "Added", "Id"]
MAX_K, MAX_BUDGET = 10, 800
EMPTY_LIBRARY = "The library is empty: add articles in the **Library** tab (or run `rag ingest PATH`)."
# Shown while a library-mode answer, withdrawn (it came from another year's look-alike), is asked again.
RETRY_NOTE = "That answer came from another article; asking again over the closest passages."


class WebApp:
    """UI glue over an Assistant: it formats, the engine decides."""

    def __init__(self, assistant: Assistant, exports: Exports | None = None) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.uploads = Uploads(assistant)
        self.exports = exports or Exports()
        self.evaluator = Evaluator(assistant)

    # --- evaluation ----------------------------------------------------------------------
    def generate_gold(self, n: float, progress: gr.Progress = gr.Progress()) -> tuple[str, str]:  # noqa: B008
        try:
            return self.evaluator.generate(n or 20, progress)
        except RagError as exc:
            return "", f"⚠️ {esc(exc)}"

    def run_eval(self, gold: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        try:
            headline, plot, table, report, message = self.evaluator.run(gold, progress)
        except RagError as exc:
            return "", gr.update(value=None, visible=False), [], None, f"⚠️ {esc(exc)}"
        return headline, gr.update(value=plot, visible=plot is not None), table, report, message

    # --- library -------------------------------------------------------------------------
    def library_rows(self) -> list[list[Any]]:
        return [
            [d.title, Path(d.source).name, d.chunks, d.added_at.replace("T", " ")[:16], d.id]
            for d in self.assistant.documents()
        ]

    def doc_choices(self) -> list[tuple[str, str]]:
        return [(f"{d.title} ({Path(d.source).name})", d.id) for d in self.assistant.documents()]

    def library_outputs(self, message: str) -> tuple[Any, Any, str]:
        return (
            gr.update(value=self.library_rows()),
            gr.update(choices=self.doc_choices(), value=None),
            message,
        )

    def upload(
        self, files: list[Any] | None, progress: gr.Progress = gr.Progress()  # noqa: B008 (Gradio injects it)
    ) -> tuple[Any, Any, str]:
        """Copy uploads into the data folder (checked names, types and sizes), then ingest them."""
        if not files:
            return self.library_outputs("Choose one or more files first.")

        def tick(done: float, total: int, path: Path) -> None:
            progress(done / total if total else None, desc=f"Indexing {path.name}")

        given = [(getattr(f, "orig_name", None) or Path(_path_of(f)).name, Path(_path_of(f))) for f in files]
        try:
            outcomes = self.uploads.add(given, progress=tick)
        finally:
            for _, src in given:  # Gradio's own copies (kept or refused, ours is in the uploads folder now)
                _discard_upload(src)
        lines = []
        for o in outcomes:
            name, reason = esc(o.name), esc(o.reason)
            if not o.ok:
                lines.append(f"❌ {name}: {reason}")
            elif o.status == "skipped":
                lines.append(f"➖ {name}: already in the library" + (f" ({reason})" if reason else ""))
            else:
                lines.append(f"✅ {name}: {o.status}, {o.chunks} chunks — “{esc(o.title)}”")
                if o.warning:
                    lines.append(f"⚠️ {name}: {esc(o.warning)}")
        return self.library_outputs("\n\n".join(lines))

    def remove(self, doc_id: str | None) -> tuple[Any, Any, str]:
        if not doc_id:
            return self.library_outputs("Nothing removed: pick an article, then confirm.")
        try:
            record = self.assistant.remove(doc_id)
        except RagError as exc:
            return self.library_outputs(f"❌ {esc(exc)}")
        if self.uploads.owns(record.source):
            Path(record.source).unlink(missing_ok=True)  # our own copy of an upload; files ingested from disk stay
        return self.library_outputs(f"🗑️ Removed “{esc(record.title)}” ({record.chunks} chunks).")

    @staticmethod
    def show_answer_sources(chat: list[dict[str, Any]], panels: list[dict[str, str]], evt: gr.SelectData) -> Any:
        """The sources of the answer a click selected (a question selects its answer)."""
        index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        if not isinstance(index, int):
            return gr.skip()
        answers = sum(1 for m in chat[: index + 1] if m.get("role") == "assistant")
        if index < len(chat) and chat[index].get("role") != "assistant":
            answers += 1  # a question: the answer after it
        number = answers - 1
        return panels[number]["html"] if 0 <= number < len(panels) else gr.skip()

    # --- what stays in the browser -------------------------------------------------------------
    @staticmethod
    def remember(saved: dict[str, Any] | None, k: float, budget: float, timings: bool, chat: list[Any],
                 turns: list[Turn], panels: list[dict[str, str]]) -> dict[str, Any]:
        """This browser's settings and conversation, for the next page load."""
        return {**(saved or {}), "k": k, "budget": budget, "timings": timings, "chat": chat,
                "turns": [[t.question, t.answer] for t in turns], "panels": panels}

    def restore(self, saved: dict[str, Any] | None) -> tuple[Any, ...]:
        """Settings and the conversation as this browser left them (defaults the first time)."""
        s = self.settings
        saved = saved or {}
        panels = saved.get("panels") or []
        last = panels[-1]["html"] if panels else "<p class='rag-empty'>Cited passages appear here.</p>"
        return (
            min(max(saved.get("k", s.top_k), 1), MAX_K),
            min(max(saved.get("budget", s.passage_tokens), 0), MAX_BUDGET),
            bool(saved.get("timings", s.show_timings)),
            saved.get("chat") or [],
            [Turn(q, a) for q, a in saved.get("turns") or []],
            panels,
            last,
        )

    def take_back(self, chat: list[dict[str, Any]], turns: list[Turn], panels: list[dict[str, str]]) -> tuple:
        """Regenerate: the last question goes back in the box, its answer out of the conversation."""
        if len(chat) < 2 or not turns:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return chat[:-2], turns[:-1], panels[:-1], turns[-1].question

    def export(self, chat: list[dict[str, Any]], panels: list[dict[str, str]]) -> str | None:
        """The conversation as a Markdown file with each answer's sources (for the download button)."""
        if not chat:
            return None
        return str(self.exports.write(conversation_markdown(chat, [p.get("md", "") for p in panels])))

    @staticmethod
    def mark_stopped(chat: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The partial answer stays, marked as stopped."""
        if chat and chat[-1].get("role") == "assistant":
            content = message_text(chat[-1].get("content"))
            if "(stopped)" not in content:
                chat = [*chat[:-1], {"role": "assistant", "content": (content + "\n\n" if content else "")
                                     + "_(stopped)_"}]
        return chat

    # --- settings --------------------------------------------------------------------------
    def model_choices(self) -> list[str]:
        return [model_id for model_id, present in self.assistant.chat_models() if present]

    def set_model(self, model: str) -> str:
        try:
            self.assistant.set_chat_model(model)
        except RagError as exc:
            return f"❌ {esc(exc)}"
        return f"Chat model: **{esc(model)}** (loads on the next question)."

    def status_markdown(self) -> str:
        st = self.assistant.status()
        model = esc(st.chat_model)
        if not st.chat_model_present:
            return f"⚠️ Chat model **{model}** is not downloaded: run `rag models pull {model}`."
        if st.documents == 0:
            return EMPTY_LIBRARY
        return f"{st.documents} article(s), {st.chunks} passages · model **{model}**"

    # --- chat --------------------------------------------------------------------------------
    def typed(self, message: str, turns: list[Turn]) -> None:
        """As the question is typed: its passages are read meanwhile, so the answer starts sooner."""
        self.assistant.typed(message or "", turns)

    def respond(
        self,
        message: str,
        chat: list[dict[str, Any]],
        turns: list[Turn],
        k: float,
        show_timings: bool,
        passage_tokens: float | None = None,
        panels: list[dict[str, str]] | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream one answer into the chat, then show its sources (kept with the answer, in `panels`)."""
        panels = list(panels or [])
        k = min(max(int(k or 1), 1), MAX_K)
        for out in self._respond(message, chat, turns, k, show_timings, passage_tokens, len(panels)):
            if len(out) == 5:  # the finished answer: its sources panel, and its sources in Markdown
                panels.append({"html": out[1], "md": out[4]})
            yield (*out[:4], panels)

    def _respond(
        self, message: str, chat: list[dict[str, Any]], turns: list[Turn], k: float, show_timings: bool,
        passage_tokens: float | None, number: int,
    ) -> Iterator[tuple[Any, ...]]:
        question = (message or "").strip()
        if not question:
            yield chat, gr.skip(), turns, ""
            return
        chat = [*chat, {"role": "user", "content": answer_markdown(question)}, {"role": "assistant", "content": ""}]
        first = "Searching the articles…" if self.assistant.model_ready() else \
            "Loading the model (first question only)…"
        yield chat, f"<p class='rag-empty' role='status'>{first}</p>", turns, ""
        streamed, retrying = "", False
        try:
            for event in self.assistant.ask_stream(
                question, turns, int(k), None if passage_tokens is None else int(passage_tokens)
            ):
                if isinstance(event, Retrieved):
                    n = len(event.passages)
                    note = f"Reading {n} passage{'s' if n != 1 else ''}…" if n else "No matching passages."
                    if retrying:
                        note = f"{RETRY_NOTE} {note}"
                    yield chat, f"<p class='rag-empty' role='status'>{note}</p>", turns, ""
                elif isinstance(event, Retry):  # the answer so far is withdrawn; another follows
                    streamed, retrying = "", True
                    chat[-1] = {"role": "assistant", "content": ""}
                    yield chat, f"<p class='rag-empty' role='status'>{RETRY_NOTE}</p>", turns, ""
                elif isinstance(event, Token):
                    streamed += event.text
                    chat[-1] = {"role": "assistant", "content": answer_markdown(streamed)}
                    yield chat, gr.skip(), turns, ""
                elif isinstance(event, Done):
                    answer = event.answer
        except RagError as exc:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {esc(exc)}"}
            yield chat, "", turns, ""
            return
        text = answer_markdown(answer.text)
        if answer.refused and not self.assistant.documents():
            text += f"\n\n_{EMPTY_LIBRARY}_"
        chat[-1] = {"role": "assistant", "content": text}
        articles = {}
        for c in answer.citations:
            if c.doc_id not in articles:
                try:
                    articles[c.doc_id] = self.assistant.document_text(c.doc_id)
                except RagError:
                    articles[c.doc_id] = ""
        panel = (f'<div class="rag-panel" data-answer="{number}">{answer_notes_html(answer, show_timings)}'
                 f"{sources_html(answer, articles)}</div>")
        turns = [*turns, answer.turn()]
        self.assistant.read_ahead_later(turns)  # while the reader reads: a follow-up then reads only its own words
        yield chat, panel, turns, "", answer_sources_markdown(answer)


def browser_secret(data_dir: Path) -> str:
    """The key that encrypts what browsers keep (settings, conversations): kept in the data folder, so a restart
    of the server does not forget them."""
    import secrets

    path = Path(data_dir) / "ui-secret"
    try:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
        return path.read_text().strip()
    except OSError:
        return secrets.token_hex(32)  # this run only: browsers forget at the next restart


def _path_of(upload: Any) -> str:
    return str(getattr(upload, "name", None) or upload)


def _discard_upload(path: Path) -> None:
    """Delete Gradio's temporary copy of an upload (and its folder, when empty); nothing outside its cache."""
    import os
    import tempfile

    cache = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio").resolve()
    try:
        path = path.resolve()
        if not path.is_relative_to(cache) or path == cache:
            return
        path.unlink(missing_ok=True)
        if path.parent != cache and not any(path.parent.iterdir()):
            path.parent.rmdir()
    except OSError:
        log.warning("could not delete the temporary upload %s", path, exc_info=True)


def build_ui(assistant: Assistant, exports: Exports | None = None) -> gr.Blocks:
    """The whole interface (its conversation downloads written by `exports`, which its server closes)."""
    web = WebApp(assistant, exports)
    s = assistant.settings
    # Gradio's copies of downloads and uploads older than a day go, hourly (and all of them at a restart).
    with gr.Blocks(title="Article assistant", analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        turns = gr.State([])
        panels = gr.State([])  # each answer's sources panel, in order
        # This browser's settings and conversation; outside the tabs, which mount only when opened.
        saved = gr.BrowserState({}, storage_key="rag-ui", secret=browser_secret(s.data_dir))
        gr.Markdown("## Ask your articles\nAnswers come only from the articles in the library, with numbered sources.")
        status = gr.Markdown(web.status_markdown, elem_id="status")
        with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(
                    label="Conversation", height="62vh", min_height=360, elem_id="chatbot", render_markdown=True,
                    sanitize_html=True, allow_tags=False, feedback_options=None, buttons=["copy"],
                    placeholder="Ask something the articles can answer, e.g. *Who defected, and when?*",
                )
                with gr.Row():
                    question = gr.Textbox(
                        label="Your question", placeholder="Ask, then press Enter", show_label=False, scale=5,
                        elem_id="question", lines=1, max_lines=4, autofocus=True,
                    )
                    ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
                    stop = gr.Button("Stop", variant="stop", scale=1, min_width=80, elem_id="stop", visible=False)
                with gr.Row():
                    clear = gr.Button("New conversation", size="sm", elem_id="clear")
                    regen = gr.Button("Regenerate the last answer", size="sm", elem_id="regen")
                    export = gr.DownloadButton("Download the conversation (Markdown)", size="sm",
                                               elem_id="export", value=None)
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("### Sources")
                sources = gr.HTML("<p class='rag-empty'>Cited passages appear here.</p>", elem_id="sources")
        with gr.Tab("Library", id="library"):
            library = gr.Dataframe(
                value=web.library_rows, headers=LIBRARY_HEADERS, datatype=["str", "str", "number", "str", "str"],
                interactive=False, wrap=True, elem_id="library",
            )
            upload = gr.File(
                label=f"Add articles (.txt .md .html .pdf, up to {s.max_upload_mb:g} MiB each)",
                file_count="multiple", file_types=sorted(SUPPORTED_SUFFIXES), elem_id="upload",
            )
            add = gr.Button("Add to library", variant="primary", elem_id="add")
            with gr.Row():
                doc = gr.Dropdown(choices=web.doc_choices(), value=None, label="Article", elem_id="remove-choice",
                                  scale=4)
                remove = gr.Button("Remove", variant="stop", elem_id="remove", scale=1, min_width=90)
            library_msg = gr.Markdown(elem_id="library-message")
        with gr.Tab("Evaluate", id="evaluate"):
            gr.Markdown(
                "Measure the assistant on **your** articles. *Generate* writes questions from sentences of the "
                "library (a name, number or date each, kept only when the model answers it right from that "
                "sentence); half are about articles held out, so the right reply to them is a refusal. Or upload "
                "a gold file (JSON Lines, as for `rag eval --gold`). *Run* answers them over a copy of the library "
                "(the chat waits meanwhile) and shows the numbers, the calibration of P(correct) and every verdict."
            )
            with gr.Row():
                how_many = gr.Number(value=20, minimum=2, maximum=400, precision=0, label="Questions to generate",
                                     elem_id="eval-n", scale=1)
                generate = gr.Button("Generate from the library", elem_id="eval-generate", scale=1)
                gold_upload = gr.File(label="…or upload a gold file (.jsonl)", file_types=[".jsonl"],
                                      elem_id="eval-upload", scale=2)
            gold_path = gr.Textbox(label="Gold file", interactive=False, elem_id="eval-gold")
            run = gr.Button("Run", variant="primary", elem_id="eval-run")
            eval_msg = gr.Markdown(elem_id="eval-message")
            with gr.Row(equal_height=False):
                headline = gr.Markdown(elem_id="eval-headline")
                calibration = gr.Image(label="Calibration: predicted P(correct) against the share right",
                                       type="filepath", interactive=False, elem_id="eval-calibration",
                                       visible=False)
            verdicts = gr.Dataframe(headers=ANSWER_HEADERS, interactive=False, wrap=True, elem_id="eval-answers",
                                    column_widths=["30%", "12%", "36%", "13%", "9%"])
            report = gr.File(label="Full report (HTML)", interactive=False, elem_id="eval-report")
        with gr.Tab("Settings", id="settings"):
            models = web.model_choices()
            gr.Markdown("**For everyone using this server**")
            model = gr.Dropdown(
                choices=models or [s.chat_model], value=s.chat_model, label="Chat model (downloaded ones)",
                elem_id="model",
            )
            model_msg = gr.Markdown()
            missing = [m for m, present in assistant.chat_models() if not present]
            if missing:
                gr.Markdown("Not downloaded yet (ask whoever runs the server): "
                            + ", ".join(f"`{m}` (`rag models pull {m}`)" for m in missing), elem_id="missing-models")
            gr.Markdown("**For this browser** (remembered on this device)")
            k = gr.Slider(1, MAX_K, value=s.top_k, step=1, label="Passages per question", elem_id="k")
            budget = gr.Slider(
                0, MAX_BUDGET, value=s.passage_tokens, step=50, elem_id="passage-tokens",
                label="Read only the best sentences, up to this many words-pieces (0 = whole passages; less = "
                      "faster first word, less context)",
            )
            show_timings = gr.Checkbox(value=s.show_timings, label="Show how long answers take", elem_id="timings")

        ask_inputs = [question, chatbot, turns, k, show_timings, budget, panels]
        ask_outputs = [chatbot, sources, turns, question, panels]
        # One model, one generation at a time: everyone else waits in Gradio's queue and sees their place.
        # While an answer is written, Ask gives way to Stop; Stop and New conversation cancel the answer (its
        # generator is closed, which frees the model at once) so it can never come back.
        answering = (gr.update(visible=False), gr.update(visible=True))
        idle = (gr.update(visible=True), gr.update(visible=False))
        answers = []
        keep = [saved, k, budget, show_timings, chatbot, turns, panels]
        regenerating = regen.click(web.take_back, [chatbot, turns, panels], [chatbot, turns, panels, question],
                                   queue=False)
        for trigger in (question.submit, ask.click, regenerating.then):
            started = trigger(lambda: answering, None, [ask, stop], queue=False)
            answer = started.then(web.respond, ask_inputs, ask_outputs, concurrency_limit=1, concurrency_id="model")
            answer.then(lambda: idle, None, [ask, stop], queue=False).then(
                web.remember, keep, saved, queue=False).then(web.export, [chatbot, panels], export, queue=False)
            answers.append(answer)
        for setting in (k, budget, show_timings):
            setting.change(web.remember, keep, saved, queue=False)
        # Each keystroke hands the box's text over (the engine searches whole words, a moment after the last).
        question.input(web.typed, [question, turns], None, queue=False, trigger_mode="always_last",
                       show_progress="hidden")
        demo.load(web.restore, [saved], [k, budget, show_timings, chatbot, turns, panels, sources], queue=False).then(
            web.export, [chatbot, panels], export, queue=False)
        # The cancel goes first; the update that follows runs through the queue, so it reaches the page after any
        # piece of the cancelled answer already on its way (one stream per session, in order) and is never undone.
        stop.click(None, None, None, cancels=answers, queue=False).then(
            web.mark_stopped, [chatbot], [chatbot], concurrency_id="ui", concurrency_limit=None).then(
            lambda: idle, None, [ask, stop], queue=False)
        chatbot.clear(None, None, None, cancels=answers, queue=False).then(
            lambda: ([], "<p class='rag-empty'>Cited passages appear here.</p>", [], [], *idle), None,
            [chatbot, sources, turns, panels, ask, stop], concurrency_id="ui", concurrency_limit=None).then(
            web.remember, keep, saved, queue=False)
        clear.click(None, None, None, cancels=answers, queue=False).then(
            lambda: ([], "<p class='rag-empty'>Cited passages appear here.</p>", [], [], "", *idle), None,
            [chatbot, sources, turns, panels, question, ask, stop], concurrency_id="ui",
            concurrency_limit=None).then(
            None, None, None, js="() => document.querySelector('#question textarea')?.focus()").then(
            web.remember, keep, saved, queue=False).then(lambda: None, None, export, queue=False)
        add.click(web.upload, [upload], [library, doc, library_msg], concurrency_limit=1,
                  concurrency_id="ingest").then(web.status_markdown, None, status).then(lambda: None, None, upload)
        # Sources belong to their answer: selecting an earlier answer (or its question) shows its sources.
        chatbot.select(web.show_answer_sources, [chatbot, panels], sources, queue=False)
        # Confirm with the article's name; cancelling sends no id, and nothing is removed.
        confirm = ("(doc) => { const name = document.querySelector('#remove-choice input')?.value || '';"
                   " return doc && window.confirm('Remove “' + name + '” from the library?') ? doc : null; }")
        remove.click(web.remove, [doc], [library, doc, library_msg], concurrency_limit=1,
                     concurrency_id="ingest", js=confirm).then(web.status_markdown, None, status)
        # Every page load reads the library, never the snapshot taken when the server started.
        demo.load(lambda: web.library_outputs("")[:2], None, [library, doc], queue=False)
        # Generating and running use the model: they queue with the chat's answers, one at a time.
        generate.click(web.generate_gold, [how_many], [gold_path, eval_msg], concurrency_limit=1,
                       concurrency_id="model")
        gold_upload.upload(lambda f: (_path_of(f), "Gold file uploaded: press **Run**."), [gold_upload],
                           [gold_path, eval_msg], queue=False)
        run.click(web.run_eval, [gold_path], [headline, calibration, verdicts, report, eval_msg],
                  concurrency_limit=1, concurrency_id="model")
        model.change(web.set_model, [model], [model_msg], concurrency_limit=1, concurrency_id="model").then(
            web.status_markdown, None, status
        )
    return demo


def theme() -> Any:
    """System fonts only: no web-font requests from an offline machine."""
    system = ["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "sans-serif"]
    mono = ["ui-monospace", "SFMono-Regular", "Menlo", "monospace"]
    return gr.themes.Soft(font=system, font_mono=mono)
