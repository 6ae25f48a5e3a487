"""The board's addresses and sizes for the Python tools, read from the one file that defines
them (Sources/Board/include/board.h): `from board import BOARD` then `BOARD.FLASH_SIZE` for
BOARD_FLASH_SIZE."""
import os
import re

HEADER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "Sources", "Board", "include", "board.h")
_DEFINE = re.compile(r"^#define\s+BOARD_(\w+)\s+(.+?)\s*(?:/\*.*)?$")
_TERM = re.compile(r"BOARD_(\w+)|(0x[0-9A-Fa-f]+|\d+)|([-+()])|(\S)")


def _value(text, known):
    """A number, or a sum and difference of names defined above (the header's only forms)."""
    expr = []
    for name, number, op, bad in _TERM.findall(text):
        if bad:
            raise ValueError(f"board.h: cannot read {text!r}")
        expr.append(str(known[name]) if name else number or op)
    return eval(" ".join(expr), {"__builtins__": {}})   # digits, + - and parentheses only


def load(path=HEADER):
    values = {}
    with open(path) as f:
        for line in f:
            m = _DEFINE.match(line.strip())
            if m:
                values[m.group(1)] = _value(m.group(2), values)
    return type("Board", (), values)


BOARD = load()


if __name__ == "__main__":
    # For shell scripts: `qemu/board.py KERNEL_LOAD` prints BOARD_KERNEL_LOAD in hex.
    import sys
    print(hex(getattr(BOARD, sys.argv[1])))
