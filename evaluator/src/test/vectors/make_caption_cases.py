#!/usr/bin/env python3
"""Writes the inputs of the captioning test vectors (our own design, deterministic).

Usage: make_caption_cases.py SHAPES_EVAL_CAPTIONS.json FUZZ_MODULE_DIR OUT_DIR

quirks/     hand-written captions aimed at the scorers' quirks (see the comments below)
synthetic/  300 shapes-world images (./mm1 data synth --size medium --seed 1) with perturbed predictions
fuzz/       120 images whose captions come from fuzz_captions.py (punctuation, abbreviations, ...)
"""
import json
import os
import random
import sys


def write_case(out, name, images):
    """images: list of (image_id, [references], prediction)."""
    os.makedirs(os.path.join(out, name), exist_ok=True)
    references = {'images': [], 'annotations': []}
    results = []
    annotation_id = 1
    for image_id, refs, prediction in images:
        references['images'].append({'id': image_id, 'file_name': '%012d.jpg' % image_id})
        for ref in refs:
            references['annotations'].append({'id': annotation_id, 'image_id': image_id, 'caption': ref})
            annotation_id += 1
        results.append({'image_id': image_id, 'caption': prediction})
    with open(os.path.join(out, name, 'references.json'), 'w') as f:
        json.dump(references, f, indent=1, ensure_ascii=False)
    with open(os.path.join(out, name, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1, ensure_ascii=False)


QUIRKS = [
    # identical candidate and reference
    (101, ['A man riding a wave on top of a surfboard.', 'A surfer rides a large wave in the ocean.',
           'A person on a surfboard riding a wave.'], 'a man riding a wave on top of a surfboard'),
    # punctuation removal, but brackets stay as -lrb- / -rrb- words after lower-casing
    (102, ['A dog (a brown one) sits on the grass.', 'A brown dog sitting in a field!', 'The dog, brown, sits; waits.'],
     'a brown dog (sitting) on the grass'),
    # digits, number words, a period kept by an abbreviation, possessives, contractions
    (103, ["Two men's bikes parked on St. Mary's street.", "The 2 bikes aren't locked, it's 5 p.m.",
           'Bicycles no. 5 and no. 6 parked near a sign.'], "two men's bikes on st. mary's street at 5 p.m."),
    # repeated n-grams: clipping of the candidate's counts by the reference's
    (104, ['a cat a cat a cat on a mat', 'a cat sitting on a mat', 'cats on mats'], 'a cat a cat a cat a cat a cat a cat'),
    # very short candidate: one word has no bigram, so its CIDEr "length" is 0 like the empty one
    (105, ['A red double decker bus driving down a street.', 'A bus on a city street.',
           'Red bus in the city near buildings.'], 'bus'),
    # long candidate: the Gaussian length penalty
    (106, ['A plate of food.', 'Food on a plate.'],
     'a white plate topped with lots of different kinds of food and vegetables next to a fork and a knife on a wooden table in a restaurant'),
    # many references (12) for one image, a single reference for the next
    (107, ['A kitchen with a stove.', 'A stove in a kitchen.', 'The kitchen has a white stove.', 'A small kitchen.',
           'Kitchen with white cabinets.', 'An oven and a stove.', 'A clean kitchen.', 'A kitchen area.',
           'A stove top oven in a kitchen.', 'White appliances in a kitchen.', 'A kitchen counter.',
           'A kitchen with wooden floors.'], 'a kitchen with a white stove and an oven'),
    (108, ['A giraffe standing next to a tree.'], 'a giraffe next to a tall tree'),
    # capitals, quotes, hyphens, a slash, an ellipsis and a dash
    (109, ['A "STOP" sign on a black-and-white pole...', 'A stop sign -- red and white -- on a pole.',
           "A sign that says 'stop' on/off a post."], 'A STOP sign on a black-and-white pole'),
    # unicode letters and a newline inside a caption (the wrapper turns it into a space)
    (110, ['A café with a crème brûlée on the table.', 'A dessert\nat a café.', 'Crème brûlée at a café in Zürich.'],
     'a crème brûlée on a table at a café'),
    # nothing in common with the references
    (111, ['A horse grazing in a field.', 'Horses on a farm.'], 'an airplane flying over the ocean'),
    # a caption ending in a sentence-final abbreviation followed by a capitalised caption
    (112, ['A sign for Mass.', 'A sign in Washington D.C.', 'The U.S. flag flies over the building.'],
     'a sign for mass.'),
]


def synthetic_cases(shapes_captions, seed=1):
    data = json.load(open(shapes_captions))
    by_image = {}
    for annotation in data['annotations']:
        by_image.setdefault(annotation['image_id'], []).append(annotation['caption'])
    ids = [image['id'] for image in data['images']][:300]
    rng = random.Random(seed)
    cases = []
    for image_id in ids:
        refs = by_image[image_id]
        kind = rng.randrange(6)
        if kind == 0:
            prediction = refs[rng.randrange(len(refs))]
        elif kind == 1:
            prediction = by_image[ids[rng.randrange(len(ids))]][rng.randrange(5)]
        elif kind == 2:
            words = refs[rng.randrange(len(refs))].split()
            prediction = ' '.join(words[:max(1, rng.randrange(len(words)))])
        elif kind == 3:
            words = refs[rng.randrange(len(refs))].lower().rstrip('.').split()
            rng.shuffle(words)
            prediction = ' '.join(words)
        elif kind == 4:
            prediction = refs[0].lower().replace('.', '') + ' ' + refs[1].lower()
        else:
            prediction = rng.choice(['a red circle', 'two shapes', 'a large blue square at the top left',
                                     'an image with shapes', 'a small green triangle and a small green triangle'])
        cases.append((image_id, refs[:rng.randrange(1, len(refs) + 1)] if rng.random() < 0.2 else refs, prediction))
    return cases


def fuzz_cases(fuzz_dir, seed=7):
    sys.path.insert(0, fuzz_dir)
    import fuzz_captions
    captions = fuzz_captions.generate(120 * 6, seed)
    return [(5000 + i, captions[6 * i:6 * i + 5], captions[6 * i + 5]) for i in range(120)]


def main():
    shapes, fuzz_dir, out = sys.argv[1:4]
    write_case(out, 'quirks', QUIRKS)
    write_case(out, 'synthetic', synthetic_cases(shapes))
    write_case(out, 'fuzz', fuzz_cases(fuzz_dir))


if __name__ == '__main__':
    main()
