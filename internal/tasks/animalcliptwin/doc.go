// Package animalcliptwin is the runner task "animalclip-twin": the full
// Animal-CLIP head, video branch included, with its module ablations, on a
// SYNTHETIC feature-level twin of Animal Kingdom built on the real classes,
// species, graph and text (the motion video twin of the AnimalMotionCLIP
// work was not available to this package; see Twin for what is planted).
// It shares the "animalclip" task's variants, model, training and
// evaluation (animalclip.RunOn).
package animalcliptwin
