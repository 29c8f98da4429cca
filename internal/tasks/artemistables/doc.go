// Package artemistables holds the tasks of ARTEMIS Tables 5 to 7
// (experiments/artemis/table5_comparison.toml, table6_size.toml,
// table7_baboonland.toml):
//
//   - "artemis-comparison" (Table 5) reads the measured ARTEMIS rows from
//     other experiments' records: the single model from Table 1's runs and
//     the ensemble from Table 4's; an absent upstream spec or record gives
//     an empty, "not run" record, never a number;
//   - "artemis-size" (Table 6) counts parameters analytically
//     (internal/modelsize) and times the GoMLX ARTEMIS head at the paper's
//     widths per clip (batch 1) on a named backend;
//   - "artemis-baboonland" (Table 7) trains ARTEMIS single on BaboonLand
//     (internal/data/baboonland): the synthetic twin, or the real labels
//     and descriptions text-only when the user's label files are present.
package artemistables
