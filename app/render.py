"""HTML for the web UI. Every piece of article text, file name and model output is escaped here."""

from __future__ import annotations

import html
import re
from pathlib import Path

from rag.types import Answer, Check, Citation, ScoredChunk, Timings

SNIPPET_CONTEXT = 400  # characters of the article shown on each side of a cited span


def esc(text: object) -> str:
    """Text made safe to place in HTML (or in Markdown that allows HTML)."""
    return html.escape(str(text), quote=True)


# Markdown's own escapes, not HTML entities: markup in an answer shows as text, and the chat's Copy button (which
# copies a message's source) gives the answer as written, quotes and apostrophes included.
_MARKDOWN_ESCAPES = str.maketrans({"\\": "\\\\", "<": "\\<", ">": "\\>", "&": "\\&", "`": "\\`"})


def answer_markdown(text: str) -> str:
    """Model output for the chat: markup in it shows as text, and no Markdown links."""
    return text.translate(_MARKDOWN_ESCAPES).replace("](", "]\\(")


def first_word_line(t: Timings) -> str:
    """The timing a reader cares about, in words."""
    if t.first_token_ms is None:
        return f"Answered in {t.total_ms / 1000:.1f} s."
    return f"First word after {t.first_token_ms / 1000:.1f} s; done in {t.total_ms / 1000:.1f} s."


def answer_notes_html(answer: Answer, show_timings: bool) -> str:
    """Notes about an answer, shown above its sources and never copied with it: what the checks withheld, and
    (when timings are on) the first-word time in words, with the breakdown behind a toggle."""
    parts = []
    if answer.withheld:
        parts.append(f'<p class="rag-note" role="note">{esc(withheld_line(answer.withheld))}</p>')
    if show_timings:
        parts.append(f'<details class="rag-timings"><summary>{esc(first_word_line(answer.timings))}</summary>'
                     f'<span class="rag-note">{esc(timings_line(answer.timings))}</span></details>')
    return "".join(parts)


def timings_line(t: Timings) -> str:
    """A short line of timings."""
    parts = [f"retrieval {t.retrieval_ms:.0f} ms"]
    if t.excerpt_ms:
        parts.append(f"excerpts {t.excerpt_ms:.0f} ms")
    if t.first_token_ms is not None:
        parts.append(f"first token {t.first_token_ms / 1000:.2f} s")
    parts.append(f"total {t.total_ms / 1000:.2f} s")
    if t.tokens_per_s:
        parts.append(f"{t.tokens_per_s:.1f} tokens/s")
    return " · ".join(parts)


def withheld_line(withheld: list[Check]) -> str:
    """What the grounding check removed from an answer, in words."""
    n = len(withheld)
    reasons = "; ".join(c.detail for c in withheld)
    return f"{n} sentence{'s' if n != 1 else ''} withheld ({reasons})."


_LINE_BREAK = re.compile(r"(?<![\n])\n(?![\n])")  # one newline inside a paragraph, not a paragraph break
_HEADING = re.compile(r"(^|\n)#{1,6}[ \t]+([^\n]*)")  # a heading keeps its own line, without the #


# Screen-reader labels of page icons that text extraction keeps ("Arrow-right Camera"): navigation, not article.
_ICON = (r"(?:arrow-(?:left|right|up|down)|chevron-(?:left|right|up|down)|camera|menu|search|close|share|print|email"
         r"|play|pause|expand|collapse)")
_FURNITURE = re.compile(rf"^[ \t]*{_ICON}(?:[ \t]+{_ICON})*[ \t]*(?:\n|$)", re.IGNORECASE | re.MULTILINE)


def readable(text: str) -> str:
    """Escaped text for reading: icon-label lines dropped, hard line breaks inside paragraphs joined, Markdown
    heading marks dropped.

    Display only: spans and offsets are computed on the original text before this is applied, and the model reads
    the text as indexed (dropping these lines at ingest moved chunk boundaries and cost answers on the dev split).
    """
    text = _FURNITURE.sub("", text)
    text = _HEADING.sub(lambda m: ("\n\n" if m.group(1) else "") + m.group(2) + "\n\n", text)
    return esc(re.sub(r"\n{3,}", "\n\n", _LINE_BREAK.sub(" ", text)))


def _highlight(text: str, offset: int, start: int | None, end: int | None, css: str = "") -> str:
    """Readable text with [start, end) (document coordinates) wrapped in <mark>."""
    if start is None or end is None or end <= offset or start >= offset + len(text):
        return readable(text)
    a, b = max(start - offset, 0), min(end - offset, len(text))
    mark = f'<mark class="{css}">' if css else "<mark>"
    return f"{readable(text[:a])}{mark}{readable(text[a:b])}</mark>{readable(text[b:])}"


def citation_html(c: Citation, article: str | None) -> str:
    """One cited passage: number, title, source, snippet with its supporting sentence, the whole article."""
    snippet = _highlight(c.snippet, c.start, c.support_start, c.support_end)
    inferred = ' <span class="rag-note">(matched by the assistant)</span>' if c.inferred else ""
    whole = ""
    if article:
        body = _highlight(article, 0, c.start, c.end, "rag-passage")  # the passage, in its own colour
        whole = f'<details class="rag-article"><summary>Open the whole article</summary><div>{body}</div></details>'
    return (
        f'<div class="rag-source" data-marker="{c.marker}">'
        f'<div class="rag-head"><span class="rag-num">[{c.marker}]</span> <b>{esc(c.title)}</b>{inferred}</div>'
        f'<div class="rag-file">{esc(Path(c.source).name)} · characters {c.start}–{c.end}</div>'
        f'<blockquote class="rag-snippet">{snippet}</blockquote>{whole}</div>'
    )


def answer_sources_markdown(answer: Answer) -> str:
    """An answer's numbered sources as Markdown (for the conversation export)."""
    if answer.refused or not answer.citations:
        return ""
    lines = ["Sources:"]
    for c in answer.citations:
        quote = (c.support or c.snippet).replace("\n", " ").strip()
        lines.append(f"[{c.marker}] {c.title} ({Path(c.source).name}, characters {c.start}-{c.end}): \"{quote}\"")
    return "\n".join(lines)


def message_text(content: object) -> str:
    """The text of a chat message's content (Gradio hands it back as a string or as a list of parts)."""
    if isinstance(content, list):
        return "".join(message_text(part) for part in content)
    if isinstance(content, dict):
        return str(content.get("text") or "")
    return str(content or "")


def conversation_markdown(chat: list[dict[str, object]], sources: list[str]) -> str:
    """The conversation as Markdown: each question, its answer as written, and the answer's sources."""
    out = ["# Conversation", ""]
    answer = 0
    for message in chat:
        text = message_text(message.get("content")).replace("\\", "")  # the chat's Markdown escapes
        if message.get("role") == "user":
            out += [f"**You:** {text}", ""]
        else:
            out += [f"**Assistant:** {text}", ""]
            if answer < len(sources) and sources[answer]:
                out += [sources[answer], ""]
            answer += 1
    return "\n".join(out).rstrip() + "\n"


def uncited_html(passages: list[ScoredChunk], cited_ids: set[str], label: str = "not cited") -> str:
    """Retrieved passages the answer did not cite, collapsed."""
    rest = [p for p in passages if p.chunk.id not in cited_ids]
    if not rest:
        return ""
    items = "".join(
        f'<li><b>{esc(p.chunk.title)}</b> <span class="rag-file">{esc(Path(p.chunk.source).name)}'
        f" · score {p.score:.2f}</span><div>{esc(p.chunk.text)}</div></li>"
        for p in rest
    )
    return (
        f'<details class="rag-uncited"><summary>{len(rest)} more retrieved passage(s), {label}</summary>'
        f'<ul class="rag-plain">{items}</ul></details>'
    )


def sources_html(answer: Answer, articles: dict[str, str]) -> str:
    """The sources panel for an answer."""
    if answer.refused:
        body = '<p class="rag-empty">No sources: the articles do not contain the answer.</p>'
        return body + uncited_html(answer.retrieved, set(), "searched, not used")
    if not answer.citations:
        head = '<p class="rag-empty">The answer cites no passage; check it against the passages below.</p>'
    else:
        head = "".join(citation_html(c, articles.get(c.doc_id)) for c in answer.citations)
    return head + uncited_html(answer.retrieved or answer.passages, {c.chunk_id for c in answer.citations})


CSS = """
.rag-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 6px 0; }
.rag-num { font-weight: 700; color: var(--color-accent); }
.rag-file, .rag-note { color: var(--body-text-color-subdued); font-size: 0.85em; }
.rag-snippet { margin: 6px 0; white-space: pre-wrap; border-left: 3px solid var(--color-accent); padding-left: 8px; }
/* Dark text on the highlight in both themes (inherited light text on pale yellow is unreadable in dark mode). */
.rag-snippet mark, .rag-article mark { background: #fde68a; color: #1f2937; }
.rag-article mark.rag-passage { background: #bfdbfe; color: #1f2937; }
.rag-article div { white-space: pre-wrap; max-height: 320px; overflow-y: auto; font-size: 0.9em; }
.rag-uncited div { white-space: pre-wrap; font-size: 0.9em; }
.rag-empty { color: var(--body-text-color-subdued); }
.rag-plain { list-style: disc; }
.rag-marker { color: var(--color-accent); text-decoration: underline dotted; cursor: pointer; }
.rag-marker:focus-visible, #chatbot button:focus-visible {
  outline: 2px solid var(--color-accent); outline-offset: 2px; }
.rag-flash { animation: rag-flash 2s ease-out; }
/* On a phone a tapped marker shows its source under the message, where the reader is. */
.rag-inline { margin: 8px 0; font-size: 0.92em; }
.rag-inline details { display: none; }
/* A dropdown's chosen text stops before its arrow (it ran under it at phone width), with an ellipsis. */
input[role="combobox"] { padding-right: 28px !important; text-overflow: ellipsis; }
/* Remove deletes an article: a red button, white text (5.9:1), in both themes. */
#remove { background: #b91c1c !important; color: #ffffff !important; border-color: #991b1b !important; }
@keyframes rag-flash { from { box-shadow: 0 0 0 4px var(--color-accent); } to { box-shadow: none; } }
"""

# Markers in answers become links to their source: the click (or Enter) selects that answer's sources, scrolls to
# source n and flashes it; hovering shows its supporting sentence. Plain DOM script, no network.
MARKER_SCRIPT = """
<script>
(() => {
  const MARK = /\\[(\\d{1,2})\\]/g;
  const panel = (k) => document.querySelector(`#sources .rag-panel[data-answer="${k}"]`);
  function wrap() {
    document.querySelectorAll('#chatbot [data-testid="bot"]').forEach((bot, k) => {
      const walker = document.createTreeWalker(bot, NodeFilter.SHOW_TEXT);
      const nodes = [];
      while (walker.nextNode()) {
        const n = walker.currentNode;
        MARK.lastIndex = 0;
        if (MARK.test(n.nodeValue) && !n.parentElement.closest('.rag-marker, button, code')) nodes.push(n);
      }
      for (const n of nodes) {
        const frag = document.createDocumentFragment();
        let last = 0;
        n.nodeValue.replace(MARK, (m, num, off) => {
          frag.append(n.nodeValue.slice(last, off));
          const a = document.createElement('a');
          a.href = '#'; a.className = 'rag-marker'; a.textContent = m;
          a.dataset.marker = num; a.dataset.answer = k;
          a.setAttribute('aria-label', `source ${num}`);
          frag.append(a);
          last = off + m.length;
          return m;
        });
        frag.append(n.nodeValue.slice(last));
        n.replaceWith(frag);
      }
    });
  }
  let queued = false;
  const announce = () => {  // screen readers hear the sources and status line change
    const panel = document.querySelector('#sources');
    if (panel && !panel.hasAttribute('aria-live')) panel.setAttribute('aria-live', 'polite');
  };
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; announce(); wrap(); }); }
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
  // "Open the whole article" shows the cited passage, not the top of the article.
  document.addEventListener('toggle', (e) => {
    const d = e.target;
    if (d.matches && d.matches('.rag-article') && d.open) {
      const m = d.querySelector('mark.rag-passage');
      const box = d.querySelector('div');
      if (m && box) box.scrollTop = m.offsetTop - box.offsetTop - 40;
    }
  }, true);
  // A number typed into a slider's box is kept within the slider's range, as the slider itself is.
  document.addEventListener('change', (e) => {
    const box = e.target;
    if (!box.matches || !box.matches('input[type=number]')) return;
    const range = box.closest('.block')?.querySelector('input[type=range]');
    if (!range || box.value === '') return;
    const v = Math.min(Number(range.max), Math.max(Number(range.min), Number(box.value)));
    if (String(v) !== box.value) {
      box.value = String(v);
      box.dispatchEvent(new Event('input', {bubbles: true}));
    }
  }, true);
  document.addEventListener('mouseover', (e) => {
    const a = e.target.closest && e.target.closest('.rag-marker');
    const src = a && panel(a.dataset.answer)?.querySelector(`.rag-source[data-marker="${a.dataset.marker}"] mark`);
    if (src) a.title = src.textContent;
  });
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('.rag-marker');
    if (!a) return;
    e.preventDefault();
    const started = Date.now();
    const phone = window.matchMedia('(max-width: 700px)').matches;
    const go = () => {  // the answer's sources may still be on their way (selecting an older answer)
      const src = panel(a.dataset.answer)?.querySelector(`.rag-source[data-marker="${a.dataset.marker}"]`);
      if (src && phone) {  // the Sources panel is far below: show this source under the message instead
        const block = a.closest('p, li') || a.parentElement;
        const open = block.nextElementSibling;
        const same = open && open.classList.contains('rag-inline') && open.dataset.marker === a.dataset.marker;
        if (open && open.classList.contains('rag-inline')) open.remove();
        if (!same) {
          const box = src.cloneNode(true);
          box.classList.add('rag-inline'); box.dataset.marker = a.dataset.marker;
          box.setAttribute('role', 'note');
          block.after(box);
        }
      } else if (src) {
        src.scrollIntoView({behavior: 'smooth', block: 'center'});
        src.classList.remove('rag-flash'); void src.offsetWidth; src.classList.add('rag-flash');
      } else if (Date.now() - started < 3000) { setTimeout(go, 100); }
    };
    go();
  });
})();
</script>
"""
