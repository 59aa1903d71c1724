"""Reading the JSON files users hand the scanner (snapshots, reports), with errors they can act on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import UsageError


def read_json(path: str, option: str, what: str) -> Any:
    """The parsed file; a usage error naming the option and saying what was expected otherwise."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"{option} {path}: cannot be read ({error.strerror})") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise UsageError(f"{option} {path}: not {what} ({error})") from None
