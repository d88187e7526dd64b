"""Random features for FAVOR+ attention in PyTorch (differentiable in q and k; the random matrix
is a fixed buffer between redraws), and where their random matrices come from: the CPU's
orthogonal draws (opusim's C++ kernels) or the simulated device, measured through the SDK.

Definitions as docs/kernels.md (after Choromanski et al. 2021 and performer-pytorch), c = d^-1/4:
positive   phi(x) = m^-1/2 (exp(W c x - |c x|^2 / 2 - stabiliser) + eps)
trig       phi(x) = m^-1/2 exp(|c x|^2 / 2 - max over the sequence) [cos W c x, sin W c x]
optical    phi(x) = m^-1/2 |R e(c x)|^2, e the thermometer code the DMD shows
"""
import math

import numpy as np
import torch

from .. import attention
from ..opu import OPU

SOFTMAX_EPSILON = 1e-4  # performer-pytorch's, part of the C++ kernels' contract too
# Thresholds of the optical variant's thermometer code, in units of c x for x ~ N(0, 1): the
# quartiles of the standard normal (docs/kernels.md's choice for `opusim attention`).
OPTICAL_QUARTILES = (-0.674, 0.0, 0.674)


def scale(x):
    return x * x.shape[-1] ** -0.25


def positive_features(x, w, is_query):
    """FAVOR+ positive (softmax-kernel) features of x (B, H, L, d) for W (m, d)."""
    xs = scale(x)
    u = xs @ w.T
    half_norm = xs.pow(2).sum(-1, keepdim=True) / 2
    if is_query:
        stabiliser = u.amax(-1, keepdim=True).detach()
    else:
        stabiliser = u.amax(dim=(-1, -2), keepdim=True).detach()
    return (torch.exp(u - half_norm - stabiliser) + SOFTMAX_EPSILON) / math.sqrt(w.shape[0])


def trig_features(x, w):
    """FAVOR trigonometric features (2m of them): unbiased for the softmax kernel, but not
    positive, so the attention's normaliser can come near zero or below."""
    xs = scale(x)
    u = xs @ w.T
    half_norm = xs.pow(2).sum(-1, keepdim=True) / 2
    stabiliser = half_norm.amax(-2, keepdim=True).detach()
    return (torch.exp(half_norm - stabiliser) * torch.cat([torch.cos(u), torch.sin(u)], -1)
            / math.sqrt(w.shape[0]))


def thermometer_code(xs, thresholds):
    """e(x): bit t d + i is x_i > thresholds[t] (the C++ DeviceIntensityProjection's code).
    Forward: the hard bits the DMD shows. Backward: the gradient of a sigmoid of width half the
    threshold spacing (a straight-through estimator), so that q and k still learn."""
    theta = torch.tensor(thresholds, dtype=xs.dtype)
    width = (thresholds[-1] - thresholds[0]) / max(len(thresholds) - 1, 1) / 2 or 0.5
    diff = xs.unsqueeze(-2) - theta.view(-1, 1)  # (..., T, d): threshold-major
    hard = (diff > 0).to(xs.dtype)
    soft = torch.sigmoid(diff / width)
    return (hard + soft - soft.detach()).flatten(-2)


def optical_features(x, r_real, r_imag, thresholds):
    """|R e(c x)|^2 / sqrt(m), R = r_real + i r_imag (m, d T)."""
    code = thermometer_code(scale(x), thresholds)
    return ((code @ r_real.T).pow(2) + (code @ r_imag.T).pow(2)) / math.sqrt(r_real.shape[0])


def linear_attention(q_features, k_features, v):
    """out = phi(Q)(phi(K)^T V) / phi(Q)(phi(K)^T 1): memory linear in L."""
    kv = k_features.transpose(-1, -2) @ v
    normaliser = q_features @ k_features.sum(-2).unsqueeze(-1)
    return (q_features @ kv) / normaliser


# ---- where the random matrices come from ----

def orthogonal_matrix(m, d, seed):
    """W (m x d): opusim's orthogonal random features (blocks of Haar rotations, chi(d) row
    lengths), read out of the C++ projection by projecting the identity."""
    projection = attention.orthogonal_projection(m, d, seed)
    return torch.from_numpy(projection.project(np.eye(d, dtype=np.float32)).T.copy())


def device_uri(device, seed):
    """The device URI with medium seed SEED: a redraw is a new medium. lock_wait is long since
    parallel runs share the device."""
    base, _, query = device.partition("?")
    options = [o for o in query.split("&") if o and not o.startswith(("seed=", "lock_wait="))]
    return base + "?" + "&".join(options + [f"seed={seed}", "lock_wait=3600"])


class DeviceMeasurement:
    """Matrices measured through the SDK's linear mode (opusim.OPU.linear_transform of the basis
    vectors, rescale='none': columns of M with N(0, 1/2) entries, carrying the camera's noise
    and 8-bit rounding), with the frames and device time the measurements took."""

    def __init__(self, device):
        self.device = device
        self.frames = 0
        self.device_time_s = 0.0
        self.measurements = 0

    def linear_matrix(self, rows, d, seed):
        with OPU(n_components=rows, opu_device=device_uri(self.device, seed), rescale="none",
                 disable_pbar=True) as opu:
            opu.fit1d(n_features=d)
            columns = opu.linear_transform(np.eye(d, dtype=np.float32))
        self.frames += columns.context.frames
        self.device_time_s += columns.context.device_time_s
        self.measurements += 1
        return torch.from_numpy(np.asarray(columns, dtype=np.float32).T.copy())  # rows x d

    def gaussian_matrix(self, m, d, seed):
        """W for FAVOR+: sqrt(2) M, N(0, 1) entries as a Performer's (i.i.d.)."""
        return math.sqrt(2.0) * self.linear_matrix(m, d, seed)

    def complex_matrix(self, m, d, seed):
        """R = M1 + i M2 from 2m outputs of one medium: E|R_ji|^2 = 1, the distribution of the
        device's transmission matrix in intensity mode (docs/kernels.md)."""
        both = self.linear_matrix(2 * m, d, seed)
        return both[:m].contiguous(), both[m:].contiguous()

    def as_dict(self):
        return {"measurements": self.measurements, "frames": int(self.frames),
                "device_time_s": float(self.device_time_s)}
