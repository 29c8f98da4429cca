// Package gafdet is the task "gaf-thumos": one THUMOS14 detection run of the GAF paper's
// Tables I, III, IV, V and VII (../shared/papers/gaf.txt, section IV), the AFSD baseline or a
// GAF row (gomlx_models/afsd, gomlx_models/gafdet), trained on the validation videos' windows
// and evaluated on the test videos against the REAL ground truth (thumos_gt.json), with the
// features of the ground-truth-anchored twin or real I3D features; and the task "gaf-anet": one
// ActivityNet v1.3 run of Table VI (AFSD's 768-frame class-agnostic geometry, labels from a
// video-level classifier), on the user's ActivityNet or the ActivityNet twin (anet_task.go).
package gafdet
