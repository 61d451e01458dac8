"""JSON text exactly as JavaScript's JSON.stringify writes it, so artifacts match byte for byte.

Python's json module differs in three ways that matter here: numbers
(1.0 vs 1, 1e-07 vs 1e-7, 1e+16 vs 10000000000000000), the spacing of indented
output, and which characters are escaped.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Optional

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def js_number(value: float) -> str:
    """Number::toString: shortest round-trip digits, fixed notation for 1e-7 < |x| < 1e21."""
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        value = float(value) if abs(value) >= 2**53 else value
        if isinstance(value, int):
            return str(value)
    if not math.isfinite(value):
        return "null"  # JSON.stringify writes NaN and ±Infinity as null
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(value))).as_tuple()[1:]
    digits = "".join(map(str, digits_tuple)).rstrip("0") or "0"
    # value = 0.d1d2…dk × 10^n
    n = len(digits_tuple) + exponent  # type: ignore[operator]
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def js_string(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF:  # control characters and lone surrogates
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def stringify(value: Any, indent: Optional[int] = None) -> str:
    """JSON.stringify(value, null, indent) for dicts (insertion order), lists, strings, numbers, booleans, None."""
    return _write(value, " " * indent if indent else "", "")


def _write(value: Any, step: str, at: str) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, (list, dict, str)):
        return _write(value.item(), step, at)  # numpy and torch scalars
    if isinstance(value, str):
        return js_string(value)
    inner = at + step
    if isinstance(value, dict):
        parts = [f"{js_string(str(k))}:{' ' if step else ''}{_write(v, step, inner)}" for k, v in value.items()]
        return _join("{", "}", parts, step, at)
    if isinstance(value, (list, tuple)):
        return _join("[", "]", [_write(v, step, inner) for v in value], step, at)
    raise TypeError(f"Cannot write {type(value).__name__} as JSON: convert it to a dict, list, string or number first.")


def _join(open_: str, close: str, parts: list[str], step: str, at: str) -> str:
    if not parts:
        return open_ + close
    if not step:
        return open_ + ",".join(parts) + close
    inner = at + step
    return open_ + "\n" + inner + (",\n" + inner).join(parts) + "\n" + at + close


def integer_keys_first(record: dict) -> dict:
    """Key order of a JavaScript object: integer-like keys ascending first, then the rest in insertion order."""
    index = [k for k in record if str(k).isdigit() and (str(k) == "0" or not str(k).startswith("0"))]
    rest = [k for k in record if k not in index]
    return {str(k): record[k] for k in sorted(index, key=lambda k: int(k))} | {k: record[k] for k in rest}
