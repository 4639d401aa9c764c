"""The QR codes of badges, invoices and certificates, each in a fraction of a millisecond.

A document's codes (badge tokens, verification URLs, invoice TLVs) have one shape, so they share their
version, error correction level and mask. Everything that depends only on those three is made once
per process (`QRLayout`): the finder, timing and alignment patterns, the format and version bits,
the order in which data modules are laid (with the mask already applied to each), and the Reed–Solomon
generator of each block. Per code there is left: the data bits, the error correction bytes (table
driven), and setting about a thousand modules.

The pure-Python `qrcode` package does all of that per code, with a recursive polynomial division for the
error correction, at about 2 ms a code; this gives the same modules (the tests compare both, and decode
the printed code with zxing-cpp) at about a tenth of that. `qrcode` still chooses the version and the
segments (numeric, alphanumeric, bytes), so the codes are the ones it makes with the same mask.
"""

from __future__ import annotations

import operator

import qrcode
from qrcode import util
from qrcode.base import rs_blocks

ERROR_CORRECT_M = qrcode.constants.ERROR_CORRECT_M
QR_MASK = 2  # vertical stripes: any of the eight masks is valid for readers; trying all eight is most of the cost
OPTIMIZE = 20  # as qrcode's add_data: runs of 20 or more digits or capitals get their own compact segment

_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _i in range(255):
    _EXP[_i] = _value
    _LOG[_value] = _i
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


def _generator(degree: int) -> list[int]:
    """The Reed–Solomon generator polynomial (x - a^0)…(x - a^(degree-1)), highest power first."""
    poly = [1]
    for i in range(degree):
        nxt = poly + [0]
        for j, coefficient in enumerate(poly):
            if coefficient:
                nxt[j + 1] ^= _EXP[_LOG[coefficient] + i]
        poly = nxt
    return poly


_INVERT = str.maketrans("01", "10")


def _mul(a: int, b: int) -> int:
    return _EXP[_LOG[a] + _LOG[b]] if a and b else 0


class _Block:
    """One error correction block, as tables: the error correction bytes are linear in the data, so those of a
    block are the XOR of one precomputed value per data byte (its position and value), packed in an int."""

    def __init__(self, data_count: int, ec_count: int):
        self.data_count = data_count
        self.ec_count = ec_count
        generator = _generator(ec_count)[1:]
        self.tables: list[list[int]] = []
        for position in range(data_count):
            # The remainder of x^(ec_count + data_count - 1 - position) by the generator: the polynomial
            # long division of a single 1 at this position.
            remainder = [0] * ec_count
            for index in range(position, data_count):
                factor = (1 if index == position else 0) ^ remainder[0]
                remainder = remainder[1:] + [0]
                if factor:
                    remainder = [r ^ _mul(factor, g) for r, g in zip(remainder, generator)]  # noqa: B905
            table = [0] * 256
            for value in range(1, 256):
                table[value] = int.from_bytes(bytes(_mul(value, r) for r in remainder), "big")
            self.tables.append(table)

    def remainder(self, data: bytes) -> bytes:
        packed = 0
        for table, byte in zip(self.tables, data):  # noqa: B905
            packed ^= table[byte]
        return packed.to_bytes(self.ec_count, "big")


class QRLayout:
    """The fixed parts of QR codes of one version, level and mask; `matrix(text)` makes one code."""

    def __init__(self, version: int, *, level: int = ERROR_CORRECT_M, mask: int):
        self.version, self.level, self.mask = version, level, mask
        self.size = version * 4 + 17
        code = qrcode.QRCode(version=version, error_correction=level, border=0, mask_pattern=mask)
        # The function patterns, drawn by qrcode's own steps (those of QRCode.makeImpl before the data).
        n = code.modules_count = self.size
        code.modules = [[None] * n for _ in range(n)]
        code.setup_position_probe_pattern(0, 0)
        code.setup_position_probe_pattern(n - 7, 0)
        code.setup_position_probe_pattern(0, n - 7)
        code.setup_position_adjust_pattern()
        code.setup_timing_pattern()
        code.setup_type_info(False, mask)
        if version >= 7:
            code.setup_type_number(False)
        masked = util.mask_func(mask)
        # The data modules in the order bits are laid (two columns at a time, up then down, right to left;
        # as QRCode.map_data), each with its mask bit.
        cells: list[tuple[int, int, bool]] = []
        row, step = n - 1, -1
        for col in range(n - 1, 0, -2):
            if col <= 6:
                col -= 1  # the vertical timing pattern takes column 6
            while True:
                for c in (col, col - 1):
                    if code.modules[row][c] is None:
                        cells.append((row, c, bool(masked(row, c))))
                row += step
                if row < 0 or row >= n:
                    row -= step
                    step = -step
                    break
        # Each row of a code is read, in C, out of one string: the data bits, then the same inverted (for
        # the modules the mask darkens), then a light and a dark module for the function patterns.
        self.data_bits = len(cells)
        light, dark = 2 * len(cells), 2 * len(cells) + 1
        sources = [[dark if m else light for m in line] for line in code.modules]
        for index, (r, c, flip) in enumerate(cells):
            sources[r][c] = index + len(cells) if flip else index
        self._rows = [operator.itemgetter(*line) for line in sources]
        self.blocks = [_Block(b.data_count, b.total_count - b.data_count) for b in rs_blocks(version, level)]
        self.capacity_bits = 8 * sum(b.data_count for b in self.blocks)
        self.length_bits = util.mode_sizes_for_version(version)

    @staticmethod
    def version_for(text: str, *, level: int = ERROR_CORRECT_M, mask: int) -> int:
        """The smallest version that holds `text`, as qrcode chooses it."""
        code = qrcode.QRCode(error_correction=level, border=0, mask_pattern=mask)
        code.add_data(text, optimize=OPTIMIZE)
        return code.best_fit()

    @classmethod
    def for_text(cls, text: str, *, level: int = ERROR_CORRECT_M, mask: int) -> QRLayout:
        """The layout of the smallest version that holds `text`."""
        return cls(cls.version_for(text, level=level, mask=mask), level=level, mask=mask)

    def codewords(self, text: str, chunks: list | None = None) -> bytes | None:
        """Data and error correction bytes, interleaved; None when the text does not fit this version."""
        value, length = 0, 0
        for chunk in chunks if chunks is not None else data_chunks(text):
            data, mode = chunk.data, chunk.mode
            value = (value << 4 | mode) << self.length_bits[mode] | len(data)
            length += 4 + self.length_bits[mode]
            if mode == util.MODE_8BIT_BYTE:
                value = value << (8 * len(data)) | int.from_bytes(data, "big")
                length += 8 * len(data)
            elif mode == util.MODE_ALPHA_NUM:
                table = util.ALPHA_NUM
                for i in range(0, len(data) - 1, 2):
                    value = value << 11 | table.index(data[i]) * 45 + table.index(data[i + 1])
                    length += 11
                if len(data) % 2:
                    value = value << 6 | table.index(data[-1])
                    length += 6
            else:  # numeric
                for i in range(0, len(data), 3):
                    digits = data[i:i + 3]
                    bits = util.NUMBER_LENGTH[len(digits)]
                    value = value << bits | int(digits)
                    length += bits
        if length > self.capacity_bits:
            return None
        terminator = min(4, self.capacity_bits - length)
        value <<= terminator
        length += terminator
        if length % 8:
            value <<= 8 - length % 8
            length += 8 - length % 8
        data = value.to_bytes(length // 8, "big") + bytes((0xEC, 0x11)) * (self.capacity_bits // 16)
        data = data[:self.capacity_bits // 8]
        data_blocks, ec_blocks, offset = [], [], 0
        for block in self.blocks:
            part = data[offset:offset + block.data_count]
            offset += block.data_count
            data_blocks.append(part)
            ec_blocks.append(block.remainder(part))
        if len(self.blocks) == 1:
            return data + ec_blocks[0]
        out = bytearray()
        for column in range(max(b.data_count for b in self.blocks)):
            out.extend(part[column] for part in data_blocks if column < len(part))
        for column in range(max(b.ec_count for b in self.blocks)):
            out.extend(part[column] for part in ec_blocks if column < len(part))
        return bytes(out)

    def rows(self, text: str, chunks: list | None = None) -> list[str] | None:
        """The code for `text` as one string of "1" (dark) and "0" (light) per row, no quiet zone; None when
        the text does not fit this version."""
        words = self.codewords(text, chunks)
        if words is None:
            return None
        bits = format(int.from_bytes(words, "big"), f"0{len(words) * 8}b")
        bits += "0" * (self.data_bits - len(bits))  # the remainder bits after the last codeword are light
        source = bits + bits.translate(_INVERT) + "01"
        return ["".join(row(source)) for row in self._rows]

    def matrix(self, text: str, chunks: list | None = None) -> list[list[bool]] | None:
        """The same as rows of booleans."""
        rows = self.rows(text, chunks)
        return None if rows is None else [[m == "1" for m in row] for row in rows]


_VERSIONS: dict[tuple, int] = {}
_LAYOUTS: dict[tuple[int, int], QRLayout] = {}
_REMEMBERED = 4096  # shapes of data; a process that meets more starts over rather than grow


def data_chunks(text: str) -> list:
    """The text's segments (numeric, alphanumeric, bytes) as qrcode's add_data splits it."""
    return list(util.optimal_data_chunks(text, minimum=OPTIMIZE))


def qr_layout(text: str, *, level: int = ERROR_CORRECT_M, chunks: list | None = None) -> QRLayout:
    """The layout of the smallest version that holds `text` with the fixed mask, made once per process.

    The version depends only on the data's segments (their modes and lengths) and the level, so it is
    found once per such shape (all badge tokens have one) instead of counting bits for each code.
    """
    chunks = data_chunks(text) if chunks is None else chunks
    shape = (level, tuple((chunk.mode, len(chunk.data)) for chunk in chunks))
    version = _VERSIONS.get(shape)
    if version is None:
        if len(_VERSIONS) >= _REMEMBERED:
            _VERSIONS.clear()
        version = _VERSIONS[shape] = QRLayout.version_for(text, level=level, mask=QR_MASK)
    layout = _LAYOUTS.get((version, level))
    if layout is None:
        layout = _LAYOUTS[(version, level)] = QRLayout(version, level=level, mask=QR_MASK)
    return layout


def qr_matrix(text: str, *, level: int = ERROR_CORRECT_M) -> list[list[bool]]:
    """The QR modules (no quiet zone), the same as qrcode makes with the fixed mask. Level M by default:
    still reads with a scratch or a thumb over a corner. The text is split into segments once, for
    finding the layout and for the code itself."""
    chunks = data_chunks(text)
    return qr_layout(text, level=level, chunks=chunks).matrix(text, chunks)
