package eval

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable prints the report as a table.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "articles in truth\t%d\t\n", r.Truth)
	fmt.Fprintf(tw, "in the catalog (evaluated)\t%d\t\n", r.Evaluated)
	fmt.Fprintf(tw, "not in the catalog\t%d\t\n", r.Missing)
	fmt.Fprintf(tw, "credited / uncredited\t%d / %d\t\n", r.Credited, r.Uncredited)
	fmt.Fprintln(tw, "\t\t")
	fmt.Fprintln(tw, "measure\ttruth\tclaimed\tcorrect\tprecision\trecall\tF1\t")
	row := func(name string, s Score) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.4f\t%.4f\t%.4f\t\n", name, s.Truth, s.Claimed, s.Correct, s.Precision, s.Recall, s.F1)
	}
	row("credited: origin kind", r.CreditedKind)
	row("credited: origin identity", r.CreditedIdentity)
	row("credited: root time (of right roots)", r.RootTime)
	row("uncredited: kind (with evidence)", r.UncreditedKind)
	row("uncredited: identity (with evidence)", r.UncreditedIdentity)
	row("uncredited: identity (all)", r.UncreditedIdentityAll)
	p := r.Stories
	fmt.Fprintf(tw, "story pairs\t%d\t%d\t%d\t%.4f\t%.4f\t%.4f\t\n", p.TruthPairs, p.GroupedPairs, p.CommonPairs, p.Precision, p.Recall, p.F1)
	fmt.Fprintln(tw, "\t\t")
	fmt.Fprintf(tw, "origins inferred without evidence\t%d\t\n", r.Unsupported)
	return tw.Flush()
}
