/**
 * Benchmarks, metrics (CIDEr-D, VQA accuracy), few-shot prompting, generation, the eval entrypoint and the CI gate client.
 */
package dev.mm1.evaluator;
