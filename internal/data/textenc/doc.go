// Package textenc is the offline text encoder of the Animal Kingdom text
// track: it stands in for CLIP's 512-d text encoder, which cannot be
// downloaded here.
//
// The encoder is latent semantic analysis (LSA) over TF-IDF n-grams, the
// recipe of scikit-learn's TfidfVectorizer(ngram_range=(1,2),
// sublinear_tf=True) followed by TruncatedSVD and Normalizer:
//
//   - tokens are the lower-cased maximal runs of letters, digits and '_' of
//     at least two characters (scikit-learn's token_pattern \b\w\w+\b),
//     features are the tokens and their adjacent pairs ("w1 w2");
//   - a feature of the vocabulary (every feature of the fitting corpus) is
//     weighted by (1 + ln tf) · idf with idf = ln((1+N)/(1+df)) + 1
//     (smooth_idf), and the row is L2-normalised;
//   - the rows are projected on the Dim leading right singular vectors of
//     the fitting corpus's TF-IDF matrix, found by a randomized truncated
//     SVD (Halko, Martinsson & Tropp 2011, Algorithms 4.4 and 5.1: a seeded
//     Gaussian sketch with oversampling, power iterations re-orthonormalised
//     by QR, then an exact SVD of the small projected matrix with gonum);
//   - the projection is L2-normalised.
//
// Fit it on TRAIN texts only. It is deterministic: the same corpus, options
// and text give the same bytes on every machine.
//
// It carries lexical co-occurrence, not CLIP's semantics: "running" and
// "sprinting" are related only as far as they share contexts in the corpus.
// Results on it are labelled as such.
package textenc
