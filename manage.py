#!/usr/bin/env python
"""Django's command-line utility for Mitra (the same as the `mitra` console script)."""

import sys
from pathlib import Path

# The project package lives under the platform/ source root; make it importable without an install.
sys.path.insert(0, str(Path(__file__).resolve().parent / "platform"))

from mitra.cli import main

if __name__ == "__main__":
    main()
