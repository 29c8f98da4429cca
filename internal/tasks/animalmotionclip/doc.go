// Package animalmotionclip is the task behind AnimalMotionCLIP's Tables 1-3
// (../shared/papers/animalmotionclip.txt, section 3): it trains the M weight-sharing X-CLIP
// classifiers of gomlx_models/animalmotionclip from scratch on Animal Kingdom videos (the real
// layout <root>/animalkingdom/video/<id>.mp4, or the seeded motion twin written in that layout),
// each classifier reading its own frame selection (dense, semi-dense or sparse; M and P spec
// fields) of RGB frames, optical-flow images or both interleaved (I1 F1 I2 F2 ...), averages the
// classifiers' sigmoid scores, and reports Animal Kingdom's macro mAP with head/middle/tail
// (internal/metrics.EvaluateMultiLabel) on the val list. A second task reads those records to
// lay out each paper table ("animalmotionclip-table"), so one sweep of training runs feeds all
// three tables. Frame selection: internal/video/sampling; flow and its colour-wheel images:
// internal/video/flow.
package animalmotionclip
