"""Encoders turn real data into the binary arrays the OPU shows; decoders turn its outputs back.

lightonml's encoders (lightonml.encoding.base, version 1.4), with their names, arguments,
shapes and behaviour, in numpy: each takes and returns numpy arrays or torch tensors (a tensor in
gives a tensor out). `fit` learns (thresholds, ranges), `transform` encodes; values outside the
learned range are clipped, as lightonml does. Where the C++ SDK has the same encoder
(opusim/encoders.hpp: binary threshold, multi-threshold on linspace thresholds, sequential base
two), both give the same bits (tests/python/test_encoders.py checks it).
"""
import functools
import warnings

import numpy as np

from .._arrays import is_tensor, to_numpy, like_input


def preserve_type(transform):
    """A transform that accepts torch tensors too, returning the type it was given."""
    @functools.wraps(transform)
    def wrapper(self, X, *args, **kwargs):
        was_tensor = is_tensor(X)
        result = transform(self, to_numpy(X, "X"), *args, **kwargs)
        return like_input(result, was_tensor)
    return wrapper


class BaseTransformer:
    """fit (a no-op unless an encoder learns something), transform, fit_transform."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        raise NotImplementedError()

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)


class NoEncoding(BaseTransformer):
    """Passes the input through (the OPU's default encoder)."""

    def transform(self, X):
        return X


class NoDecoding(BaseTransformer):
    """Passes the output through (the OPU's default decoder)."""

    def transform(self, X):
        return X


def _require_2d(X, who):
    if X.ndim != 2:
        raise ValueError(f"{who}: X must be 2-D (n_samples, n_features), got shape {X.shape}")


# ---- thresholds ----

class BinaryThresholdEncoder(BaseTransformer):
    """One bit per value: ``X > threshold`` (``X < threshold`` with ``greater_is_one=False``).

    threshold_enc: a number, or ``'auto'``: `fit` sets it to each feature's median over the
    training rows (so each feature is lit about half of the time).
    """

    def __init__(self, threshold_enc="auto", greater_is_one=True):
        is_number = isinstance(threshold_enc, (int, float)) and not isinstance(threshold_enc, bool)
        if not (is_number or (isinstance(threshold_enc, str) and threshold_enc == "auto")):
            raise ValueError("threshold_enc: expected a number or 'auto', "
                             f"got {threshold_enc!r}")
        self.threshold_enc = threshold_enc
        self.greater_is_one = greater_is_one

    def fit(self, X, y=None):
        X = to_numpy(X, "X")
        if isinstance(self.threshold_enc, str):
            self.threshold_enc = np.median(X, axis=0)
        elif X.size and not X.min() <= self.threshold_enc <= X.max():
            warnings.warn(f"BinaryThresholdEncoder: threshold {self.threshold_enc} is outside "
                          f"the data's range [{X.min()}, {X.max()}]")
        return self

    @preserve_type
    def transform(self, X):
        if isinstance(self.threshold_enc, str):
            raise RuntimeError("BinaryThresholdEncoder: with threshold_enc='auto', call fit "
                               "before transform")
        encoded = X > self.threshold_enc if self.greater_is_one else X < self.threshold_enc
        return encoded.astype(np.uint8)


class MultiThresholdEncoder(BaseTransformer):
    """A thermometer code: ``n_bins - 1`` thresholds, one bit each (``x > t``), threshold-major:
    ``out[:, k * d + i] = X[:, i] > t_k``.

    thresholds: an array (used as given; 2-D (n_features, n_bins - 1) with ``columnwise``),
    ``'linspace'`` (evenly inside the training range) or ``'quantiles'`` (the training data's
    ``k / n_bins`` quantiles, midpoint interpolation). columnwise: one set per feature.
    """

    def __init__(self, thresholds="linspace", n_bins=8, columnwise=False):
        if isinstance(thresholds, (list, np.ndarray)):
            thresholds = np.array(thresholds)
            if columnwise and thresholds.ndim != 2:
                raise ValueError("thresholds: with columnwise=True pass a 2-D array "
                                 "(n_features, n_bins - 1)")
            self.n_bins = thresholds.shape[-1] + 1
        elif isinstance(thresholds, str) and thresholds in ("linspace", "quantiles"):
            if int(n_bins) < 2:
                raise ValueError(f"n_bins: expected at least 2, got {n_bins}")
            self.n_bins = int(n_bins)
        else:
            raise ValueError("thresholds: expected a list, a numpy array, 'linspace' or "
                             f"'quantiles', got {thresholds!r}")
        self.thresholds = thresholds
        self.columnwise = columnwise

    def _learn(self, values):
        if self.thresholds == "linspace":
            return np.linspace(values.min(), values.max(), self.n_bins + 1)[1:-1]
        levels = [k / self.n_bins for k in range(1, self.n_bins)]
        return np.quantile(values, levels, method="midpoint")

    def fit(self, X, y=None):
        X = to_numpy(X, "X")
        if isinstance(self.thresholds, str):
            if self.columnwise:
                _require_2d(X, "MultiThresholdEncoder.fit")
                self.thresholds = np.stack([self._learn(X[:, i]) for i in range(X.shape[1])])
                self.thresholds = self.thresholds.astype(np.float32)
            else:
                self.thresholds = self._learn(X)
        return self

    @preserve_type
    def transform(self, X):
        if isinstance(self.thresholds, str):
            raise RuntimeError(f"MultiThresholdEncoder: with thresholds='{self.thresholds}', "
                               "call fit before transform")
        if self.thresholds.ndim == 1:
            levels = self.thresholds[:, None, None]
        else:
            levels = self.thresholds.T[:, None, :]
        bits = X[None, ...] > levels  # (n_thresholds, n_samples, n_features)
        return np.concatenate(list(bits), axis=-1).astype(np.uint8)


# ---- gray levels ----

class SequentialBaseTwoEncoder(BaseTransformer):
    """Gray levels in base two with repetition: X is mapped from the training range to a level
    ``q = round((G - 1) (x - min) / (max - min))`` clipped to ``[0, G - 1]``; each feature becomes
    ``G - 1`` bits, the most significant bit of q repeated ``G / 2`` times first, ..., bit 0 once,
    so the count of ones is q. Output (n_samples, n_features * (G - 1)).
    """

    def __init__(self, n_gray_levels=16):
        if (not isinstance(n_gray_levels, (int, np.integer)) or n_gray_levels < 2
                or n_gray_levels > 256 or n_gray_levels & (n_gray_levels - 1)):
            raise ValueError("n_gray_levels: expected a power of two in [2, 256], "
                             f"got {n_gray_levels!r}")
        self.n_gray_levels = int(n_gray_levels)
        self.n_bits = self.n_gray_levels.bit_length() - 1
        self.offset = None
        self.scale = None

    def fit(self, X, y=None):
        X = to_numpy(X, "X")
        self.offset = np.min(X)
        self.scale = np.max(X - self.offset)
        return self

    def normalize(self, X):
        """X as uint8 levels in [0, G - 1] (clipped)."""
        if self.offset is None:
            raise RuntimeError("SequentialBaseTwoEncoder: call fit on the training data before "
                               "transform")
        if self.scale == 0:
            return np.zeros(X.shape, dtype=np.uint8)
        levels = np.round(((self.n_gray_levels - 1) * (X - self.offset)) / self.scale)
        return np.clip(levels, 0, self.n_gray_levels - 1).astype(np.uint8)

    @preserve_type
    def transform(self, X):
        _require_2d(X, "SequentialBaseTwoEncoder.transform")
        n_samples, n_features = X.shape
        q = self.normalize(X)
        shifts = np.arange(self.n_bits - 1, -1, -1)
        bits = (q[:, :, None] >> shifts) & 1  # (n, d, n_bits), most significant first
        encoded = np.repeat(bits, 2 ** shifts, axis=2)
        return encoded.reshape(n_samples, n_features * (self.n_gray_levels - 1)).astype(np.uint8)


# ---- bit-planes ----

def _bits_msb_first(values, positions, width):
    """Bits at POSITIONS (0 = most significant of WIDTH bits) of unsigned VALUES: (..., len)."""
    shifts = np.array([width - 1 - p for p in positions], dtype=values.dtype)
    return ((values[..., None] >> shifts) & 1).astype(np.uint8)


class ConcatenatedBitPlanEncoder(BaseTransformer):
    """Integer features as bit-planes concatenated along the features: each feature becomes
    ``n_bits`` bits starting at ``starting_bit`` (lightonml's byte order: for uint8, most
    significant first). Output (n_samples, n_features * n_bits)."""

    def __init__(self, n_bits=8, starting_bit=0):
        if n_bits <= 0:
            raise ValueError(f"n_bits: expected a positive integer, got {n_bits}")
        if starting_bit < 0:
            raise ValueError(f"starting_bit: expected 0 or more, got {starting_bit}")
        self.n_bits = n_bits
        self.starting_bit = starting_bit

    @preserve_type
    def transform(self, X):
        _require_2d(X, "ConcatenatedBitPlanEncoder.transform")
        if not np.issubdtype(X.dtype, np.unsignedinteger):
            raise TypeError(f"X: expected unsigned integers, got dtype {X.dtype}")
        width = X.dtype.itemsize * 8
        if self.n_bits + self.starting_bit > width:
            raise ValueError(f"n_bits + starting_bit ({self.n_bits} + {self.starting_bit}) "
                             f"exceeds the input's {width} bits")
        # Counted from the least significant bit: byte b's bit (7 - j % 8).
        lsb_positions = [8 * (j // 8) + 7 - (j % 8)
                         for j in range(self.starting_bit, self.starting_bit + self.n_bits)]
        shifts = np.array(lsb_positions, dtype=X.dtype)
        bits = ((X[:, :, None] >> shifts) & 1).astype(np.uint8)
        return bits.reshape(X.shape[0], X.shape[1] * self.n_bits)


class ConcatenatingBitPlanDecoder(BaseTransformer):
    """lightonml's decoder paired with ConcatenatedBitPlanEncoder: groups ``n_bits`` output rows
    and weights row k by ``decoding_decay ** k``, laid side by side (float32)."""

    def __init__(self, n_bits=8, decoding_decay=0.5):
        self.n_bits = n_bits
        self.decoding_decay = decoding_decay

    @preserve_type
    def transform(self, X):
        n_out, n_features = X.shape
        if n_out % self.n_bits:
            raise ValueError("X: its rows are not a multiple of n_bits; use the same n_bits as "
                             "the encoder")
        groups = X.reshape(n_out // self.n_bits, self.n_bits, n_features)
        weights = (self.decoding_decay ** np.arange(self.n_bits)).reshape(1, self.n_bits, 1)
        weighted = (groups * weights).astype(np.float32)
        return weighted.reshape(n_out // self.n_bits, self.n_bits * n_features)


ConcatenatedBitPlanDecoder = ConcatenatingBitPlanDecoder


class _Float32Bits:
    """The kept bits of float32 values (sign, exponent, mantissa), most significant first."""

    def __init__(self, sign_bit=True, exp_bits=8, mantissa_bits=23):
        if not 0 <= exp_bits <= 8:
            raise ValueError(f"exp_bits: expected a value in [0, 8], got {exp_bits}")
        if not 0 <= mantissa_bits <= 23:
            raise ValueError(f"mantissa_bits: expected a value in [0, 23], got {mantissa_bits}")
        self.sign_bit = sign_bit
        self.exp_bits = exp_bits
        self.mantissa_bits = mantissa_bits
        self.n_bits = int(sign_bit) + exp_bits + mantissa_bits
        kept = list(range(1, exp_bits + 1)) + list(range(9, 9 + mantissa_bits))
        self.indices = sorted(kept + ([0] if sign_bit else []))

    def bits(self, X):
        """(n_samples, n_features, n_bits) bits of X as float32."""
        _require_2d(X, type(self).__name__ + ".transform")
        words = np.ascontiguousarray(X, dtype=np.float32).view(np.uint32)
        return _bits_msb_first(words, self.indices, 32)


class Float32Encoder(BaseTransformer, _Float32Bits):
    """float32 bit-planes stacked along the samples: output (n_samples * n_bits, n_features),
    sample i's planes at rows [i n_bits, (i + 1) n_bits)."""

    def __init__(self, sign_bit=True, exp_bits=8, mantissa_bits=23):
        _Float32Bits.__init__(self, sign_bit, exp_bits, mantissa_bits)

    @preserve_type
    def transform(self, X):
        n_samples, n_features = X.shape if X.ndim == 2 else (0, 0)
        planes = self.bits(X).transpose(0, 2, 1)
        return planes.reshape(n_samples * self.n_bits, n_features)


class ConcatenatedFloat32Encoder(BaseTransformer, _Float32Bits):
    """float32 bits concatenated along the features: output (n_samples, n_features * n_bits)."""

    def __init__(self, sign_bit=True, exp_bits=8, mantissa_bits=23):
        _Float32Bits.__init__(self, sign_bit, exp_bits, mantissa_bits)

    @preserve_type
    def transform(self, X):
        n_samples, n_features = X.shape if X.ndim == 2 else (0, 0)
        return self.bits(X).reshape(n_samples, n_features * self.n_bits)


class SeparatedBitPlanEncoder(BaseTransformer):
    """Real values for a linear projection: X = X+ - X-, each part divided by its maximum,
    quantised to ``precision`` bits and shown as bit-planes, most significant first. Output
    (sides * n_samples * precision, n_features): the positive part's planes (sample i's at rows
    [i p, (i + 1) p)), then the negative part's; a part that is all zero is left out. The
    magnitudes are taken at each transform (as lightonml); `get_params` hands them to
    SeparatedBitPlanDecoder, which `OPU.transform(X, SeparatedBitPlanEncoder,
    SeparatedBitPlanDecoder)` does by itself.
    """

    def __init__(self, precision=6, **kwargs):
        if "n_bits" in kwargs or "starting_bit" in kwargs:
            raise TypeError("SeparatedBitPlanEncoder: n_bits and starting_bit were replaced by "
                            "precision")
        if kwargs:
            raise TypeError(f"SeparatedBitPlanEncoder: unknown arguments {sorted(kwargs)}")
        if not 1 <= precision <= 8:
            raise ValueError(f"precision: expected a value in [1, 8], got {precision}")
        if precision > 6:
            warnings.warn(f"precision={precision}: more than 6 bits rarely helps")
        self.precision = precision
        self.magnitude = None, None

    def _integer_magnitude(self, values):
        # Integers get a power-of-two scale, so quantising them is only a shift.
        top = values.max()
        if top < 0:
            return 0
        shift = self.precision - np.ceil(np.log2(top + 1))
        return (2 ** self.precision - 1) * 0.5 ** shift

    def _planes(self, unit):
        """Bit-planes of UNIT (values in [0, 1]): (n_samples * precision, ...)."""
        q = (unit * (2 ** self.precision - 1) + 0.5).astype(np.uint8)
        shifts = np.arange(self.precision - 1, -1, -1, dtype=np.uint8)
        planes = (q[:, None, ...] >> shifts.reshape((1, -1) + (1,) * (q.ndim - 1))) & 1
        return planes.reshape((-1,) + q.shape[1:]).astype(np.uint8)

    @preserve_type
    def transform(self, X):
        _require_2d(X, "SeparatedBitPlanEncoder.transform")
        if np.issubdtype(X.dtype, np.signedinteger):
            positive, negative = self._integer_magnitude(+X), self._integer_magnitude(-X)
        elif np.issubdtype(X.dtype, np.integer):
            positive, negative = self._integer_magnitude(X), 0
        else:
            positive, negative = max(X.max(), 0), max(-X.min(), 0)
        X = X.astype(np.float64)
        dequantization = (1 - 0.5 ** self.precision) * 2
        self.magnitude = positive / dequantization, negative / dequantization
        positive_planes = self._planes(np.clip(X / (positive or 1), 0, 1))
        negative_planes = self._planes(np.clip(-X / (negative or 1), 0, 1))
        if negative <= 0:
            return positive_planes
        if positive <= 0:
            return negative_planes
        return np.concatenate((positive_planes, negative_planes), axis=0)

    def get_params(self):
        """What SeparatedBitPlanDecoder needs to undo the last transform."""
        return {"precision": self.precision, "magnitude_p": self.magnitude[0],
                "magnitude_n": self.magnitude[1]}


class SeparatedBitPlanDecoder(BaseTransformer):
    """Recombines the bit-planes of SeparatedBitPlanEncoder after a linear map:
    ``sum_k decoding_decay**k Y_k`` per part, times its magnitude, positive minus negative."""

    def __init__(self, precision, magnitude_p=1, magnitude_n=0, decoding_decay=0.5):
        self.precision = precision
        self.magnitude_p = magnitude_p
        self.magnitude_n = magnitude_n
        self.decoding_decay = decoding_decay

    def _unit(self, planes):
        weights = (self.decoding_decay ** np.arange(self.precision)).astype(np.float32)
        return np.einsum("ijk,j->ik", planes, weights)

    @preserve_type
    def transform(self, X):
        n_out, n_features = X.shape
        sides = 2 if (self.magnitude_n > 0 and self.magnitude_p > 0) else 1
        if n_out % (self.precision * sides):
            raise ValueError(f"X: {n_out} rows are not {sides} x precision ({self.precision}) "
                             "x n_samples; decode with the encoder's parameters")
        parts = X.astype(np.float64).reshape(sides, n_out // (self.precision * sides),
                                              self.precision, n_features)
        if self.magnitude_n <= 0:
            return self._unit(parts[0]) * self.magnitude_p
        if self.magnitude_p <= 0:
            return -self._unit(parts[0]) * self.magnitude_n
        return self._unit(parts[0]) * self.magnitude_p - self._unit(parts[1]) * self.magnitude_n
