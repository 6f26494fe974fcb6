#!/usr/bin/env python3
"""Writes the caption lists of the tokenizer vectors. Usage: make_ptb_inputs.py SHAPES_DIR OUT_DIR

shapes.json  every distinct reference caption and question of the shapes-world eval sets (./mm1 data synth)
fuzz.json    12 000 captions from fuzz_captions.py (seed 2024)
tricky.json  tricky.txt, one caption per line (hand-written)
"""
import json
import os
import sys

import fuzz_captions

shapes, out = sys.argv[1:3]
seen = []
for split in ('test', 'support'):
    for annotation in json.load(open(os.path.join(shapes, 'captions', 'captions_%s.json' % split)))['annotations']:
        if annotation['caption'] not in seen:
            seen.append(annotation['caption'])
    for question in json.load(open(os.path.join(shapes, 'vqa', 'questions_%s.json' % split)))['questions']:
        if question['question'] not in seen:
            seen.append(question['question'])
json.dump(seen, open(os.path.join(out, 'shapes.json'), 'w'), ensure_ascii=False)
json.dump(fuzz_captions.generate(12000, 2024), open(os.path.join(out, 'fuzz.json'), 'w'), ensure_ascii=False)
here = os.path.dirname(os.path.abspath(__file__))
tricky = [line.rstrip('\n') for line in open(os.path.join(here, 'tricky.txt'), encoding='utf-8')
          if not line.startswith('#')]
json.dump(tricky, open(os.path.join(out, 'tricky.json'), 'w'), ensure_ascii=False)
