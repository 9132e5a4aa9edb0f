"""Source that holds every node class of libcst, for the tests that compare extract/walk.py and
extract/positions.py with libcst on every kind of node (tests/syntax_sample.py adds the repository's files)."""

import inspect

import libcst as cst

EVERY_SYNTAX = '''\
"""Every node class."""
# a comment
import os.path as osp, sys
from . import sibling
from ..pkg import (name as alias, other)
from mod import *
type Pair[T, *Ts, **P] = tuple[T, *Ts]
count: int = 0
label: str


@decorator(1)
class Box(Base, metaclass=Meta):
    size = 1.5e3

    async def run(self, *args, key=None, **kwargs) -> None:
        global count
        async with lock as held, other():
            await task
        async for item in stream:
            yield item
        yield from range(3)
        del self.size, args[0]
        assert key is not None and key not in args or not key, "message"
        raise ValueError("x") from None


def outer[T: int = 0](a, /, b, *, c=+1j ** 2):
    x = ~a ^ b << 2 >> 1 @ c | a & b - -a * b / c // 2 % 3
    total = (a +
             b)
    y = a < b <= c == a != b > c >= a in b is a
    def inner():
        nonlocal x
        x += 1; x -= 1; x *= 2; x /= 2; x &= 1; x |= 1
        x ^= 1; x //= 2; x <<= 1; x >>= 1; x @= c; x %= 3; x **= 2
    if (n := len(a)) > 1: pass
    elif a:
        pass
    else:
        return
    while True:
        break
    for i in range(3):
        continue
    else:
        pass
    match x:
        case Point(x=0, y=[1, *rest]) | {"k": None, **others} | (True, False):
            pass
        case [1, 2] if y:
            pass
        case _:
            pass
    try:
        pass
    except* ValueError:
        pass
    try:
        pass
    except (KeyError, IndexError) as error:
        pass
    except Exception:
        pass
    else:
        pass
    finally:
        pass
    with open(p) as (f, g):
        pass
    values = [*a, b], (a,), {a, *b}, {"k": a, **b}, a[1:2:3, ::], a[0], ...
    made = [i for i in a if i], {i for i in a}, {i: i for i in a}, (i async for i in a)
    text = f"{x!r:>{4}} {y=}" "b" 'c' """d""" r"e"
    raw = rb"f"
    return lambda q, *r, s=1, **t: q if r else s
'''

# the newest syntax (lazy imports, template strings, a dict comprehension of ** items), compared when the
# installed libcst parses it
NEWEST_SYNTAX = '''\
lazy import json
lazy from os import path


def f(ds, x, b):
    return {**d for d in ds}, t"{x} and {b!r:>4}"
'''


def modules() -> list[cst.Module]:
    """EVERY_SYNTAX parsed, and NEWEST_SYNTAX if this libcst parses it."""
    found = [cst.parse_module(EVERY_SYNTAX)]
    try:
        found.append(cst.parse_module(NEWEST_SYNTAX))
    except cst.ParserSyntaxError:
        pass
    return found


def concrete_node_classes() -> set[type]:
    return {c for c in vars(cst).values() if isinstance(c, type) and issubclass(c, cst.CSTNode)
            and not inspect.isabstract(c) and not c.__subclasses__()}


def classes_in(node: cst.CSTNode) -> set[type]:
    found, stack = set(), [node]
    while stack:
        node = stack.pop()
        found.add(type(node))
        stack.extend(node.children)
    return found
