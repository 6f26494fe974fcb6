#!/usr/bin/env python3
"""Tokenizes captions with pycocoevalcap's PTBTokenizer wrapper (Stanford CoreNLP 3.4.1), for our
tokenizer's test vectors.

Usage: official_ptb_tokens.py PYCOCOEVALCAP_DIR CAPTIONS.json OUT.jsonl[.gz]

CAPTIONS.json is a JSON array of strings, tokenized in one call in that order (one caption per
image), as pycocoevalcap tokenizes all references or all results of an evaluation. Each output line
is the JSON array [caption, tokenized caption] with tokenized caption exactly as the wrapper
returns it (PTB tokens, lower-cased, punctuation tokens removed, joined by spaces).
"""
import gzip
import json
import sys

sys.path.insert(0, sys.argv[1] + '/..')
name = sys.argv[1].rstrip('/').split('/')[-1]
tokenizer_module = __import__(name + '.tokenizer.ptbtokenizer', fromlist=['PTBTokenizer'])

captions = json.load(open(sys.argv[2]))
tokenized = tokenizer_module.PTBTokenizer().tokenize({i: [{'caption': c}] for i, c in enumerate(captions)})
opener = gzip.open if sys.argv[3].endswith('.gz') else open
with opener(sys.argv[3], 'wt', encoding='utf-8') as out:
    for i, caption in enumerate(captions):
        out.write(json.dumps([caption, tokenized[i][0]], ensure_ascii=False) + '\n')
