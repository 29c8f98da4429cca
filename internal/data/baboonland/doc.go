// Package baboonland reads BaboonLand's behaviour-recognition annotation
// (the official Charades-style frame lists train.csv and val.csv of the
// imageomics/BaboonLand release), labels each clip (mini-scene) by one of
// two rules, and builds the tracks ARTEMIS Table 7 trains on: the real
// descriptions with the real labels (text-only, when the user supplies the
// label files), and a seeded synthetic twin with BaboonLand's 13 classes
// and its real descriptions.
//
// # The annotation format, and what is a guess
//
// Found (sources named): the release is a Hugging Face dataset,
// imageomics/BaboonLand (CC0), whose dataset card lists "Dataset
// Viewer/train.csv" and "Dataset Viewer/val.csv" as its train and
// validation splits. Its sibling KABR (imageomics/KABR, same group, same
// tooling) documents its files as "the Charades format", one row per frame,
// space-separated, with the header
//
//	original_vido_id video_id frame_id path labels
//
// (e.g. "ZG0001.1 1 1 ZG0001.1/1.jpg 0"). The ARTEMIS authors' follow-up
// code (edofazza/artemis2 @ b3c001c, myfusion/datasets/datasets.py:207-307)
// reads BaboonLand's annotation/{train,val}.csv with pandas, space-delimited,
// by the column names video_id, frame_id, path and labels; groups the rows
// by video_id, orders them by frame_id, takes one integer label per frame,
// and names a clip by the folder of its frame paths. Its class order is
// datamanager.py:112-114 (data.BaboonClasses). ARTEMIS's published
// baboonland_summary.csv names clips such as "B0028.5", the
// original_vido_id style of KABR ("ZG0001.1").
//
// Guessed (not read: Hugging Face cannot be reached from here): that
// BaboonLand's files have exactly KABR's header and column order, and one
// label per frame. The reader therefore locates columns by the header's
// names when a header is present (any order, "original_video_id" accepted
// too), falls back to KABR's order without a header, and accepts a
// comma-separated label list or an empty field per frame.
//
// # Clip labels
//
// RuleUnion labels a clip with every label of any of its frames (the
// project's internal/data reader). RuleSampled, the authors' follow-up code
// (datasets.py:300-301), labels it with the OR of the labels of the T frames
// the model sees, sampled by SampleIndices (datasets.py:35-44, no random
// shift).
package baboonland
