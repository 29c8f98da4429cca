// Package animalclip is the runner task "animalclip": Animal-CLIP
// (PRIS-CV/Animal-CLIP @ 4cff5a8, no public numbers) on Animal Kingdom's
// real text and labels, with its test-time leakage measured, and on a
// feature-level twin with the video branch.
//
// On the real split (data.source = "real") there is no video: a clip is its
// generated description (summaries.csv) embedded by the offline text
// encoder (internal/data/textenc, TF-IDF + LSA, standing in for CLIP's text
// tower), and that embedding takes the place of the video feature. The
// class prompts are the real class descriptions (class_descriptions.csv,
// Animal-CLIP's external prompts), the animal nodes the 897 animal names,
// the labels and species the authors' species files, the graph either the
// shipped relation file (built from train AND val pairs) or the train pairs
// only. model.variant picks the row (see Variants).
package animalclip
