"""Enumerations of lightonml's API (lightonml.types and lightonml.internal.types)."""
from enum import Enum


class OutputRescaling(Enum):
    """How `OPU.linear_transform` rescales its output (as lightonml's)."""

    variance = 1
    """Divide by the entries' standard deviation times sqrt(n_features): unit-variance entries
    for inputs of unit mean square."""
    norm = 2
    """Divide by the entries' standard deviation times sqrt(n_components): the norm of the input
    is approximately kept."""
    none = 3
    """No rescaling: the device's matrix, entries N(0, 1/2)."""


class InputRoiStrategy(Enum):
    """How the features are laid out on the DMD (docs/sdk.md)."""

    full = 1
    """Each feature on as many mirrors as fit: more light, more signal."""
    small = 2
    """One mirror per feature, in the centre."""
    auto = 3
    """Chosen by the SDK from the feature count."""


def parse_enum(enum_type, value, argument):
    """VALUE as a member of ENUM_TYPE (a member or its name); ValueError/TypeError naming
    ARGUMENT otherwise."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        try:
            return enum_type[value.lower()]
        except KeyError:
            names = ", ".join(member.name for member in enum_type)
            raise ValueError(f"{argument}: expected one of {names}, got {value!r}") from None
    raise TypeError(f"{argument}: expected a {enum_type.__name__} or its name, "
                    f"got {type(value).__name__}")
