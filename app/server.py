"""`rag serve`: the chat UI at / and the OpenAI-compatible API at /v1, on one host and port (uvicorn).

With an `api_key`, every API call needs `Authorization: Bearer KEY` (checked before any work is done) and the UI
asks for it once at login (any user name, the key as password). Each browser keeps its own conversation; the
library is shared.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request

from app.api import ApiError, Line, build_api
from app.exports import Exports
from app.render import CSS, MARKER_SCRIPT
from app.web import build_ui, theme
from rag.assistant import Assistant

log = logging.getLogger(__name__)


def _warm(assistant: Assistant) -> None:
    try:
        status = assistant.warm()
        log.info("model ready%s", f"; library prefix {status}" if status else "")
    except Exception:  # a missing model is reported to the first question, with its fix
        log.warning("could not load the model in the background", exc_info=True)


def key_matches(given: str, key: str) -> bool:
    """Constant-time comparison of a presented key with the configured one."""
    return hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8"))


def build_app(assistant: Assistant) -> Any:
    """The FastAPI app: /v1 routes (key-checked when a key is set), then the Gradio UI mounted at /."""
    import gradio as gr  # after app.web, which switches Gradio's network calls off first

    s = assistant.settings

    async def require_key(request: Request) -> None:
        if not s.api_key:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key_matches(given.strip(), s.api_key):
            raise ApiError(401, "missing or wrong API key; send the header Authorization: Bearer <api_key>",
                           kind="authentication_error")

    exports = Exports()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        # Here, not at exit: uvicorn raises SIGTERM again once it has shut down, and exit handlers never run.
        exports.close()

    app = FastAPI(title="Article assistant API", docs_url=None, redoc_url=None, openapi_url="/v1/openapi.json",
                  lifespan=lifespan)
    app.add_exception_handler(ApiError, lambda _request, exc: exc.response())
    app.include_router(build_api(assistant, Line()), dependencies=[Depends(require_key)])

    demo = build_ui(assistant, exports)
    demo.queue(max_size=s.queue_size, default_concurrency_limit=1)
    key = s.api_key

    def login(_user: str, password: str) -> bool:
        return key_matches(password, key)

    return gr.mount_gradio_app(
        app,
        demo,
        path="",
        auth=login if key else None,
        auth_message="Sign in with any user name and the team's API key as the password." if key else None,
        max_file_size=f"{s.max_upload_mb:g}mb",
        theme=theme(),
        css=CSS,
        head=MARKER_SCRIPT,
        ssr_mode=False,
        footer_links=[],
        show_error=True,
    )


def serve(assistant: Assistant, *, block: bool = True) -> Any:
    """Serve the UI and the API on the configured host and port; the model loads in the background."""
    import uvicorn

    s = assistant.settings
    threading.Thread(target=_warm, args=(assistant,), name="warm-model", daemon=True).start()
    if s.share:
        log.warning("share: the public link serves the UI only, not the /v1 API")
        demo = build_ui(assistant)
        demo.queue(max_size=s.queue_size, default_concurrency_limit=1)
        demo.launch(share=True, server_name=s.host, server_port=s.port, theme=theme(), css=CSS, head=MARKER_SCRIPT,
                    ssr_mode=False, footer_links=[], prevent_thread_lock=not block, show_error=True)
        return demo
    server = uvicorn.Server(uvicorn.Config(
        build_app(assistant), host=s.host, port=s.port, log_level="warning", timeout_graceful_shutdown=3,
    ))
    host = f"[{s.host}]" if ":" in s.host else s.host
    print(f"Serving the UI on http://{host}:{s.port}/ and the API on http://{host}:{s.port}/v1", flush=True)
    if block:
        server.run()
    else:
        threading.Thread(target=server.run, name="uvicorn", daemon=True).start()
    return server
