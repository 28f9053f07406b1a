"""Which rules read a parameter, directly or through derived fields. Shared by the mutation
gate (only those rules need running for a mutant) and test coverage (an inherited rule whose
threshold a pack redefines is that pack's to test)."""
from __future__ import annotations

import re

from .lint import Analysis


def _mentions(text: str | None, name: str) -> bool:
    return bool(text) and re.search(rf"\bparams\.{re.escape(name)}\b", text) is not None


def _names(text: str | None, names: set[str]) -> bool:
    # A plain substring: reading a rule as dependent when it is not only costs time.
    return bool(text) and any(n in text for n in names)


def reading_rules(analysis: Analysis, name: str) -> set[str]:
    """Qualified ids of the rules that read params.NAME, directly or through derived fields
    (by name or alias, so `s.in_resource_scope` and a bare `in_resource_scope` both count).
    A rule missed here can only make a mutant survive (the gate then fails), never hide one."""
    reading: set[str] = set()        # names and aliases of derived fields that read it
    while True:
        more = {n for d in analysis.derived.values() if d.name not in reading
                and (_mentions(d.value.text, name) or _names(d.value.text, reading))
                for n in (d.name, *d.aliases)}
        if not more:
            break
        reading |= more
    return {r.qualified_id for r in analysis.rules
            if any(_mentions(e.text if e else None, name) or _names(e.text if e else None, reading)
                   for e in (r.when, r.require))}


def own_params(analysis: Analysis) -> list[str]:
    """The parameters the pack itself defines, its own and the inherited ones it redefines."""
    return [name for name, p in analysis.params.items() if p.pack == analysis.pack.id]
