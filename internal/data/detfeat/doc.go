// Package detfeat serves per-video feature sequences for temporal action
// detection (THUMOS14, ActivityNet v1.3), from real precomputed I3D
// features or from a ground-truth-anchored synthetic twin, behind one
// interface (Source) so that a detector cannot tell them apart.
//
// Real features are read in the layout of the public ActionFormer / TriDet
// THUMOS14 release: <root>/thumos14/i3d_features/<video>.npy, [T, 2048]
// float32, RGB in the first 1,024 channels and flow in the last 1,024,
// computed on 16-frame clips every 4 frames, so that step i is centred at
// (4i + 8) / fps seconds (ActionFormer libs/datasets/thumos14.py L156–165).
// Each file's length is checked against AFSD's *_video_info.csv frame
// counts (floor((frames − 16) / 4) + 1 steps, ±2); a mismatch is an error
// naming the file. ActivityNet features are looked up under
// <root>/activitynet/i3d_features/v_<id>.npy when the user supplies them;
// when they are absent the error wraps ErrNotPresent.
//
// The twin uses the REAL video ids, durations, frame rates, segments and
// labels of thumos14.json (200 validation, 212 test videos) and plants a
// class direction wherever a step's 16-frame window overlaps a real
// segment, so that evaluating against the real ground truth is meaningful.
// Ambiguous instances (type "Ambiguous" in AFSD's *_Annotation.csv) carry a
// mixture of class directions. The RGB and flow halves have their own
// directions and signal-to-noise ratios; Difficulty blurs boundaries and
// makes listed class pairs share part of their direction. A video's
// features are generated when asked for, from a seed derived from the
// twin's seed and the video id, so the twin holds no features in memory
// and any video can be regenerated alone, bit for bit.
//
// Resample puts a feature sequence on a uniform time grid (AFSD's 10 fps,
// see AFSDRate) by linear interpolation between step centres. It lives
// here because it only needs the step geometry every Source reports.
//
// The ground truth a detection is evaluated against is never taken from
// here: it is always the real annotation file (see package
// internal/metrics/detprotocol).
package detfeat
