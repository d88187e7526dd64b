"""OPUMap for scikit-learn: the OPU as a transformer, usable in a Pipeline and in
cross-validation (lightonml.projections.sklearn.OPUMap)."""
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ._opu_map import OPUMapDevice, apply_verbose_level, checked_ndims, opu_with_components


class OPUMap(OPUMapDevice, BaseEstimator, TransformerMixin):
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
        apply_verbose_level(verbose_level)
        checked_ndims(ndims)  # before a device is opened
        self.verbose_level = verbose_level
        self.opu = opu_with_components(opu, n_components, max_n_features)
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
        return self._fit_geometry(X, n_features, packed, online)

    def transform(self, X, y=None):
        """The OPU's random features of X, as a plain numpy array."""
        if self.opu.n_components != self.n_components:
            self.opu.n_components = self.n_components
        if not self.fitted:
            self.fit(X)
        return np.array(self.opu.transform(X))
