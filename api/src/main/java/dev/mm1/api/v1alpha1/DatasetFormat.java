package dev.mm1.api.v1alpha1;

/** File layouts of the benchmark datasets the evaluator reads. */
public enum DatasetFormat {
  /** Found from the files in the directory (see evaluator/README.md). */
  Auto,
  /** COCO Karpathy splits: dataset_coco.json, images under val2014/ and train2014/. */
  CocoKarpathy,
  /** NoCaps validation: nocaps_val_4500_captions.json and the Open Images files it names. */
  NoCaps,
  /** TextCaps: TextCaps_0.1_val.json (and _train.json), images under train_images/. */
  TextCaps,
  /** VQAv2: v2_OpenEnded_mscoco_val2014_questions.json, v2_mscoco_val2014_annotations.json, COCO images. */
  VQAv2,
  /** OK-VQA: OpenEnded_mscoco_val2014_questions.json, mscoco_val2014_annotations.json, COCO images. */
  OKVQA,
  /** TextVQA: TextVQA_0.5.1_val.json (and _train.json), images under train_images/. */
  TextVQA,
  /** VizWiz: Annotations/val.json (and train.json), images under val/ and train/. */
  VizWiz,
  /** The shapes-world sets of ./mm1 data synth: COCO-captions or VQAv2 files split into test and support. */
  Synthetic
}
