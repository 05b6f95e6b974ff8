from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command


def run_import(*paths: str | Path, **options) -> tuple[int, str]:
    """Run ``import_questions`` and return (exit status, output)."""
    out = io.StringIO()
    try:
        call_command("import_questions", *map(str, paths), stdout=out, stderr=io.StringIO(), **options)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


def summary_line(output: str) -> str:
    return output.strip().splitlines()[-1]
