"""Run a module as __main__ and write its own peak resident memory (MiB) to the file named first.

VmHWM is read from /proc, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child forked from a big
parent would report the parent's peak.
"""

import re
import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    out, module, *rest = sys.argv[1:]
    sys.argv = [module, *rest]
    try:
        runpy.run_module(module, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    with open(out, "w") as fh:
        status = Path("/proc/self/status").read_text()
        fh.write(str(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) // 1024))  # type: ignore[union-attr]
    sys.exit(code)
