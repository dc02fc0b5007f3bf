"""bench/results.md from results.json: every section's table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.common import ROOT


def end_to_end(summaries: list[Path]) -> list[dict[str, Any]]:
    """Ours against the naive bracket, each pair from one `rag eval --compare naive` run's summary.json."""
    rows = []
    for path in summaries:
        summary = json.loads(path.read_text())
        fp = summary["fingerprint"]
        ours, naive = (summary["systems"][k]["overall"] for k in ("ours", "naive"))
        rows.append({
            "source": str(path.relative_to(ROOT)), "model": fp["chat_model"], "k": fp["k"],
            "passage_tokens": fp.get("passage_tokens", 0),
            "ours_ttft_p50": ours["first_token_ms_p50"], "naive_ttft_p50": naive["first_token_ms_p50"],
            "ours_ttft_p95": ours["first_token_ms_p95"], "naive_ttft_p95": naive["first_token_ms_p95"],
            "ttft_p50_ratio": round(ours["first_token_ms_p50"] / naive["first_token_ms_p50"], 2),
            "ttft_p95_ratio": round(ours["first_token_ms_p95"] / naive["first_token_ms_p95"], 2),
            "ours_accuracy": ours["answer_accuracy"], "naive_accuracy": naive["answer_accuracy"],
            "ours_refusal": ours["refusal_accuracy"], "naive_refusal": naive["refusal_accuracy"],
            "ours_answer_in_context": ours["answer_in_context"],
            "ours_citation_precision": ours["citation_precision"],
            "ours_citation_holds_answer": ours.get("citation_answer_precision"),
            "ours_citation_coverage": ours["citation_coverage"],
        })
    return sorted(rows, key=lambda r: (r["passage_tokens"] != 0, -r["passage_tokens"]))


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _sweep(title: str, intro: str, columns: list[str], rows: list[list[Any]]) -> list[str]:
    """A measured sweep: heading, a sentence on what it varies, and its table."""
    table = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return ["", title, "", intro, "", *table, *("| " + " | ".join(str(c) for c in row) + " |" for row in rows)]


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [f"# Benchmark results ({results['mode']})", "",
             f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory_mib']} MiB; Python {m['python']}, "
             f"chromadb {m['chromadb']}, onnxruntime {m['onnxruntime']}, llama-cpp-python {m['llama_cpp_python']}.",
             f"Run on {results['date']}. Ratios compare against a baseline measured in the same run.", ""]
    if results.get("section_dates"):
        when = ", ".join(f"{k} {v}" for k, v in sorted(results["section_dates"].items()))
        lines += [f"Sections re-measured on their own (each ratio is still within one run): {when}.", ""]
    e = results.get("embedding", {})
    if e:
        lines += ["## 1. Embedding throughput (ours vs chromadb's default MiniLM function, same model files)", "",
                  "| texts | mean tokens | ours texts/s | chromadb texts/s | ours tokens/s | speed-up |", "|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['mean_tokens']} | {v['ours_texts_per_s']} | {v['chroma_texts_per_s']} | "
                  f"{v['ours_tokens_per_s']} | **{v['speedup']}x** |" for k, v in e.items()]
    eb = results.get("embed_batch", {})
    if eb:
        lines += _sweep("## 1b. Embedding batch size (most tokens per batch, padding counted; own process each)",
                        "The default is 512. 8192 tokens is 32 full chunks, the batch of 32 texts used before; "
                        "ratios are to it.",
                        ["texts", "budget (tokens)", "texts/s", "peak RSS MiB", "ratio to 8192"],
                        [[label, b, v["texts_per_s"], v["peak_rss_mib"], f"{v['ratio']}x"]
                         for label, rows in eb.items() for b, v in rows.items()])
    i = results.get("ingest", {})
    if i:
        lines += ["", "## 2. Ingest end to end (`rag ingest`, Chroma writes included)", "",
                  "| size | docs/s | chunks/s | peak RSS MiB | embedding-only chunks/s | ratio |", "|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['documents_per_s']} | {v['chunks_per_s']} | {v['peak_rss_mib']} | "
                  f"{v['embed_only_chunks_per_s']} | {v['ratio_to_embed_only']}x |" for k, v in i.items()]
    ib = results.get("ingest_batch", {})
    if ib:
        lines += _sweep("## 2b. Ingest write batching (documents written together until a batch holds N chunks)",
                        "N = 1 writes every document on its own: a pending record, its chunks and a ready record, "
                        "three store calls per document. Same corpus and embedder in one process.",
                        ["batch (chunks)", "chunks", "seconds", "chunks/s", "ratio to N = 1"],
                        [[k, v["chunks"], v["seconds"], v["chunks_per_s"], f"{v['ratio']}x"] for k, v in ib.items()])
    r = results.get("retrieval", {})
    if r:
        lines += ["", "## 3. Retrieval latency (query embedding + Chroma HNSW + filtering)", "",
                  "| size | p50 ms | p95 ms | numpy exact p50 | numpy exact p95 | p95 ratio |", "|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['p50_ms']} | {v['p95_ms']} | {v['numpy_exact_p50_ms']} | {v['numpy_exact_p95_ms']} | "
                  f"{v['p95_ratio']}x |" for k, v in r.items()]
    g = results.get("generation")
    if g:
        lines += ["", f"## 4. Generation overhead ({g['model']}, identical prompt, threads, context)", "",
                  "| | raw llama-cpp-python | ours | ratio / overhead |", "|---|---|---|---|",
                  f"| first token ms | {g['raw_first_token_ms']} | {g['ours_first_token_ms']} | "
                  f"+{g['first_token_overhead_ms']} ms |",
                  f"| decode tokens/s | {g['raw_decode_tokens_per_s']} | {g['ours_decode_tokens_per_s']} | "
                  f"{g['decode_ratio']}x |",
                  f"| first token, same passages already in the KV cache (new question only) | – | {g['prefix_reused_first_token_ms']} | "
                  f"{g['prefix_reuse_ratio']}x of cold |"]
    ls = results.get("llama_settings")
    if ls:
        lines += ["", f"## 4b. llama.cpp settings for this machine ({ls['model']}, {ls['prompt_tokens']}-token prompt, "
                  "raw llama-cpp-python)", "",
                  "| setting | threads | batch | flash attention | first token ms | prompt tokens/s | ratio to default |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['threads']} | {v['batch']} | {'on' if v['flash_attn'] else 'off'} | {v['first_token_ms']} | "
                  f"{v['prompt_tokens_per_s']} | {v['ratio']}x |" for k, v in ls["configs"].items()]
    e2e = results.get("end_to_end")
    if e2e:
        lines += ["", f"## 5. End to end on the seed gold questions ({e2e[0]['model']}, `rag eval --compare naive`)", "",
                  "Each row is one `rag eval` run (our pipeline over all questions, then the brackets) on one warm model. `passage tokens` is "
                  "the excerpt budget (0 = whole chunks, the default).", "",
                  "| k | passage tokens | first token p50 s: ours / naive | ratio | p95 ratio | answer acc. ours / naive | "
                  "refusal acc. ours / naive | answer in context | citation precision / coverage | cited passage holds the answer |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        lines += [f"| {r['k']} | {r['passage_tokens'] or 'whole chunks'} | {r['ours_ttft_p50'] / 1000:.2f} / "
                  f"{r['naive_ttft_p50'] / 1000:.2f} | **{r['ttft_p50_ratio']}x** | {r['ttft_p95_ratio']}x | "
                  f"{r['ours_accuracy']:.3f} / {r['naive_accuracy']:.3f} | {r['ours_refusal']:.2f} / {r['naive_refusal']:.2f} | "
                  f"{r['ours_answer_in_context']:.2f} | {r['ours_citation_precision']:.2f} / {r['ours_citation_coverage']:.2f} | "
                  f"{_num(r['ours_citation_holds_answer'])} |"
                  for r in e2e]
    mem = results.get("memory")
    if mem:
        lines += ["", f"## 6. Memory ({mem['model']})", "",
                  f"`rag serve` idle: {mem['serve_idle_rss_mib']} MiB; answering (`rag ask`, peak): "
                  f"{mem['answering_peak_rss_mib']} MiB; llama-cpp-python loading the model alone: "
                  f"{mem['raw_llama_load_peak_rss_mib']} MiB (ratio {mem['answering_ratio_to_raw']}x)."]
    big = results.get("large_file")
    if big:
        lines += ["", f"## 7. One large file ({big['file_mib']:g} MiB of text)", "",
                  f"`rag ingest` of one {big['file_mib']:g} MiB file: {big['chunks']} chunks in {big['seconds']} s "
                  f"({big['chunks_per_s']} chunks/s), peak {big['peak_rss_mib']} MiB; a one-paragraph file in the "
                  f"same run: {big['one_paragraph_peak_rss_mib']} MiB (ratio **{big['peak_ratio']}x**). Loading, "
                  "splitting (a 50,000-character section at a time) and embedding (128 chunks at a time) no "
                  "longer grow with the file; what still grows is Chroma's own memory for the chunks written "
                  "and published (about 240 MiB per 20k chunks, measured apart), bounded by `max_file_mb`."]
    team = results.get("team")
    if team:
        lines += ["", "## 8. Serving a team (`rag serve` API, `chroma run`)", ""]
        server = team.get("chroma_server")
        if server:
            e, s = server["embedded"], server["server"]
            lines += [f"Vector retrieval over {server['chunks']} chunks, {server['queries']} queries alternating: "
                      f"embedded p50 {e['p50_ms']} ms / p95 {e['p95_ms']} ms; through `chroma run` on loopback "
                      f"p50 {s['p50_ms']} ms / p95 {s['p95_ms']} ms (p95 ratio **{server['p95_ratio']}x**, "
                      "target within 3x).", ""]
        api = team.get("api")
        if api:
            f, c = api["first_token"], api["concurrent"]
            lines += [f"First word ({api['model']}, the same seed question, warm, {f['repeats']} each, alternating): "
                      f"through the API p50 {f['api_p50_ms']} ms, in-process p50 {f['in_process_p50_ms']} ms "
                      f"(added **{f['added_p50_ms']} ms**, target within 50 ms).", "",
                      f"{c['clients']} streamed clients at once: {c['answered']} answered, {c['correct']} correct, "
                      f"{c['dropped']} dropped; each was told its place while waiting (wait for its turn p50 "
                      f"{c['wait_p50_s']} s, p95 {c['wait_p95_s']} s; first word p95 {c['first_word_p95_s']} s; "
                      f"all done in {c['all_done_s']} s). Meanwhile the page and the library were fetched "
                      f"{c['ui_fetches']} times, p95 {c['ui_p95_ms']} ms."]
    session = results.get("session")
    if session:
        lines += ["", f"## 9. A session over a library too big for library mode ({session['model']})", "",
                  f"{session['chunks']} chunks ({session['articles']} generated articles); {session['questions']} "
                  "questions in two interleaved conversations, three per article, follow-ups with their history; "
                  "every answer from its retrieved passages. \"Follow-ups search afresh\": each follow-up gets the "
                  "passages of its own search, not its conversation's.", "",
                  "| variant | first token p50 ms | p95 ms | prompt tokens read per question (mean) | refused | "
                  "follow-up passages also in the turn before (mean) |",
                  "|---|---|---|---|---|---|"]
        for name in ("before", "no kept prefixes", "follow-ups search afresh", "ours"):
            v = session.get(name)
            if v:
                label = f"before (`{session['baseline_rev']}`)" if name == "before" else name
                lines.append(f"| {label} | {v['first_token_ms_p50']} | {v['first_token_ms_p95']} | "
                             f"{v['prompt_tokens_mean']} | {v['refused']} | {v.get('follow_up_passages_shared')} |")
        lines += ["", f"Ours against {'before' if session.get('before') else 'no kept prefixes'}: first token p50 "
                  f"**{session['p50_ratio']}x**, p95 {session['p95_ratio']}x."]
    restart = results.get("restart")
    if restart:
        c, r = restart["cold"], restart["restored"]
        lines += ["", f"## 10. The first question after a restart ({restart['model']}, seeds library)", "",
                  "| process | model load ms | warm-up ms (prefix) | first question: first token ms / tokens read | "
                  "next question ms / tokens read |", "|---|---|---|---|---|",
                  f"| first (no saved prefix) | {c['load_ms']} | {c['warm_up_ms']} ({c['prefix']}) | "
                  f"{c['first_token_ms']} / {c['first_prompt_tokens']} | {c['warm_first_token_ms']} / "
                  f"{c['warm_prompt_tokens']} |",
                  f"| restarted | {r['load_ms']} | {r['warm_up_ms']} ({r['prefix']}) | {r['first_token_ms']} / "
                  f"{r['first_prompt_tokens']} | {r['warm_first_token_ms']} / {r['warm_prompt_tokens']} |", "",
                  f"First question after the restart against the next one: **{restart['ratio']}x**."]
    quant = results.get("quantize")
    if quant:
        k, q = quant["models"]["Q4_K_M"], quant["models"]["Q4_0"]
        lines += ["", f"## 11. Q4_0 for llama.cpp's repacked kernels ({quant['source']}, {quant['prompt_tokens']}-token "
                  "prompt)", "", "| file | MB | first token ms | prompt tokens/s | decode tokens/s |",
                  "|---|---|---|---|---|",
                  f"| Q4_K_M (catalogue) | {k['bytes'] / 1e6:.0f} | {k['first_token_ms']} | {k['prompt_tokens_per_s']} | "
                  f"{k['decode_tokens_per_s']} |",
                  f"| Q4_0 (requantized in {quant['requantize_s']} s) | {q['bytes'] / 1e6:.0f} | {q['first_token_ms']} | "
                  f"{q['prompt_tokens_per_s']} | {q['decode_tokens_per_s']} |", "",
                  f"Q4_0 against Q4_K_M: first token **{quant['first_token_ratio']}x**, decoding "
                  f"{quant['decode_ratio']}x. Both are repacked at load on this build (q4_0_8x8 and q4_K_8x8), so "
                  "Q4_0 gains nothing here and is not offered."]
    if results.get("checks"):
        from bench.checks import render_checks

        lines += render_checks(results["checks"])
    if results.get("preread"):
        from bench.preread import render_preread

        lines += render_preread(results["preread"])
    return "\n".join(lines) + "\n"
