"""Encoders and decoders with lightonml's behaviour (opusim.encoding.base)."""
