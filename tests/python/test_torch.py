"""PyTorch: OPUMap as an nn.Module, FAVOR+ on tensors, and a Performer attention layer whose
random features come from the simulated device (error against exact softmax attention next to
the CPU's)."""
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from opusim import OPU  # noqa: E402
from opusim import attention  # noqa: E402
from opusim.projections.torch import OPUMap  # noqa: E402


def test_opumap_module(device):
    with OPU(n_components=64, opu_device=device, input_roi_strategy="small") as opu:
        layer = OPUMap(n_components=64, opu=opu)
        x = torch.randint(0, 2, (5, 32), dtype=torch.uint8)
        y = layer(x)
        assert isinstance(layer, nn.Module)
        assert y.shape == (5, 64) and y.dtype == torch.uint8 and not y.requires_grad


class PerformerAttention(nn.Module):
    """A Performer's softmax-kernel attention (FAVOR+, bidirectional): positive random features
    phi(x) = m^-1/2 exp(W c x - |c x|^2 / 2 - stabiliser), c = d^-1/4, out = phi(Q)(phi(K)^T V)
    / phi(Q)(phi(K)^T 1). PROJECTION_MATRIX is W (nb_features x d): a Gaussian tensor, or in its
    place an opusim.attention.OPUProjection (the device); the layer's code is the same."""

    def __init__(self, projection_matrix, epsilon=1e-4):
        super().__init__()
        self.projection_matrix = projection_matrix
        self.nb_features = projection_matrix.shape[0]
        self.epsilon = epsilon

    def features(self, x, is_query):
        c = x.shape[-1] ** -0.25
        u = (x * c) @ self.projection_matrix.T
        half_norm = (x * c).pow(2).sum(-1, keepdim=True) / 2
        stabiliser = u.amax(-1, keepdim=True) if is_query else u.amax(dim=(-1, -2), keepdim=True)
        return (torch.exp(u - half_norm - stabiliser) + self.epsilon) / self.nb_features ** 0.5

    def forward(self, q, k, v):
        q_prime, k_prime = self.features(q, True), self.features(k, False)
        numerator = q_prime @ (k_prime.transpose(-1, -2) @ v)
        denominator = q_prime @ k_prime.sum(-2, keepdim=True).transpose(-1, -2)
        return numerator / denominator


def relative_error(a, b):
    return float(torch.linalg.norm(a - b) / torch.linalg.norm(b))


def test_performer_with_device_features_against_exact_softmax(device):
    batch, heads, length, dim, features = 1, 2, 64, 16, 256
    generator = torch.Generator().manual_seed(0)
    q, k, v = (0.5 * torch.randn(batch, heads, length, dim, generator=generator)
               for _ in range(3))
    exact = torch.softmax(q @ k.transpose(-1, -2) / dim ** 0.5, dim=-1) @ v

    w = torch.randn(features, dim, generator=generator)
    cpu = PerformerAttention(w)(q, k, v)
    device_projection = attention.OPUProjection(features, dim, device)
    on_device = PerformerAttention(device_projection)(q, k, v)
    library = attention.favor_attention(q, k, v, attention.iid_projection(features, dim, 0))
    cost = device_projection.total_cost()

    cpu_error = relative_error(cpu, exact)
    device_error = relative_error(on_device, exact)
    library_error = relative_error(library, exact)
    print(f"\nPerformer attention, relative error against exact softmax: CPU Gaussian "
          f"{cpu_error:.4f}, device features {device_error:.4f}, opusim FAVOR+ (CPU iid) "
          f"{library_error:.4f}; device: {cost['frames']} frames, "
          f"{cost['device_time_s']:.3f} s simulated")
    assert isinstance(on_device, torch.Tensor) and on_device.shape == exact.shape
    assert cost["frames"] > 0 and cost["rows"] == 2 * batch * heads * length
    # FAVOR+ with m features has an error ~ 1/sqrt(m) times a kernel-dependent factor of order 1
    # at this input scale (|c x|^2 ~ 1): 256 features give ~0.06-0.2 for both CPU versions. The
    # device's W c x carries a relative error ~0.11 (docs/sdk.md), i.e. an error of std ~0.11
    # |u| ~ 0.1 in the exponent, a ~10 % multiplicative noise on each feature: averaged over 256
    # features and 64 keys it adds less than the sampling error itself, so the device's error
    # stays below twice the CPU's (plus 0.05 for the camera's rounding).
    assert cpu_error < 0.25 and library_error < 0.25
    assert device_error < 2 * cpu_error + 0.05


def test_favor_on_tensors_all_kernels_and_causal():
    generator = torch.Generator().manual_seed(1)
    q, k, v = (0.5 * torch.randn(1, 1, 32, 8, generator=generator) for _ in range(3))
    for causal in (False, True):
        exact = attention.exact_attention(q, k, v, causal=causal)
        assert isinstance(exact, torch.Tensor)
        for kernel in ("softmax", "relu", "trig"):
            out = attention.favor_attention(q, k, v, attention.orthogonal_projection(128, 8, 3),
                                            kernel=kernel, causal=causal)
            assert out.shape == (1, 1, 32, 8) and torch.isfinite(out).all()
        optical = attention.favor_attention(
            q, k, v, attention.complex_intensity_projection(128, 8, 3), kernel="optical",
            causal=causal)
        assert torch.isfinite(optical).all()
    softmax = attention.favor_attention(q, k, v, attention.orthogonal_projection(256, 8, 3))
    assert relative_error(softmax, attention.exact_attention(q, k, v)) < 0.2
    with pytest.raises(ValueError, match="kernel"):
        attention.favor_attention(q, k, v, attention.orthogonal_projection(8, 8, 3),
                                  kernel="gauss")
    with pytest.raises(ValueError, match="q"):
        attention.favor_attention(q[0], k, v, attention.orthogonal_projection(8, 8, 3))
