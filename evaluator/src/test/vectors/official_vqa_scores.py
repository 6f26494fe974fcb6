#!/usr/bin/env python2
"""Scores VQAv2-format files with the official VQA evaluation, for our test vectors.

Usage (Python 2.7, as the official code is written for it):
  official_vqa_scores.py VQA_DIR QUESTIONS.json ANNOTATIONS.json RESULTS.json > expected.json

VQA_DIR is a checkout of github.com/GT-Vision-Lab/VQA. This is the evaluation of its
PythonEvaluationTools/vqaEvalDemo.py: VQA(annotations, questions), loadRes(results, questions),
VQAEval(vqa, vqaRes, n=2).evaluate(); its progress output goes to stderr.
"""
import json
import sys

sys.path.insert(0, sys.argv[1] + '/PythonHelperTools/vqaTools')
sys.path.insert(0, sys.argv[1] + '/PythonEvaluationTools')
from vqa import VQA
from vqaEvaluation.vqaEval import VQAEval

questions, annotations, results = sys.argv[2:5]
stdout = sys.stdout
sys.stdout = sys.stderr
vqa = VQA(annotations, questions)
vqa_result = vqa.loadRes(results, questions)
evaluation = VQAEval(vqa, vqa_result, n=2)
evaluation.evaluate()
sys.stdout = stdout
json.dump({
    'overall': evaluation.accuracy['overall'],
    'perAnswerType': evaluation.accuracy['perAnswerType'],
    'perQuestionType': evaluation.accuracy['perQuestionType'],
    'perQuestion': dict((str(k), v) for k, v in evaluation.evalQA.items()),
}, sys.stdout, indent=1, sort_keys=True)
