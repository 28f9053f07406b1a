"""compliance: Chinese education policy as rules-as-code.

    import compliance
    checker = compliance.load()                      # the national pack; or load(["yanping"])
    findings = checker.check(record)                 # one record (a dict as in the data contract)
    for findings in checker.check_many(records): ...  # many, in order
"""
__version__ = "0.1.0"


def load(packs=None, rules_dirs=()):
    """A Checker for the named packs (ids such as "national", or folders); `rules_dirs` are
    extra folders to find packs in. Raises CompilationFailed (its `diagnostics` say where)
    when a pack has errors."""
    # Imported here: `import compliance` must stay cheap (the engine pulls in Lark and the packs).
    from pathlib import Path

    from .engine import load_checker
    names = [packs] if isinstance(packs, str) else list(packs or ["national"])
    return load_checker(names, [Path(d) for d in rules_dirs])
