// Package animalclip is Animal-CLIP's classifier head (PRIS-CV/Animal-CLIP
// @ 4cff5a8, models/model_builder.py XCLIP.forward and models/prompt.py) in
// GoMLX, module by module as the authors' code builds it:
//
//   - frozen, cached text features of the classes' external prompts (the LLM
//     class descriptions) and of the 897 animal names: inputs here, computed
//     once outside the graph (the code's cache_text / cache_animal_text,
//     model_builder.py:214-258);
//   - the GCN text refinement over animal + action nodes (GCNDense, the
//     code's literal form, and GCN, an exact species-sparse rewriting of
//     the same two layers);
//   - the two species-conditioned prompt modules (SpeciesPrompt);
//   - logits = exp(logit_scale) · cosine(video, text) (Logits);
//   - a small video branch (VideoBranch: a frame projection and the
//     multi-frame integration transformer of models/mit.py) standing in for
//     X-CLIP's cross-frame ViT, which cannot be had here.
//
// The loss is PyTorch's CrossEntropyLoss with the clip's multi-hot labels as
// (unnormalised) probability targets (main.py:118-119, train.py:105), and
// the evaluation scores are the softmax of the logits (val.py:113).
package animalclip
