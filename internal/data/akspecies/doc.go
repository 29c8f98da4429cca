// Package akspecies reads Animal-CLIP's species annotation of Animal Kingdom:
// the per-clip (animal, action) pairs (species_train.txt, species_val.txt;
// Animal-CLIP's data_files/AK/train_all.txt and test_animal.txt), the 897
// animal names (animals.csv = data_files/AK/animal_label.csv) and the
// animal–action relation file (animal_action_relation.txt =
// data_files/AK/animal-action-relation.txt), and builds the relation graph
// from them. Its one job is turning those files into indices; it knows no
// model.
//
// Every malformed line is reported as a *data.ParseError naming the file and
// the 1-based line.
package akspecies
