// Package artemis is the task that trains and evaluates one ARTEMIS
// configuration (gomlx_models/artemis) for the experiment specs of
// experiments/artemis: Tables 1 and 3 of the paper, and the runs from which
// Table 2 and Figure 2 are computed.
//
// Two data tracks: "synthetic", the seeded Animal Kingdom twin of
// internal/data (real label statistics, planted signal; never the paper's
// numbers), and "ak-text", the real Animal Kingdom descriptions and labels
// with the offline text encoder, on which the visual inputs are absent and
// the model runs "text-only" with learned constants in their place.
//
// Every run reports the mAP the authors' code computes (micro AP per batch
// of 16 validation clips, averaged weighted by batch size: map_batch_micro)
// beside Animal Kingdom's official macro mAP and its head, middle and tail
// segments.
package artemis
