// Package textenc is the offline text encoder of the Animal Kingdom text
// track: it stands in for CLIP's text encoder, which cannot be downloaded
// here.
//
// A text becomes a bag of features (lower-cased words and adjacent-word
// bigrams), each feature is weighted by (1 + ln tf) * idf with the inverse
// document frequency idf = ln((1+N)/(1+df)) + 1 fitted on a corpus (sklearn's
// smooth_idf convention), hashed with 64-bit FNV-1a into Dim buckets with a
// sign taken from the hash (the "hashing trick", Weinberger et al. 2009),
// and the vector is L2-normalised. It is deterministic: the same corpus and
// text give the same bytes on every machine.
//
// It carries lexical, not semantic, similarity: "running" and "sprinting"
// are unrelated to it, unlike CLIP. Results on it are labelled as such.
package textenc
