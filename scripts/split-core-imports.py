#!/usr/bin/env python3
"""Moves names that left @chainstream/core's main entry to @chainstream/core/provider in imports."""
import re, sys, pathlib

import os
index = pathlib.Path(os.environ.get('CORE_INDEX', 'packages/core/src/index.ts')).read_text()
main = set()
for block in re.findall(r"export (?:type )?\{([^}]*)\}", index):
    for item in block.split(','):
        name = item.strip().replace('type ', '').split(' as ')[-1].strip()
        if name:
            main.add(name)

pattern = re.compile(r"import (type )?\{([^}]*)\} from '@chainstream/core'\n")

def rewrite(text):
    def repl(m):
        whole_type = m.group(1) is not None
        items = [i.strip() for i in m.group(2).split(',') if i.strip()]
        keep, move = [], []
        for item in items:
            name = item.replace('type ', '').split(' as ')[0].strip()
            (keep if name in main else move).append(item)
        if not move:
            return m.group(0)
        out = ''
        prefix = 'import type ' if whole_type else 'import '
        if keep:
            out += prefix + '{ ' + ', '.join(keep) + " } from '@chainstream/core'\n"
        out += prefix + '{ ' + ', '.join(move) + " } from '@chainstream/core/provider'\n"
        return out
    return pattern.sub(repl, text)

for root in sys.argv[1:]:
    base = pathlib.Path(root)
    for path in ([base] if base.is_file() else base.rglob('*')):
        if path.suffix not in ('.ts', '.mjs', '.js', '.cts') or 'node_modules' in path.parts or 'dist' in path.parts:
            continue
        text = path.read_text()
        new = rewrite(text)
        if new != text:
            path.write_text(new)
            print('rewrote', path)
