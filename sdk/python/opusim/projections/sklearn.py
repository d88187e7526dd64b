"""OPUMap for scikit-learn: the OPU as a transformer, usable in a Pipeline and in
cross-validation (lightonml.projections.sklearn.OPUMap)."""
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .. import _verbosity
from ..opu import OPU


class OPUMap(BaseEstimator, TransformerMixin):
    """transform(X) = OPU.transform(X) of binary X (ndims=1: vectors; 2: 2-D inputs).

    n_components: outputs per input. opu: an OPU to use (its n_components is set to
    n_components); None opens one (opusim: on ``$OPUSIM_DEVICE``, else sim:gen2). ndims,
    n_2d_features, packed: the input geometry, as lightonml's. simulated, max_n_features: as in
    lightonml (opusim's device is always simulated; max_n_features is the OPU's).

    scikit-learn's clone() (cross-validation, grid search) gives the clones this OPUMap's OPU:
    a device is held by one handle at a time.
    """

    def __init__(self, n_components, opu=None, ndims=1, n_2d_features=None, packed=False,
                 simulated=False, max_n_features=None, verbose_level=-1):
        if verbose_level >= 0:
            _verbosity.set_verbose_level(verbose_level)
        self.verbose_level = verbose_level
        if ndims not in (1, 2):
            raise ValueError(f"ndims: expected 1 or 2, got {ndims!r}")
        if opu is None:
            settings = {"n_components": n_components}
            if max_n_features is not None:
                settings["max_n_features"] = max_n_features
            opu = OPU(**settings)
        else:
            if not isinstance(opu, OPU):
                raise TypeError(f"opu: expected an opusim.OPU, got {type(opu).__name__}")
            if opu.n_components != n_components:
                opu.n_components = n_components
        self.opu = opu
        # A plain attribute (scikit-learn's get_params must return the object it was given).
        self.n_components = n_components
        self.ndims = ndims
        self.n_2d_features = n_2d_features
        self.packed = packed
        self.simulated = simulated
        self.max_n_features = max_n_features
        self.fitted = False

    def fit(self, X=None, y=None, n_features=None, packed=False, online=False):
        """Fixes the input geometry from X (or n_features), as OPU.fit1d / fit2d."""
        if self.ndims == 1:
            self.opu.fit1d(X, n_features=n_features, packed=packed or self.packed, online=online)
        else:
            self.opu.fit2d(X, n_features=n_features or self.n_2d_features,
                           packed=packed or self.packed, online=online)
        self.fitted = True
        return self

    def transform(self, X, y=None):
        """The OPU's random features of X, as a plain numpy array."""
        if self.opu.n_components != self.n_components:
            self.opu.n_components = self.n_components
        if not self.fitted:
            self.fit(X)
        return np.array(self.opu.transform(X))

    def open(self):
        self.opu.open()

    def close(self):
        self.opu.close()

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()
