// Package data reads the datasets of the reproduced papers and writes their
// synthetic twins.
//
// Its one job is to turn files on disk (the official annotation formats of
// Animal Kingdom, BaboonLand, UCF101, UCF50, THUMOS14 and ActivityNet; .npy
// feature stores; videos decoded with ffmpeg) into plain Go values, and to
// generate seeded synthetic datasets written in the same formats so that the
// same readers read them. Every dataset value carries a Fingerprint (a hash
// of the bytes read) that results record as provenance.
//
// Real files are read from a data root (--data-root, default $ACTREPRO_DATA),
// never copied into the repository; see DataRoot. A malformed line is
// reported as a *ParseError naming the file, the line and the reason.
//
// The Animal Kingdom tracks consumed by the ARTEMIS task live here too:
// SynthAK (a seeded in-memory twin with planted class signal) and
// LoadAKText (the real descriptions and labels, embedded with the offline
// text encoder of package textenc, which stands in for CLIP's text encoder).
package data
