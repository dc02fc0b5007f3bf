"""The OpenAI-compatible API served beside the UI: chat completions whose citations are structured data, and the
library (list, add, remove).

Shapes follow OpenAI's chat completions, so its clients work unchanged; what they don't have is added as extra
keys: `citations` (marker, doc_id, title, source, start, end, snippet, support, supported), `refused`, `checks`,
and, on a streamed answer, `queue` while a request waits for the model and `content` (the checked answer) in the
last chunk. Requests are answered one at a time in arrival order; the model is one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile

from app.uploads import Uploads
from rag.assistant import Assistant
from rag.errors import DocumentNotFoundError, QuestionError, RagError
from rag.types import Answer, Citation, Done, Event, Retrieved, Retry, Token, Turn

log = logging.getLogger(__name__)

MAX_K = 10
QUEUE_NOTE_S = 2.0  # a waiting stream is told its place at least this often (and whenever it changes)


class ApiError(Exception):
    """A request the API refuses, with OpenAI's error shape."""

    def __init__(self, status: int, message: str, param: str | None = None, kind: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.param, self.kind = status, message, param, kind

    def response(self) -> JSONResponse:
        body = {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": None}}
        return JSONResponse(body, status_code=self.status)


def error_response(
    status: int, message: str, param: str | None = None, kind: str = "invalid_request_error"
) -> Response:
    """An error in OpenAI's shape."""
    return ApiError(status, message, param, kind).response()


@dataclass(frozen=True)
class ChatRequest:
    """A chat completion request, checked."""

    question: str
    history: list[Turn]
    stream: bool
    temperature: float | None
    max_tokens: int | None
    k: int | None
    passage_tokens: int | None


def _text(content: Any, where: str) -> str:
    """A message's text: a string, or OpenAI's list of parts (text parts joined)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        if len(parts) == len(content):
            return "".join(str(p) for p in parts)
    raise ApiError(400, f"{where}.content must be a string or a list of text parts", where)


def _number(body: dict[str, Any], key: str, kind: type, low: float, high: float | None) -> Any:
    value = body.get(key)
    if value is None:
        return None
    wrong_kind = kind is int and not float(value).is_integer() if isinstance(value, (int, float)) else True
    if isinstance(value, bool) or wrong_kind:
        raise ApiError(400, f"{key} must be {'an integer' if kind is int else 'a number'}", key)
    if value < low or (high is not None and value > high):
        top = f" and {high:g}" if high is not None else ""
        raise ApiError(400, f"{key} must be {'between ' if high is not None else 'at least '}{low:g}{top}", key)
    return kind(value)


def parse_chat(body: Any, served: str) -> ChatRequest:
    """Check a chat completion body: the last message is the user's question, earlier user/assistant pairs are the
    history. System messages are not obeyed (the assistant's own instructions decide how it answers); unknown
    fields are ignored."""
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object with a messages list")
    model = body.get("model")
    if model not in (None, "", served):
        raise ApiError(404, f"model {model!r} is not served here; this server answers with {served!r} "
                       "(GET /v1/models)", "model", "model_not_found")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "messages must be a non-empty list of {role, content} objects", "messages")
    said: list[tuple[str, str]] = []
    for i, m in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user", "assistant", "tool"):
            raise ApiError(400, f"{where} needs a role of system, user or assistant", where)
        if m["role"] in ("user", "assistant"):
            said.append((m["role"], _text(m.get("content"), where)))
    if not said or said[-1][0] != "user":
        raise ApiError(400, "the last message must be the user's question", "messages")
    history: list[Turn] = []
    pending: str | None = None
    for role, text in said[:-1]:
        if role == "user":
            pending = text
        elif pending is not None:
            history.append(Turn(pending, text))
            pending = None
    question = said[-1][1]
    if not question.strip():
        raise ApiError(400, "the question is empty; ask something about the articles", "messages")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise ApiError(400, "stream must be true or false", "stream")
    return ChatRequest(
        question=question,
        history=history,
        stream=stream,
        temperature=_number(body, "temperature", float, 0, 2),
        max_tokens=_number(body, "max_completion_tokens", int, 1, None) or _number(body, "max_tokens", int, 1, None),
        k=_number(body, "k", int, 1, MAX_K),
        passage_tokens=_number(body, "passage_tokens", int, 0, None),
    )


def public_source(source: str) -> str:
    """A document's source as a remote user may see it: a URL as is, a file by its name (no server paths)."""
    return source if "://" in source else Path(source).name


def citation_json(c: Citation) -> dict[str, Any]:
    """One citation as API data."""
    return {
        "marker": c.marker,
        "doc_id": c.doc_id,
        "title": c.title,
        "source": public_source(c.source),
        "start": c.start,
        "end": c.end,
        "snippet": c.snippet,
        "support": c.support,
        "supported": c.supported,
    }


def answer_extras(answer: Answer) -> dict[str, Any]:
    """What an answer adds to OpenAI's shape: its citations, whether it refused, and what the checks did."""
    return {
        "citations": [] if answer.refused else [citation_json(c) for c in answer.citations],
        "refused": answer.refused,
        "checks": [{"kind": c.kind, "detail": c.detail} for c in answer.checks],
        "timings": {k: (round(v, 1) if isinstance(v, float) else v) for k, v in asdict(answer.timings).items()},
    }


def usage(answer: Answer) -> dict[str, int]:
    """Token counts: prompt tokens the model read for this answer (cached ones not counted) and tokens written."""
    prompt = answer.timings.prompt_tokens or 0
    done = answer.timings.completion_tokens
    return {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done}


class Line:
    """First come, first served turns at the model; each request can tell its place (0 = being answered).

    Everything runs on the server's event loop; `leave` is synchronous so that a request cancelled mid-way (its
    client went away) always gives its place up.
    """

    def __init__(self) -> None:
        self._waiting: deque[object] = deque()
        self._changed = asyncio.Event()

    def join(self) -> object:
        me = object()
        self._waiting.append(me)
        return me

    def place(self, me: object) -> int:
        return self._waiting.index(me)

    async def turn(self, me: object, timeout: float | None = None) -> bool:
        """Wait until it is this request's turn; False when `timeout` seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._waiting[0] is not me:
            changed = self._changed
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            try:
                await asyncio.wait_for(changed.wait(), left)
            except TimeoutError:
                return False
        return True

    def leave(self, me: object) -> None:
        if me in self._waiting:
            self._waiting.remove(me)
            self._changed.set()
            self._changed = asyncio.Event()

    def __len__(self) -> int:
        return len(self._waiting)


_END = object()


async def events_in_thread(make: Callable[[], Iterator[Event]]) -> AsyncIterator[Event]:
    """Run an answer's event stream in a thread of its own (the model lock stays with that one thread for the whole
    answer) and hand its events to the event loop. Closing this iterator (the client went away) stops the answer
    and frees the model."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    stop = threading.Event()

    def produce() -> None:
        try:
            events = make()
            try:
                for event in events:
                    loop.call_soon_threadsafe(queue.put_nowait, event)
                    if stop.is_set():
                        break
            finally:
                close = getattr(events, "close", None)
                if close is not None:
                    close()
        except BaseException as exc:  # handed to the request, which reports it
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _END)

    worker = threading.Thread(target=produce, name="api-answer", daemon=True)
    worker.start()
    try:
        while True:
            item = await queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()  # the thread closes the answer's stream at its next event, which frees the model


def build_api(assistant: Assistant, line: Line | None = None) -> APIRouter:
    """The /v1 routes over an assistant."""
    router = APIRouter(prefix="/v1")
    line = line or Line()
    uploads = Uploads(assistant)

    def served() -> str:
        return assistant.settings.chat_model

    @router.get("/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": served(), "object": "model", "created": 0, "owned_by": "local"}]}

    @router.post("/chat/completions")
    async def chat(request: Request) -> Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return error_response(400, "the body is not valid JSON")
        try:
            req = parse_chat(body, served())
        except ApiError as exc:
            return exc.response()
        reply_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

        def make() -> Iterator[Event]:
            return assistant.ask_stream(
                req.question, req.history, req.k, req.passage_tokens,
                temperature=req.temperature, max_tokens=req.max_tokens,
            )

        if req.stream:
            return StreamingResponse(
                _sse(line, make, reply_id, created, served()),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        me = line.join()
        try:
            await line.turn(me)
            answer = None
            async for event in events_in_thread(make):
                if isinstance(event, Done):
                    answer = event.answer
        except RagError as exc:
            status, kind = _status(exc)
            return error_response(status, str(exc), kind=kind)
        finally:
            line.leave(me)
        assert answer is not None
        return JSONResponse({
            "id": reply_id,
            "object": "chat.completion",
            "created": created,
            "model": answer.model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": "stop",
                "logprobs": None,
            }],
            "usage": usage(answer),
            **answer_extras(answer),
        })

    @router.get("/documents")
    async def documents() -> dict[str, Any]:
        records = assistant.documents()
        return {"object": "list", "data": [
            {"id": d.id, "title": d.title, "source": public_source(d.source), "chunks": d.chunks, "chars": d.chars,
             "added_at": d.added_at, "status": d.status}
            for d in records
        ]}

    @router.post("/documents")
    async def add_documents(request: Request) -> Response:
        try:
            form = await request.form()
        except Exception:
            return error_response(400, "send the files as multipart/form-data, in fields named file", "file")
        files = [f for _, f in form.multi_items() if isinstance(f, UploadFile)]
        if not files:
            return error_response(400, "no file in the request; send one or more in fields named file", "file")
        with tempfile.TemporaryDirectory(prefix="rag-upload-") as tmp:
            given = []
            for i, f in enumerate(files):
                spooled = Path(tmp) / str(i)
                with spooled.open("wb") as out:
                    while block := await f.read(1 << 20):
                        out.write(block)
                given.append((f.filename or "upload", spooled))
            outcomes = await asyncio.to_thread(uploads.add, given)
        data = [
            {"file": o.name, "status": o.status, "doc_id": o.doc_id or None, "title": o.title or None,
             "chunks": o.chunks, "reason": o.reason or None, "warning": o.warning or None}
            for o in outcomes
        ]
        return JSONResponse({"object": "list", "data": data}, status_code=200 if any(o.ok for o in outcomes) else 400)

    @router.delete("/documents/{doc_id}")
    async def remove_document(doc_id: str) -> Response:
        try:
            record = await asyncio.to_thread(assistant.remove, doc_id)
        except DocumentNotFoundError as exc:
            return error_response(404, str(exc), "doc_id", "not_found_error")
        except RagError as exc:
            return error_response(409, str(exc), "doc_id")
        if uploads.owns(record.source):
            Path(record.source).unlink(missing_ok=True)
        return JSONResponse({"id": record.id, "object": "document.deleted", "deleted": True, "title": record.title,
                             "chunks": record.chunks})

    return router


def _status(exc: RagError) -> tuple[int, str]:
    """HTTP status and OpenAI error type of an error met while answering: the question's fault, or the server's."""
    return (400, "invalid_request_error") if isinstance(exc, QuestionError) else (503, "server_error")


def _chunk(reply_id: str, created: int, model: str, delta: dict[str, Any], finish: str | None = None,
           **extra: Any) -> str:
    body = {
        "id": reply_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


async def _sse(line: Line, make: Callable[[], Iterator[Event]], reply_id: str, created: int,
               model: str) -> AsyncIterator[str]:
    """A streamed answer as server-sent events: the place in line while waiting, the text as written, then the
    checked answer's citations, and [DONE]."""
    me = line.join()
    try:
        yield _chunk(reply_id, created, model, {"role": "assistant", "content": ""}, queue={"position": line.place(me)})
        told = line.place(me)
        while not await line.turn(me, timeout=QUEUE_NOTE_S):
            told = line.place(me)
            yield _chunk(reply_id, created, model, {}, queue={"position": told})
        if told:
            yield _chunk(reply_id, created, model, {}, queue={"position": 0})
        streamed = ""
        try:
            async for event in events_in_thread(make):
                if isinstance(event, Token) and event.text:
                    streamed += event.text
                    yield _chunk(reply_id, created, model, {"content": event.text})
                elif isinstance(event, Retry):  # a stream cannot take back what it sent: say it is withdrawn
                    note = f"\n\n[Withdrawn: {event.reason} Asking again over the closest passages.]\n\n"
                    yield _chunk(reply_id, created, model, {"content": note})
                    streamed = ""  # the final `content` is the new answer whole
                elif isinstance(event, Retrieved):
                    continue
                elif isinstance(event, Done):
                    # The checks may add markers at the end (sent as the last delta) or change the text (withheld
                    # sentences, a refusal): `content` is always the checked answer, whole.
                    answer = event.answer
                    tail = answer.text[len(streamed):] if answer.text.startswith(streamed) else ""
                    yield _chunk(reply_id, created, answer.model, {"content": tail} if tail else {}, "stop",
                                 content=answer.text, usage=usage(answer), **answer_extras(answer))
        except RagError as exc:
            error = {"message": str(exc), "type": _status(exc)[1], "param": None, "code": None}
            yield f"data: {json.dumps({'error': error})}\n\n"
        yield "data: [DONE]\n\n"
    finally:
        line.leave(me)
