"""A small Transformer encoder classifier whose self-attention is one of the five variants:

softmax         exact softmax attention (O(L^2) memory)
favor_positive  FAVOR+, positive features, orthogonal W redrawn every redraw_interval steps
favor_trig      FAVOR, trigonometric (sin/cos) features, the same orthogonal W and redraws
favor_device    FAVOR+, positive features, W measured on the simulated device (linear mode);
                a redraw is a new medium seed
optical         attention with the device's |R e(x)|^2 features (intensity mode); trained with R
                measured through the linear mode, evaluated through the device itself

No attention mask: PAD is an ordinary token (the C++ FAVOR+ kernels the device evaluation uses
take no mask either); the classifier pools the non-PAD positions.
"""
import torch
from torch import nn

from .. import attention as opusim_attention
from . import features
from .tasks import PAD

ATTENTIONS = ("softmax", "favor_positive", "favor_trig", "favor_device", "optical")
DEVICE_ATTENTIONS = ("favor_device", "optical")


class Attention(nn.Module):
    """Multi-head self-attention; the kernel is chosen by VARIANT. A FAVOR variant's random
    matrices are buffers set by `set_matrices` (the training loop redraws them)."""

    def __init__(self, variant, d_model, heads, n_features):
        super().__init__()
        if variant not in ATTENTIONS:
            raise ValueError(f"attention: expected one of {', '.join(ATTENTIONS)}, got "
                             f"{variant!r}")
        self.variant, self.heads, self.n_features = variant, heads, n_features
        self.head_dim = d_model // heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.matrices = None
        self.device_projection = None  # an opusim.attention device projection: evaluation

    def set_matrices(self, matrices):
        self.matrices = matrices

    def kernel(self, q, k, v):
        if self.device_projection is not None:
            kernel = "optical" if self.variant == "optical" else "softmax"
            return opusim_attention.favor_attention(q.detach(), k.detach(), v.detach(),
                                                    self.device_projection, kernel=kernel)
        if self.variant == "softmax":
            scores = q @ k.transpose(-1, -2) / self.head_dim ** 0.5
            return torch.softmax(scores, -1) @ v
        if self.variant == "favor_trig":
            (w,) = self.matrices
            return features.linear_attention(features.trig_features(q, w),
                                             features.trig_features(k, w), v)
        if self.variant == "optical":
            r_real, r_imag = self.matrices
            phi = [features.optical_features(x, r_real, r_imag, features.OPTICAL_QUARTILES)
                   for x in (q, k)]
            return features.linear_attention(phi[0], phi[1], v)
        (w,) = self.matrices
        return features.linear_attention(features.positive_features(q, w, True),
                                         features.positive_features(k, w, False), v)

    def forward(self, x):
        batch, length, _ = x.shape
        q, k, v = (self.qkv(x).view(batch, length, 3, self.heads, self.head_dim)
                   .permute(2, 0, 3, 1, 4))
        mixed = self.kernel(q, k, v).transpose(1, 2).reshape(batch, length, -1)
        return self.out(mixed)


class Block(nn.Module):
    """Pre-LayerNorm Transformer block."""

    def __init__(self, variant, d_model, heads, n_features, ffn):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attention = Attention(variant, d_model, heads, n_features)
        self.ffn = nn.Sequential(nn.Linear(d_model, ffn), nn.GELU(), nn.Linear(ffn, d_model))

    def forward(self, x):
        x = x + self.attention(self.norm1(x))
        return x + self.ffn(self.norm2(x))


class Classifier(nn.Module):
    """Token + learned position embeddings, LAYERS blocks, mean over non-PAD positions, linear."""

    def __init__(self, variant, vocab, length, classes, d_model=64, heads=4, layers=2,
                 n_features=64, ffn=128):
        super().__init__()
        self.variant = variant
        self.token = nn.Embedding(vocab, d_model)
        # Unit-variance positions, as the token embeddings: at 0.02 (GPT-2's) the positions
        # were drowned by the tokens and digits reached 0.30 instead of 0.84 in 150 steps.
        self.position = nn.Parameter(torch.randn(length, d_model))
        self.blocks = nn.ModuleList(Block(variant, d_model, heads, n_features, ffn)
                                    for _ in range(layers))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, classes)

    @property
    def attentions(self):
        return [block.attention for block in self.blocks]

    def forward(self, tokens):
        x = self.token(tokens) + self.position[:tokens.shape[1]]
        for block in self.blocks:
            x = block(x)
        keep = (tokens != PAD).unsqueeze(-1).to(x.dtype)
        pooled = (self.norm(x) * keep).sum(1) / keep.sum(1).clamp(min=1)
        return self.head(pooled)


class FeatureDraws:
    """Draws every layer's random matrices for a variant. Draw number i of a run with seed s uses
    the CPU seed / medium seed 1000 s + i (+ 500 per layer on the CPU). The device variants share
    one draw between the layers: the device has one medium at a time (and an evaluation holds it
    for both layers)."""

    def __init__(self, variant, n_features, head_dim, seed, device):
        self.variant, self.m, self.d, self.seed = variant, n_features, head_dim, seed
        self.measurement = features.DeviceMeasurement(device) if device is not None else None
        self.count = 0

    def medium_seed(self, draw=None):
        return 1000 * self.seed + (self.count - 1 if draw is None else draw)

    def redraw(self, model):
        if self.variant == "softmax":
            return
        draw, self.count = self.count, self.count + 1
        if self.variant in ("favor_positive", "favor_trig"):
            for layer, module in enumerate(model.attentions):
                seed = 1000 * self.seed + draw + 500 * layer
                module.set_matrices((features.orthogonal_matrix(self.m, self.d, seed),))
            return
        seed = self.medium_seed(draw)
        if self.variant == "favor_device":
            matrices = (self.measurement.gaussian_matrix(self.m, self.d, seed),)
        else:
            code_bits = self.d * len(features.OPTICAL_QUARTILES)
            matrices = self.measurement.complex_matrix(self.m, code_bits, seed)
        for module in model.attentions:
            module.set_matrices(matrices)
