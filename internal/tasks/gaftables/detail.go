package gaftables

import (
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/table"
)

// upstreamDetail is the data-source detail (table.DetailKey, e.g. "synthetic features, real
// ground truth") the runs' records agree on, so that the derived table's banner says it; ""
// when they disagree or do not say. Records made before the key existed fall back on their
// source: the THUMOS14 runs always evaluate against the real ground truth.
func upstreamDetail(recs []results.Record) string {
	d := ""
	for i, r := range recs {
		v, _ := r.Extra[table.DetailKey].(string)
		if v == "" && r.Task == "gaf-thumos" && (r.DataSource == "synthetic" || r.DataSource == "real") {
			v = r.DataSource + " features, real ground truth"
		}
		if i > 0 && v != d {
			return ""
		}
		d = v
	}
	return d
}
