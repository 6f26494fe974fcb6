#!/usr/bin/env python3
"""Writes the inputs of the VQA test vectors (our own design, deterministic).

Usage: make_vqa_cases.py SHAPES_VQA_DIR OUT_DIR

quirks/     hand-written questions aimed at the answer normalisation's quirks (comments below)
rounding/   800 questions, one answered right: 100 * 1/800 = 0.125 exactly, which Python 2 rounds
            to 0.13 (Python 3 would give 0.12)
synthetic/  the first 600 questions of the shapes-world VQA test split (./mm1 data synth, medium, seed 1)
            with perturbed answers
"""
import json
import os
import random
import sys

HEADER = {'info': {'description': 'mm1 evaluator test vectors'}, 'task_type': 'Open-Ended', 'data_type': 'mscoco',
          'data_subtype': 'val2014', 'license': {'name': 'test'}}


def write_case(out, name, questions):
    """questions: list of (question_id, image_id, question, question_type, answer_type, answers, prediction);
    answers are strings (given answer_id 1..n) or ready-made records (dicts)."""
    os.makedirs(os.path.join(out, name), exist_ok=True)
    q_file = dict(HEADER, questions=[])
    a_file = dict(HEADER, annotations=[])
    results = []
    for qid, image_id, text, qtype, atype, answers, prediction in questions:
        q_file['questions'].append({'question_id': qid, 'image_id': image_id, 'question': text})
        records = [a if isinstance(a, dict) else {'answer': a, 'answer_confidence': 'yes', 'answer_id': i + 1}
                   for i, a in enumerate(answers)]
        a_file['annotations'].append({'question_id': qid, 'image_id': image_id, 'question_type': qtype,
                                      'answer_type': atype, 'multiple_choice_answer': records[0]['answer'],
                                      'answers': records})
        results.append({'question_id': qid, 'answer': prediction})
    for file_name, content in (('questions.json', q_file), ('annotations.json', a_file), ('results.json', results)):
        with open(os.path.join(out, name, file_name), 'w') as f:
            if name == 'quirks':
                json.dump(content, f, indent=1, ensure_ascii=False)
            else:
                json.dump(content, f, separators=(',', ':'), ensure_ascii=False)


def quirks():
    q = []
    def add(qtype, atype, answers, prediction, text='What is it?'):
        q.append((len(q) + 1, 1000 + len(q), text, qtype, atype, answers, prediction))
    # all ten human answers equal: nothing is normalised, so "two" does not match "2" ...
    add('how many', 'number', ['2'] * 10, 'two')
    add('how many', 'number', ['2'] * 10, '2')
    # ... but strip() and newline/tab cleaning still apply
    add('how many', 'number', ['2'] * 10, ' 2\n')
    # answers differ: number words, articles and case are normalised on both sides
    add('how many', 'number', ['2'] * 7 + ['two'] * 3, 'Two')
    add('what is the', 'other', ['a dog'] * 5 + ['dog'] * 5, 'the dog')
    add('what is the', 'other', ['a dog'] * 5 + ['dog'] * 5, 'Dog.')
    add('is the', 'yes/no', ['yes'] * 2 + ['no'] * 8, 'yes')
    add('is the', 'yes/no', ['yes'] * 2 + ['no'] * 8, 'Yes!')
    add('is the', 'yes/no', ['yes'] * 9 + ['no'], 'none')
    # punctuation: removed next to a space or when the text has digit,digit; otherwise a space
    add('how many', 'number', ['1,000'] * 6 + ['1000'] * 4, '1000')
    add('how many', 'number', ['1,000'] * 6 + ['1000'] * 4, '1,000')
    add('what', 'other', ['black/white'] * 5 + ['black white'] * 5, 'black white')
    add('what', 'other', ['black/white'] * 5 + ['black and white'] * 5, 'black/ white')
    add('what', 'other', ['t-shirt'] * 4 + ['t shirt'] * 6, 'T-Shirt')
    add('what', 'other', ['(left)', 'left'] * 5, 'left')
    add('what', 'other', ['on/off', 'on off'] * 5, 'on-off')
    # periods: kept before a digit, removed otherwise, at most 32 of them
    add('how many', 'number', ['3.5'] * 5 + ['3'] * 5, '3.5')
    add('how many', 'number', ['3.5'] * 5 + ['3'] * 5, '3.5.')
    add('what', 'other', ['a.b.c'] * 5 + ['abc'] * 5, 'abc')
    add('what', 'other', ['.' * 40 + 'x', 'x'] * 5, 'x')
    add('what', 'other', ['.' * 40 + 'x', 'x'] * 5, '.' * 40 + 'x')
    # contractions table (and its reversed "somebody'd" entry), and its capitalised keys that never match
    add('what', 'other', ["don't"] * 6 + ['dont'] * 4, 'dont')
    add('what', 'other', ["isn't"] * 6 + ['isnt'] * 4, "isn't")
    add('what', 'other', ["somebody'd"] * 5 + ['somebodyd'] * 5, "somebody'd")
    add('what', 'other', ["I'm"] * 5 + ['im'] * 5, 'Im')
    # duplicate records: identical dicts leave each other out of "the other answers"
    same = {'answer': 'cat', 'answer_confidence': 'yes', 'answer_id': 1}
    add('what', 'other', [same, same, same, same, {'answer': 'dog', 'answer_confidence': 'no', 'answer_id': 5}], 'cat')
    # fewer than ten answers
    add('what', 'other', ['red', 'red', 'red', 'blue'], 'red')
    add('what', 'other', ['red', 'blue', 'green'], 'red')
    # unicode, Python 2 lower-casing (U+0130 becomes a plain i) and whitespace
    add('what', 'other', ['café'] * 5 + ['cafe'] * 5, 'CAFÉ')
    add('what', 'other', ['istanbul'] * 5 + ['city'] * 5, '\u0130stanbul')
    add('what', 'other', ['two dogs'] * 5 + ['2 dogs'] * 5, 'two\u3000dogs')
    # every other punctuation mark of the list
    add('what', 'other', ['a;b', 'a b'] * 5, 'a b')
    add('what', 'other', ['x=y+z', 'x y z'] * 5, 'x y z')
    add('what', 'other', ['<tag>', 'tag'] * 5, 'tag')
    add('what', 'other', ['@home', 'home'] * 5, 'home')
    add('what', 'other', ['"quoted"', 'quoted'] * 5, 'quoted')
    add('what', 'other', ['a_b', 'a b'] * 5, 'a_b')
    add('what', 'other', ['what?', 'what'] * 5, 'what!')
    add('what', 'other', ['back\\slash', 'back slash'] * 5, 'back slash')
    add('what', 'other', ['[x]', '{x}', '`x`'] * 3 + ['x'], 'x')
    # an answer with no answer type or question type groups under its own key
    add('why', 'other', ['because'] * 10, 'because')
    return q


def rounding():
    q = []
    for i in range(800):
        answers = ['yes'] * 4
        q.append((20000 + i, 30000 + i, 'Is it?', 'is it', 'yes/no' if i % 2 else 'other', answers,
                  'yes' if i == 0 else 'no'))
    return q


def synthetic(shapes_dir, seed=3):
    questions = {q['question_id']: q for q in json.load(open(os.path.join(shapes_dir, 'questions_test.json')))['questions']}
    rng = random.Random(seed)
    words = {'0': 'zero', '1': 'one', '2': 'two', '3': 'three', '4': 'four'}
    q = []
    for annotation in json.load(open(os.path.join(shapes_dir, 'annotations_test.json')))['annotations'][:600]:
        truth = annotation['multiple_choice_answer']
        kind = rng.randrange(8)
        if kind == 0:
            prediction = words.get(truth, truth)
        elif kind == 1:
            prediction = 'the ' + truth
        elif kind == 2:
            prediction = truth.capitalize() + '.'
        elif kind == 3:
            prediction = rng.choice(['yes', 'no', '1', '2', 'red', 'circle', 'top left'])
        elif kind == 4:
            prediction = ' ' + truth + '\n'
        else:
            prediction = truth
        q.append((annotation['question_id'], annotation['image_id'], questions[annotation['question_id']]['question'],
                  annotation['question_type'], annotation['answer_type'], annotation['answers'], prediction))
    return q


def main():
    shapes, out = sys.argv[1:3]
    write_case(out, 'quirks', quirks())
    write_case(out, 'rounding', rounding())
    write_case(out, 'synthetic', synthetic(shapes))


if __name__ == '__main__':
    main()
