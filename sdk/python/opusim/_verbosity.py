"""lightonml's module-level verbosity (set_verbose_level / get_verbose_level)."""
_level = 0


def set_verbose_level(level):
    """0: nothing, 1: information, 2: debug, 3: trace (kept for lightonml code; opusim prints
    nothing itself)."""
    global _level
    if not isinstance(level, int) or not 0 <= level <= 3:
        raise ValueError(f"verbose_level: expected 0 to 3, got {level!r}")
    _level = level


def get_verbose_level():
    return _level
