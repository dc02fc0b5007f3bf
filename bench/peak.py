"""Run a module as __main__ and write its own peak resident memory (MiB) to the file named first."""

import resource
import runpy
import sys

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
        fh.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024))
    sys.exit(code)
