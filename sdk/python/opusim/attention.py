"""FAVOR+ (Performer) attention from Python, through the C++ kernels (docs/kernels.md).

    out = favor_attention(q, k, v, projection, kernel="softmax", causal=False)

q, k: (batch, heads, length, d), v: (batch, heads, length, dv), numpy arrays or torch tensors
(the result has the type of q). kernel: "softmax", "relu", "trig" or "optical" (the last needs
an intensity projection). projection: where the random features come from:

- CPU: `iid_projection(m, d, seed)`, `orthogonal_projection(m, d, seed)`,
  `complex_intensity_projection(m, d, seed)` (the CPU model of the optical intensities);
- the simulated device: `DeviceLinearProjection(m, d, device)` (sqrt(2) M x from its linear
  mode: the Gaussian matrix of FAVOR+), `DeviceIntensityProjection(m, d, device)` (|R e(x)|^2).

`OPUProjection` lets a PyTorch Performer compute its random features on the device instead of
multiplying by its Gaussian projection matrix.
"""
import numpy as np

from ._arrays import is_tensor, like_input, to_numpy
from ._opusim import kernels as _kernels

DeviceLinearProjection = _kernels.DeviceLinearProjection
DeviceIntensityProjection = _kernels.DeviceIntensityProjection
Projection = _kernels.Projection
iid_projection = _kernels.iid_projection
orthogonal_projection = _kernels.orthogonal_projection
complex_intensity_projection = _kernels.complex_intensity_projection

FEATURE_KERNELS = ("softmax", "relu", "trig", "optical")


def _float32_4d(x, argument):
    x = np.ascontiguousarray(to_numpy(x, argument), dtype=np.float32)
    if x.ndim != 4:
        raise ValueError(f"{argument}: expected (batch, heads, length, dim), got shape {x.shape}")
    return x


def favor_attention(q, k, v, projection, kernel="softmax", causal=False, chunk=64,
                    return_report=False):
    """FAVOR+ attention (bidirectional or causal) with PROJECTION's random features. With
    return_report, also a dict of the projection's cost (calls, rows, device frames, simulated
    device time) and the feature count."""
    if kernel not in FEATURE_KERNELS:
        raise ValueError(f"kernel: expected one of {', '.join(FEATURE_KERNELS)}, got {kernel!r}")
    if not isinstance(projection, Projection):
        raise TypeError("projection: expected an opusim.attention projection, got "
                        f"{type(projection).__name__}")
    out, report = _kernels.favor_attention(_float32_4d(q, "q"), _float32_4d(k, "k"),
                                           _float32_4d(v, "v"), projection, kernel=kernel,
                                           causal=bool(causal), chunk=int(chunk))
    out = like_input(out, is_tensor(q))
    return (out, report) if return_report else out


def exact_attention(q, k, v, causal=False):
    """softmax(q k^T / sqrt(d)) v, the reference FAVOR+ approximates."""
    out = _kernels.exact_attention(_float32_4d(q, "q"), _float32_4d(k, "k"),
                                   _float32_4d(v, "v"), causal=bool(causal))
    return like_input(out, is_tensor(q))


class OPUProjection:
    """A Performer's random projection matrix, applied on the simulated device.

    A Performer draws a Gaussian matrix W (nb_features x dim_heads, N(0, 1) entries) and
    computes ``u = x @ W.T`` for its feature maps. An OPUProjection takes W's place: with
    ``W = OPUProjection(nb_features, dim_heads)``, ``x @ W.T`` (and ``W(x)``) returns
    ``sqrt(2) M x`` from the device's linear mode, M the device's fixed matrix with N(0, 1/2)
    entries, so the matrix applied has N(0, 1) entries as W's (i.i.d., not orthogonal).
    x: (..., dim_heads) numpy array or torch tensor; result: (..., nb_features), same type,
    float32. All rows of a call go to the device at once; the device is not differentiable (no
    gradient flows through it). Code that multiplies by the matrix with einsum instead of ``@``
    (performer-pytorch's softmax_kernel) needs that product written as ``x @ W.T``.
    """

    def __init__(self, nb_features, dim_heads, device=""):
        self.nb_features = int(nb_features)
        self.dim_heads = int(dim_heads)
        self.projection = DeviceLinearProjection(self.nb_features, self.dim_heads, device)

    @property
    def shape(self):
        return (self.nb_features, self.dim_heads)

    @property
    def T(self):
        """W.T, for ``x @ W.T``."""
        return _TransposedProjection(self)

    def __call__(self, x):
        was_tensor = is_tensor(x)
        values = np.ascontiguousarray(to_numpy(x, "x"), dtype=np.float32)
        if values.shape[-1] != self.dim_heads:
            raise ValueError(f"x: expected last dimension {self.dim_heads}, got shape "
                             f"{values.shape}")
        rows = values.reshape(-1, self.dim_heads)
        out = self.projection.project(rows).reshape(values.shape[:-1] + (self.nb_features,))
        if was_tensor:
            import torch
            return torch.from_numpy(out).to(x.device)
        return out

    def total_cost(self):
        """Device frames and simulated time of every call so far."""
        return self.projection.total_cost()


class _TransposedProjection:
    """W.T of an OPUProjection W: ``x @ W.T`` runs the projection on the device."""

    __array_ufunc__ = None  # numpy's x @ this defers to __rmatmul__

    def __init__(self, projection):
        self._projection = projection

    @property
    def shape(self):
        return (self._projection.dim_heads, self._projection.nb_features)

    def __rmatmul__(self, x):
        return self._projection(x)
