"""Analysed packs kept on disk between runs, so that a cold `check` neither reads the rule
YAML, nor builds the Lark parser, nor checks every expression again.

An entry is the pickled `Analysis` of one pack with its ancestors. Its key is a hash of the
contents (not the times) of every file of every pack in the chain, the tool's version and
code, the grammar, the schemas, the Python version and the working directory (file names in
diagnostics are shown relative to it). An entry that cannot be read, does not unpickle or
belongs to another key is ignored and written again; a cache folder that cannot be written
is skipped. Nothing here ever changes a result: a miss only costs the time of `analyze`.

Where: `$COMPLIANCE_CACHE_DIR`, else `$XDG_CACHE_HOME/compliance`, else
`~/.cache/compliance`. `COMPLIANCE_NO_CACHE=1` turns the cache off. Entries are pickles, so a
folder that others can write to (or that belongs to someone else) is never read.
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from . import __version__
from .lint import Analysis, analyze
from .packs import Repository
from .resources import grammar_file, schema_file

FORMAT = b"compliance analysis cache 1"
_SUFFIX = ".pickle"


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off or no home is known."""
    if os.environ.get("COMPLIANCE_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("COMPLIANCE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says a relative path is to be ignored
        return Path(xdg) / "compliance"
    try:
        return Path.home() / ".cache" / "compliance"
    except RuntimeError:  # no HOME and no password entry
        return None


def cached_analysis(directory: Path, repository: Repository) -> Analysis:
    """The analysis of the pack in `directory` with its ancestors: from the cache when an
    entry for exactly these files exists, else analysed now (and stored if it has no errors)."""
    folder = cache_dir()
    if folder is None:
        return analyze(repository.load(Path(directory)), repository)
    chain = _chain_dirs(Path(directory), repository)
    key = _key(chain)
    if key is not None:
        found = _read(folder, chain[-1], key)
        if found is not None:
            return found
    analysis = analyze(repository.load(Path(directory)), repository)
    # Stored only if the files did not change while they were read, and the chain peeked
    # for the key is the chain analysed.
    if key is not None and not analysis.errors and _key(chain) == key and \
            [p.directory.resolve() for p in analysis.chain] == [d.resolve() for d in chain]:
        _write(folder, chain[-1], key, analysis)
    return analysis


# ---- the key --------------------------------------------------------------------------

def _feed(h, *parts: bytes | str) -> None:
    """Length-prefixed, so that no two different sequences of parts hash alike."""
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)


def _digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


@functools.lru_cache(maxsize=1)
def _tool_digest() -> bytes:
    """Everything of the tool itself that shapes an analysis: its version and code (a changed
    module without a new version number must not reuse old entries), grammar and schemas."""
    h = hashlib.sha256()
    _feed(h, FORMAT, __version__, sys.version, sys.implementation.cache_tag or "", str(pickle.HIGHEST_PROTOCOL))
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        _feed(h, path.relative_to(package).as_posix(), _digest(path))
    _feed(h, "grammar", _digest(grammar_file()))
    for path in sorted(schema_file("record.schema.json").parent.glob("*.json")):
        _feed(h, path.name, _digest(path))
    return h.digest()


def _chain_dirs(directory: Path, repository: Repository) -> list[Path]:
    """The folders of the pack and its ancestors, base first, as the repository resolves
    `extends`; a missing or circular parent ends the chain (that analysis has errors and is
    never stored)."""
    chain = [directory]
    parent = _peek_extends(directory)
    while parent:
        found = repository.directory(str(parent))
        if found is None or any(found.resolve() == d.resolve() for d in chain):
            break
        chain.append(found)
        parent = _peek_extends(found)
    return list(reversed(chain))


def _peek_extends(directory: Path):
    try:
        import yaml
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load((directory / "pack.yaml").read_text(encoding="utf-8"), Loader=loader)
        return data.get("extends") if isinstance(data, dict) else None
    except Exception:  # a broken pack.yaml is reported when the pack is loaded
        return None


def _key(chain: list[Path]) -> str | None:
    """The hash of everything an analysis of `chain` depends on; None when a file cannot be
    read (such a pack is analysed afresh every time)."""
    h = hashlib.sha256()
    try:
        _feed(h, _tool_digest(), str(Path.cwd().resolve()))
        for directory in chain:
            _feed(h, "pack", str(directory), str(directory.resolve()))
            for path in sorted(p for p in directory.iterdir() if p.is_file()):
                _feed(h, path.name, _digest(path))
    except OSError:
        return None
    return h.hexdigest()


# ---- the entries ----------------------------------------------------------------------

def _prefix(directory: Path) -> str:
    """Entries of one pack folder (seen from one working directory) share a prefix, so a
    new entry replaces the stale ones instead of piling up."""
    where = f"{Path.cwd().resolve()}\0{directory.resolve()}"
    return hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _trusted(folder: Path) -> bool:
    """Unpickling runs code: only read a folder that no one else could have written to."""
    if not hasattr(os, "getuid"):
        return True
    try:
        st = folder.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _read(folder: Path, directory: Path, key: str) -> Analysis | None:
    if not _trusted(folder):
        return None
    try:
        data = (folder / f"{_prefix(directory)}-{key}{_SUFFIX}").read_bytes()
        stored_format, stored_key, analysis = pickle.loads(data)
    except Exception:  # missing, unreadable, truncated, from other code: analyse afresh
        return None
    if stored_format != FORMAT or stored_key != key or not isinstance(analysis, Analysis):
        return None
    return analysis


def _write(folder: Path, directory: Path, key: str, analysis: Analysis) -> None:
    """Write the entry atomically (temp file + rename); any failure leaves no file behind."""
    prefix = _prefix(directory)
    tmp = None
    try:
        data = pickle.dumps((FORMAT, key, analysis), protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{prefix}-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        target = folder / f"{prefix}-{key}{_SUFFIX}"
        os.replace(tmp, target)
        tmp = None
        for old in folder.glob(f"{prefix}-*{_SUFFIX}"):
            if old != target:
                old.unlink(missing_ok=True)
    except Exception:  # unwritable folder, full disk, an object that does not pickle: no cache
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
