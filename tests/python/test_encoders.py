"""opusim.encoding.base: lightonml's behaviour, and the same bits as the C++ encoders where the
SDK has the same encoder."""
import numpy as np
import pytest

from opusim import OPU
from opusim._opusim import cpp_encoders
from opusim.encoding import base


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    train = rng.standard_normal((50, 7)).astype(np.float32)
    test = (3 * rng.standard_normal((20, 7))).astype(np.float32)  # beyond the training range
    return train, test


def test_binary_threshold_agrees_with_cpp(data):
    train, test = data
    python = base.BinaryThresholdEncoder().fit(train)
    cpp = cpp_encoders.BinaryThresholdEncoder().fit(train)
    np.testing.assert_array_equal(python.threshold_enc, np.median(train, axis=0))
    np.testing.assert_array_equal(np.asarray(cpp.thresholds), python.threshold_enc)
    np.testing.assert_array_equal(python.transform(test), cpp.transform(test))
    fixed = base.BinaryThresholdEncoder(threshold_enc=0.5, greater_is_one=False)
    np.testing.assert_array_equal(fixed.fit_transform(test), (test < 0.5).astype(np.uint8))


def test_multi_threshold_agrees_with_cpp(data):
    train, test = data
    python = base.MultiThresholdEncoder(n_bins=8).fit(train)
    cpp = cpp_encoders.MultiThresholdEncoder(8).fit(train)
    np.testing.assert_allclose(python.thresholds, cpp.thresholds, rtol=1e-6)
    encoded = python.transform(test)
    assert encoded.shape == (20, 7 * 7)
    np.testing.assert_array_equal(encoded, cpp.transform(test))
    quantiles = base.MultiThresholdEncoder("quantiles", n_bins=4, columnwise=True).fit(train)
    assert quantiles.thresholds.shape == (7, 3)
    np.testing.assert_allclose(quantiles.thresholds[2],
                               np.quantile(train[:, 2], [0.25, 0.5, 0.75], method="midpoint"),
                               rtol=1e-6)
    # Each quartile threshold splits the training column: about 3/4, 1/2, 1/4 of it above.
    ones = quantiles.transform(train).reshape(50, 3, 7).mean(axis=0)
    np.testing.assert_allclose(ones, np.array([[0.74], [0.5], [0.26]]).repeat(7, 1), atol=0.05)


def test_sequential_base_two_agrees_with_cpp_and_clips(data):
    train, test = data
    python = base.SequentialBaseTwoEncoder(16).fit(train)
    cpp = cpp_encoders.SequentialBaseTwoEncoder(16).fit(train)
    np.testing.assert_array_equal(python.transform(test), cpp.transform(test))
    # lightonml's docstring: 5 is 101 in base two, encoded 1111 00 1 (MSB first, repeated).
    eight = base.SequentialBaseTwoEncoder(8).fit(np.array([[0.0], [7.0]], dtype=np.float32))
    np.testing.assert_array_equal(eight.transform(np.array([[5.0]], dtype=np.float32)),
                                  [[1, 1, 1, 1, 0, 0, 1]])
    # Out of range: clipped to the extreme levels, not an error.
    np.testing.assert_array_equal(eight.transform(np.array([[99.0], [-9.0]], np.float32)).sum(1),
                                  [7, 0])
    with pytest.raises(ValueError, match="n_gray_levels"):
        base.SequentialBaseTwoEncoder(12)


def test_separated_bit_planes_round_trip_within_half_a_quantum():
    x = np.array([[0.5, -1.0, 2.0], [-0.25, 0.0, 1.3]], dtype=np.float32)
    encoder = base.SeparatedBitPlanEncoder(precision=6)
    planes = encoder.transform(x)
    assert planes.shape == (2 * 2 * 6, 3) and planes.dtype == np.uint8
    decoded = base.SeparatedBitPlanDecoder(**encoder.get_params()).transform(planes)
    quantum = np.where(x < 0, 1.0, 2.0) / 63
    assert np.all(np.abs(decoded - x) <= 0.5 * quantum + 1e-6)
    positive_only = np.abs(x)
    planes = encoder.transform(positive_only)
    assert planes.shape == (2 * 6, 3)  # the empty negative side is left out
    decoded = base.SeparatedBitPlanDecoder(**encoder.get_params()).transform(planes)
    assert np.all(np.abs(decoded - positive_only) <= 1 / 63 + 1e-6)


def test_float32_and_bit_plane_encoders():
    x = np.array([[1.5, -2.0]], dtype=np.float32)
    bits = base.ConcatenatedFloat32Encoder().transform(x)
    assert bits.shape == (1, 64)
    words = [int("".join(map(str, bits[0, 32 * i:32 * (i + 1)])), 2) for i in range(2)]
    np.testing.assert_array_equal(np.array(words, dtype=np.uint32).view(np.float32), x[0])
    planes = base.Float32Encoder(sign_bit=False, exp_bits=0, mantissa_bits=3).transform(x)
    assert planes.shape == (3, 2)  # 1.5 = 1.1b: mantissa 100; 2.0: mantissa 000
    np.testing.assert_array_equal(planes[:, 0], [1, 0, 0])
    concatenated = base.ConcatenatedBitPlanEncoder(n_bits=4).transform(
        np.array([[0b10110000, 0b01000000]], dtype=np.uint8))
    np.testing.assert_array_equal(concatenated, [[1, 0, 1, 1, 0, 1, 0, 0]])


def test_encoders_keep_torch_tensors():
    torch = pytest.importorskip("torch")
    encoded = base.BinaryThresholdEncoder(threshold_enc=0).transform(torch.tensor([[-1.0, 2.0]]))
    assert isinstance(encoded, torch.Tensor) and encoded.tolist() == [[0, 1]]


def test_opu_transform_with_an_encoder_and_decoder(device):
    # lightonml's usage: the encoder before the device, the decoder (made from the encoder's
    # parameters) after.
    x = np.random.default_rng(5).standard_normal((3, 40)).astype(np.float32)
    with OPU(n_components=50, opu_device=device, input_roi_strategy="small") as opu:
        opu.fit1d(n_features=40)
        y = opu.transform(x, base.SeparatedBitPlanEncoder, base.SeparatedBitPlanDecoder)
        assert y.shape == (3, 50)
        assert y.context.frames >= 2 * 6 * 3
        z = opu.transform(x, base.BinaryThresholdEncoder(threshold_enc=0.0))
        assert z.shape == (3, 50) and z.dtype == np.uint8
