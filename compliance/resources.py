"""Where the grammar and the shipped rule packs are, in a checkout or an installed wheel."""
from __future__ import annotations

from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[1]


def _locate(repo_dir: str, installed_package: str) -> Path:
    in_checkout = _REPO_ROOT / repo_dir
    if in_checkout.is_dir() and (_REPO_ROOT / "pyproject.toml").is_file():
        return in_checkout
    # A wheel carries the same folders inside the package as _grammar/ and _rules/.
    return Path(__file__).resolve().parent / installed_package.rsplit(".", 1)[1]


def grammar_file() -> Path:
    return _locate("grammar", "compliance._grammar") / "rules.lark"


def rules_dir() -> Path:
    return _locate("rules", "compliance._rules")


def schema_file(name: str) -> Path:
    return Path(__file__).resolve().parent / "schemas" / name
