"""OPUMap for PyTorch: the OPU as an nn.Module (lightonml.projections.torch.OPUMap). The device
is not differentiable: the module has no parameters and its output needs no gradient."""
import torch
from torch import nn

from .. import _verbosity
from ..opu import OPU


class OPUMap(nn.Module):
    """forward(X) = OPU.transform(X) for a binary tensor X: the camera values as a tensor (uint8
    on 8-bit cameras, as lightonml's).

    Arguments as lightonml's: n_components, opu (None opens one), ndims (1 or 2), n_2d_features,
    packed, simulated, max_n_features, verbose_level.
    """

    def __init__(self, n_components, opu=None, ndims=1, n_2d_features=None, packed=False,
                 simulated=False, max_n_features=None, verbose_level=-1):
        super().__init__()
        if verbose_level >= 0:
            _verbosity.set_verbose_level(verbose_level)
        if ndims not in (1, 2):
            raise ValueError(f"ndims: expected 1 or 2, got {ndims!r}")
        if opu is None:
            settings = {"n_components": n_components}
            if max_n_features is not None:
                settings["max_n_features"] = max_n_features
            opu = OPU(**settings)
        elif opu.n_components != n_components:
            opu.n_components = n_components
        self.opu = opu
        self.ndims = ndims
        self.n_2d_features = n_2d_features
        self.packed = packed
        self.simulated = simulated
        self.max_n_features = max_n_features
        self.fitted = False

    @property
    def n_components(self):
        return self.opu.n_components

    @n_components.setter
    def n_components(self, value):
        self.opu.n_components = value

    def fit(self, X=None, n_features=None, packed=False, online=False):
        """Fixes the input geometry from X (or n_features)."""
        if self.ndims == 1:
            self.opu.fit1d(X, n_features=n_features, packed=packed or self.packed, online=online)
        else:
            self.opu.fit2d(X, n_features=n_features or self.n_2d_features,
                           packed=packed or self.packed, online=online)
        self.fitted = True
        return self

    def forward(self, input):
        """The OPU's random features of INPUT (a binary tensor), detached from the graph."""
        if not self.fitted:
            self.fit(input)
        with torch.no_grad():
            output = self.opu.transform(input.detach().cpu())
        return output.to(input.device)

    def extra_repr(self):
        return f"n_components={self.n_components}, ndims={self.ndims}"

    def open(self):
        self.opu.open()

    def close(self):
        self.opu.close()

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()
