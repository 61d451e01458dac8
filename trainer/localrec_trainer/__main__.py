"""`python -m localrec_trainer --prepared <bundle> --out <dir> [training flags]`, alone or under torchrun."""

import sys

from .distributed.main import main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ValueError, FileNotFoundError) as error:
        # What was wrong and what to do, without a traceback (the flags and files are the user's to fix).
        sys.stderr.write(f"train:dist: {error}\n")
        sys.exit(2)
