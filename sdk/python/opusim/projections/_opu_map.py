"""What the scikit-learn and PyTorch OPUMaps share: the OPU they drive, the input geometry they
fix on it, and the device's lifetime (open, close, a context manager)."""
from .. import _verbosity
from ..opu import OPU


def checked_ndims(ndims):
    if ndims not in (1, 2):
        raise ValueError(f"ndims: expected 1 or 2, got {ndims!r}")
    return ndims


def opu_with_components(opu, n_components, max_n_features):
    """OPU to drive: the given one (its n_components set to n_components) or, for None, a new one
    (on ``$OPUSIM_DEVICE``, else sim:gen2)."""
    if opu is None:
        settings = {"n_components": n_components}
        if max_n_features is not None:
            settings["max_n_features"] = max_n_features
        return OPU(**settings)
    if not isinstance(opu, OPU):
        raise TypeError(f"opu: expected an opusim.OPU, got {type(opu).__name__}")
    if opu.n_components != n_components:
        opu.n_components = n_components
    return opu


def apply_verbose_level(verbose_level):
    if verbose_level >= 0:
        _verbosity.set_verbose_level(verbose_level)


class OPUMapDevice:
    """Mixin over an attribute ``opu`` and the geometry attributes ndims, n_2d_features, packed."""

    def _fit_geometry(self, X, n_features, packed, online):
        if self.ndims == 1:
            self.opu.fit1d(X, n_features=n_features, packed=packed or self.packed, online=online)
        else:
            self.opu.fit2d(X, n_features=n_features or self.n_2d_features,
                           packed=packed or self.packed, online=online)
        self.fitted = True
        return self

    def open(self):
        self.opu.open()

    def close(self):
        self.opu.close()

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()
