"""The TypeScript trainer's seeded generator (src/math/rng.ts): sfc32 seeded through cyrb128.

Where both trainers must start from the same random numbers (the ALS start's
item factors), the PyTorch trainer draws them from this stream: bit-identical
to `createRng(seed).next()`.
"""

from __future__ import annotations

import numpy as np

M32 = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    """Math.imul: the low 32 bits of the product, as an unsigned value."""
    return (a * b) & M32


def cyrb128(text: str) -> tuple[int, int, int, int]:
    """Hashes a string into four 32-bit words (cyrb128), over its UTF-16 code units as JavaScript does."""
    h1, h2, h3, h4 = 1779033703, 3144134277, 1013904242, 2773480762
    units = text.encode("utf-16-le")
    for i in range(0, len(units), 2):
        k = units[i] | (units[i + 1] << 8)
        h1 = h2 ^ _imul(h1 ^ k, 597399067)
        h2 = h3 ^ _imul(h2 ^ k, 2869860233)
        h3 = h4 ^ _imul(h3 ^ k, 951274213)
        h4 = h1 ^ _imul(h4 ^ k, 2716044179)
    h1 = _imul(h3 ^ (h1 >> 18), 597399067)
    h2 = _imul(h4 ^ (h2 >> 22), 2869860233)
    h3 = _imul(h1 ^ (h3 >> 17), 951274213)
    h4 = _imul(h2 ^ (h4 >> 19), 2716044179)
    h1 ^= h2 ^ h3 ^ h4
    h2 ^= h1
    h3 ^= h1
    h4 ^= h1
    return h1 & M32, h2 & M32, h3 & M32, h4 & M32


def seed_text(seed: int | float | str) -> str:
    """String(seed) as JavaScript writes a seed (integers without a fraction)."""
    if isinstance(seed, str):
        return seed
    if float(seed).is_integer():
        return str(int(seed))
    return repr(float(seed))


def uniforms(seed: int | float | str, count: int) -> np.ndarray:
    """The first `count` values of createRng(seed).next(), float64 in [0, 1)."""
    a, b, c, d = cyrb128(seed_text(seed))
    out = np.empty(count + 12, dtype=np.uint32)
    for i in range(count + 12):  # 12 warm-up draws, as createRng makes
        t = (a + b + d) & M32
        d = (d + 1) & M32
        a = b ^ (b >> 9)
        b = (c + (c << 3)) & M32
        c = ((c << 21) | (c >> 11)) & M32
        c = (c + t) & M32
        out[i] = t
    return out[12:].astype(np.float64) / 4294967296.0


def sample(seed: int | float | str, n: int, k: int) -> np.ndarray:
    """createRng(seed).sample(n, k): k distinct values of [0, n), in draw order (a partial Fisher–Yates)."""
    if k > n:
        raise ValueError(f"sample: cannot draw {k} distinct values from {n}; use k <= n")
    u = uniforms(seed, k)
    swapped: dict[int, int] = {}
    out = np.empty(k, dtype=np.int64)
    for i in range(k):
        j = i + int(u[i] * (n - i))  # Math.floor of a non-negative value
        out[i] = swapped.get(j, j)
        swapped[j] = swapped.get(i, i)
    return out
