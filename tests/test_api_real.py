"""A real `rag serve` (0.5B model, real store, an api_key) driven by the official `openai` client, by curl, by
several clients at once, and by two browsers that must not see each other's conversations."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from rag.citations import strip_markers
from tests.conftest import SMALL, require_model
from tests.servers import rag_serve

pytestmark = pytest.mark.slow

KEY = "team-key-7f3a"
ARTICLE = (
    "Lighthouse reopens after restoration\n\n"
    "The Kestrel Point lighthouse reopened on 4 May after a two-year restoration that cost 3.2 million euros. "
    "Its keeper, Mara Lindqvist, said 1,200 visitors climbed the tower on the first day.\n\n"
    "The old lamp was replaced by an LED lantern made in Gdansk, which the town council says uses a tenth of the "
    "power."
)
COST = "What was the cost of restoring the Kestrel Point lighthouse?"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_model(SMALL)
    require_model("all-minilm-l6-v2-int8")
    articles = tmp_path_factory.mktemp("api-articles")
    (articles / "lighthouse.txt").write_text(ARTICLE)
    data = tmp_path_factory.mktemp("api-data")
    with rag_serve(data, SMALL, "--ingest", str(articles), RAG_API_KEY=KEY) as url:
        yield url


def _client(url: str, key: str = KEY) -> Any:
    from openai import OpenAI

    return OpenAI(base_url=url + "v1", api_key=key, max_retries=0, timeout=300)


def _stream(url: str, messages: list[dict[str, str]]) -> tuple[str, dict[str, Any], list[int]]:
    """Streamed answer through the openai client: (text from the deltas, last chunk's extras, places told)."""
    text, last, places = "", {}, []
    for chunk in _client(url).chat.completions.create(model=SMALL, messages=messages, stream=True):  # type: ignore[call-overload]
        extra = chunk.model_extra or {}
        if "queue" in extra:
            places.append(extra["queue"]["position"])
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        last = extra
    return text, last, places


def test_the_openai_client_gets_cited_answers_streamed_or_not(served: str) -> None:
    reply = _client(served).chat.completions.create(model=SMALL, messages=[{"role": "user", "content": COST}])
    text = reply.choices[0].message.content
    extra = reply.model_extra
    assert "3.2 million" in text and "[1]" in text, text
    assert extra["refused"] is False
    cite = extra["citations"][0]
    assert cite["marker"] == 1 and cite["title"] == "Lighthouse reopens after restoration"
    assert cite["source"] == "lighthouse.txt" and "3.2 million euros" in cite["snippet"]
    assert cite["support"] is None or cite["support"] in cite["snippet"]
    assert ARTICLE[cite["start"] : cite["end"]] == cite["snippet"]

    streamed, last, _ = _stream(served, [{"role": "user", "content": COST}])
    # The deltas are the text as written; `content` is the checked answer, whose markers the checks may place.
    assert strip_markers(streamed) == strip_markers(last["content"]) and "3.2 million" in streamed
    assert [c["marker"] for c in last["citations"]] == sorted({int(m) for m in
                                                              __import__("re").findall(r"\[(\d+)\]", last["content"])})


def test_a_follow_up_uses_the_history_and_an_unknown_is_refused(served: str) -> None:
    history = [{"role": "user", "content": COST},
               {"role": "assistant", "content": "The restoration cost 3.2 million euros [1]."},
               {"role": "user", "content": "Who is its keeper?"}]
    reply = _client(served).chat.completions.create(model=SMALL, messages=history)  # type: ignore[arg-type]
    assert "Lindqvist" in reply.choices[0].message.content
    reply = _client(served).chat.completions.create(model=SMALL, messages=[
        {"role": "user", "content": "How much did the Kestrel Point lighthouse restoration of 1998 cost?"}])
    assert reply.model_extra["refused"] is True and reply.model_extra["citations"] == []


def test_a_wrong_key_is_refused_before_any_work(served: str) -> None:
    import openai

    with pytest.raises(openai.AuthenticationError):
        _client(served, "not-the-key").chat.completions.create(
            model=SMALL, messages=[{"role": "user", "content": COST}]
        )
    with pytest.raises(openai.AuthenticationError):
        _client(served, "not-the-key").models.list()
    assert [m.id for m in _client(served).models.list()] == [SMALL]


def test_curl_streams_the_answer_and_its_citations(served: str) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    body = json.dumps({"stream": True, "messages": [{"role": "user", "content": COST}]})
    out = subprocess.run([curl, "-sN", served + "v1/chat/completions", "-H", f"Authorization: Bearer {KEY}",
                          "-H", "Content-Type: application/json", "-d", body],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    events = [line[6:] for line in out.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    last = json.loads(events[-2])
    assert "3.2 million" in last["content"] and last["citations"][0]["title"].startswith("Lighthouse")


def test_clients_at_once_are_all_answered_and_told_their_place(served: str) -> None:
    results: dict[int, tuple[str, dict[str, Any], list[int]]] = {}
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            results[i] = _stream(served, [{"role": "user", "content": COST}])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors
    assert len(results) == 4
    for text, last, _ in results.values():
        assert "3.2 million" in text and last["citations"], text
    places = [p for _, _, told in results.values() for p in told]
    assert max(places) >= 2  # the later ones waited, and were told so
    assert all(told[-1] == 0 for _, _, told in results.values())  # everyone's turn came


@pytest.mark.browser
def test_two_browsers_log_in_and_never_see_each_others_questions(served: str) -> None:
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM, _ask, require_chromium

    require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        pages = []
        for _ in range(2):
            page = browser.new_context().new_page()
            page.goto(served)
            page.fill("input[type=text]", "anyone")
            page.fill("input[type=password]", "wrong")
            page.get_by_role("button", name="Login").click()
            page.wait_for_timeout(1000)
            assert page.locator("#question textarea").count() == 0  # a wrong key does not get in
            page.fill("input[type=text]", "anyone")
            page.fill("input[type=password]", KEY)
            page.get_by_role("button", name="Login").click()
            page.wait_for_selector("#question textarea", timeout=60_000)
            pages.append(page)
        alice, bob = pages
        _ask(alice, COST)
        assert "3.2 million" in alice.locator("#chatbot").inner_text()
        bob.reload()
        bob.wait_for_selector("#question textarea", timeout=60_000)
        bob.wait_for_timeout(1500)
        assert COST not in bob.locator("#chatbot").inner_text()
        assert bob.locator("#chatbot [data-testid='bot']").count() == 0
        alice.reload()
        alice.wait_for_selector("#question textarea", timeout=60_000)
        alice.wait_for_function("() => document.querySelector('#chatbot').innerText.includes('3.2 million')",
                                timeout=15_000)  # her own conversation survives her reload
        browser.close()


@pytest.mark.browser
def test_the_page_and_the_library_load_while_api_clients_wait(served: str) -> None:
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM, require_chromium

    require_chromium()
    done: list[int] = []
    threads = [threading.Thread(target=lambda: (_stream(served, [{"role": "user", "content": COST}]),
                                                done.append(1)))
               for _ in range(6)]
    for t in threads:
        t.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page()
            page.goto(served)
            page.fill("input[type=text]", "anyone")
            page.fill("input[type=password]", KEY)
            page.get_by_role("button", name="Login").click()
            page.wait_for_selector("#question textarea", timeout=60_000)
            page.get_by_role("tab", name="Library").click()
            page.wait_for_function(
                "() => document.body.innerText.includes('Lighthouse reopens after restoration')", timeout=30_000)
            browser.close()
        assert len(done) < 6, "every API answer had finished before the page loaded; the test means nothing"
    finally:
        for t in threads:
            t.join(timeout=600)
    assert len(done) == 6
