// Package aclipeval is the evaluation of Animal-CLIP's val.py
// (PRIS-CV/Animal-CLIP @ 4cff5a8): macro mAP over the classes with a val
// positive (utils/tools.py:679-701, get_map), its head/middle/tail means
// (lt_map, utils/tools.py:787-817) and F1@3 (compute_F1,
// utils/tools.py:752-785, called twice by val.py:199-200). Average
// precision and the segments are internal/metrics' (scikit-learn's AP; the
// Animal Kingdom thresholds, which give exactly lt_map's lists); this
// package adds the top-k F1 and the assembly.
package aclipeval
