// Package gaf is the task behind GAF's Table II (../shared/papers/gaf.txt, section IV): video
// recognition on UCF101 from per-video I3D features, with the I3D baseline (dropout and a linear
// classifier on time-averaged features) and I3D + GAF (the frame-level attention λ, the Eq. 11
// fore-/background pooling, a 102-way classifier trained with L_clf of Eq. 12, and the CVAE
// trained alternately with L_R, Fig. 2), top-1/top-5 accuracy on an official split's test list.
// Features are real (<root>/ucf101/i3d_features, see data.OpenUCF101Features) or the
// feature-level twin tied to the real split lists (data.FeatureTwin). Models: gomlx_models/gaf.
package gaf
