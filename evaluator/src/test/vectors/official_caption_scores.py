#!/usr/bin/env python3
"""Scores COCO-format caption files with the official pycocoevalcap code, for our test vectors.

Usage: official_caption_scores.py PYCOCOEVALCAP_DIR REFERENCES.json RESULTS.json > expected.json

PYCOCOEVALCAP_DIR is a checkout of github.com/salaniz/pycocoevalcap with
tokenizer/stanford-corenlp-3.4.1.jar in place (edu.stanford.nlp:stanford-corenlp:3.4.1 from Maven
Central) and java on the PATH. This is COCOEvalCap.evaluate() with only the BLEU and CIDEr scorers
(METEOR and SPICE need other jars), after the indexing pycocotools does: images in file order, each
image's annotations in file order, one result per image.
"""
import json
import sys

sys.path.insert(0, sys.argv[1] + '/..')
name = sys.argv[1].rstrip('/').split('/')[-1]
tokenizer_module = __import__(name + '.tokenizer.ptbtokenizer', fromlist=['PTBTokenizer'])
bleu_module = __import__(name + '.bleu.bleu', fromlist=['Bleu'])
cider_module = __import__(name + '.cider.cider', fromlist=['Cider'])


def main():
    references = json.load(open(sys.argv[2]))
    results = json.load(open(sys.argv[3]))
    image_ids = []
    for image in references['images']:
        if image['id'] not in image_ids:
            image_ids.append(image['id'])
    image_to_annotations = {}
    for annotation in references['annotations']:
        image_to_annotations.setdefault(annotation['image_id'], []).append(annotation)
    result_to_annotations = {}
    for result in results:
        result_to_annotations.setdefault(result['image_id'], []).append(result)
    gts = {image_id: image_to_annotations[image_id] for image_id in image_ids}
    res = {image_id: result_to_annotations[image_id] for image_id in image_ids}
    tokenizer = tokenizer_module.PTBTokenizer()
    gts = tokenizer.tokenize(gts)
    res = tokenizer.tokenize(res)
    bleu, _ = bleu_module.Bleu(4).compute_score(gts, res, verbose=0)
    cider, per_image = cider_module.Cider().compute_score(gts, res)
    json.dump({
        'Bleu_1': bleu[0], 'Bleu_2': bleu[1], 'Bleu_3': bleu[2], 'Bleu_4': bleu[3],
        'CIDEr': float(cider),
        'CIDEr_per_image': [float(score) for score in per_image],
        'tokenized_references': [gts[image_id] for image_id in image_ids],
        'tokenized_results': [res[image_id][0] for image_id in image_ids],
    }, sys.stdout, indent=1, ensure_ascii=False)


if __name__ == '__main__':
    main()
