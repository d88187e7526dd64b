"""OPUMap for PyTorch: the OPU as an nn.Module (lightonml.projections.torch.OPUMap). The device
is not differentiable: the module has no parameters and its output needs no gradient."""
import torch
from torch import nn

from ._opu_map import OPUMapDevice, apply_verbose_level, checked_ndims, opu_with_components


class OPUMap(OPUMapDevice, nn.Module):
    """forward(X) = OPU.transform(X) for a binary tensor X: the camera values as a tensor (uint8
    on 8-bit cameras, as lightonml's).

    Arguments as lightonml's: n_components, opu (None opens one), ndims (1 or 2), n_2d_features,
    packed, simulated, max_n_features, verbose_level.
    """

    def __init__(self, n_components, opu=None, ndims=1, n_2d_features=None, packed=False,
                 simulated=False, max_n_features=None, verbose_level=-1):
        super().__init__()
        apply_verbose_level(verbose_level)
        checked_ndims(ndims)  # before a device is opened
        self.opu = opu_with_components(opu, n_components, max_n_features)
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
        return self._fit_geometry(X, n_features, packed, online)

    def forward(self, input):
        """The OPU's random features of INPUT (a binary tensor), detached from the graph."""
        if not self.fitted:
            self.fit(input)
        with torch.no_grad():
            output = self.opu.transform(input.detach().cpu())
        return output.to(input.device)

    def extra_repr(self):
        return f"n_components={self.n_components}, ndims={self.ndims}"
