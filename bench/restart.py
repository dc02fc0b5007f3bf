"""`python -m bench.restart DATA_DIR MODEL`: first-token time of the first question in a fresh process.

Run it twice on the same data folder: the first run reads the library prefix and saves it, the second restores
it. Prints JSON: the model load time (excluded from the rest), how the library prefix was had, the first
question's first-token ms, and a second (warm) question's first-token ms.
"""

import json
import sys
import time
from pathlib import Path

from rag.build import build_assistant
from rag.config import load_settings

if __name__ == "__main__":
    data, model = Path(sys.argv[1]), sys.argv[2]
    assistant = build_assistant(load_settings(env={}, data_dir=data, models_dir=Path("models"), chat_model=model))
    started = time.perf_counter()
    assistant.generator.count_tokens("load")  # the weights, timed apart from the questions
    load_ms = (time.perf_counter() - started) * 1000
    first = assistant.ask("How old is Ri Il Gyu?")
    warm = assistant.ask("Which newspaper reported Ri's defection based on an exclusive interview?")
    print(json.dumps({"load_ms": round(load_ms), "first_token_ms": round(first.timings.first_token_ms or 0),
                      "first_prompt_tokens": first.timings.prompt_tokens,
                      "warm_first_token_ms": round(warm.timings.first_token_ms or 0),
                      "warm_prompt_tokens": warm.timings.prompt_tokens}))
